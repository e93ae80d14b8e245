// The replay log in a real Redis (docs/resume.md, "Several instances"), one instance here
// (two behind nginx: failover.test.mjs). The keys and entries are ADSP's: a reader that
// follows ADSP's code path reads what the service wrote, and entries written the way ADSP
// writes them are delivered and replayed by the service. Trims record the watermark; a
// Redis that is lost refuses appends (503) and one that comes back empty is a new epoch.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CURSOR, STREAMS, stream } from './eventstream.mjs';
import { startRedis } from './servers.mjs';
import { Service, waitFor } from './service.mjs';

const urn = (tenant) => `urn:ads:platform:tenant-service:v2:/tenants/${tenant}`;
const keys = (tenant) => ({
  entries: `push:events:{${urn(tenant)}}`,
  epoch: `push:epoch:{${urn(tenant)}}`,
  watermark: `push:trimmed:{${urn(tenant)}}`,
  marker: (id) => `push:evt:{${urn(tenant)}}:${id}`,
});

let redis;
let service;

before(async () => {
  redis = await startRedis();
  // 'short' keeps 5 entries: the trims are seen without publishing thousands.
  service = new Service({ PUSH_REDIS_URL: redis.url, PUSH_RESUME_MAX_LENGTH: '5' });
  service.configure('demo', STREAMS);
  service.addTenant('short');
  service.configure('short', STREAMS);
  service.addTenant('adsp');
  service.configure('adsp', STREAMS);
  await service.start();
});

after(async () => {
  await service?.stop();
  await redis?.stop();
});

let counter = 0;
async function order(tenant, fields = {}) {
  const n = ++counter;
  const published = await service.publish(tenant, { namespace: 'shop', name: 'order-placed', payload: { n }, ...fields });
  assert.equal(published.status, 200, JSON.stringify(published.body));
  return { n, cursor: published.body.cursor };
}

// [[id, [field, value, ...]], ...] from redis-cli --json.
const entriesOf = (reply) => (reply ?? []).map(([id, fields]) => ({ id, e: fields[fields.indexOf('e') + 1] }));

function compareIds(a, b) {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  return am === bm ? (as < bs ? -1 : as > bs ? 1 : 0) : am < bm ? -1 : 1;
}

// A reader written from ADSP's documented layout, the way its push service reads: the
// cursor split at the last '.', the epoch compared, the watermark compared, then XRANGE
// after the entry id, each entry's `e` parsed.
async function adspRead(tenant, cursor, count = 100) {
  const dot = cursor.lastIndexOf('.');
  const [epoch, entryId] = [cursor.slice(0, dot), cursor.slice(dot + 1)];
  const k = keys(tenant);
  if ((await redis.cli('--raw', 'GET', k.epoch)).trim() !== epoch) return { reset: 'epoch-changed' };
  const watermark = (await redis.cli('--raw', 'GET', k.watermark)).trim();
  if (watermark && compareIds(watermark, entryId) > 0) return { reset: 'cursor-expired' };
  const entries = entriesOf(await redis.json('XRANGE', k.entries, `(${entryId}`, '+', 'COUNT', String(count)));
  return { events: entries.map(({ id, e }) => ({ cursor: `${epoch}.${id}`, ...JSON.parse(e) })) };
}

