// Two push-service instances sharing a real PostgreSQL (configuration) and a real
// RabbitMQ (events), behind a real nginx (docs/load-balancing.md's configuration): an
// event published through A reaches subscribers on both; a stream created through A is
// live on B within a second; socket.io (polling, then the upgrade) and SSE through nginx;
// when the instance a client is on dies, the client reconnects through nginx to the other.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { io } from 'socket.io-client';
import { EventSource } from 'eventsource';
import { startCluster } from './cluster.mjs';
import { waitFor } from './service.mjs';

const HEALTH = 'status-service:health-check-started';
let rabbit;
let pg;
let a;
let b;
let nginx;
let proxy;

function stream(id) {
  return { id, name: id, publicSubscribe: true, events: [{ namespace: 'status-service', name: 'health-check-started' }] };
}

function sse(base, id = 'application-health') {
  const items = [];
  const source = new EventSource(`${base}/stream/v1/streams/${id}?tenant=demo`);
  source.onmessage = (e) => items.push(JSON.parse(e.data));
  const open = new Promise((resolve, reject) => {
    source.onopen = resolve;
    source.onerror = (e) => reject(new Error(`SSE on ${base} failed: ${e.message ?? e.type}`));
  });
  return { source, items, open };
}

// The status of GET on a stream, without waiting for its events.
async function streamStatus(base, id) {
  const controller = new AbortController();
  const response = await fetch(`${base}/stream/v1/streams/${id}?tenant=demo`, { signal: controller.signal });
  controller.abort();
  return response.status;
}

async function upstreamOf() {
  const response = await fetch(`${proxy}/health`);
  return response.headers.get('x-push-upstream');
}

before(async () => {
  ({ rabbit, pg, a, b, nginx, proxy } = await startCluster());
});

after(async () => {
  await nginx?.stop();
  await a?.stop();
  await b?.stop();
  await rabbit?.stop();
  await pg?.stop();
});

describe('two instances, one PostgreSQL, one RabbitMQ', () => {
  test('both report the shared store and the broker', async () => {
    for (const s of [a, b]) {
      const health = await s.health();
      assert.equal(health.status, 'ok');
      assert.equal(health.storeKind, 'postgresql');
      assert.equal(health.broker.status, 'connected');
    }
  });

  test('an event published through A reaches subscribers on A and on B', async () => {
    const onA = sse(a.url);
    const onB = sse(b.url);
    await Promise.all([onA.open, onB.open]);
    const response = await a.publish('demo', { namespace: 'status-service', name: 'health-check-started',
      correlationId: 'scale-1', payload: { n: 1 } });
    assert.equal(response.status, 200);
    await waitFor(() => onA.items.length === 1 && onB.items.length === 1, 5000, 'delivery on both');
    assert.equal(onA.items[0].correlationId, 'scale-1');
    assert.equal(onB.items[0].correlationId, 'scale-1');
    onA.source.close();
    onB.source.close();
  });

  test('a stream created through A is live on B within a second', async () => {
    assert.equal(await streamStatus(b.url, 'added-on-a'), 404);
    a.configure('demo', { 'application-health': stream('application-health'), 'added-on-a': stream('added-on-a') });
    await waitFor(async () => (await streamStatus(b.url, 'added-on-a')) === 200, 1000, 'the new stream on B');
    const onB = sse(b.url, 'added-on-a');
    await onB.open;
    await a.publish('demo', { namespace: 'status-service', name: 'health-check-started', payload: { added: true } });
    await waitFor(() => onB.items.length === 1, 5000, 'an event on the new stream on B');
    onB.source.close();
  });

  test('a webhook is called once per event, not once per instance', async () => {
    const received = [];
    const target = createServer((request, response) => {
      let body = '';
      request.on('data', (d) => (body += d));
      request.on('end', () => {
        received.push(JSON.parse(body));
        response.end('ok');
      });
    });
    await new Promise((resolve) => target.listen(0, '127.0.0.1', resolve));
    a.configure('demo', {
      'application-health': stream('application-health'),
      'webhook-calls': { id: 'webhook-calls', name: 'calls', publicSubscribe: true,
        events: [{ namespace: 'push-service', name: 'webhook-triggered' }] },
      webhooks: { once: { id: 'once', name: 'Once', url: `http://127.0.0.1:${target.address().port}/`,
        events: [{ namespace: 'order-service', name: 'order-placed' }] } },
    });
    await waitFor(async () => (await streamStatus(b.url, 'webhook-calls')) === 200 &&
      (await streamStatus(a.url, 'webhook-calls')) === 200, 5000, 'the configuration on both');
    const onA = sse(a.url, 'webhook-calls');
    const onB = sse(b.url, 'webhook-calls');
    await Promise.all([onA.open, onB.open]);
    const events = 10;
    for (let i = 0; i < events; i++) {
      const publisher = i % 2 ? a : b;
      assert.equal((await publisher.publish('demo', { namespace: 'order-service', name: 'order-placed',
        correlationId: `order-${i}`, payload: { i } })).status, 200);
    }
    // every call's webhook-triggered event goes through the exchange to both instances
    await waitFor(() => onA.items.length >= events && onB.items.length >= events, 10000, 'the triggered events on both');
    assert.equal(received.length, events, 'one call per event');
    assert.deepEqual(received.map((e) => e.correlationId).sort(), [...Array(events).keys()].map((i) => `order-${i}`).sort());
    assert.equal(onA.items.length, events);
    assert.equal(onB.items.length, events);
    onA.source.close();
    onB.source.close();
    target.close();
  });
});

