// GET /metrics parsed by a Prometheus text-format parser (npm parse-prometheus-text-format),
// and its numbers against what real clients counted: subscriptions by transport and
// tenant, events received, deliveries, auth failures by reason.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { io } from 'socket.io-client';
import { EventSource } from 'eventsource';
import { Service, waitFor } from './service.mjs';

let service;

before(async () => {
  service = new Service();
  await service.start();
});

after(async () => {
  await service.stop();
});

async function scrape() {
  const response = await fetch(`${service.url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const families = parsePrometheusTextFormat(await response.text());
  const byName = Object.fromEntries(families.map((f) => [f.name, f]));
  // value of the sample whose labels include `labels` (0 when absent)
  const value = (name, labels = {}) => {
    const family = byName[name];
    if (!family) return 0;
    const metric = family.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
    return metric ? Number(metric.value) : 0;
  };
  return { byName, value };
}

test('the exposition parses and declares its types', async () => {
  const { byName } = await scrape();
  for (const [name, type] of [
    ['push_subscriptions', 'GAUGE'], ['push_events_received_total', 'COUNTER'], ['push_deliveries_total', 'COUNTER'],
    ['push_disconnects_total', 'COUNTER'], ['push_http_connections', 'GAUGE'], ['push_bytes_queued', 'GAUGE'],
    ['push_events_fanned_out_total', 'COUNTER'], ['push_store_up', 'GAUGE'],
  ]) {
    assert.ok(byName[name], `${name} is exposed`);
    assert.equal(byName[name].type, type, name);
  }
});

test('counters agree with what the clients counted', async () => {
  const before = await scrape();
  const sources = [];
  const received = [];
  for (let i = 0; i < 3; i++) {
    const source = new EventSource(`${service.url}/stream/v1/streams/application-health?tenant=demo`);
    source.onmessage = (e) => received.push(e.data);
    await new Promise((resolve, reject) => { source.onopen = resolve; source.onerror = reject; });
    sources.push(source);
  }
  const sockets = [];
  const sioReceived = [];
  for (let i = 0; i < 2; i++) {
    const socket = io(`${service.url}/demo`, { query: { stream: 'application-health' }, forceNew: true,
      reconnection: false, transports: ['websocket'] });
    socket.on('status-service:health-check-started', (item) => sioReceived.push(item));
    await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('connect_error', reject); });
    sockets.push(socket);
  }
  const during = await scrape();
  assert.equal(during.value('push_subscriptions', { transport: 'sse', tenant: 'demo' }), 3);
  assert.equal(during.value('push_subscriptions', { transport: 'socketio', tenant: 'demo' }), 2);

  const events = 7;
  for (let i = 0; i < events; i++) {
    const r = await service.publish('demo', { namespace: 'status-service', name: 'health-check-started', payload: { i } });
    assert.equal(r.status, 200);
  }
  await waitFor(() => received.length === 3 * events && sioReceived.length === 2 * events, 5000, 'all deliveries');

  // a malformed token: one authentication failure
  assert.equal((await fetch(`${service.url}/stream/v1/streams?tenant=demo`, { headers: { Authorization: 'Bearer nope' } })).status, 401);
  const after = await scrape();
  assert.equal(after.value('push_events_received_total', { source: 'http' }) - before.value('push_events_received_total', { source: 'http' }), events);
  assert.equal(after.value('push_events_fanned_out_total') - before.value('push_events_fanned_out_total'), events);
  assert.equal(after.value('push_deliveries_total') - before.value('push_deliveries_total'), 5 * events);
  const failures = after.byName.push_auth_failures_total.metrics.reduce((n, m) => n + Number(m.value), 0);
  assert.equal(failures, 1);
  assert.ok(after.value('push_http_connections') >= 5);
  assert.equal(after.value('push_store_up'), 1);

  for (const source of sources) source.close();
  for (const socket of sockets) socket.close();
  await waitFor(async () => {
    const { value } = await scrape();
    return value('push_subscriptions', { transport: 'sse', tenant: 'demo' }) === 0 &&
      value('push_subscriptions', { transport: 'socketio', tenant: 'demo' }) === 0;
  }, 5000, 'subscription gauges back to 0');
});
