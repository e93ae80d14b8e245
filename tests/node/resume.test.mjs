// Resumable SSE streams (docs/resume.md) with real clients against the real service: npm
// `eventsource` across a restart, each reset reason, criteria on replay, the tenants' logs
// kept apart, trims, the polling read, and PUSH_RESUME=off.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventSource } from 'eventsource';
import { CURSOR, STREAMS, stream } from './eventstream.mjs';
import { Service, waitFor } from './service.mjs';


let service;

before(async () => {
  // A short log (5 entries per tenant): the trims are seen without publishing thousands.
  service = new Service({ PUSH_RESUME_MAX_LENGTH: '5', PUSH_KEEPALIVE_SECONDS: '1' });
  service.configure('demo', STREAMS);
  service.addTenant('other');
  service.configure('other', STREAMS);
  await service.start();
});

after(async () => {
  await service.stop();
});

let counter = 0;
async function order(svc, tenant, fields = {}) {
  const n = ++counter;
  const published = await svc.publish(tenant, { namespace: 'shop', name: 'order-placed', payload: { n }, ...fields });
  assert.equal(published.status, 200, JSON.stringify(published.body));
  return { n, cursor: published.body.cursor, body: published.body };
}

test('every data frame has a cursor as its id and eventId in its JSON; ready comes first', async () => {
  const s = stream(service, '/stream/v1/streams/orders?tenant=demo');
  await s.opened;
  await waitFor(() => s.named('adsp:ready').length === 1, 5000, 'adsp:ready');
  const [ready] = s.named('adsp:ready');
  assert.match(ready.cursor, CURSOR);
  assert.equal(ready.id, ready.cursor);
  assert.equal(ready.replayed, 0);
  const withId = await order(service, 'demo', { id: 'order-with-id' });
  const withoutId = await order(service, 'demo');
  await waitFor(() => s.data().length === 2, 5000, 'two events');
  const [first, second] = s.data();
  assert.equal(first.id, withId.cursor);
  assert.match(first.id, CURSOR);
  assert.equal(first.eventId, 'order-with-id', 'the event id when it has one');
  assert.equal(second.eventId, second.id, 'else the cursor');
  assert.equal(second.payload.n, withoutId.n);
  await waitFor(() => s.frames.some((f) => f.comment === 'keepalive'), 5000, ': keepalive');
  s.close();
});

test('Last-Event-ID replays what came after it, then the live tail, each once', async () => {
  const a = await order(service, 'demo');
  const b = await order(service, 'demo');
  const c = await order(service, 'demo');
  const s = stream(service, '/stream/v1/streams/orders?tenant=demo', { 'Last-Event-ID': a.cursor });
  await s.opened;
  await waitFor(() => s.named('adsp:ready').length === 1, 5000, 'adsp:ready');
  const [ready] = s.named('adsp:ready');
  assert.equal(ready.replayed, 2);
  assert.equal(ready.cursor, c.cursor);
  const d = await order(service, 'demo');
  await waitFor(() => s.data().length === 3, 5000, 'the replay and the live event');
  assert.deepEqual(s.data().map((m) => m.payload.n), [b.n, c.n, d.n]);
  // The ready event sits between the replayed events and the live one.
  const order_ = s.frames.filter((f) => f.event === 'adsp:ready' || (!f.event && f.data)).map((f) => f.event ?? JSON.parse(f.data).payload.n);
  assert.deepEqual(order_, [b.n, c.n, 'adsp:ready', d.n]);
  s.close();
});

test('?after= resumes like Last-Event-ID, and Last-Event-ID wins over it', async () => {
  const a = await order(service, 'demo');
  const b = await order(service, 'demo');
  const c = await order(service, 'demo');
  const byQuery = stream(service, `/stream/v1/streams/orders?tenant=demo&after=${a.cursor}`);
  const both = stream(service, `/stream/v1/streams/orders?tenant=demo&after=${a.cursor}`, { 'Last-Event-ID': b.cursor });
  await Promise.all([byQuery.opened, both.opened]);
  await waitFor(() => byQuery.named('adsp:ready').length === 1 && both.named('adsp:ready').length === 1, 5000, 'ready');
  assert.deepEqual(byQuery.data().map((m) => m.payload.n), [b.n, c.n]);
  assert.deepEqual(both.data().map((m) => m.payload.n), [c.n]);
  byQuery.close();
  both.close();
});

