// The configuration API the ADSP way, against the real service with real (development
// issuer) tokens: each PATCH operation, validation, permissions, revisions, tenants, and
// the live effect on connected SSE and socket.io subscribers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { EventSource } from 'eventsource';
import { Service, waitFor } from './service.mjs';

const CONFIG_ADMIN = 'urn:ads:platform:configuration-service:configuration-admin';
const TENANT_ADMIN = 'urn:ads:platform:tenant-service:tenant-admin';
let service;
let coreAdmin;
let tenantAdmin;
let tenantReader;
let otherAdmin;

function stream(id, extra = {}) {
  return { id, name: id, publicSubscribe: true, events: [{ namespace: 'status-service', name: 'health-check-started' }],
    ...extra };
}

async function call(method, path, token, body) {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const CONFIG = '/configuration/v2/configuration/platform/push-service';
const patch = (token, body, query = '') => call('PATCH', `${CONFIG}${query}`, token, body);

// A tenant of the calling test's own (created by a core administrator): a test that counts
// revisions or keys, or replaces a whole document, does it there, where no other test has
// been. Returns a tenant administrator's token for it.
async function ownTenant(id) {
  const created = await call('POST', '/admin/v1/tenants', coreAdmin, { id, name: `Tenant ${id}` });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.id, id);
  return service.token('--tenant', id, '--roles', TENANT_ADMIN);
}

before(async () => {
  service = new Service();
  await service.start();
  coreAdmin = service.token('--core', '--roles', CONFIG_ADMIN);
  tenantAdmin = service.token('--tenant', 'demo', '--roles', TENANT_ADMIN);
  tenantReader = service.token('--tenant', 'demo', '--roles', 'urn:ads:platform:push-service:stream-listener');
  const created = await call('POST', '/admin/v1/tenants', coreAdmin, { name: 'Other Tenant' });
  assert.equal(created.status, 201);
  otherAdmin = service.token('--tenant', 'other-tenant', '--roles', TENANT_ADMIN);
});

after(async () => {
  await service.stop();
});

describe('PATCH operations', () => {
  test('UPDATE merges keys, DELETE removes one, REPLACE swaps the document; GET returns it', async () => {
    const admin = await ownTenant('patch-ops');
    const base = Object.keys((await call('GET', CONFIG, admin)).body);
    let r = await patch(admin, { operation: 'UPDATE', update: { one: stream('one'), two: stream('two') } });
    assert.equal(r.status, 200);
    assert.equal(r.body.namespace, 'platform');
    assert.equal(r.body.name, 'push-service');
    assert.equal(r.body.tenantId, 'urn:ads:platform:tenant-service:v2:/tenants/patch-ops');
    assert.deepEqual(Object.keys(r.body.latest.configuration).sort(), [...base, 'one', 'two'].sort());
    r = await patch(admin, { operation: 'DELETE', property: 'two' });
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body.latest.configuration).sort(), [...base, 'one'].sort());
    r = await patch(admin, { operation: 'REPLACE', configuration: { kept: stream('kept'), three: stream('three') } });
    assert.equal(r.status, 200);
    const got = await call('GET', CONFIG, admin);
    assert.equal(got.status, 200);
    assert.deepEqual(Object.keys(got.body).sort(), ['kept', 'three']);
  });

  test('every change is a numbered revision with who made it, newest first', async () => {
    const admin = await ownTenant('revisioned');
    const count = async () => (await call('GET', `${CONFIG}/revisions?top=100`, admin)).body.results.length;
    const before = await count();
    assert.equal((await patch(admin, { operation: 'UPDATE', update: { one: stream('one'), two: stream('two') } })).status, 200);
    assert.equal((await patch(admin, { operation: 'DELETE', property: 'two' })).status, 200);
    assert.equal((await patch(admin, { operation: 'REPLACE', configuration: { three: stream('three') } })).status, 200);
    const r = await call('GET', `${CONFIG}/revisions`, admin);
    assert.equal(r.status, 200);
    const numbers = r.body.results.map((x) => x.revision);
    assert.deepEqual(numbers, [...numbers].sort((x, y) => y - x));
    assert.equal(await count(), before + 3, 'UPDATE + DELETE + REPLACE');
    assert.equal(r.body.results[0].author, 'dev-user');
    assert.deepEqual(Object.keys(r.body.results[0].configuration), ['three']);
    assert.match(r.body.results[0].created, /^\d{4}-\d\d-\d\dT/);
  });

  test('malformed requests and invalid documents get a 400 naming the problem, and change nothing', async () => {
    const before = (await call('GET', `${CONFIG}/revisions?top=100`, tenantAdmin)).body.results.length;
    const cases = [
      [{ operation: 'MERGE' }, /MERGE/],
      [{ update: {} }, /operation/],
      [{ operation: 'UPDATE', update: 'x' }, /update/],
      [{ operation: 'DELETE' }, /property/],
      [{ operation: 'DELETE', property: 'absent' }, /absent/],
      [{ operation: 'REPLACE', configuration: [] }, /configuration/],
      [{ operation: 'UPDATE', update: { 'bad id!': stream('bad id!') } }, /bad id!/],
      [{ operation: 'UPDATE', update: { nameless: { id: 'nameless' } } }, /name/],
      [{ operation: 'UPDATE', update: { s: stream('s', { events: [{ namespace: 'a' }] }) } }, /events\[0\]\.name|name/],
      [{ operation: 'UPDATE', update: { s: stream('s', { publicSubscribe: 'yes' }) } }, /publicSubscribe/],
      [{ operation: 'UPDATE', update: { a: stream('b') } }, /a\.id is "b", but the stream is stored under key "a"/],
      [{ operation: 'UPDATE', update: { webhooks: { h: { id: 'h', name: 'H', url: 'ftp://example.org/x' } } } },
        /webhooks\.h\.url must be an absolute http or https URL/],
      [{ operation: 'UPDATE', update: { webhooks: { h: { id: 'g', name: 'H', url: 'http://example.org/x' } } } },
        /webhooks\.h\.id is "g"/],
    ];
    for (const [body, message] of cases) {
      const r = await patch(tenantAdmin, body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(r.body.errorMessage, message, JSON.stringify(body));
    }
    const notJson = await patch(tenantAdmin, '{oops');
    assert.equal(notJson.status, 400);
    assert.match(notJson.body.errorMessage, /not valid JSON/);
    const after = (await call('GET', `${CONFIG}/revisions?top=100`, tenantAdmin)).body.results.length;
    assert.equal(after, before);
  });
});

