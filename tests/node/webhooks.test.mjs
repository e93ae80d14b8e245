// Webhooks (adsp-compatibility.md "Webhooks") against the real service, called on a real local
// HTTP server: plain webhooks with criteria, application-status webhooks, an error answer,
// a target that never answers (the timeout, and stream delivery not waiting for it), the
// bound on calls in flight, the push-service:webhook-triggered event on a stream, the test
// call of the admin API, and the metrics.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { EventSource } from 'eventsource';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { Service, waitFor } from './service.mjs';

const TENANT_ADMIN = 'urn:ads:platform:tenant-service:tenant-admin';
const CONFIG = '/configuration/v2/configuration/platform/push-service';
const DEMO = 'urn:ads:platform:tenant-service:v2:/tenants/demo';

// The webhook target: /ok answers 200, /fail 500, /hang never (until released).
class Target {
  constructor() {
    this.calls = [];
    this.hanging = [];
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (d) => (body += d));
      request.on('end', () => {
        const call = { path: request.url, headers: request.headers, body: JSON.parse(body) };
        this.calls.push(call);
        if (request.url.startsWith('/hang')) {
          this.hanging.push(response);
          return;
        }
        response.writeHead(request.url.startsWith('/fail') ? 500 : 200, { 'Content-Type': 'text/plain' });
        response.end('thanks');
      });
    });
  }
  async start() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${this.server.address().port}`;
  }
  on(path) {
    return this.calls.filter((c) => c.path === path);
  }
  release() {
    for (const response of this.hanging.splice(0)) response.destroy();
  }
  async stop() {
    this.release();
    this.server.closeAllConnections?.();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

let target;

async function patch(service, token, update) {
  const response = await fetch(`${service.url}${CONFIG}`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ operation: 'UPDATE', update }),
  });
  assert.equal(response.status, 200, await response.text());
}

function triggeredStream(service) {
  const items = [];
  const source = new EventSource(`${service.url}/stream/v1/streams/webhook-calls?tenant=demo`);
  source.onmessage = (e) => items.push(JSON.parse(e.data));
  const open = new Promise((resolve, reject) => { source.onopen = resolve; source.onerror = reject; });
  return { items, open, close: () => source.close() };
}

const webhookCalls = {
  id: 'webhook-calls', name: 'Webhook calls', publicSubscribe: true,
  events: [{ namespace: 'push-service', name: 'webhook-triggered' }],
};

async function scrape(service) {
  const families = parsePrometheusTextFormat(await (await fetch(`${service.url}/metrics`)).text());
  const byName = Object.fromEntries(families.map((f) => [f.name, f]));
  return {
    byName,
    value: (name, labels = {}) => {
      const metric = byName[name]?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
      return metric ? Number(metric.value ?? metric.count) : 0;
    },
  };
}

// Which bucket a call falls in depends on how fast the machine is, so only what holds at
// any speed: +Inf counts every call, and the cumulative buckets never decrease.
function assertHistogramConsistent(series, count) {
  const buckets = Object.entries(series.buckets)
    .map(([le, n]) => [le === '+Inf' ? Infinity : Number(le), Number(n)])
    .sort(([a], [b]) => a - b);
  assert.equal(buckets.at(-1)[0], Infinity, JSON.stringify(series.buckets));
  assert.equal(buckets.at(-1)[1], count, JSON.stringify(series.buckets));
  for (let i = 1; i < buckets.length; i++)
    assert.ok(buckets[i - 1][1] <= buckets[i][1], `buckets not cumulative: ${JSON.stringify(series.buckets)}`);
}

before(async () => {
  target = new Target();
  await target.start();
});

after(async () => {
  await target.stop();
});

describe('webhooks', () => {
  let service;
  let admin;
  let calls;
  // The webhooks of this suite; a test that adds one keeps them (the document's
  // "webhooks" key is one value: an UPDATE of it replaces them all).
  const hooks = () => ({
    orders: { id: 'orders', name: 'Orders hook', url: `${target.url}/ok`, description: 'orders from prod',
      events: [{ namespace: 'order-service', name: 'order-placed', criteria: { context: { env: 'prod' } } }] },
    failing: { id: 'failing', name: 'Failing hook', url: `${target.url}/fail`,
      events: [{ namespace: 'order-service', name: 'order-failed' }] },
    status: { id: 'status', name: 'Portal status', url: `${target.url}/ok-status`, targetId: 'portal',
      intervalMinutes: 5, eventTypes: [{ id: 'status-service:application-status-changed' }] },
    loop: { id: 'loop', name: 'Loop', url: `${target.url}/loop`,
      events: [{ namespace: 'push-service', name: 'webhook-triggered' }] },
  });
  before(async () => {
    service = new Service({ PUSH_WEBHOOK_TIMEOUT_MS: '3000' });
    await service.start();
    admin = service.token('--tenant', 'demo', '--roles', TENANT_ADMIN);
    await patch(service, admin, {
      'webhook-calls': webhookCalls,
      webhooks: hooks(),
    });
    calls = triggeredStream(service);
    await calls.open;
  });
  after(async () => {
    calls.close();
    await service.stop();
  });

  // Each test counts only its own effects: calls and webhook-triggered events it can tell
  // by correlation id, or counts since its own start.
  const placed = (correlationId, context) => service.publish('demo', { namespace: 'order-service', name: 'order-placed',
    correlationId, context, payload: { order: 7 } });
  const triggered = (correlationId) => calls.items.find((e) => e.correlationId === correlationId);
  const callsFor = (path, ...ids) => target.on(path).filter((c) => ids.includes(c.body.correlationId));

  test('a plain webhook gets the event JSON when namespace, name and criteria match', async () => {
    assert.equal((await placed('c-test', { env: 'test' })).status, 200); // criteria do not match
    assert.equal((await placed('c-prod', { env: 'prod', region: 'north' })).status, 200);
    await waitFor(() => callsFor('/ok', 'c-prod').length >= 1, 5000, 'the webhook call');
    await waitFor(() => triggered('c-prod'), 5000, 'webhook-triggered');
    // c-test was offered before c-prod: had it matched, its call would have come first
    assert.deepEqual(callsFor('/ok', 'c-test', 'c-prod').map((c) => c.body.correlationId), ['c-prod'],
      'the event with other context did not fire');
    const [call] = callsFor('/ok', 'c-prod');
    assert.equal(call.headers['content-type'], 'application/json');
    assert.match(call.headers['user-agent'], /^push-service\//);
    assert.deepEqual(call.body, { tenantId: DEMO, namespace: 'order-service', name: 'order-placed',
      timestamp: call.body.timestamp, correlationId: 'c-prod', context: { env: 'prod', region: 'north' }, payload: { order: 7 } });
    // A later call, answered and reported, after c-prod's webhook-triggered event was out:
    // a loop call for that event would have been offered before it.
    await placed('c-after-loop', { env: 'prod' });
    await waitFor(() => triggered('c-after-loop'), 5000, 'the later call reported');
    assert.equal(target.on('/loop').length, 0, 'webhook-triggered never triggers webhooks');
  });

  test('after each call the webhook-triggered event is delivered on a stream', async () => {
    assert.equal((await placed('c-stream', { env: 'prod', region: 'north' })).status, 200);
    await waitFor(() => triggered('c-stream'), 5000, 'webhook-triggered');
    const event = triggered('c-stream');
    assert.equal(event.tenantId, DEMO);
    assert.equal(event.namespace, 'push-service');
    assert.equal(event.name, 'webhook-triggered');
    assert.deepEqual(event.context, { name: 'Orders hook' });
    assert.deepEqual(event.payload.webhook, { name: 'Orders hook', url: `${target.url}/ok` });
    assert.deepEqual(event.payload.trigger, { namespace: 'order-service', name: 'order-placed', correlationId: 'c-stream',
      context: { env: 'prod', region: 'north' } });
    assert.equal(event.payload.response.statusCode, 200);
    assert.equal(event.payload.response.status, 'OK');
    assert.ok(!Number.isNaN(Date.parse(event.payload.response.timestamp)));
    assert.equal(typeof event.payload.responseTime, 'number');
  });

  test('an error answer is reported too; without a correlation id the webhook id stands in', async () => {
    const start = calls.items.length;
    const failing = () => calls.items.slice(start).find((e) => e.context.name === 'Failing hook');
    assert.equal((await service.publish('demo', { namespace: 'order-service', name: 'order-failed', payload: {} })).status, 200);
    await waitFor(failing, 5000, 'webhook-triggered of the 500');
    const event = failing();
    assert.equal(event.payload.response.statusCode, 500);
    assert.equal(event.payload.response.status, 'Internal Server Error');
    assert.equal(event.correlationId, 'failing');
  });

  test('an application-status webhook fires for its event types and its target application only', async () => {
    const start = { calls: target.on('/ok-status').length, events: calls.items.length };
    const statusCalls = () => target.on('/ok-status').slice(start.calls);
    const statusEvents = () => calls.items.slice(start.events).filter((e) => e.context.name === 'Portal status');
    const status = (application, name = 'application-status-changed') => service.publish('demo', {
      namespace: 'status-service', name, correlationId: `s-${application.appKey ?? application.id}-${name}`,
      payload: { application, newStatus: 'down' } });
    await status({ appKey: 'portal', name: 'Portal' });
    await status({ id: 'portal' });
    await status({ appKey: 'other-app' });
    await status({ appKey: 'portal' }, 'health-check-started');
    await waitFor(() => statusCalls().length >= 2, 5000, 'two application-status calls');
    await waitFor(() => statusEvents().length >= 2, 5000, 'two events');
    // everything published before the marker has been offered; the marker fires `orders`
    await placed('marker-status', { env: 'prod' });
    await waitFor(() => triggered('marker-status'), 5000, 'the marker call');
    assert.deepEqual(statusCalls().map((c) => c.body.correlationId).sort(),
      ['s-portal-application-status-changed', 's-portal-application-status-changed']);
    const [event] = statusEvents();
    assert.deepEqual(event.payload.webhook, { name: 'Portal status', url: `${target.url}/ok-status`, targetId: 'portal' });
    assert.equal(target.on('/loop').length, 0);
  });

  test('the admin API calls a webhook once with a test event and answers what came back', async () => {
    const before = target.on('/ok-status').length;
    const response = await fetch(`${service.url}/admin/v1/webhooks/status/test`, {
      method: 'POST', headers: { Authorization: `Bearer ${admin}` } });
    assert.equal(response.status, 200);
    const result = await response.json();
    assert.equal(result.outcome, 'success');
    assert.equal(result.statusCode, 200);
    const calls = target.on('/ok-status');
    assert.equal(calls.length, before + 1);
    assert.equal(calls.at(-1).body.namespace, 'status-service');
    assert.equal(calls.at(-1).body.name, 'application-status-changed');
    assert.deepEqual(calls.at(-1).body.payload, { application: { appKey: 'portal' } });
    const missing = await fetch(`${service.url}/admin/v1/webhooks/nope/test`, { method: 'POST', headers: { Authorization: `Bearer ${admin}` } });
    assert.equal(missing.status, 404);
    // A webhook whose url is not http(s) never gets into the document.
    const ftp = await fetch(`${service.url}/configuration/v2/configuration/platform/push-service`, {
      method: 'PATCH', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ operation: 'UPDATE', update: { webhooks: { 'not-http': { id: 'not-http', name: 'FTP',
        url: 'ftp://example.org/x', events: [{ namespace: 'order-service', name: 'order-placed' }] } } } }),
    });
    assert.equal(ftp.status, 400);
    assert.match((await ftp.json()).errorMessage, /webhooks\.not-http\.url must be an absolute http or https URL/);
    const anonymous = await fetch(`${service.url}/admin/v1/webhooks/status/test`, { method: 'POST' });
    assert.equal(anonymous.status, 401);
  });

  test('a target that never answers times out, and stream delivery does not wait for it', async () => {
    const timeoutsBefore = (await scrape(service)).value('push_webhook_calls_total', { outcome: 'timeout' });
    const hangBefore = target.on('/hang').length;
    await patch(service, admin, { webhooks: { ...hooks(),
      hang: { id: 'hang', name: 'Hanging hook', url: `${target.url}/hang`, events: [{ namespace: 'order-service', name: 'order-stuck' }] },
    }, stuck: { id: 'stuck', name: 'Stuck', publicSubscribe: true, events: [{ namespace: 'order-service', name: 'order-stuck' }] } });
    const stuck = [];
    const source = new EventSource(`${service.url}/stream/v1/streams/stuck?tenant=demo`);
    source.onmessage = (e) => stuck.push(JSON.parse(e.data));
    await new Promise((resolve, reject) => { source.onopen = resolve; source.onerror = reject; });
    assert.equal((await service.publish('demo', { namespace: 'order-service', name: 'order-stuck', correlationId: 'stuck-1', payload: {} })).status, 200);
    await waitFor(() => stuck.length === 1, 5000, 'stream delivery');
    await waitFor(() => target.on('/hang').length - hangBefore === 1, 5000, 'the webhook call, left unanswered');
    assert.ok(!triggered('stuck-1'), 'delivered while the webhook had not answered');
    await waitFor(() => triggered('stuck-1'), 10000, 'the timeout reported');
    const event = triggered('stuck-1');
    assert.equal(event.payload.response.statusCode, 0);
    assert.match(event.payload.response.status, /timed out after 3000 ms/);
    assert.ok(event.payload.responseTime >= 2900, `${event.payload.responseTime} ms`); // at least the timeout
    assert.equal(target.on('/hang').length - hangBefore, 1);
    await waitFor(async () => (await scrape(service)).value('push_webhook_calls_total', { outcome: 'timeout' }) === timeoutsBefore + 1,
      5000, 'the timeout counted');
    source.close();
    target.release();
  });

  test('metrics count the calls by outcome and their latency', async () => {
    const histogramOf = (scraped) => scraped.byName.push_webhook_duration_seconds;
    const countOf = (scraped) => Number(histogramOf(scraped)?.metrics[0]?.count ?? 0);
    const before = await scrape(service);
    const delta = (now, name, labels) => now.value(name, labels) - before.value(name, labels);
    assert.equal((await placed('m-ok', { env: 'prod' })).status, 200);
    assert.equal((await service.publish('demo', { namespace: 'order-service', name: 'order-failed', correlationId: 'm-fail',
      payload: {} })).status, 200);
    const tested = await fetch(`${service.url}/admin/v1/webhooks/status/test`, {
      method: 'POST', headers: { Authorization: `Bearer ${admin}` } });
    assert.equal(tested.status, 200);
    await waitFor(() => triggered('m-ok') && triggered('m-fail'), 5000, 'both calls reported');
    let now;
    await waitFor(async () => {
      now = await scrape(service);
      return countOf(now) - countOf(before) >= 3;
    }, 5000, 'three calls in the histogram');
    assert.equal(delta(now, 'push_webhook_calls_total', { outcome: 'success' }), 2); // m-ok and the test call
    assert.equal(delta(now, 'push_webhook_calls_total', { outcome: 'http-error' }), 1);
    assert.equal(delta(now, 'push_webhook_calls_total', { outcome: 'timeout' }), 0);
    assert.equal(delta(now, 'push_webhook_calls_total', { outcome: 'dropped' }), 0);
    assert.equal(delta(now, 'push_events_received_total', { source: 'webhook' }), 2, 'one webhook-triggered event per call but the test');
    const histogram = histogramOf(now);
    assert.equal(histogram.type, 'HISTOGRAM');
    const [series] = histogram.metrics;
    assert.equal(countOf(now) - countOf(before), 3, 'the test call is a call too');
    assertHistogramConsistent(series, countOf(now));
    assert.equal(now.value('push_webhooks_in_flight'), 0);
  });
});

describe('webhook load bounds', () => {
  let service;
  before(async () => {
    service = new Service({ PUSH_WEBHOOK_MAX_IN_FLIGHT: '2', PUSH_WEBHOOK_MAX_QUEUED: '3', PUSH_WEBHOOK_TIMEOUT_MS: '60000' });
    await service.start();
    const admin = service.token('--tenant', 'demo', '--roles', TENANT_ADMIN);
    await patch(service, admin, { webhooks: [
      { id: 'slow', name: 'Slow', url: `${target.url}/hang-bounded`, events: [{ namespace: 'load', name: 'burst' }] },
    ] });
  });
  after(async () => {
    target.release();
    await service.stop();
  });

  test('at most maxInFlight calls at once; beyond maxQueued waiting, calls are dropped and counted', async () => {
    target.release();
    const before = target.on('/hang-bounded').length;
    const stream = [];
    const source = new EventSource(`${service.url}/stream/v1/streams/application-health?tenant=demo`);
    source.onmessage = (e) => stream.push(e.data);
    await new Promise((resolve, reject) => { source.onopen = resolve; source.onerror = reject; });
    for (let i = 0; i < 20; i++)
      assert.equal((await service.publish('demo', { namespace: 'load', name: 'burst', payload: { i } })).status, 200);
    await service.publish('demo', { namespace: 'status-service', name: 'health-check-started', payload: {} });
    await waitFor(() => stream.length === 1, 5000, 'stream delivery while webhooks are stuck');
    await waitFor(async () => (await scrape(service)).value('push_webhooks_in_flight') === 2, 5000, 'two in flight');
    await waitFor(() => target.on('/hang-bounded').length - before === 2, 5000, 'the two calls at the target');
    // 2 in flight, at most 3 waiting, the rest dropped (up to 2 more when the dispatcher
    // thread had not yet taken the first two off the queue while the next offers came)
    const { value } = await scrape(service);
    const dropped = value('push_webhook_calls_total', { outcome: 'dropped' });
    assert.ok(dropped >= 15 && dropped <= 17, `dropped ${dropped}`);
    assert.equal(value('push_webhooks_in_flight'), 2, 'no third call while two hang');
    assert.equal(target.on('/hang-bounded').length - before, 2);
    source.close();
  });
});
