// Event-bus ingest throughput: a private RabbitMQ, push-service consuming `domain-events`,
// one SSE subscriber counting deliveries, and an amqplib publisher putting N events of
// ADSP's wire format on the exchange as fast as the broker takes them. For each prefetch
// setting: events/s from the first publish to the last delivery, and server CPU seconds.
//   PUSH_SERVICE_BIN=build/service/push-service node tests/bench/amqp-ingest.mjs [N] [prefetch...]
// With --http: POST /event/v1/events through the service to the exchange (publisher
// confirms: each answer waits for the broker's basic.ack), C requests in flight over
// keep-alive connections; events/s from the first POST to the last delivery, and the
// POST latency (p50/p99):
//   PUSH_SERVICE_BIN=... node tests/bench/amqp-ingest.mjs --http [N] [C...]
import http from 'node:http';
import { readFileSync } from 'node:fs';
import amqplib from 'amqplib';
import { Service, waitFor } from '../node/service.mjs';
import { startRabbit } from '../node/servers.mjs';

const httpMode = process.argv[2] === '--http';
if (httpMode) process.argv.splice(2, 1);
const count = Number(process.argv[2] ?? 20000);
const prefetches = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [1, 10, 100, 500, 2000];
const TENANT = 'urn:ads:platform:tenant-service:v2:/tenants/demo';

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in ticks of 10 ms
}

function subscribe(url) {
  const state = { deliveries: 0, last: 0 };
  return new Promise((resolve, reject) => {
    http.get(`${url}/stream/v1/streams/application-health?tenant=demo`, (response) => {
      if (response.statusCode !== 200) reject(new Error(`SSE ${response.statusCode}`));
      let tail = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        const text = tail + chunk;
        const parts = text.split('\n\n');
        tail = parts.pop();
        for (const part of parts) if (part.includes('data:')) {
          state.deliveries++;
          state.last = performance.now();
        }
      });
      resolve({ state, close: () => response.destroy() });
    }).on('error', reject);
  });
}

async function httpIngest(rabbit, concurrency) {
  const service = new Service({ PUSH_AMQP_URL: rabbit.url });
  await service.start();
  await waitFor(async () => (await service.health()).broker?.status === 'connected', 20000, 'broker');
  const { state, close } = await subscribe(service.url);
  const token = service.token('--core', '--roles', 'urn:ads:platform:event-service:event-sender');
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const body = JSON.stringify({ tenantId: 'demo', namespace: 'status-service', name: 'health-check-started',
    timestamp: new Date().toISOString(), payload: { value: 'x'.repeat(150) } });
  const post = () => new Promise((resolve, reject) => {
    const started = performance.now();
    const request = http.request(`${service.url}/event/v1/events`, { method: 'POST', agent,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` } }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 200 ? resolve(performance.now() - started)
        : reject(new Error(`POST ${response.statusCode}`))));
    });
    request.on('error', reject);
    request.end(body);
  });
  const latencies = [];
  let next = 0;
  const cpuBefore = cpuSeconds(service.process.pid);
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      next++;
      latencies.push(await post());
    }
  }));
  await waitFor(() => state.deliveries >= count, 120000, `${count} deliveries`);
  const seconds = (state.last - start) / 1000;
  latencies.sort((x, y) => x - y);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(1);
  const cpu = cpuSeconds(service.process.pid) - cpuBefore;
  close();
  agent.destroy();
  await service.stop();
  return { concurrency, events: count, seconds: seconds.toFixed(2), eventsPerSecond: Math.round(count / seconds),
    p50: at(0.5), p99: at(0.99), serverCpuSeconds: cpu.toFixed(2) };
}

const rabbit = await startRabbit();
const rows = [];
if (httpMode) {
  const levels = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [1, 8, 64];
  try {
    for (const concurrency of levels) rows.push(await httpIngest(rabbit, concurrency));
  } finally {
    await rabbit.stop();
  }
  console.log('| POSTs in flight | events | seconds | events/s (POST → SSE delivery) | POST p50 ms | POST p99 ms | server CPU s |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows)
    console.log(`| ${r.concurrency} | ${r.events} | ${r.seconds} | ${r.eventsPerSecond} | ${r.p50} | ${r.p99} | ${r.serverCpuSeconds} |`);
  process.exit(0);
}
try {
  for (const prefetch of prefetches) {
    const service = new Service({ PUSH_AMQP_URL: rabbit.url, PUSH_AMQP_PREFETCH: String(prefetch)});
    await service.start();
    await waitFor(async () => (await service.health()).broker?.status === 'connected', 20000, 'broker');
    const { state, close } = await subscribe(service.url);
    const connection = await amqplib.connect(rabbit.url);
    const channel = await connection.createChannel();
    await channel.assertExchange('domain-events', 'topic', { durable: true });
    const body = Buffer.from(JSON.stringify({ value: 'x'.repeat(150) }));
    const cpuBefore = cpuSeconds(service.process.pid);
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      const headers = { namespace: 'status-service', name: 'health-check-started', tenantId: TENANT,
        correlationId: `c${i}`, context: {}, timestamp: new Date().toISOString() };
      if (!channel.publish('domain-events', `status-service.health-check-started.${TENANT}`, body, { headers }))
        await new Promise((r) => channel.once('drain', r));
    }
    await waitFor(() => state.deliveries >= count, 120000, `${count} deliveries`);
    const seconds = (state.last - start) / 1000;
    rows.push({ prefetch, events: count, seconds: seconds.toFixed(2), eventsPerSecond: Math.round(count / seconds),
      serverCpuSeconds: (cpuSeconds(service.process.pid) - cpuBefore).toFixed(2) });
    close();
    await connection.close();
    await service.stop();
  }
} finally {
  await rabbit.stop();
}
console.log('| prefetch | events | seconds | events/s (publish → SSE delivery) | server CPU s |');
console.log('|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.prefetch} | ${r.events} | ${r.seconds} | ${r.eventsPerSecond} | ${r.serverCpuSeconds} |`);
