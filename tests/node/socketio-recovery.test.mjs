// socket.io connection state recovery (docs/resume.md, "socket.io") with the npm
// socket.io-client against the real service: the offsets are the log's cursors, a cut
// transport or a restart of the service is recovered (`socket.recovered`, every event
// once and in order), a tampered or foreign pid, a lost place or a passed window is not
// (a new session that works), instances on one PostgreSQL store share the key, and
// PUSH_RESUME=off sends neither pid nor offset.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { startPostgres } from './servers.mjs';
import { Service, waitFor } from './service.mjs';

const ORDER = 'shop:order-placed';
const STREAMS = {
  orders: {
    id: 'orders',
    name: 'Orders',
    publicSubscribe: true,
    events: [{ namespace: 'shop', name: 'order-placed' }],
  },
  private: {
    id: 'private',
    name: 'Private',
    subscriberRoles: ['reader'],
    events: [{ namespace: 'shop', name: 'order-placed', map: { n: 'payload.n' } }],
  },
};
const CURSOR = /^[0-9a-f]{8}\.\d+-\d+$/;

let service;

before(async () => {
  service = new Service();
  service.configure('demo', STREAMS);
  await service.start();
});

after(async () => {
  await service.stop();
});

let counter = 0;
async function order(svc, fields = {}) {
  const n = ++counter;
  const published = await svc.publish('demo', { namespace: 'shop', name: 'order-placed', payload: { n }, ...fields });
  assert.equal(published.status, 200, JSON.stringify(published.body));
  return { n, cursor: published.body.cursor };
}

// push_sio_recoveries_total by result.
async function recoveries(svc) {
  const metrics = await (await fetch(`${svc.url}/metrics`)).text();
  const counts = {};
  for (const [, result, value] of metrics.matchAll(/push_sio_recoveries_total\{result="([a-z]+)"\} (\d+)/g))
    counts[result] = Number(value);
  return counts;
}

// A socket that reconnects by itself, quickly; `received` holds {n, args} of each event.
function open(svc, options = {}) {
  const socket = io(`${svc.url}/demo`, {
    forceNew: true,
    transports: ['websocket'],
    reconnectionDelay: 100,
    reconnectionDelayMax: 300,
    query: { stream: 'orders' },
    ...options,
  });
  const received = [];
  socket.on(ORDER, (...args) => received.push({ n: args[0].payload?.n ?? args[0].n, args }));
  const connects = [];
  socket.on('connect', () => connects.push({ id: socket.id, recovered: socket.recovered }));
  return { socket, received, connects, numbers: () => received.map((r) => r.n) };
}

async function connected(client, count = 1) {
  await waitFor(() => client.connects.length >= count, 10000, `connect #${count}`);
  return client.connects[count - 1];
}

// Cuts the transport with the client's reconnection paused, runs `meanwhile`, then lets
// the client connect again (its own CONNECT, with its pid and offset).
async function cutAndReconnect(client, meanwhile) {
  const { socket } = client;
  const disconnected = new Promise((resolve) => socket.once('disconnect', resolve));
  socket.io.reconnection(false);
  socket.io.engine.close();
  await disconnected;
  await meanwhile();
  socket.io.reconnection(true);
  socket.io.open();
}

test('every event carries its cursor as the last argument, and the CONNECT a pid', async () => {
  const client = open(service);
  await connected(client);
  assert.equal(typeof client.socket._pid, 'string', 'the CONNECT answer carried a pid');
  assert.ok(client.socket._pid.length < 1024);
  const a = await order(service);
  await waitFor(() => client.received.length === 1, 5000, 'the event');
  const [{ args }] = client.received;
  assert.equal(args.length, 2);
  assert.match(args[1], CURSOR);
  assert.equal(args[1], a.cursor);
  assert.equal(client.socket._lastOffset, a.cursor);
  client.socket.close();
});

for (const transports of [['websocket'], ['polling']]) {
  test(`a cut transport (${transports}): the session is restored, what was missed follows once and in order`, async () => {
    const client = open(service, { transports });
    const first = await connected(client);
    assert.ok(!first.recovered);
    const before_ = [await order(service), await order(service)];
    await waitFor(() => client.received.length === 2, 5000, 'two events');
    const counted = await recoveries(service);
    const missed = [];
    await cutAndReconnect(client, async () => {
      missed.push(await order(service), await order(service), await order(service));
    });
    const second = await connected(client, 2);
    assert.equal(second.recovered, true);
    assert.equal(second.id, first.id, 'the same sid');
    const live = await order(service);
    const expected = [...before_, ...missed, live].map((o) => o.n);
    await waitFor(() => client.received.length >= expected.length, 5000, 'every event');
    assert.deepEqual(client.numbers(), expected);
    assert.deepEqual(client.received.slice(2).map((r) => r.args[1]), [...missed, live].map((o) => o.cursor));
    assert.equal((await recoveries(service)).recovered, counted.recovered + 1);
    client.socket.close();
  });
}