test('each reset reason: invalid-cursor, epoch-changed, cursor-expired', async () => {
  const first = await order(service, 'demo');
  for (let i = 0; i < 6; ++i) await order(service, 'demo'); // the log keeps 5: first is trimmed
  const cases = [
    ['not-a-cursor', 'invalid-cursor'],
    ['zzzzzzzz.1-0', 'epoch-changed'],
    [first.cursor, 'cursor-expired'],
  ];
  for (const [cursor, reason] of cases) {
    const s = stream(service, '/stream/v1/streams/orders?tenant=demo', { 'Last-Event-ID': cursor });
    await s.opened;
    await waitFor(() => s.named('adsp:ready').length === 1, 5000, `ready after ${reason}`);
    assert.deepEqual(s.named('adsp:reset').map((r) => r.reason), [reason]);
    assert.equal(s.frames.find((f) => f.event === 'adsp:reset').id, undefined, 'a reset has no id');
    assert.equal(s.named('adsp:ready')[0].replayed, 0, 'from the head on');
    // From the head: the next event is the first one seen.
    const next = await order(service, 'demo');
    await waitFor(() => s.data().length === 1, 5000, 'the next event');
    assert.equal(s.data()[0].payload.n, next.n);
    s.close();
  }
  const metrics = await (await fetch(`${service.url}/metrics`)).text();
  for (const reason of ['invalid-cursor', 'epoch-changed', 'cursor-expired'])
    assert.match(metrics, new RegExp(`push_resume_resets_total\\{reason="${reason}"\\} [1-9]`));
  assert.match(metrics, /push_resume_trimmed_total [1-9]/);
});

test('the subscriber\'s criteria apply to the replay', async () => {
  const start = await order(service, 'demo', { correlationId: 'other' });
  const mine1 = await order(service, 'demo', { correlationId: 'mine' });
  await order(service, 'demo', { correlationId: 'other' });
  const mine2 = await order(service, 'demo', { correlationId: 'mine' });
  const criteria = encodeURIComponent(JSON.stringify({ correlationId: 'mine' }));
  const s = stream(service, `/stream/v1/streams/orders?tenant=demo&criteria=${criteria}`, { 'Last-Event-ID': start.cursor });
  await s.opened;
  await waitFor(() => s.named('adsp:ready').length === 1, 5000, 'ready');
  assert.deepEqual(s.data().map((m) => m.payload.n), [mine1.n, mine2.n]);
  // The position moved past the entries left out: ready names the newest entry read.
  assert.equal(s.named('adsp:ready')[0].cursor, mine2.cursor);
  s.close();
});

test('each tenant has a log of its own', async () => {
  // Where the other tenant's log stands now (its head), from a polling read with no cursor.
  const head = (await (await fetch(`${service.url}/stream/v1/streams/orders/events?tenant=other`)).json()).next;
  const mine = await order(service, 'demo');
  const theirs = await order(service, 'other');
  assert.notEqual(mine.cursor.split('.')[0], theirs.cursor.split('.')[0], 'an epoch per tenant');
  // Another tenant's cursor is not of this tenant's log.
  const s = stream(service, '/stream/v1/streams/orders?tenant=other', { 'Last-Event-ID': mine.cursor });
  await s.opened;
  await waitFor(() => s.named('adsp:ready').length === 1, 5000, 'ready');
  assert.deepEqual(s.named('adsp:reset').map((r) => r.reason), ['epoch-changed']);
  s.close();
  // The other tenant's log holds its own event only.
  const polled = await (await fetch(`${service.url}/stream/v1/streams/orders/events?tenant=other&after=${head}`)).json();
  assert.equal(polled.reset, null);
  assert.deepEqual(polled.items.map((item) => [item.tenantId, item.payload.n]), [
    ['urn:ads:platform:tenant-service:v2:/tenants/other', theirs.n],
  ]);
});

