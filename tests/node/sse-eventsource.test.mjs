// The npm `eventsource` package (the EventSource of browsers, for Node) against the real
// push-service: what a web client of ADSP's push service does.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventSource } from 'eventsource';
import { Service, waitFor } from './service.mjs';

let service;

before(async () => {
  service = new Service();
  service.configure('demo', {
    'application-health': {
      id: 'application-health',
      name: 'Application Health',
      publicSubscribe: true,
      events: [{ namespace: 'status-service', name: 'health-check-started' }],
    },
    projected: {
      id: 'projected',
      name: 'Projected',
      publicSubscribe: true,
      events: [{ namespace: 'test', name: 'projected', map: { app: 'payload.application.name' } }],
    },
  });
  await service.start();
});

after(async () => {
  await service.stop();
});

function open(path) {
  const source = new EventSource(`${service.url}${path}`);
  const messages = [];
  source.onmessage = (event) => messages.push({ id: event.lastEventId, data: JSON.parse(event.data) });
  const opened = new Promise((resolve, reject) => {
    source.onopen = resolve;
    source.onerror = (error) => reject(error);
  });
  return { source, messages, opened };
}

test('an EventSource receives the published event, whole', async () => {
  const { source, messages, opened } = open('/stream/v1/streams/application-health?tenant=demo');
  await opened;
  const published = await service.publish('demo', {
    namespace: 'status-service',
    name: 'health-check-started',
    correlationId: 'c-1',
    payload: { url: 'https://example.org' },
  });
  assert.equal(published.status, 200);
  await waitFor(() => messages.length === 1, 5000, 'the event');
  const [message] = messages;
  assert.ok(message.id.length > 0, 'an id per event');
  assert.equal(message.data.tenantId, 'urn:ads:platform:tenant-service:v2:/tenants/demo');
  assert.equal(message.data.namespace, 'status-service');
  assert.equal(message.data.name, 'health-check-started');
  assert.equal(message.data.correlationId, 'c-1');
  assert.deepEqual(message.data.payload, { url: 'https://example.org' });
  source.close();
});

test('projection and subscriber criteria through EventSource', async () => {
  const criteria = encodeURIComponent(JSON.stringify({ correlationId: 'mine' }));
  const { source, messages, opened } = open(`/stream/v1/streams/projected?tenant=demo&criteria=${criteria}`);
  await opened;
  await service.publish('demo', { namespace: 'test', name: 'projected', correlationId: 'other', payload: { application: { name: 'no' } } });
  await service.publish('demo', { namespace: 'test', name: 'projected', correlationId: 'mine', payload: { application: { name: 'portal' }, secret: 1 } });
  await waitFor(() => messages.length === 1, 5000, 'the matching event');
  // eventId: the event has no id of its own, so its cursor (docs/resume.md).
  const { eventId, ...item } = messages[0].data;
  assert.equal(eventId, messages[0].id);
  assert.deepEqual(item, {
    tenantId: 'urn:ads:platform:tenant-service:v2:/tenants/demo',
    namespace: 'test',
    name: 'projected',
    correlationId: 'mine',
    app: 'portal',
  });
  source.close();
});

test('an unknown stream fails the EventSource with 404', async () => {
  const source = new EventSource(`${service.url}/stream/v1/streams/nope?tenant=demo`);
  const error = await new Promise((resolve) => (source.onerror = resolve));
  assert.equal(error.code, 404);
  assert.equal(source.readyState, EventSource.CLOSED);
});

test('a closed EventSource leaves no subscriber behind', async () => {
  const { source, opened } = open('/stream/v1/streams/application-health?tenant=demo');
  await opened;
  await waitFor(async () => (await service.health()).subscribers === 1, 5000, 'one subscriber');
  source.close();
  await waitFor(async () => (await service.health()).subscribers === 0, 5000, 'no subscriber');
});