test('a session that got no event yet is restored from where it began', async () => {
  const client = open(service);
  await connected(client);
  const missed = [];
  await cutAndReconnect(client, async () => {
    missed.push(await order(service), await order(service));
  });
  assert.equal((await connected(client, 2)).recovered, true);
  await waitFor(() => client.received.length === 2, 5000, 'the missed events');
  assert.deepEqual(client.numbers(), missed.map((o) => o.n));
  client.socket.close();
});

test('the criteria and the projection apply to the replay; the token is checked again', async () => {
  const token = service.token('--tenant', 'demo', '--roles', 'reader');
  const client = open(service, {
    query: { stream: 'private', criteria: JSON.stringify({ correlationId: 'mine' }) },
    auth: { token },
  });
  await connected(client);
  const mine = [];
  await cutAndReconnect(client, async () => {
    mine.push(await order(service, { correlationId: 'mine' }));
    await order(service, { correlationId: 'theirs' });
    mine.push(await order(service, { correlationId: 'mine' }));
  });
  assert.equal((await connected(client, 2)).recovered, true);
  await waitFor(() => client.received.length === 2, 5000, 'the replay');
  assert.deepEqual(client.numbers(), mine.map((o) => o.n));
  assert.equal(client.received[0].args[0].payload, undefined, 'projected');
  assert.equal(client.received[0].args[0].correlationId, 'mine');
  // Without its token the same pid is refused, as a new connection would be.
  const pid = client.socket._pid;
  client.socket.close();
  const anonymous = io(`${service.url}/demo`, {
    forceNew: true,
    reconnection: false,
    transports: ['websocket'],
    query: { stream: 'private', criteria: JSON.stringify({ correlationId: 'mine' }) },
    auth: { pid, offset: mine[1].cursor },
  });
  const error = await new Promise((resolve) => anonymous.once('connect_error', resolve));
  assert.match(error.message, /./);
  anonymous.close();
});

