// Thirty-second outages of RabbitMQ (SIGKILL, then started again) with a publisher POSTing
// 20 events/s, then of PostgreSQL (fast shutdown, start) under one push-service: how soon
// it is back after each, what the publisher was answered, and every log line it wrote
// meanwhile (docs/reliability.md "Faults").
//   PUSH_SERVICE_BIN=build/service/push-service NODE_PATH=node_modules node tests/bench/faults-outage.mjs
import { Service, waitFor } from '../node/service.mjs';
import { startRabbit, startPostgres } from '../node/servers.mjs';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const [rabbit, pg] = await Promise.all([startRabbit(), startPostgres()]);
const db = await pg.createDatabase('push');
const s = new Service({ PUSH_AMQP_URL: rabbit.url, PUSH_DATABASE_URL: db });
await s.start();
await waitFor(async () => (await s.health()).broker?.status === 'connected', 20000, 'broker');
let running = true;
let statuses = new Map();
const loop = (async () => { while (running) { const r = await s.publish('demo', { namespace: 'a', name: 'b', payload: {} }).catch(() => ({ status: 0 })); statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1); await sleep(50); } })();
await sleep(2000);
let mark = s.log.split('\n').length;
await rabbit.kill();
await sleep(30000);
await rabbit.start();
const t = Date.now();
await waitFor(async () => (await s.health()).broker?.status === 'connected', 30000, 'broker back');
console.log(`broker back: reconnected ${Date.now() - t} ms after the broker accepted connections`);
let lines = s.log.split('\n').slice(mark - 1);
console.log(`broker outage 30 s, publisher 20/s: ${lines.length} log lines; answers ${JSON.stringify([...statuses])}`);
console.log(lines.join('\n'));
running = false; await loop;
mark = s.log.split('\n').length;
await pg.halt();
await sleep(30000);
await pg.start();
const t2 = Date.now();
await waitFor(async () => (await fetch(`${s.url}/health`)).status === 200, 30000, 'store back');
console.log(`store back ${Date.now() - t2} ms after PostgreSQL accepted connections`);
lines = s.log.split('\n').slice(mark - 1);
console.log(`PostgreSQL outage 30 s: ${lines.length} log lines`);
console.log(lines.join('\n'));
await s.stop(); await rabbit.destroy(); await pg.stop();
