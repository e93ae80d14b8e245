// Faults of the configuration store (issue 18), with real servers started here:
// - PostgreSQL restarted (fast shutdown) under two instances: both report it, answer 503
//   with the reason, keep serving the configuration they had, reconnect by themselves,
//   LISTEN again and reload; a change made on one while the other is still cut off is seen
//   by both.
// - SQLite read failing half-way (a table renamed away by another connection, which also
//   makes the service reload): the configuration in force stays, the store is reported
//   unavailable until it can be read whole again.
// - SQLite on a small full file system (a tmpfs mounted here; skipped where mounting is not
//   allowed): /health and /metrics say the store cannot write; once space is freed, saves
//   work again and the database passes PRAGMA integrity_check.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Service, waitFor } from './service.mjs';
import { startPostgres } from './servers.mjs';

const CONFIG = '/configuration/v2/configuration/platform/push-service';
const TENANT_ADMIN = 'urn:ads:platform:tenant-service:tenant-admin';

function stream(id, extra = {}) {
  return { id, name: id, publicSubscribe: true, events: [{ namespace: 'status-service', name: 'health-check-started' }],
    ...extra };
}

async function call(service, method, path, body) {
  service.adminToken ??= service.token('--tenant', 'demo', '--roles', TENANT_ADMIN);
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${service.adminToken}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20000),
  });
  return { status: response.status, body: await response.json() };
}

const update = (service, streams) => call(service, 'PATCH', CONFIG, { operation: 'UPDATE', update: streams });

async function health(service) {
  const response = await fetch(`${service.url}/health`, { signal: AbortSignal.timeout(5000) });
  return { code: response.status, body: await response.json() };
}

async function metric(service, name) {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ').pop()) : NaN;
}

// Does the instance's live snapshot have the stream? (A subscription to it is accepted.)
async function hasStream(service, id) {
  const controller = new AbortController();
  const response = await fetch(`${service.url}/stream/v1/streams/${id}?tenant=demo`, { signal: controller.signal });
  controller.abort();
  return response.status === 200;
}

describe('PostgreSQL restarted under two instances', () => {
  let pg;
  let a;
  let b;

  before(async () => {
    pg = await startPostgres();
    const database = await pg.createDatabase('push');
    a = new Service({ PUSH_DATABASE_URL: database });
    b = new Service({ PUSH_DATABASE_URL: database });
    await a.start();
    await b.start(); // after A: the first one seeds the shared store
  });

  after(async () => {
    if (b?.process?.exitCode === null) b.process.kill('SIGCONT');
    await a?.stop();
    await b?.stop();
    await pg?.stop();
  });

  test('both report it, recover by themselves and see the change made meanwhile', async () => {
    assert.equal((await update(a, { before: stream('before') })).status, 200);
    await waitFor(() => hasStream(b, 'before'), 10000, 'B sees the change before the restart');

    await pg.halt();
    for (const s of [a, b])
      await waitFor(async () => (await health(s)).body.store === 'unavailable', 10000, 'store unavailable');
    const down = await health(a);
    assert.equal(down.code, 503);
    assert.ok(down.body.storeError, 'health says why');
    assert.equal(await metric(a, 'push_store_up'), 0);
    // The configuration in force stays in force: streams are served, tokens of its tenants
    // accepted (a 503 below, not a 401).
    for (const s of [a, b]) assert.ok(await hasStream(s, 'before'), 'the stream is still served');

    // Reads and writes say so, with the reason.
    const read = await call(a, 'GET', CONFIG);
    assert.equal(read.status, 503);
    assert.match(read.body.errorMessage, /unavailable: \S/);
    const revisions = await call(a, 'GET', `${CONFIG}/revisions`);
    assert.equal(revisions.status, 503, JSON.stringify(revisions.body));
    const write = await update(a, { refused: stream('refused') });
    assert.equal(write.status, 503);
    assert.match(write.body.errorMessage, /^cannot save: \S/);

    // B is held (SIGSTOP) so that it is still cut off when A, back, makes a change.
    b.process.kill('SIGSTOP');
    const restarting = Date.now();
    await pg.start();
    const started = Date.now();
    await waitFor(async () => (await health(a)).code === 200, 15000, 'A back to store ok');
    console.log(`faults: PostgreSQL restart: start took ${started - restarting} ms, A back ${Date.now() - started} ms after`);
    const during = await update(a, { during: stream('during') });
    assert.equal(during.status, 200, JSON.stringify(during.body));
    assert.ok(await hasStream(a, 'during'));

    b.process.kill('SIGCONT');
    const resumed = Date.now();
    await waitFor(async () => (await health(b)).code === 200, 15000, 'B back to store ok');
    console.log(`faults: PostgreSQL restart: B back ${Date.now() - resumed} ms after it resumed`);
    await waitFor(() => hasStream(b, 'during'), 5000, 'B sees the change made while it was cut off');

    // Both accept PATCHes and hear each other again (LISTEN renewed).
    assert.equal((await update(b, { 'from-b': stream('from-b') })).status, 200);
    await waitFor(() => hasStream(a, 'from-b'), 5000, 'A sees B\'s change');
    assert.equal((await update(a, { 'from-a': stream('from-a') })).status, 200);
    await waitFor(() => hasStream(b, 'from-a'), 5000, 'B sees A\'s change');
    assert.equal((await call(b, 'GET', CONFIG)).status, 200);
  });
});