describe('revisions', () => {
  test('are paged the ADSP way: top, after and page.next, newest first', async () => {
    await ownTenant('paged'); // revisions 1 to 12 are this test's
    const query = '?tenantId=paged';
    for (let i = 0; i < 12; i++) {
      const r = await patch(coreAdmin, { operation: 'UPDATE', update: { [`s${i}`]: stream(`s${i}`) } }, query);
      assert.equal(r.status, 200);
    }
    const first = await call('GET', `${CONFIG}/revisions${query}`, coreAdmin);
    assert.equal(first.status, 200);
    assert.equal(first.body.results.length, 10, 'ADSP\'s default top is 10');
    assert.equal(first.body.page.size, 10);
    assert.equal(first.body.results[0].revision, 12);
    const seen = [];
    let after;
    for (let pages = 0; pages < 10; pages++) {
      const r = await call('GET', `${CONFIG}/revisions${query}&top=5${after ? `&after=${after}` : ''}`, coreAdmin);
      assert.equal(r.status, 200);
      assert.ok(r.body.results.length <= 5);
      assert.equal(r.body.page.size, r.body.results.length);
      assert.equal(r.body.page.after, after);
      seen.push(...r.body.results.map((x) => x.revision));
      after = r.body.page.next;
      if (!after) break;
    }
    assert.deepEqual(seen, [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    const last = await call('GET', `${CONFIG}/revisions${query}&top=100`, coreAdmin);
    assert.equal(last.body.results.length, 12);
    assert.equal(last.body.page.next, undefined);
    assert.deepEqual(Object.keys(last.body.results[0].configuration).length, 12);
    for (const bad of ['top=0', 'top=101', 'top=x', 'after=x', 'after=-1']) {
      const r = await call('GET', `${CONFIG}/revisions${query}&${bad}`, coreAdmin);
      assert.equal(r.status, 400, bad);
      assert.match(r.body.errorMessage, /top|after/, bad);
    }
  });
});

describe('permissions', () => {
  test('a tenant administrator cannot touch another tenant or the core document', async () => {
    assert.equal((await call('GET', `${CONFIG}?tenantId=other-tenant`, tenantAdmin)).status, 403);
    assert.equal((await patch(tenantAdmin, { operation: 'UPDATE', update: { x: stream('x') } }, '?tenantId=other-tenant')).status, 403);
    assert.equal((await patch(otherAdmin, { operation: 'DELETE', property: 'three' }, '?tenantId=demo')).status, 403);
  });

  test('a tenant user without an administrator role, and an anonymous caller, are refused', async () => {
    const reader = await patch(tenantReader, { operation: 'UPDATE', update: { x: stream('x') } });
    assert.equal(reader.status, 403);
    assert.match(reader.body.errorMessage, /tenant-admin/);
    assert.equal((await call('GET', CONFIG)).status, 401);
    assert.equal((await call('GET', CONFIG, 'not-a-token')).status, 401);
  });

  test('a core administrator configures the core document and any tenant', async () => {
    const core = await patch(coreAdmin, { operation: 'UPDATE', update: { 'core-feed': stream('core-feed') } });
    assert.equal(core.status, 200);
    assert.equal(core.body.tenantId, undefined);
    const other = await patch(coreAdmin, { operation: 'UPDATE', update: { 'other-feed': stream('other-feed') } }, '?tenantId=other-tenant');
    assert.equal(other.status, 200);
    assert.equal(other.body.tenantId, 'urn:ads:platform:tenant-service:v2:/tenants/other-tenant');
    const coreDoc = await call('GET', CONFIG, coreAdmin);
    assert.ok(Object.keys(coreDoc.body).includes('core-feed'), JSON.stringify(Object.keys(coreDoc.body)));
    // a tenant administrator reads the core document with ?core, and cannot change it
    const readOnly = await call('GET', `${CONFIG}?core`, otherAdmin);
    assert.equal(readOnly.status, 200);
    assert.deepEqual(readOnly.body, coreDoc.body);
    assert.equal((await patch(otherAdmin, { operation: 'DELETE', property: 'core-feed' }, '?core')).status, 403);
    assert.equal((await call('GET', `${CONFIG}?core`, tenantReader)).status, 403);
    // the core stream is visible to every tenant at once
    assert.equal((await call('GET', '/stream/v1/streams?tenant=other-tenant', otherAdmin)).body['core-feed'].id, 'core-feed');
    const core2 = await patch(coreAdmin, { operation: 'DELETE', property: 'core-feed' });
    assert.equal(core2.status, 200);
  });

  test('only core administrators list and create tenants', async () => {
    const ids = async () => {
      const list = await call('GET', '/admin/v1/tenants', coreAdmin);
      assert.equal(list.status, 200);
      return list.body.results.map((t) => t.id);
    };
    const before = await ids();
    assert.ok(before.includes('demo') && before.includes('other-tenant'), JSON.stringify(before));
    await ownTenant('listed');
    assert.deepEqual((await ids()).sort(), [...before, 'listed'].sort());
    assert.equal((await call('GET', '/admin/v1/tenants', tenantAdmin)).status, 403);
    assert.equal((await call('POST', '/admin/v1/tenants', tenantAdmin, { name: 'Nope' })).status, 403);
    assert.equal((await call('POST', '/admin/v1/tenants', coreAdmin, { name: 'Other Tenant' })).status, 409);
    assert.equal((await call('POST', '/admin/v1/tenants', coreAdmin, {})).status, 400);
  });
});

describe('live effect', () => {
  test('an added stream is usable at once; a deleted one disconnects its SSE and socket.io subscribers', async () => {
    const added = await patch(tenantAdmin, { operation: 'UPDATE', update: { live: stream('live') } });
    assert.equal(added.status, 200);
    const messages = [];
    const source = new EventSource(`${service.url}/stream/v1/streams/live?tenant=demo`);
    source.onmessage = (e) => messages.push(JSON.parse(e.data));
    await new Promise((resolve, reject) => { source.onopen = resolve; source.onerror = reject; });
    const socket = io(`${service.url}/demo`, { query: { stream: 'live' }, forceNew: true, reconnection: false,
      transports: ['websocket'] });
    await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('connect_error', reject); });
    const sioItems = [];
    socket.on('status-service:health-check-started', (item) => sioItems.push(item));
    let disconnectReason;
    socket.on('disconnect', (reason) => (disconnectReason = reason));
    await service.publish('demo', { namespace: 'status-service', name: 'health-check-started', payload: { n: 1 } });
    await waitFor(() => messages.length === 1 && sioItems.length === 1, 5000, 'deliveries on the new stream');

    // SSE: read the raw stream too, for the closing comment with the reason.
    const raw = await fetch(`${service.url}/stream/v1/streams/live?tenant=demo`);
    const reader = raw.body.getReader();
    const decoder = new TextDecoder();
    const rawDone = (async () => {
      let text = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return text;
        text += decoder.decode(value);
      }
    })();
    const deleted = await patch(tenantAdmin, { operation: 'DELETE', property: 'live' });
    assert.equal(deleted.status, 200);
    const text = await rawDone;
    assert.match(text, /: closed: stream 'live' was deleted/);
    await waitFor(() => disconnectReason !== undefined, 5000, 'socket.io disconnect');
    assert.equal(disconnectReason, 'io server disconnect');
    source.close();
    // and new subscribers are refused at once
    assert.equal((await fetch(`${service.url}/stream/v1/streams/live?tenant=demo`)).status, 404);
  });

  test('a changed event list applies to the next event', async () => {
    await patch(tenantAdmin, { operation: 'UPDATE', update: { shifting: stream('shifting') } });
    const messages = [];
    const source = new EventSource(`${service.url}/stream/v1/streams/shifting?tenant=demo`);
    source.onmessage = (e) => messages.push(JSON.parse(e.data));
    await new Promise((resolve, reject) => { source.onopen = resolve; source.onerror = reject; });
    await patch(tenantAdmin, { operation: 'UPDATE', update: { shifting: stream('shifting', {
      events: [{ namespace: 'other-service', name: 'other-event', map: { value: 'payload.v' } }] }) } });
    await service.publish('demo', { namespace: 'status-service', name: 'health-check-started', payload: { v: 'old' } });
    await service.publish('demo', { namespace: 'other-service', name: 'other-event', payload: { v: 'new' } });
    // A later event of the new list is the next to arrive: the old one never came.
    await service.publish('demo', { namespace: 'other-service', name: 'other-event', payload: { v: 'later' } });
    await waitFor(() => messages.length >= 2, 5000, 'the events of the new list');
    assert.equal(messages.length, 2);
    assert.equal(messages[0].name, 'other-event');
    assert.equal(messages[0].value, 'new');
    assert.equal(messages[1].value, 'later');
    source.close();
  });
});
