// Resume across instances (docs/resume.md, "Several instances"): two instances behind the
// guide's nginx on one real Redis, RabbitMQ and PostgreSQL. The shared buffer queue feeds
// the log once per event whatever the number of instances; both instances deliver the same
// cursors; a client whose instance is killed resumes through nginx on the other with
// nothing lost or doubled, over SSE (npm eventsource) and socket.io (socket.io-client's
// connection state recovery); events published while Redis is down reach the log (and the
// subscribers) once it is back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventSource } from 'eventsource';
import { io } from 'socket.io-client';
import { startCluster } from './cluster.mjs';
import { STREAMS, stream } from './eventstream.mjs';
import { waitFor } from './service.mjs';

const ENTRIES = 'push:events:{urn:ads:platform:tenant-service:v2:/tenants/demo}';

let cluster;

before(async () => {
  cluster = await startCluster({ redis: true, configure: (svc) => svc.configure('demo', STREAMS) });
});

after(async () => {
  await cluster?.stop();
});

let counter = 0;
async function order(via, fields = {}) {
  const n = ++counter;
  const published = await via.publish('demo', { namespace: 'shop', name: 'order-placed', id: `order-${n}`, payload: { n }, ...fields });
  assert.equal(published.status, 200, JSON.stringify(published.body));
  return n;
}

// The instance the one subscriber of the test is on (by their /health).
async function holderOfTheSubscriber() {
  const { a, b } = cluster;
  let holder;
  await waitFor(async () => {
    const [onA, onB] = [(await a.health()).subscribers, (await b.health()).subscribers];
    holder = onA === 1 && onB === 0 ? a : onA === 0 && onB === 1 ? b : undefined;
    return holder !== undefined;
  }, 5000, 'the subscriber on one instance');
  return holder;
}

// Both instances up and serving: the broker connected, the shared log followed.
async function bothHealthy() {
  for (const s of [cluster.a, cluster.b]) {
    await waitFor(async () => {
      try {
        return (await s.health()).status === 'ok';
      } catch {
        return false; // not listening yet
      }
    }, 30000, `the instance on ${s.port} healthy`);
  }
}

// The instance a failover test killed, to be started again whatever the test's outcome.
let killed;
async function restoreCluster() {
  if (killed) {
    const { service, port } = killed;
    killed = undefined;
    await service.start(port);
  }
  await bothHealthy();
}

// The failover every client test goes through: the instance the client is on (found by
// /health) is SIGKILLed after five events have reached the client, and ten more are
// published on the other meanwhile. Resolves to {expected, survivor}; restoreCluster()
// starts the killed one again.
async function killTheClientsInstance(received) {
  const { a, b } = cluster;
  await bothHealthy();
  const holder = await holderOfTheSubscriber();
  const survivor = holder === a ? b : a;
  const expected = [];
  for (let i = 0; i < 5; ++i) expected.push(await order(survivor));
  await waitFor(() => received.length === 5, 5000, 'five events before the failover');
  // Killed, not stopped: no goodbye to the client, nothing flushed.
  const exited = new Promise((resolve) => holder.process.once('exit', resolve));
  killed = { service: holder, port: holder.port };
  holder.process.kill('SIGKILL');
  await exited;
  for (let i = 0; i < 10; ++i) expected.push(await order(survivor));
  return { expected, survivor };
}

test('each event is appended once, and both instances deliver it with the same cursor', async () => {
  const { a, b, redis } = cluster;
  await bothHealthy();
  const length = Number(await redis.cli('XLEN', ENTRIES));
  const counted = [(await a.health()).eventsPublished, (await b.health()).eventsPublished];
  const onA = stream(a, '/stream/v1/streams/orders?tenant=demo');
  const onB = stream(b, '/stream/v1/streams/orders?tenant=demo');
  await Promise.all([onA.opened, onB.opened]);
  await waitFor(() => onA.named('adsp:ready').length === 1 && onB.named('adsp:ready').length === 1, 5000, 'ready on both');
  const published = [];
  for (let i = 0; i < 10; ++i) published.push(await order(i % 2 ? a : b));
  await waitFor(() => onA.data().length === 10 && onB.data().length === 10, 10000, 'ten events on both');
  assert.deepEqual(onA.data().map((m) => m.id), onB.data().map((m) => m.id), 'the same cursors');
  // One instance at a time takes the buffer queue (single active consumer): the log has
  // them in the order they were published, through either instance.
  assert.deepEqual(onA.data().map((m) => m.payload.n), published);
  assert.equal(Number(await redis.cli('XLEN', ENTRIES)), length + 10, 'appended once each');
  // Each instance counts each event once, though its tenant half comes from the log and
  // its cross-tenant half from the instance's own queue.
  assert.deepEqual([(await a.health()).eventsPublished - counted[0], (await b.health()).eventsPublished - counted[1]], [10, 10]);
  onA.close();
  onB.close();
});