test('the polling read pages through the log with top and next', async () => {
  const a = await order(service, 'demo');
  const b = await order(service, 'demo');
  const c = await order(service, 'demo');
  const url = (after, top) => `${service.url}/stream/v1/streams/orders/events?tenant=demo&after=${after}&top=${top}`;
  const page1 = await (await fetch(url(a.cursor, 1))).json();
  assert.equal(page1.reset, null);
  assert.deepEqual(page1.items.map((i) => i.payload.n), [b.n]);
  assert.equal(page1.items[0].cursor, b.cursor);
  assert.equal(page1.next, b.cursor);
  const page2 = await (await fetch(url(page1.next, 200))).json();
  assert.deepEqual(page2.items.map((i) => i.payload.n), [c.n]);
  assert.equal(page2.next, c.cursor);
  const empty = await (await fetch(url(page2.next, 200))).json();
  assert.deepEqual(empty.items, []);
  assert.equal(empty.next, c.cursor, 'nothing newer: next stays');
  // The largest sequence a cursor can say (2^64 - 1) is after everything at its millisecond.
  const [epoch, id] = b.cursor.split('.');
  const last = await (await fetch(url(`${epoch}.${id.split('-')[0]}-18446744073709551615`, 200))).json();
  assert.ok(!last.items.some((i) => i.payload.n === b.n), JSON.stringify(last.items.map((i) => i.cursor)));
  const reset = await (await fetch(url('nope', 10))).json();
  assert.equal(reset.reset, 'invalid-cursor');
  assert.deepEqual(reset.items, []);
  assert.match(reset.next, CURSOR);
  assert.equal((await fetch(url(a.cursor, 0))).status, 400);
  assert.equal((await fetch(url(a.cursor, 201))).status, 400);
  assert.equal((await fetch(`${service.url}/stream/v1/streams/nope/events?tenant=demo`)).status, 404);
});

test('a subscriber whose token expires is told to reconnect, and resumes with a new one', async () => {
  const short = service.token('--tenant', 'demo', '--ttl', '1');
  const s = stream(service, `/stream/v1/streams/orders?tenant=demo&token=${short}`);
  await s.opened;
  await waitFor(() => s.named('adsp:ready').length === 1, 5000, 'ready');
  const [ready] = s.named('adsp:ready');
  // The registry looks every 5 s: the notice comes at most that long after the expiry.
  await waitFor(() => s.named('adsp:reconnect').length === 1, 15000, 'adsp:reconnect');
  assert.deepEqual(s.named('adsp:reconnect'), [{ id: undefined, reason: 'token-expired' }]);
  assert.equal(s.frames.at(-1).comment, 'closed: the token expired', 'then the response ends');
  // Meanwhile an event; the client comes back with a fresh token and its cursor.
  const missed = await order(service, 'demo');
  const fresh = service.token('--tenant', 'demo');
  const again = stream(service, `/stream/v1/streams/orders?tenant=demo&token=${fresh}`, { 'Last-Event-ID': ready.cursor });
  await again.opened;
  await waitFor(() => again.named('adsp:ready').length === 1, 5000, 'ready again');
  assert.deepEqual(again.data().map((m) => m.payload.n), [missed.n]);
  assert.match(await (await fetch(`${service.url}/metrics`)).text(), /push_disconnects_total\{reason="token-expired"\} [1-9]/);
  again.close();
});

test('npm eventsource keeps its place across a restart: every event once, in order', async () => {
  const svc = new Service();
  svc.configure('demo', STREAMS);
  await svc.start();
  const port = svc.port;
  const source = new EventSource(`${svc.url}/stream/v1/streams/orders?tenant=demo`);
  try {
    const received = [];
    source.onmessage = (event) => received.push(JSON.parse(event.data).payload.n);
    await new Promise((resolve, reject) => {
      source.addEventListener('adsp:ready', resolve, { once: true });
      source.onerror = reject;
    });
    source.onerror = () => {}; // the restart: it reconnects by itself
    const readies = [];
    source.addEventListener('adsp:ready', (event) => readies.push(JSON.parse(event.data)));
    const total = 30;
    // Published one after another, the restart in between (awaited: the service that
    // answers the next one is the new one, started on the same port).
    const publisher = (async () => {
      for (let n = 1; n <= total; ++n) {
        const r = await svc.publish('demo', { namespace: 'shop', name: 'order-placed', id: `restart-${n}`, payload: { n } });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        if (n === 10) {
          await svc.halt();
          await svc.start(port);
        }
      }
    })();
    await publisher;
    await waitFor(() => received.length >= total, 20000, `all ${total} events (have ${received.length})`);
    // The proof that nothing more comes: one more event, and it is the next one.
    await svc.publish('demo', { namespace: 'shop', name: 'order-placed', payload: { n: total + 1 } });
    await waitFor(() => received.length >= total + 1, 5000, 'the proof event');
    assert.deepEqual(received, Array.from({ length: total + 1 }, (_, i) => i + 1));
    // It came back once, with its cursor, and what it missed was replayed (EventSource waits
    // seconds before it reconnects; the events after the restart are published at once).
    assert.equal(readies.length, 1, JSON.stringify(readies));
    assert.ok(readies[0].replayed > 0, JSON.stringify(readies));
  } finally {
    source.close();
    await svc.stop();
  }
});