test("the log in Redis has ADSP's keys, entries, epoch and dedupe markers", async () => {
  const withId = await order('demo', { id: 'layout-1' });
  const withoutId = await order('demo');
  assert.match(withId.cursor, CURSOR);
  const k = keys('demo');
  const epoch = (await redis.cli('--raw', 'GET', k.epoch)).trim();
  assert.match(epoch, /^[0-9a-f]{8}$/);
  assert.equal(withId.cursor.split('.')[0], epoch, "the cursor's epoch is the tenant's");
  const entries = entriesOf(await redis.json('XRANGE', k.entries, '-', '+'));
  const ids = entries.map((entry) => `${epoch}.${entry.id}`);
  assert.ok(ids.includes(withId.cursor) && ids.includes(withoutId.cursor), JSON.stringify(ids));
  const kept = JSON.parse(entries.find((entry) => `${epoch}.${entry.id}` === withId.cursor).e);
  assert.equal(kept.id, 'layout-1');
  assert.equal(kept.tenantId, urn('demo'), 'the tenant as its URN');
  assert.match(kept.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'an ISO timestamp');
  assert.equal(kept.traceparent, undefined);
  assert.deepEqual(kept.payload, { n: withId.n });
  // The marker: set with the retention (24 h) as its lifetime.
  const ttl = Number(await redis.cli('TTL', k.marker('layout-1')));
  assert.ok(ttl > 23 * 3600 && ttl <= 24 * 3600, `marker TTL ${ttl}`);
  // A redelivery of the same id is not appended again.
  const again = await service.publish('demo', { namespace: 'shop', name: 'order-placed', id: 'layout-1', payload: {} });
  assert.equal(again.status, 200);
  assert.equal(again.body.cursor, undefined, JSON.stringify(again.body));
  assert.equal(entriesOf(await redis.json('XRANGE', k.entries, '-', '+')).length, entries.length);
});

test("a reader following ADSP's code path reads what the service wrote", async () => {
  const start = await order('demo');
  const published = [await order('demo', { id: 'compat-1' }), await order('demo'), await order('demo', { id: 'compat-3' })];
  const read = await adspRead('demo', start.cursor);
  assert.equal(read.reset, undefined);
  assert.deepEqual(read.events.map((e) => e.cursor), published.map((p) => p.cursor));
  assert.deepEqual(read.events.map((e) => e.payload.n), published.map((p) => p.n));
  assert.deepEqual(read.events.map((e) => e.id), ['compat-1', undefined, 'compat-3']);
  assert.ok(read.events.every((e) => e.namespace === 'shop' && e.name === 'order-placed' && e.tenantId === urn('demo')));
});

test('entries written the way ADSP writes them are delivered live and replayed', async () => {
  const k = keys('adsp');
  const before = await order('adsp');
  const live = stream(service, '/stream/v1/streams/orders?tenant=adsp');
  await live.opened;
  await waitFor(() => live.named('adsp:ready').length === 1, 5000, 'adsp:ready');
  // As ADSP appends: the epoch set if missing, the marker, XADD with the event's JSON.
  await redis.cli('SET', k.epoch, 'abcdef01', 'NX');
  const epoch = (await redis.cli('--raw', 'GET', k.epoch)).trim();
  const written = [];
  for (const n of [1001, 1002]) {
    const event = { id: `adsp-${n}`, namespace: 'shop', name: 'order-placed', tenantId: urn('adsp'), timestamp: new Date().toISOString(), payload: { n } };
    await redis.cli('SET', k.marker(event.id), '1', 'NX', 'EX', '86400');
    const id = (await redis.cli('--raw', 'XADD', k.entries, '*', 'e', JSON.stringify(event))).trim();
    written.push({ n, cursor: `${epoch}.${id}` });
  }
  // The event published before the subscriber came may reach it too: the instance delivers
  // what it reads back from Redis, and may read it after the subscriber was registered (a
  // new subscriber has no place to drop it by). ADSP's two come after it, each once.
  const theirs = () => live.data().filter((m) => m.payload.n >= 1001);
  await waitFor(() => theirs().length === 2, 5000, "ADSP's entries, live");
  assert.deepEqual(theirs().map((m) => [m.id, m.payload.n, m.eventId]), written.map((w) => [w.cursor, w.n, `adsp-${w.n}`]));
  assert.ok(live.data().length <= 3, JSON.stringify(live.data().map((m) => m.id)));
  assert.equal(new Set(live.data().map((m) => m.id)).size, live.data().length, 'none twice');
  live.close();
  // And a client resuming from before them gets them replayed, then the live tail.
  const resumed = stream(service, '/stream/v1/streams/orders?tenant=adsp', { 'Last-Event-ID': before.cursor });
  await resumed.opened;
  await waitFor(() => resumed.named('adsp:ready').length === 1, 5000, 'adsp:ready');
  assert.equal(resumed.named('adsp:ready')[0].replayed, 2);
  const next = await order('adsp');
  await waitFor(() => resumed.data().length === 3, 5000, 'the replay and the live event');
  assert.deepEqual(resumed.data().map((m) => m.payload.n), [1001, 1002, next.n]);
  resumed.close();
});