test('the instance dies: the client resumes through nginx on the other, every event once', async () => {
  const { proxy } = cluster;
  await bothHealthy();
  const source = new EventSource(`${proxy}/stream/v1/streams/orders?tenant=demo`);
  const received = [];
  source.onmessage = (event) => received.push(JSON.parse(event.data).payload.n);
  const readies = [];
  try {
    await new Promise((resolve, reject) => {
      source.addEventListener('adsp:ready', resolve, { once: true });
      source.onerror = reject;
    });
    source.onerror = () => {}; // the failover: it reconnects by itself
    source.addEventListener('adsp:ready', (event) => readies.push(JSON.parse(event.data)));
    const { expected, survivor } = await killTheClientsInstance(received);
    await waitFor(() => received.length >= expected.length, 20000, `all ${expected.length} events (have ${received.length})`);
    // The proof that nothing more comes: one more, and it is the next one.
    expected.push(await order(survivor));
    await waitFor(() => received.length >= expected.length, 5000, 'the proof event');
    assert.deepEqual(received, expected);
    assert.equal(readies.length, 1, JSON.stringify(readies));
    assert.ok(readies[0].replayed > 0, `what was published meanwhile is replayed: ${JSON.stringify(readies)}`);
  } finally {
    source.close();
    await restoreCluster(); // for the other tests
  }
});

test('socket.io: the instance dies, the client recovers on the other (socket.recovered)', async () => {
  const { proxy } = cluster;
  await bothHealthy();
  // Long-polling first, then the upgrade, as a browser does; nginx keeps a client on one
  // instance (hash of its address) until that one fails.
  const socket = io(`${proxy}/demo`, { query: { stream: 'orders' }, forceNew: true,
    reconnectionDelay: 100, reconnectionDelayMax: 500 });
  const received = [];
  socket.on('shop:order-placed', (item) => received.push(item.payload.n));
  const connects = [];
  socket.on('connect', () => connects.push({ id: socket.id, recovered: socket.recovered }));
  try {
    await waitFor(() => connects.length === 1, 10000, 'the first connect');
    const { expected, survivor } = await killTheClientsInstance(received);
    await waitFor(() => connects.length === 2, 20000, 'the reconnect through nginx');
    assert.equal(connects[1].recovered, true, 'recovered on the other instance');
    assert.equal(connects[1].id, connects[0].id, 'the same socket id');
    await waitFor(() => received.length >= expected.length, 10000, `all ${expected.length} events (have ${received.length})`);
    expected.push(await order(survivor)); // the proof that nothing more comes
    await waitFor(() => received.length >= expected.length, 5000, 'the proof event');
    assert.deepEqual(received, expected);
  } finally {
    socket.close(); // it would reconnect for ever
    await restoreCluster(); // for the other tests
  }
});

test('events published while Redis is down reach the log and the subscribers when it is back', async () => {
  const { a, b, redis } = cluster;
  await bothHealthy();
  const onA = stream(a, '/stream/v1/streams/orders?tenant=demo');
  const onB = stream(b, '/stream/v1/streams/orders?tenant=demo');
  await Promise.all([onA.opened, onB.opened]);
  await waitFor(() => onA.named('adsp:ready').length === 1 && onB.named('adsp:ready').length === 1, 5000, 'ready on both');
  await redis.halt();
  const published = [];
  try {
    // The broker has them (200), the instances cannot append them yet: not acknowledged.
    for (let i = 0; i < 6; ++i) published.push(await order(i % 2 ? a : b));
  } finally {
    await redis.start(); // empty: a new epoch
  }
  await waitFor(() => onA.data().length >= 6 && onB.data().length >= 6, 20000, 'the six events on both');
  const proof = await order(a);
  await waitFor(() => onA.data().some((m) => m.payload.n === proof) && onB.data().some((m) => m.payload.n === proof), 5000, 'the proof event');
  for (const s of [onA, onB]) {
    const got = s.data().map((m) => m.payload.n);
    assert.deepEqual(got.slice(0, -1).sort((x, y) => x - y), published, 'each once');
    assert.equal(got.at(-1), proof);
  }
  assert.equal(Number(await redis.cli('XLEN', ENTRIES)), 7, 'in the new log once each');
  onA.close();
  onB.close();
});