test('push_resume_log_oldest_age_seconds: the oldest entry of any tenant, and after a trim', async () => {
  // A service of its own: its log starts empty, and keeps 2 entries per tenant.
  const svc = new Service({ PUSH_RESUME_MAX_LENGTH: '2' });
  svc.configure('demo', STREAMS);
  svc.addTenant('other');
  svc.configure('other', STREAMS);
  await svc.start();
  try {
    await oldestAgeChecks(svc);
  } finally {
    await svc.stop(); // also when a check failed: the file must end
  }
});

async function oldestAgeChecks(svc) {
  const gauge = async () => {
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    const match = text.match(/^push_resume_log_oldest_age_seconds (\S+)$/m);
    assert.ok(match, 'the gauge is there');
    return Number(match[1]);
  };
  // Its age now, bracketed by the times around the scrape (same clock as the service).
  const ageOf = async (appendedAfter, appendedBefore) => {
    const from = Date.now();
    const age = await gauge();
    const to = Date.now();
    assert.ok(age >= (from - appendedBefore) / 1000 - 0.001, `${age} s: not younger than it is`);
    assert.ok(age <= (to - appendedAfter) / 1000 + 0.001, `${age} s: not older than it is`);
  };
  const publish = async (tenant, n) => {
    const before = Date.now();
    assert.equal((await svc.publish(tenant, { namespace: 'shop', name: 'order-placed', payload: { n } })).status, 200);
    return { before, after: Date.now() };
  };
  assert.equal(await gauge(), 0, 'an empty log');
  const x = await publish('other', 1); // the oldest entry of all
  await waitFor(async () => (await gauge()) >= 0.2, 5000, 'the oldest entry to be 0.2 s old');
  const d1 = await publish('demo', 2);
  await publish('demo', 3);
  await ageOf(x.before, x.after); // still other's first, over both tenants
  await publish('other', 4);
  await publish('other', 5); // other keeps 2: its first is trimmed
  // Now demo's first: other's was 0.2 s older, more than the scrape's bracket allows.
  await ageOf(d1.before, d1.after);
}

test('PUSH_RESUME=off: the frames of a service without resume', async () => {
  const svc = new Service({ PUSH_RESUME: 'off', PUSH_KEEPALIVE_SECONDS: '1' });
  svc.configure('demo', STREAMS);
  await svc.start();
  try {
    const s = stream(svc, '/stream/v1/streams/orders?tenant=demo', { 'Last-Event-ID': 'anything' });
    await s.opened;
    await waitFor(async () => (await svc.health()).subscribers === 1, 5000, 'the subscriber');
    const published = await svc.publish('demo', { namespace: 'shop', name: 'order-placed', id: 'x', payload: { n: 1 } });
    assert.equal(published.body.cursor, undefined);
    await waitFor(() => s.data().length === 1, 5000, 'the event');
    const [message] = s.data();
    assert.match(message.id, /^\d+$/, 'the sequence number');
    assert.equal(message.eventId, undefined);
    await waitFor(() => s.frames.some((f) => f.comment === 'keep-alive'), 5000, ': keep-alive');
    assert.deepEqual(s.frames.filter((f) => f.event), [], 'no control events');
    assert.equal((await fetch(`${svc.url}/stream/v1/streams/orders/events?tenant=demo`)).status, 404);
    s.close();
  } finally {
    await svc.stop();
  }
});