describe('SQLite that cannot be read whole', () => {
  let service;

  after(async () => {
    await service?.stop();
  });

  test('the configuration in force stays; the store is unavailable until it reads whole', async () => {
    service = new Service();
    await service.start();
    assert.equal((await update(service, { kept: stream('kept') })).status, 200);
    const database = join(service.dataDir, 'push-service.db');
    const sql = (statement) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', database, statement]);

    // Another connection's commit: the service sees a new data version and reloads; the
    // tenants read, the documents do not.
    sql('ALTER TABLE configuration_revisions RENAME TO hidden_revisions;');
    await waitFor(async () => (await health(service)).body.store === 'unavailable', 10000, 'store unavailable');
    const down = await health(service);
    assert.equal(down.code, 503);
    assert.ok(down.body.storeError, 'health says why');
    assert.ok(await hasStream(service, 'kept'), 'the stream in force is still served');
    assert.ok(await hasStream(service, 'application-health'), 'the seeded one too');

    sql('ALTER TABLE hidden_revisions RENAME TO configuration_revisions;');
    await waitFor(async () => (await health(service)).code === 200, 10000, 'store ok again');
    assert.ok(await hasStream(service, 'kept'));
    assert.equal((await update(service, { after: stream('after') })).status, 200);
    await waitFor(() => hasStream(service, 'after'), 5000, 'a change after it is live');
  });
});

describe('SQLite on a full file system', () => {
  let mountPoint = null;
  let service;
  let skip = null;

  before(() => {
    mountPoint = mkdtempSync(join(tmpdir(), 'push-full-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m,mode=0700', 'tmpfs', mountPoint], { stdio: 'pipe' });
    } catch (error) {
      skip = `cannot mount a tmpfs here (needs root, or a container allowing mount): ${String(error.stderr ?? error.message).trim()}`;
    }
  });

  after(async () => {
    await service?.halt();
    if (!skip) execFileSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  test('health and metrics say the store cannot write; after space is freed saves work and the database is intact', async (t) => {
    if (skip) {
      t.skip(skip);
      return;
    }
    service = new Service();
    rmSync(service.dataDir, { recursive: true, force: true });
    service.dataDir = join(mountPoint, 'data');
    await service.start();
    assert.equal((await update(service, { small: stream('small') })).status, 200);

    // Fill the file system to the last byte.
    const filler = join(mountPoint, 'filler');
    const fd = openSync(filler, 'w');
    const chunk = Buffer.alloc(64 * 1024, 1);
    try {
      for (;;) writeSync(fd, chunk);
    } catch (error) {
      if (error.code !== 'ENOSPC') throw error;
    }
    try {
      for (;;) writeSync(fd, chunk, 0, 512);
    } catch (error) {
      if (error.code !== 'ENOSPC') throw error;
    } finally {
      closeSync(fd);
    }

    const big = { big: stream('big', { description: 'x'.repeat(300 * 1024) }) };
    const refused = await update(service, big);
    assert.equal(refused.status, 503);
    assert.match(refused.body.errorMessage, /^cannot save: .*full/i);
    await waitFor(async () => (await health(service)).body.store === 'cannot write', 5000, 'health: cannot write');
    const full = await health(service);
    assert.equal(full.code, 503);
    assert.match(full.body.storeError, /full/i);
    assert.equal(await metric(service, 'push_store_writable'), 0);
    assert.equal(await metric(service, 'push_store_up'), 0);
    assert.ok(await hasStream(service, 'small'), 'reads still work');

    rmSync(filler);
    const freed = Date.now();
    await waitFor(async () => (await health(service)).code === 200, 10000, 'health ok after space is freed');
    console.log(`faults: SQLite disk full: store ok ${Date.now() - freed} ms after space was freed`);
    assert.equal(await metric(service, 'push_store_writable'), 1);
    const saved = await update(service, big);
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    await waitFor(() => hasStream(service, 'big'), 5000, 'the saved stream is live');
    await service.halt();
    const check = execFileSync('sqlite3', [join(service.dataDir, 'push-service.db'), 'PRAGMA integrity_check;']).toString().trim();
    assert.equal(check, 'ok');
  });
});
