// The npm socket.io-client (4.x) against the real push-service: what ADSP's most used
// client path does, `io('<url>/<tenant>', { query: { stream } })`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { EventSource } from 'eventsource';
import { Service, waitFor } from './service.mjs';

const HEALTH = 'status-service:health-check-started';
let service;
let listenerToken;
let coreListener;

function stream(id, extra = {}) {
  return {
    id,
    name: id,
    publicSubscribe: true,
    events: [{ namespace: 'status-service', name: 'health-check-started' }],
    ...extra,
  };
}

before(async () => {
  service = new Service();
  service.configure('demo', {
    'application-health': stream('application-health'),
    projected: stream('projected', {
      events: [{ namespace: 'status-service', name: 'health-check-started', map: { app: 'payload.app' } }],
    }),
    'private-stream': stream('private-stream', { publicSubscribe: false, subscriberRoles: ['reader'] }),
  });
  service.configure('--core', { 'core-stream': stream('core-stream', { publicSubscribe: false }) });
  await service.start();
  listenerToken = service.token('--tenant', 'demo', '--roles', 'reader');
  coreListener = service.token('--core', '--roles', 'urn:ads:platform:push-service:stream-listener');
});

after(async () => {
  await service.stop();
});

// Connects and resolves with the socket once connected, or rejects with the error.
function connect(path, options) {
  const socket = io(`${service.url}${path}`, { reconnection: false, forceNew: true, ...options });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

function collect(socket, event = HEALTH) {
  const items = [];
  socket.on(event, (item) => items.push(item));
  return items;
}

describe('transports', () => {
  for (const [name, options] of [
    ['polling only', { transports: ['polling'] }],
    ['websocket only', { transports: ['websocket'] }],
    ['polling upgraded to websocket', { transports: ['polling', 'websocket'] }],
  ]) {
    test(`${name}: receives stream events`, async () => {
      const socket = await connect('/demo', { ...options, query: { stream: 'projected' } });
      if (name.includes('upgraded'))
        await waitFor(() => socket.io.engine.transport.name === 'websocket', 5000, 'the upgrade');
      const items = collect(socket);
      const published = await service.publish('demo', {
        namespace: 'status-service',
        name: 'health-check-started',
        correlationId: 'c-1',
        payload: { app: 'portal', secret: 'not projected' },
      });
      assert.equal(published.status, 200);
      await waitFor(() => items.length === 1, 5000, 'the event');
      assert.deepEqual(items[0], {
        tenantId: 'urn:ads:platform:tenant-service:v2:/tenants/demo',
        namespace: 'status-service',
        name: 'health-check-started',
        correlationId: 'c-1',
        app: 'portal',
      });
      assert.equal(socket.io.engine.transport.name, options.transports.at(-1));
      socket.close();
    });
  }
});

describe('authentication', () => {
  test('token in the Authorization header', async () => {
    const socket = await connect('/demo', {
      transports: ['polling'],
      query: { stream: 'private-stream' },
      extraHeaders: { Authorization: `Bearer ${listenerToken}` },
    });
    const items = collect(socket);
    await service.publish('demo', { namespace: 'status-service', name: 'health-check-started', payload: { n: 1 } });
    await waitFor(() => items.length === 1);
    socket.close();
  });

  test('token in auth.token, over websocket', async () => {
    const socket = await connect('/demo', {
      transports: ['websocket'],
      query: { stream: 'private-stream' },
      auth: { token: listenerToken },
    });
    const items = collect(socket);
    await service.publish('demo', { namespace: 'status-service', name: 'health-check-started', payload: { n: 2 } });
    await waitFor(() => items.length === 1);
    socket.close();
  });

  test('a core user on the cross-tenant namespace gets every tenant\'s events', async () => {
    const socket = await connect('/', { query: { stream: 'core-stream' }, auth: { token: coreListener } });
    const items = collect(socket);
    await service.publish('demo', { namespace: 'status-service', name: 'health-check-started', payload: { n: 3 } });
    await waitFor(() => items.length === 1);
    assert.equal(items[0].tenantId, 'urn:ads:platform:tenant-service:v2:/tenants/demo');
    socket.close();
  });
});

describe('refusals come as connect_error with a message', () => {
  const cases = [
    ['unknown stream', '/demo', { query: { stream: 'nope' } }, /stream 'nope' not found/],
    ['no stream named', '/demo', {}, /must name a stream/],
    ['private stream without a token', '/demo', { query: { stream: 'private-stream' } }, /a token is required/],
    ['no right to the stream', '/demo', { query: { stream: 'private-stream' }, auth: { token: 'TOKEN:none' } }, /not allowed/],
    ['unknown tenant', '/nowhere', { query: { stream: 'application-health' } }, /tenant 'nowhere' not found/],
    ['cross-tenant without a token', '/', { query: { stream: 'core-stream' } }, /needs a core user/],
    ['a bad token', '/demo', { query: { stream: 'application-health' }, auth: { token: 'not.a.jwt' } }, /base64|JSON|JWS/],
    ['invalid namespace', '/bad_ns!', { query: { stream: 'application-health' } }, /Invalid namespace/],
  ];
  for (const [name, path, options, message] of cases) {
    test(name, async () => {
      if (options.auth?.token === 'TOKEN:none') options.auth.token = service.token('--tenant', 'demo');
      await assert.rejects(connect(path, { transports: ['websocket'], ...options }), (error) => {
        assert.match(error.message, message);
        return true;
      });
    });
  }
});

test('subscriber criteria in the handshake query', async () => {
  const socket = await connect('/demo', {
    query: { stream: 'application-health', criteria: JSON.stringify({ context: { site: 'north' } }) },
  });
  const items = collect(socket);
  for (const site of ['south', 'north', 'east'])
    await service.publish('demo', { namespace: 'status-service', name: 'health-check-started', context: { site }, payload: {} });
  // A later matching event is the next one to arrive: south and east never came.
  await service.publish('demo', { namespace: 'status-service', name: 'health-check-started', context: { site: 'north' }, payload: { later: true } });
  await waitFor(() => items.length === 2);
  assert.equal(items[0].context.site, 'north');
  assert.deepEqual(items[1].payload, { later: true });
  socket.close();
});

test('one event reaches SSE and socket.io subscribers of the same stream', async () => {
  const socket = await connect('/demo', { query: { stream: 'application-health' } });
  const items = collect(socket);
  const source = new EventSource(`${service.url}/stream/v1/streams/application-health?tenant=demo`);
  const messages = [];
  source.onmessage = (event) => messages.push(JSON.parse(event.data));
  await new Promise((resolve) => (source.onopen = resolve));
  await service.publish('demo', { namespace: 'status-service', name: 'health-check-started', correlationId: 'both', payload: {} });
  await waitFor(() => items.length === 1 && messages.length === 1);
  // The same item; SSE's JSON adds the eventId of a resumable stream (docs/resume.md).
  const { eventId, ...sseItem } = messages[0];
  assert.equal(typeof eventId, 'string');
  assert.deepEqual(items[0], sseItem);
  source.close();
  socket.close();
});

test('the client reconnects after the service restarts, and receives again', async () => {
  const port = service.port;
  const socket = io(`${service.url}/demo`, {
    query: { stream: 'application-health' },
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    forceNew: true,
  });
  await new Promise((resolve) => socket.once('connect', resolve));
  const items = collect(socket);
  await service.halt();
  await waitFor(() => !socket.connected, 5000, 'the disconnect');
  await service.start(port);
  await waitFor(() => socket.connected, 10000, 'the reconnection');
  await service.publish('demo', { namespace: 'status-service', name: 'health-check-started', payload: { after: 'restart' } });
  await waitFor(() => items.length === 1);
  assert.equal(items[0].payload.after, 'restart');
  socket.close();
});
