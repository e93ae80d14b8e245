// Faults of the broker under a publisher loop (issue 18): a private RabbitMQ is killed
// (SIGKILL), and stalled (SIGSTOP) and then killed, while publishers POST events and an SSE
// subscriber listens. Every event answered 2xx must reach the subscriber once the broker
// is back (publisher confirms, persistent messages, a durable queue per instance); a stall
// turns /health to 503 within seconds (confirm timeout while publishing, heartbeats while
// idle); the service reconnects by itself. And an event published twice with the same id
// is delivered once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import amqplib from 'amqplib';
import { EventSource } from 'eventsource';
import { Service, waitFor } from './service.mjs';
import { startRabbit } from './servers.mjs';

let rabbit;
let service;
let subscriber;
let sequence = 0;
const answers = new Map(); // n → HTTP status (0: no answer)

function listen() {
  const received = new Map(); // n → times delivered
  let errors = 0;
  const source = new EventSource(`${service.url}/stream/v1/streams/application-health?tenant=demo`);
  source.onmessage = (e) => {
    const n = JSON.parse(e.data).payload?.n;
    if (n !== undefined) received.set(n, (received.get(n) ?? 0) + 1);
  };
  source.onerror = () => errors++;
  const open = new Promise((resolve) => (source.onopen = resolve));
  return { source, received, open, errors: () => errors };
}

let senderToken;
async function post(event) {
  senderToken ??= service.token('--core', '--roles', 'urn:ads:platform:event-service:event-sender');
  try {
    const response = await fetch(`${service.url}/event/v1/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${senderToken}` },
      body: JSON.stringify({ timestamp: new Date().toISOString(), tenantId: 'demo', ...event }),
      signal: AbortSignal.timeout(20000),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0; // no answer: neither acknowledged nor refused
  }
}