test('npm socket.io-client keeps its place across a restart of the service', async () => {
  const svc = new Service();
  svc.configure('demo', STREAMS);
  await svc.start();
  const port = svc.port;
  try {
    const client = open(svc);
    const first = await connected(client);
    const total = 20;
    // Published one after another, the restart in between (awaited: the service that
    // answers the next one is the new one, on the same port and data directory).
    for (let n = 1; n <= total; ++n) {
      const r = await svc.publish('demo', { namespace: 'shop', name: 'order-placed', payload: { n } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      if (n === 8) {
        await waitFor(() => client.received.length === 8, 5000, 'the first eight');
        await svc.halt();
        await svc.start(port);
      }
    }
    await waitFor(() => client.received.length >= total && client.connects.length >= 2, 15000, 'every event');
    const second = client.connects.at(-1);
    assert.equal(second.recovered, true);
    assert.equal(second.id, first.id);
    assert.deepEqual(client.numbers(), Array.from({ length: total }, (_, i) => i + 1));
    client.socket.close();
  } finally {
    await svc.stop();
  }
});

test('a tampered pid, or one of another service, makes a new session that works', async () => {
  const other = new Service();
  other.configure('demo', STREAMS);
  await other.start();
  let foreignPid;
  try {
    const foreign = open(other);
    await connected(foreign);
    foreignPid = foreign.socket._pid;
    foreign.socket.close();
  } finally {
    await other.stop();
  }
  const [payload, mac] = foreignPid.split('.');
  const filtered = open(service, { query: { stream: 'orders', criteria: JSON.stringify({ correlationId: 'x' }) } });
  await connected(filtered);
  const otherSubscription = filtered.socket._pid;
  filtered.socket.close();
  for (const [what, forge, result] of [
    ['tampered', (pid) => `${pid.split('.')[0]}.${mac}`, 'invalid'],
    ['of another service', () => foreignPid, 'invalid'],
    ['garbage', () => 'x'.repeat(10000), 'invalid'],
    ['its payload changed', (pid) => `${payload}.${pid.split('.')[1]}`, 'invalid'],
    ['of another subscription', () => otherSubscription, 'mismatch'],
    ['not a string', () => 12345, 'invalid'],
    ['with an offset that is no cursor', (pid, socket) => ((socket._lastOffset = 'x'.repeat(300)), pid), 'invalid'],
  ]) {
    const counted = await recoveries(service);
    const client = open(service);
    const first = await connected(client);
    await order(service);
    await waitFor(() => client.received.length === 1, 5000, 'the first event');
    await cutAndReconnect(client, async () => {
      client.socket._pid = forge(client.socket._pid, client.socket);
      await order(service); // missed: a new session does not replay
    });
    const second = await connected(client, 2);
    assert.equal(second.recovered, false, what);
    assert.notEqual(second.id, first.id, what);
    const live = await order(service);
    await waitFor(() => client.received.length === 2, 5000, `${what}: the live event`);
    assert.equal(client.received[1].n, live.n, `${what}: the missed event is not replayed`);
    assert.equal(client.received[1].args[1], live.cursor, `${what}: offsets go on`);
    assert.equal((await recoveries(service))[result], (counted[result] ?? 0) + 1, what);
    client.socket.close();
  }
});

test('a place trimmed from the log is not recovered', async () => {
  const svc = new Service({ PUSH_RESUME_MAX_LENGTH: '2' });
  svc.configure('demo', STREAMS);
  await svc.start();
  try {
    const client = open(svc);
    await connected(client);
    await order(svc);
    await waitFor(() => client.received.length === 1, 5000, 'the first event');
    await cutAndReconnect(client, async () => {
      for (let i = 0; i < 4; ++i) await order(svc); // trims past the client's offset
    });
    assert.ok(!(await connected(client, 2)).recovered);
    const live = await order(svc);
    await waitFor(() => client.received.length === 2, 5000, 'the live event');
    assert.equal(client.received[1].n, live.n);
    assert.equal((await recoveries(svc)).expired, 1);
    client.socket.close();
  } finally {
    await svc.stop();
  }
});

test('past the window (from the session\'s start or the last event) it is not recovered', async () => {
  const svc = new Service({ PUSH_SOCKETIO_MAX_DISCONNECTION_SECONDS: '1' });
  svc.configure('demo', STREAMS);
  await svc.start();
  try {
    const client = open(svc);
    await connected(client);
    const last = await order(svc);
    await waitFor(() => client.received.length === 1, 5000, 'the first event');
    await cutAndReconnect(client, async () => {
      const since = Date.now();
      await waitFor(() => Date.now() - since > 1200, 5000, 'the window to pass');
    });
    assert.equal((await connected(client, 2)).recovered, false);
    assert.equal((await recoveries(svc)).expired, 1);
    const live = await order(svc);
    await waitFor(() => client.received.length === 2, 5000, 'the live event');
    assert.deepEqual(client.numbers(), [last.n, live.n]);
    client.socket.close();
  } finally {
    await svc.stop();
  }
});

test('instances that share a PostgreSQL store share the key: another one verifies the pid', async () => {
  const pg = await startPostgres();
  const database = await pg.createDatabase('recovery');
  const a = new Service({ PUSH_DATABASE_URL: database });
  const b = new Service({ PUSH_DATABASE_URL: database });
  try {
    a.configure('demo', STREAMS); // the data directory's dev issuer; the store is shared
    await a.start();
    await b.start();
    const client = open(a);
    await connected(client);
    const pid = client.socket._pid;
    client.socket.close();
    // B has a log of its own (another epoch): it verifies A's pid, but cannot restore the
    // place (the shared Redis log is not built yet), so the session is new.
    const counted = await recoveries(b);
    const other = open(b, { reconnection: false, auth: { pid } });
    assert.equal((await connected(other)).recovered, false);
    const after_ = await recoveries(b);
    assert.equal(after_.expired, (counted.expired ?? 0) + 1, 'verified, then its place is not in this log');
    assert.equal(after_.invalid ?? 0, counted.invalid ?? 0, 'the MAC matched');
    other.socket.close();
  } finally {
    await a.stop();
    await b.stop();
    await pg.stop();
  }
});

test('PUSH_RESUME=off: no pid, and events have their one argument', async () => {
  const svc = new Service({ PUSH_RESUME: 'off' });
  svc.configure('demo', STREAMS);
  await svc.start();
  try {
    const client = open(svc);
    await connected(client);
    assert.equal(client.socket._pid, undefined);
    await order(svc);
    await waitFor(() => client.received.length === 1, 5000, 'the event');
    assert.equal(client.received[0].args.length, 1);
    await cutAndReconnect(client, async () => {});
    assert.ok(!(await connected(client, 2)).recovered);
    assert.deepEqual(await recoveries(svc), {}, 'no recovery metrics without a log');
    client.socket.close();
  } finally {
    await svc.stop();
  }
});
