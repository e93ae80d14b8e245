// The live admin API against the real service with real (development issuer) tokens:
// the subscriptions list (SSE and socket.io subscribers, filters, paging), a forced
// disconnect on each transport, permissions, subscribers closed when a change takes away
// their right to subscribe, and the activity feed: its contents, its tenant scope and its
// rate bound.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { EventSource } from 'eventsource';
import { Service, waitFor } from './service.mjs';
import { ActivityFeed, frameData, readFrames } from './activity-feed.mjs';

const CONFIG_ADMIN = 'urn:ads:platform:configuration-service:configuration-admin';
const TENANT_ADMIN = 'urn:ads:platform:tenant-service:tenant-admin';
const LISTENER = 'urn:ads:platform:push-service:stream-listener';
const CONFIG = '/configuration/v2/configuration/platform/push-service';
let service;
let coreAdmin;
let tenantAdmin;
let otherAdmin;
let reader;

async function call(method, path, token, body) {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

function sse(stream, { tenant = 'demo', token } = {}) {
  const items = [];
  const comments = [];
  const url = `${service.url}/stream/v1/streams/${stream}?tenant=${tenant}${token ? `&token=${token}` : ''}`;
  // The raw response, to see the ": closed: <reason>" comment (EventSource hides comments).
  const controller = new AbortController();
  let opened;
  const open = new Promise((resolve) => (opened = resolve));
  // A tenant's stream is live once its catch-up is done (adsp:ready, docs/resume.md):
  // an event published before that is delivered too, but counted when it is written.
  let live;
  const ready = new Promise((resolve) => (live = resolve));
  const done = (async () => {
    const response = await fetch(url, { signal: controller.signal });
    assert.equal(response.status, 200);
    opened(); // the subscriber is registered before the response head is written
    await readFrames(response.body, (frame) => {
      if (frame.startsWith(':')) comments.push(frame.slice(1).trim());
      // Data frames only: the named ones (adsp:ready, docs/resume.md) are not items.
      if (frame.startsWith('event: adsp:ready')) live();
      const data = frame.split('\n').some((line) => line.startsWith('event:')) ? undefined : frameData(frame);
      if (data) items.push(data);
    });
  })().catch((e) => (e.name === 'AbortError' ? undefined : Promise.reject(e)));
  return { items, comments, done, open, ready, close: () => controller.abort() };
}

function socket(stream, { nsp = '/demo', token, criteria } = {}) {
  const query = criteria ? { stream, criteria: JSON.stringify(criteria) } : { stream };
  const s = io(`${service.url}${nsp}`, { query, auth: token ? { token } : undefined, forceNew: true,
    reconnection: false, transports: ['websocket'] });
  const connected = new Promise((resolve, reject) => { s.once('connect', resolve); s.once('connect_error', reject); });
  return { socket: s, connected };
}

async function subscriptions(token, query = '') {
  const r = await call('GET', `/admin/v1/subscriptions${query}`, token);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

before(async () => {
  service = new Service();
  await service.start();
  coreAdmin = service.token('--core', '--roles', CONFIG_ADMIN);
  tenantAdmin = service.token('--tenant', 'demo', '--sub', 'alice', '--name', 'Alice', '--roles', TENANT_ADMIN);
  reader = service.token('--tenant', 'demo', '--roles', LISTENER);
  assert.equal((await call('POST', '/admin/v1/tenants', coreAdmin, { name: 'Other' })).status, 201);
  otherAdmin = service.token('--tenant', 'other', '--roles', TENANT_ADMIN);
  const patched = await call('PATCH', `${CONFIG}?tenantId=other`, coreAdmin, { operation: 'UPDATE', update: {
    news: { id: 'news', name: 'News', publicSubscribe: true, events: [{ namespace: 'status-service', name: 'health-check-started' }] },
  } });
  assert.equal(patched.status, 200);
});

after(async () => {
  await service.stop();
});

describe('subscriptions', () => {
  test('lists SSE and socket.io subscribers with who, where, since, delivered, queued and criteria', async () => {
    const opened = Math.floor(Date.now() / 1000) * 1000; // connectedSince may be whole seconds
    const plain = sse('application-health');
    const mine = sse('application-health', { token: reader });
    const io1 = socket('application-health', { token: reader });
    await io1.connected;
    const filtered = socket('application-health', { criteria: { correlationId: 'only-this' } });
    await filtered.connected;
    const other = sse('news', { tenant: 'other' });
    await waitFor(async () => (await subscriptions(coreAdmin)).results.length === 5, 5000, 'five subscriptions');

    await service.publish('demo', { namespace: 'status-service', name: 'health-check-started', payload: {} });
    await waitFor(() => plain.items.length === 1 && mine.items.length === 1, 5000, 'delivery');
    const all = (await subscriptions(coreAdmin)).results;
    const demo = all.filter((s) => s.tenant === 'demo');
    assert.equal(demo.length, 4);
    assert.deepEqual(demo.map((s) => s.transport).sort(), ['socketio', 'socketio', 'sse', 'sse']);
    for (const s of all) {
      assert.match(s.id, /^\d+$/);
      assert.equal(s.remoteAddress, '127.0.0.1');
      const since = Date.parse(s.connectedSince);
      assert.ok(since >= opened && since <= Date.now(), s.connectedSince); // this test's, not a bound on speed
      assert.equal(typeof s.bytesQueued, 'number');
      assert.ok('criteria' in s && 'user' in s);
    }
    const sseReader = demo.find((s) => s.transport === 'sse' && s.user);
    assert.equal(sseReader.user.id, 'dev-user');
    assert.equal(sseReader.delivered, 1);
    assert.equal(demo.find((s) => s.transport === 'sse' && !s.user).delivered, 1);
    const withCriteria = demo.find((s) => s.criteria);
    assert.deepEqual(withCriteria.criteria, { correlationId: 'only-this' });
    assert.equal(withCriteria.transport, 'socketio');
    assert.equal(withCriteria.delivered, 0, 'its criteria kept the event out');

    // filters and paging
    assert.equal((await subscriptions(coreAdmin, '?transport=socketio')).results.length, 2);
    assert.equal((await subscriptions(coreAdmin, '?stream=news')).results.length, 1);
    assert.equal((await subscriptions(coreAdmin, '?tenantId=other')).results.length, 1);
    const first = await subscriptions(coreAdmin, '?top=2');
    assert.equal(first.results.length, 2);
    assert.ok(first.page.next);
    const second = await subscriptions(coreAdmin, `?top=2&after=${first.page.next}`);
    assert.equal(second.results.length, 2);
    const third = await subscriptions(coreAdmin, `?top=2&after=${second.page.next}`);
    assert.equal(third.results.length, 1);
    assert.equal(third.page.next, undefined);
    const ids = [...first.results, ...second.results, ...third.results].map((s) => s.id);
    assert.deepEqual(ids, all.map((s) => s.id).sort((x, y) => Number(x) - Number(y)));
    assert.equal((await call('GET', '/admin/v1/subscriptions?top=0', coreAdmin)).status, 400);
    assert.equal((await call('GET', '/admin/v1/subscriptions?after=x', coreAdmin)).status, 400);

    // a tenant administrator sees their own tenant only
    const own = (await subscriptions(tenantAdmin)).results;
    assert.equal(own.length, 4);
    assert.ok(own.every((s) => s.tenant === 'demo'));
    assert.deepEqual((await subscriptions(otherAdmin)).results.map((s) => s.stream), ['news']);

    for (const s of [plain, mine, other]) s.close();
    for (const s of [io1, filtered]) s.socket.close();
    await waitFor(async () => (await subscriptions(coreAdmin)).results.length === 0, 5000, 'all gone');
  });

  test('permissions: no token 401, a reader 403, another tenant 403, a tenant admin cannot name another tenant', async () => {
    assert.equal((await call('GET', '/admin/v1/subscriptions')).status, 401);
    assert.equal((await call('GET', '/admin/v1/subscriptions', reader)).status, 403);
    const r = await call('GET', '/admin/v1/subscriptions?tenantId=other', tenantAdmin);
    assert.equal(r.status, 403);
    assert.match(r.body.errorMessage, /core administrators/);
    assert.equal((await call('GET', '/admin/v1/subscriptions?tenantId=nowhere', coreAdmin)).status, 404);
    assert.equal((await call('DELETE', '/admin/v1/subscriptions/1', reader)).status, 403);
    assert.equal((await call('GET', '/admin/v1/activity', reader)).status, 403);
  });

  test('DELETE disconnects an SSE subscriber with the reason and a socket.io one from its namespace', async () => {
    const stream = sse('application-health');
    const sio = socket('application-health');
    await sio.connected;
    const disconnected = new Promise((resolve) => sio.socket.once('disconnect', resolve));
    await waitFor(async () => (await subscriptions(tenantAdmin)).results.length === 2, 5000, 'two subscriptions');
    const list = (await subscriptions(tenantAdmin)).results;
    const sseId = list.find((s) => s.transport === 'sse').id;
    const sioId = list.find((s) => s.transport === 'socketio').id;

    // another tenant's administrator cannot see it, so cannot end it
    assert.equal((await call('DELETE', `/admin/v1/subscriptions/${sseId}`, otherAdmin)).status, 404);
    const r = await call('DELETE', `/admin/v1/subscriptions/${sseId}`, tenantAdmin);
    assert.equal(r.status, 200);
    assert.equal(r.body.disconnected, true);
    assert.equal(r.body.subscription.id, sseId);
    await stream.done;
    assert.deepEqual(stream.comments.filter((c) => c.startsWith('closed')), ['closed: disconnected by an administrator (Alice)']);

    assert.equal((await call('DELETE', `/admin/v1/subscriptions/${sioId}`, coreAdmin)).status, 200);
    assert.equal(await disconnected, 'io server disconnect');
    assert.equal((await call('DELETE', `/admin/v1/subscriptions/${sioId}`, coreAdmin)).status, 404);
    assert.equal((await call('DELETE', '/admin/v1/subscriptions/not-a-number', coreAdmin)).status, 404);
    sio.socket.close();
  });

  test('a change that takes away a subscriber\'s right to subscribe closes it, with the reason', async () => {
    const secret = (roles) => ({ id: 'secret', name: 'Secret', subscriberRoles: roles,
      events: [{ namespace: 'status-service', name: 'health-check-started' }] });
    const agent = service.token('--tenant', 'demo', '--roles', 'urn:ads:platform:push-service:agent');
    let r = await call('PATCH', CONFIG, tenantAdmin, { operation: 'UPDATE', update: { secret: secret(['agent']) } });
    assert.equal(r.status, 200);
    const listener = sse('secret', { token: reader }); // stream-listener: allowed whatever the roles
    const byRole = sse('secret', { token: agent });
    const sio = socket('secret', { token: agent });
    await sio.connected;
    const sioGone = new Promise((resolve) => sio.socket.once('disconnect', resolve));
    await waitFor(async () => (await subscriptions(tenantAdmin, '?stream=secret')).results.length === 3, 5000, 'three');

    r = await call('PATCH', CONFIG, tenantAdmin, { operation: 'UPDATE', update: { secret: secret(['auditor']) } });
    assert.equal(r.status, 200);
    await byRole.done;
    assert.ok(byRole.comments.includes("closed: no longer permitted to subscribe to stream 'secret'"), byRole.comments.join());
    assert.equal(await sioGone, 'io server disconnect');
    const left = (await subscriptions(tenantAdmin, '?stream=secret')).results;
    assert.equal(left.length, 1);
    assert.equal(left[0].user.id, 'dev-user');
    await service.publish('demo', { namespace: 'status-service', name: 'health-check-started', payload: { n: 1 } });
    await waitFor(() => listener.items.length === 1, 5000, 'the permitted subscriber still receives');
    listener.close();
    sio.socket.close();
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    assert.match(metrics, /push_disconnects_total\{reason="not-permitted"\} 2\n/);
    assert.match(metrics, /push_disconnects_total\{reason="admin"\} 2\n/);
  });
});

describe('activity feed', () => {
  test('subscribe, event-received (streams, deliveries), unsubscribe (reason), configuration-changed', async () => {
    const feed = new ActivityFeed(service.url, tenantAdmin);
    const ready = await feed.next('ready');
    assert.equal(ready.tenant, 'demo');
    const stream = sse('application-health');
    await stream.open;
    await stream.ready;
    const sub = await feed.next('subscribe');
    assert.equal(sub.subscription.stream, 'application-health');
    assert.equal(sub.subscription.transport, 'sse');

    await service.publish('demo', { namespace: 'status-service', name: 'health-check-started', correlationId: 'c-9', payload: { x: 1 } });
    const received = await feed.next('event-received');
    assert.equal(received.event.correlationId, 'c-9');
    assert.deepEqual(received.event.payload, { x: 1 });
    // `secret` (of the test before) carries the same event, with no one subscribed
    assert.deepEqual(received.streams, [{ tenant: 'demo', stream: 'application-health' }, { tenant: 'demo', stream: 'secret' }]);
    assert.equal(received.deliveries, 1);
    await service.publish('demo', { namespace: 'nobody', name: 'listens', payload: {} });
    const unmatched = await feed.next('event-received');
    assert.deepEqual(unmatched.streams, []);
    assert.equal(unmatched.deliveries, 0);

    stream.close();
    const gone = await feed.next('unsubscribe');
    assert.equal(gone.subscription.id, sub.subscription.id);
    assert.equal(gone.reason, 'client disconnected');

    const r = await call('PATCH', CONFIG, tenantAdmin, { operation: 'DELETE', property: 'secret' });
    assert.equal(r.status, 200);
    const changed = await feed.next('configuration-changed');
    assert.deepEqual([changed.tenant, changed.operation, changed.property, changed.author], ['demo', 'DELETE', 'secret', 'Alice']);
    assert.equal(changed.revision, r.body.latest.revision);

    // another tenant's items are not in a tenant administrator's feed
    const otherStream = sse('news', { tenant: 'other' });
    await otherStream.open;
    await otherStream.ready;
    await service.publish('other', { namespace: 'status-service', name: 'health-check-started', payload: {} });
    await waitFor(() => otherStream.items.length === 1, 5000, 'other tenant delivery');
    await service.publish('demo', { namespace: 'marker', name: 'marker', payload: {} });
    const marker = await feed.next('event-received');
    assert.equal(marker.event.namespace, 'marker', 'nothing of tenant other came before the marker');
    const otherUrn = 'urn:ads:platform:tenant-service:v2:/tenants/other';
    assert.ok(feed.items.every((item) => item.subscription?.tenant !== 'other' && item.event?.tenantId !== otherUrn),
      'no item of tenant other');
    otherStream.close();
    feed.close();
  });

  test('a core stream\'s cross-tenant instance is in a core administrator\'s view only', async () => {
    let r = await call('PATCH', CONFIG, coreAdmin, { operation: 'UPDATE', update: {
      'core-health': { id: 'core-health', name: 'Core health', subscriberRoles: [],
        events: [{ namespace: 'status-service', name: 'health-check-started' }] } } });
    assert.equal(r.status, 200);
    const platformListener = service.token('--core', '--roles', LISTENER);
    const crossTenant = sse('core-health', { tenant: '', token: platformListener });
    await crossTenant.open;
    const coreFeed = new ActivityFeed(service.url, coreAdmin, 'types=event-received');
    const tenantFeed = new ActivityFeed(service.url, tenantAdmin, 'types=event-received');
    await Promise.all([coreFeed.next('ready'), tenantFeed.next('ready')]);
    await service.publish('demo', { namespace: 'status-service', name: 'health-check-started', correlationId: 'x-1', payload: {} });
    const all = await coreFeed.next('event-received');
    const own = await tenantFeed.next('event-received');
    assert.ok(all.streams.some((s) => s.tenant === null && s.stream === 'core-health'), JSON.stringify(all.streams));
    assert.ok(own.streams.every((s) => s.tenant === 'demo'), JSON.stringify(own.streams));
    assert.ok(own.streams.some((s) => s.stream === 'core-health'), 'the core stream in the tenant context');
    assert.equal(all.deliveries, 1); // the cross-tenant subscriber
    assert.equal(own.deliveries, 0);
    crossTenant.close();
    coreFeed.close();
    tenantFeed.close();
    r = await call('PATCH', CONFIG, coreAdmin, { operation: 'DELETE', property: 'core-health' });
    assert.equal(r.status, 200);
  });

  test('?types= narrows the feed; an unknown type is a 400', async () => {
    assert.equal((await call('GET', '/admin/v1/activity?types=subscribe,bogus', coreAdmin)).status, 400);
    const feed = new ActivityFeed(service.url, coreAdmin, 'types=configuration-changed');
    await feed.next('ready');
    const stream = sse('application-health');
    await waitFor(async () => (await subscriptions(coreAdmin)).results.length === 1, 5000, 'subscribed');
    await call('PATCH', CONFIG, tenantAdmin, { operation: 'UPDATE', update: { t: { id: 't', name: 't' } } });
    const first = await feed.next();
    assert.equal(first.type, 'configuration-changed');
    stream.close();
    feed.close();
  });
});

describe('activity feed rate bound', () => {
  let busy;
  before(async () => {
    busy = new Service({ PUSH_ACTIVITY_PER_SECOND: '1' });
    await busy.start();
  });
  after(async () => busy.stop());

  test('a burst beyond the rate is counted and reported as dropped, not queued', async () => {
    const admin = busy.token('--core', '--roles', CONFIG_ADMIN);
    const feed = new ActivityFeed(busy.url, admin);
    assert.equal((await feed.next('ready')).perSecond, 1);
    const events = 60;
    const published = await Promise.all([...Array(events).keys()].map((i) =>
      busy.publish('demo', { namespace: 'n', name: 'burst', payload: { i } })));
    assert.ok(published.every((r) => r.status === 200));
    const dropped = await feed.next('dropped', 10000);
    const seen = feed.items.filter((item) => item.type === 'event-received').length;
    assert.ok(seen >= 1 && seen < events, `a burst of twice the rate passes, the rest is dropped (saw ${seen})`);
    assert.ok(dropped.count > 0);
    assert.ok(dropped.types['event-received'] > 0, JSON.stringify(dropped));
    // every event is accounted for: seen or counted as dropped
    await waitFor(() => {
      const total = feed.items.filter((item) => item.type === 'dropped').reduce((n, d) => n + d.count, 0);
      return feed.items.filter((item) => item.type === 'event-received').length + total === events;
    }, 10000, 'seen + dropped = published');
    feed.close();
  });
});