// `count` publishers POSTing numbered events one after the other until stopped.
function publisherLoop(count = 3) {
  let running = true;
  const loops = Array.from({ length: count }, async () => {
    while (running) {
      const n = ++sequence;
      answers.set(n, -1);
      answers.set(n, await post({ namespace: 'status-service', name: 'health-check-started', payload: { n } }));
      await new Promise((r) => setTimeout(r, 10));
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

const acknowledged = () => [...answers].filter(([, status]) => status >= 200 && status < 300).map(([n]) => n);
const refused = () => [...answers].filter(([, status]) => status === 503).length;

async function healthStatus() {
  const response = await fetch(`${service.url}/health`);
  return { code: response.status, body: await response.json() };
}

async function metric(name) {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').pop()) : NaN;
}

// Every acknowledged event reached the subscriber: waits (bounded) for the last ones.
async function assertNoAcknowledgedLost(what) {
  const missing = () => acknowledged().filter((n) => !subscriber.received.has(n));
  try {
    await waitFor(() => missing().length === 0, 30000, `${what}: acknowledged events delivered`);
  } catch {
    assert.deepEqual(missing(), [], `${what}: events answered 2xx but never delivered`);
  }
}

async function waitAcknowledgedMore(count, ms, what) {
  const target = acknowledged().length + count;
  await waitFor(() => acknowledged().length >= target, ms, what);
}

before(async () => {
  rabbit = await startRabbit();
  service = new Service({ PUSH_AMQP_URL: rabbit.url, PUSH_AMQP_HEARTBEAT_SECONDS: '2' });
  await service.start();
  await waitFor(async () => (await service.health()).broker?.status === 'connected', 20000, 'broker connected');
  subscriber = listen();
  await subscriber.open;
});

after(async () => {
  subscriber?.source.close();
  await service?.stop();
  await rabbit?.destroy();
});

describe('the broker dies under a publisher loop', () => {
  test('SIGKILL: no acknowledged event is lost; the service reconnects by itself', async () => {
    const loop = publisherLoop();
    try {
      await waitAcknowledgedMore(60, 20000, 'events acknowledged before the kill');
      await rabbit.kill();
      await waitFor(async () => (await healthStatus()).code === 503, 10000, 'health 503 after the kill');
      const restarted = Date.now();
      await rabbit.start();
      const started = Date.now();
      await waitFor(async () => (await healthStatus()).code === 200, 30000, 'health 200 after the restart');
      const reconnectedMs = Date.now() - started;
      console.log(`faults: broker SIGKILL: start() took ${started - restarted} ms, reconnected ${reconnectedMs} ms after the broker accepted connections`);
      await waitAcknowledgedMore(30, 20000, 'events acknowledged after the restart');
    } finally {
      await loop.stop();
    }
    assert.ok((await service.health()).broker.reconnects >= 1);
    await assertNoAcknowledgedLost('SIGKILL');
    assert.equal(subscriber.errors(), 0, 'the SSE subscriber stayed connected');
  });

  test('SIGSTOP: health turns 503 within seconds, publishes get 503; then SIGKILL and restart: nothing acknowledged is lost', async () => {
    const stallsBefore = await metric('push_amqp_stalls_total');
    const loop = publisherLoop();
    try {
      await waitAcknowledgedMore(60, 20000, 'events acknowledged before the stall');
      const refusedBefore = refused();
      const stopped = Date.now();
      rabbit.pause();
      await waitFor(async () => (await healthStatus()).code === 503, 15000, 'health 503 during the stall');
      const detectedMs = Date.now() - stopped;
      console.log(`faults: broker SIGSTOP: /health 503 after ${detectedMs} ms`);
      const { body } = await healthStatus();
      assert.match(body.broker.error, /confirm|heartbeat|handshake|timed? ?out/i, `health says why: ${body.broker.error}`);
      assert.ok((await metric('push_amqp_stalls_total')) > stallsBefore, 'metrics count the stall');
      assert.equal(await metric('push_amqp_connected'), 0);
      await waitFor(() => refused() >= refusedBefore + 5, 15000, 'publishes refused during the stall');
      await rabbit.kill();
      const restarted = Date.now();
      await rabbit.start();
      const started = Date.now();
      await waitFor(async () => (await healthStatus()).code === 200, 30000, 'health 200 after the restart');
      console.log(`faults: broker SIGSTOP then SIGKILL: start() took ${started - restarted} ms, reconnected ${Date.now() - started} ms after`);
      await waitAcknowledgedMore(30, 20000, 'events acknowledged after the restart');
    } finally {
      await loop.stop();
    }
    await assertNoAcknowledgedLost('SIGSTOP then SIGKILL');
    const counts = [...answers.values()].reduce((m, s) => m.set(s, (m.get(s) ?? 0) + 1), new Map());
    console.log(`faults: answers by status over both tests: ${JSON.stringify([...counts])}`);
  });
});

describe('the broker stalls while nothing is published', () => {
  test('heartbeats notice it, and the service reconnects when the broker resumes', async () => {
    const stopped = Date.now();
    rabbit.pause();
    try {
      await waitFor(async () => (await healthStatus()).code === 503, 15000, 'health 503 during an idle stall');
      console.log(`faults: broker SIGSTOP, idle: /health 503 after ${Date.now() - stopped} ms`);
      assert.match((await healthStatus()).body.broker.error, /heartbeat/i);
    } finally {
      rabbit.resume();
    }
    const resumed = Date.now();
    await waitFor(async () => (await healthStatus()).code === 200, 30000, 'health 200 after SIGCONT');
    console.log(`faults: broker SIGCONT: reconnected ${Date.now() - resumed} ms after`);
    assert.equal(await post({ namespace: 'status-service', name: 'health-check-started', payload: { n: -3 } }), 200);
    await waitFor(() => subscriber.received.has(-3), 10000, 'an event after the stall');
  });
});

describe('a publisher retrying an event with an id', () => {
  test('is answered each time, and the event is delivered once', async () => {
    const before = await metric('push_events_duplicate_total');
    const event = { id: `retry-${Date.now()}`, namespace: 'status-service', name: 'health-check-started', payload: { n: -1 } };
    assert.equal(await post(event), 200);
    assert.equal(await post(event), 200);
    // A later event as proof that the repeat had its chance to arrive.
    assert.equal(await post({ namespace: 'status-service', name: 'health-check-started', payload: { n: -2 } }), 200);
    await waitFor(() => subscriber.received.has(-2), 10000, 'the later event');
    assert.equal(subscriber.received.get(-1), 1);
    assert.equal((await metric('push_events_duplicate_total')) - before, 1);
  });
});

describe('without a broker, a publisher retrying an event with an id', () => {
  test('is answered each time, the repeat marked duplicate, and the event is delivered once', async () => {
    const local = new Service();
    await local.start();
    const items = [];
    const source = new EventSource(`${local.url}/stream/v1/streams/application-health?tenant=demo`);
    source.onmessage = (e) => items.push(JSON.parse(e.data).payload?.n);
    try {
      await new Promise((resolve) => (source.onopen = resolve));
      const event = { id: 'local-1', namespace: 'status-service', name: 'health-check-started', payload: { n: 1 } };
      const first = await local.publish('demo', event);
      const second = await local.publish('demo', event);
      assert.equal(first.status, 200);
      assert.equal(first.body.duplicate, undefined);
      assert.equal(second.status, 200);
      assert.equal(second.body.duplicate, true);
      assert.equal((await local.publish('demo', { ...event, id: undefined, payload: { n: 2 } })).status, 200);
      await waitFor(() => items.includes(2), 10000, 'the later event');
      assert.deepEqual(items, [1, 2]);
    } finally {
      source.close();
      await local.stop();
    }
  });
});

describe('an instance\'s durable queue', () => {
  test('is deleted when the instance stops', async () => {
    const other = new Service({ PUSH_AMQP_URL: rabbit.url });
    await other.start();
    await waitFor(() => /queue push-service\.\w+/.test(other.log), 20000, 'connected with a queue');
    const queue = /queue (push-service\.\w+)/.exec(other.log)[1];
    const connection = await amqplib.connect(rabbit.url);
    try {
      const channel = await connection.createChannel();
      assert.equal((await channel.checkQueue(queue)).queue, queue);
      await other.stop();
      const gone = await connection.createChannel();
      gone.on('error', () => {});
      await assert.rejects(gone.checkQueue(queue), /404|NOT_FOUND/);
    } finally {
      await other.stop();
      await connection.close().catch(() => {});
    }
  });
});

describe('the broker refuses an event (basic.nack)', () => {
  test('the publisher gets 503 with the reason, and 200 again once the broker accepts', async () => {
    // A queue bound to everything that rejects every message: the broker nacks each publish.
    const connection = await amqplib.connect(rabbit.url);
    try {
      const channel = await connection.createChannel();
      await channel.assertQueue('faults-reject-all', { durable: false, arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' } });
      await channel.bindQueue('faults-reject-all', 'domain-events', '#');
      const unconfirmed = await metric('push_amqp_unconfirmed_total');
      const refused = await service.publish('demo', { namespace: 'status-service', name: 'health-check-started', payload: { n: -4 } });
      assert.equal(refused.status, 503);
      assert.match(refused.body.errorMessage, /nack/);
      assert.equal((await metric('push_amqp_unconfirmed_total')) - unconfirmed, 1);
      assert.equal((await healthStatus()).code, 200, 'a refusal is not an outage');
      await channel.deleteQueue('faults-reject-all');
      assert.equal(await post({ namespace: 'status-service', name: 'health-check-started', payload: { n: -5 } }), 200);
      await waitFor(() => subscriber.received.has(-5), 10000, 'the accepted event');
    } finally {
      await connection.close().catch(() => {});
    }
  });
});