describe('behind nginx', () => {
  test('socket.io polling with the upgrade, and SSE, through the proxy', async () => {
    const socket = io(`${proxy}/demo`, { query: { stream: 'application-health' }, forceNew: true, reconnection: false });
    const items = [];
    socket.on(HEALTH, (item) => items.push(item));
    let handshake;
    let upgraded;
    socket.io.on('open', () => {
      handshake = socket.io.engine.transport.name;
      socket.io.engine.on('upgrade', (transport) => (upgraded = transport.name));
    });
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    assert.equal(handshake, 'polling', 'the handshake is on long-polling');
    await waitFor(() => upgraded === 'websocket', 5000, 'the upgrade through nginx');
    const viaProxy = sse(proxy);
    await viaProxy.open;
    await b.publish('demo', { namespace: 'status-service', name: 'health-check-started', payload: { via: 'nginx' } });
    await waitFor(() => items.length === 1 && viaProxy.items.length === 1, 5000, 'deliveries through nginx');
    assert.deepEqual(items[0].payload, { via: 'nginx' });
    assert.deepEqual(viaProxy.items[0].payload, { via: 'nginx' });
    socket.close();
    viaProxy.source.close();
  });

  test('when its instance dies, a socket.io client reconnects through nginx to the other', async () => {
    const upstream = await upstreamOf();
    const [dying, survivor] = upstream.endsWith(`:${a.port}`) ? [a, b] : [b, a];
    const socket = io(`${proxy}/demo`, { query: { stream: 'application-health' }, forceNew: true,
      reconnectionDelay: 100, reconnectionDelayMax: 500 });
    const items = [];
    socket.on(HEALTH, (item) => items.push(item));
    let connects = 0;
    socket.on('connect', () => connects++);
    await waitFor(() => connects === 1, 5000, 'first connect');
    await dying.halt();
    await waitFor(() => connects === 2, 15000, 'reconnect through nginx');
    assert.ok((await upstreamOf()).endsWith(`:${survivor.port}`), 'nginx now sends to the survivor');
    await survivor.publish('demo', { namespace: 'status-service', name: 'health-check-started', payload: { after: 'failover' } });
    await waitFor(() => items.length === 1, 5000, 'delivery after the failover');
    assert.deepEqual(items[0].payload, { after: 'failover' });
    socket.close();
  });
});