test('trims by length record the watermark; a cursor before it is expired', async () => {
  const first = await order('short');
  const rest = [];
  for (let i = 0; i < 6; ++i) rest.push(await order('short'));
  const k = keys('short');
  assert.equal(Number(await redis.cli('XLEN', k.entries)), 5);
  // The newest entry removed: the second one published.
  assert.equal(`${first.cursor.split('.')[0]}.${(await redis.cli('--raw', 'GET', k.watermark)).trim()}`, rest[0].cursor);
  assert.deepEqual(await adspRead('short', first.cursor), { reset: 'cursor-expired' });
  const s = stream(service, '/stream/v1/streams/orders?tenant=short', { 'Last-Event-ID': first.cursor });
  await s.opened;
  await waitFor(() => s.named('adsp:reset').length === 1, 5000, 'adsp:reset');
  assert.equal(s.named('adsp:reset')[0].reason, 'cursor-expired');
  // One entry after the watermark still resumes.
  const ok = stream(service, '/stream/v1/streams/orders?tenant=short', { 'Last-Event-ID': rest[0].cursor });
  await ok.opened;
  await waitFor(() => ok.named('adsp:ready').length === 1, 5000, 'adsp:ready');
  assert.deepEqual(ok.data().map((m) => m.payload.n), rest.slice(1).map((r) => r.n));
  s.close();
  ok.close();
});

test("push_resume_log_oldest_age_seconds is the age of Redis's oldest entry, any tenant", async () => {
  await order('short');
  // The oldest first entry of the tenants' streams, as Redis has it now.
  const oldest = async () => {
    let ms = Infinity;
    for (const tenant of ['demo', 'short', 'adsp']) {
      const [first] = entriesOf(await redis.json('XRANGE', keys(tenant).entries, '-', '+', 'COUNT', '1'));
      if (first) ms = Math.min(ms, Number(first.id.split('-')[0]));
    }
    return ms;
  };
  // The instance reads it every 2 s: wait until its gauge, bracketed by the times around
  // the scrape, is that entry's age.
  await waitFor(async () => {
    const ms = await oldest();
    const from = Date.now();
    const text = await (await fetch(`${service.url}/metrics`)).text();
    const to = Date.now();
    const age = Number(text.match(/^push_resume_log_oldest_age_seconds (\S+)$/m)?.[1]);
    return age >= (from - ms) / 1000 - 0.001 && age <= (to - ms) / 1000 + 0.001;
  }, 10000, 'the gauge to be the age of the oldest entry in Redis');
});

test('a lost Redis refuses appends; one that comes back empty is a new epoch', async () => {
  const before = await order('demo');
  const live = stream(service, '/stream/v1/streams/orders?tenant=demo');
  await live.opened;
  await waitFor(() => live.named('adsp:ready').length === 1, 5000, 'adsp:ready');
  await redis.halt();
  try {
    const refused = await service.publish('demo', { namespace: 'shop', name: 'order-placed', payload: {} });
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    // /health answers, and says so (503: an instance cut off from the log delivers nothing).
    await waitFor(async () => (await service.health()).replayLog?.status === 'unreachable', 10000, 'health: unreachable');
    assert.equal((await fetch(`${service.url}/health`)).status, 503);
  } finally {
    await redis.start(); // empty: no persistence
  }
  await waitFor(async () => (await service.health()).replayLog?.status === 'connected', 10000, 'health: connected');
  const after = await order('demo');
  assert.notEqual(after.cursor.split('.')[0], before.cursor.split('.')[0], 'a new epoch');
  // The live subscriber gets the new event with the new epoch's cursor.
  await waitFor(() => live.data().some((m) => m.payload.n === after.n), 10000, 'the event after Redis came back');
  assert.equal(live.data().find((m) => m.payload.n === after.n).id, after.cursor);
  live.close();
  const old = stream(service, '/stream/v1/streams/orders?tenant=demo', { 'Last-Event-ID': before.cursor });
  await old.opened;
  await waitFor(() => old.named('adsp:reset').length === 1, 5000, 'adsp:reset');
  assert.equal(old.named('adsp:reset')[0].reason, 'epoch-changed');
  old.close();
});
