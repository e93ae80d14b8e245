// push-service on a real RabbitMQ (a private rabbitmq-server started here): events put on
// the `domain-events` exchange by an AMQP client in exactly ADSP's wire format reach SSE
// and socket.io subscribers; malformed messages are skipped; POST /event/v1/events goes
// through the exchange; the broker is stopped and restarted under connected subscribers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import amqplib from 'amqplib';
import { io } from 'socket.io-client';
import { EventSource } from 'eventsource';
import { Service, waitFor } from './service.mjs';
import { startRabbit } from './servers.mjs';

const TENANT_URN = 'urn:ads:platform:tenant-service:v2:/tenants/demo';
const EXCHANGE = 'domain-events';
let rabbit;
let service;
let connection;
let channel;

// What ADSP's event service puts on the exchange for an event.
function adspMessage({ namespace = 'status-service', name = 'health-check-started', tenantId = TENANT_URN,
  correlationId, context = {}, payload = {} } = {}) {
  const headers = { namespace, name, tenantId, context, timestamp: new Date().toISOString(),
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
  if (correlationId !== undefined) headers.correlationId = correlationId;
  return { key: `${namespace}.${name}.${tenantId}`, body: Buffer.from(JSON.stringify(payload)), headers };
}

function put(message, headers = message.headers) {
  channel.publish(EXCHANGE, message.key, message.body, { headers, contentType: 'application/json' });
}

async function openAmqp() {
  connection = await amqplib.connect(rabbit.url);
  channel = await connection.createChannel();
  await channel.assertExchange(EXCHANGE, 'topic', { durable: true });
}

function sse(path) {
  const items = [];
  const source = new EventSource(`${service.url}${path}`);
  source.onmessage = (e) => items.push(JSON.parse(e.data));
  const open = new Promise((resolve, reject) => {
    source.onopen = resolve;
    source.onerror = (e) => reject(new Error(`SSE failed: ${e.message ?? e.type}`));
  });
  return { source, items, open };
}

async function socketIo() {
  const socket = io(`${service.url}/demo`, { query: { stream: 'application-health' }, forceNew: true,
    transports: ['websocket'] });
  const items = [];
  socket.on('status-service:health-check-started', (item) => items.push(item));
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return { socket, items };
}

before(async () => {
  rabbit = await startRabbit();
  service = new Service({ PUSH_AMQP_URL: rabbit.url });
  await service.start();
  await waitFor(async () => (await service.health()).broker?.status === 'connected', 20000, 'broker connected');
  await openAmqp();
});

after(async () => {
  await connection?.close().catch(() => {});
  await service?.stop();
  await rabbit?.stop();
});

describe('ADSP events from the exchange', () => {
  test('reach SSE and socket.io subscribers with their correlation id, context and payload', async () => {
    const stream = sse('/stream/v1/streams/application-health?tenant=demo');
    await stream.open;
    const sio = await socketIo();
    put(adspMessage({ correlationId: 'corr-1', context: { app: 'a1' }, payload: { from: 'amqp', n: 1 } }));
    await waitFor(() => stream.items.length === 1 && sio.items.length === 1, 5000, 'both deliveries');
    for (const item of [stream.items[0], sio.items[0]]) {
      assert.equal(item.namespace, 'status-service');
      assert.equal(item.name, 'health-check-started');
      assert.equal(item.correlationId, 'corr-1');
      assert.deepEqual(item.context, { app: 'a1' });
      assert.deepEqual(item.payload, { from: 'amqp', n: 1 });
      assert.equal(item.tenantId, TENANT_URN);
    }
    stream.source.close();
    sio.socket.close();
  });

  test('malformed messages are dropped and counted; the next good one still arrives', async () => {
    const stream = sse('/stream/v1/streams/application-health?tenant=demo');
    await stream.open;
    const before = (await service.health()).broker.malformed;
    const good = adspMessage({ payload: { good: true } });
    channel.publish(EXCHANGE, good.key, Buffer.from('{not json'), { headers: good.headers });
    channel.publish(EXCHANGE, good.key, good.body, {}); // no headers at all
    put(good, { ...good.headers, name: undefined }); // no name
    put(good, { ...good.headers, tenantId: 'urn:ads:platform:tenant-service:v2:/tenants/nobody' });
    put(good, { ...good.headers, timestamp: 'yesterday' });
    put(good, { ...good.headers, context: { nested: { not: 'flat' } } });
    put(good);
    await waitFor(() => stream.items.length === 1, 5000, 'the good event');
    assert.deepEqual(stream.items[0].payload, { good: true });
    const health = await service.health();
    assert.equal(health.broker.malformed - before, 6);
    assert.equal(health.broker.status, 'connected');
    // A later good event is the next delivered: none of the malformed ones came after all.
    put(adspMessage({ payload: { good: 'later' } }));
    await waitFor(() => stream.items.length === 2, 5000, 'the later event');
    assert.deepEqual(stream.items[1].payload, { good: 'later' }, 'nothing but the good events');
    stream.source.close();
  });

  test('POST /event/v1/events publishes to the exchange in the same wire format', async () => {
    const tap = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(tap.queue, EXCHANGE, '#');
    const seen = [];
    await channel.consume(tap.queue, (m) => seen.push(m), { noAck: true });
    const stream = sse('/stream/v1/streams/application-health?tenant=demo');
    await stream.open;
    const response = await service.publish('demo', {
      namespace: 'status-service', name: 'health-check-started', correlationId: 'http-1',
      context: { app: 'x' }, payload: { via: 'http' },
    });
    assert.equal(response.status, 200);
    assert.equal(response.body.published, 'amqp');
    await waitFor(() => seen.length === 1 && stream.items.length === 1, 5000, 'tap and subscriber');
    const m = seen[0];
    assert.equal(m.fields.routingKey, `status-service.health-check-started.${TENANT_URN}`);
    assert.equal(m.properties.headers.namespace, 'status-service');
    assert.equal(m.properties.headers.name, 'health-check-started');
    assert.equal(m.properties.headers.tenantId, TENANT_URN);
    assert.equal(m.properties.headers.correlationId, 'http-1');
    assert.deepEqual(m.properties.headers.context, { app: 'x' });
    assert.match(m.properties.headers.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(JSON.parse(m.content.toString()), { via: 'http' });
    assert.equal(stream.items[0].correlationId, 'http-1');
    stream.source.close();
  });
});

describe('the broker goes away and comes back', () => {
  test('health reports it, publishing answers 503, and events after the restart are delivered', async () => {
    const stream = sse('/stream/v1/streams/application-health?tenant=demo');
    await stream.open;
    const sio = await socketIo();
    await connection.close().catch(() => {});
    await rabbit.stop();
    await waitFor(async () => (await service.health()).broker.status !== 'connected', 15000, 'broker lost');
    const down = await fetch(`${service.url}/health`);
    assert.equal(down.status, 503);
    const body = await down.json();
    assert.equal(body.status, 'error');
    assert.ok(body.broker.error, 'health says why');
    assert.match(await (await fetch(`${service.url}/metrics`)).text(), /^push_amqp_connected 0$/m);
    const refused = await service.publish('demo', { namespace: 'status-service', name: 'health-check-started',
      payload: {} });
    assert.equal(refused.status, 503);
    assert.match(refused.body.errorMessage, /event bus/);

    await rabbit.start();
    await waitFor(async () => (await service.health()).broker.status === 'connected', 60000, 'broker back');
    assert.equal((await fetch(`${service.url}/health`)).status, 200);
    assert.ok((await service.health()).broker.reconnects >= 1);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    assert.match(metrics, /^push_amqp_connected 1$/m);
    assert.match(metrics, /^push_amqp_reconnects_total [1-9]/m);
    await openAmqp();
    put(adspMessage({ payload: { after: 'restart' } }));
    await waitFor(() => stream.items.length === 1 && sio.items.length === 1, 5000, 'delivery after restart');
    assert.deepEqual(stream.items[0].payload, { after: 'restart' });
    assert.deepEqual(sio.items[0].payload, { after: 'restart' });
    stream.source.close();
    sio.socket.close();
  });
});
