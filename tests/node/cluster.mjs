// Two push-service instances on one PostgreSQL (configuration) and one RabbitMQ (events),
// optionally one Redis (the shared replay log), behind a private nginx running the guide's
// configuration (docs/nginx/push-service.conf) with the two as its upstream servers.
//
//   const cluster = await startCluster({ redis: true, configure: (svc) => svc.configure(...) });
//   cluster.a, cluster.b (Service), cluster.proxy (http://127.0.0.1:<nginx>), cluster.redis
//   await cluster.stop();
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Service, waitFor } from './service.mjs';
import { startNginx, startPostgres, startRabbit, startRedis } from './servers.mjs';

const here = dirname(fileURLToPath(import.meta.url));

// The guide's nginx configuration with `ports` as its upstream servers.
export function guideConfig(ports) {
  const guide = readFileSync(join(here, '../../docs/nginx/push-service.conf'), 'utf8');
  return guide
    .replace(/server 127\.0\.0\.1:3334;/, `server 127.0.0.1:${ports[0]} max_fails=1 fail_timeout=5s;`)
    .replace(/server 127\.0\.0\.1:3335;/, `server 127.0.0.1:${ports[1]} max_fails=1 fail_timeout=5s;`)
    .replace(/listen [^;]+;/, 'listen 127.0.0.1:LISTEN_PORT;');
}

// `configure(service)` runs before the first instance starts (it writes the shared store).
export async function startCluster({ redis = false, env = {}, configure = () => {} } = {}) {
  const cluster = {};
  [cluster.rabbit, cluster.pg, cluster.redis] = await Promise.all([
    startRabbit(), startPostgres(), redis ? startRedis() : Promise.resolve(undefined),
  ]);
  const database = await cluster.pg.createDatabase('push');
  const shared = { PUSH_AMQP_URL: cluster.rabbit.url, PUSH_DATABASE_URL: database, ...env };
  if (cluster.redis) shared.PUSH_REDIS_URL = cluster.redis.url;
  cluster.a = new Service(shared);
  cluster.b = new Service(shared);
  configure(cluster.a);
  await cluster.a.start();
  await cluster.b.start(); // after A: the first one seeds the shared store
  for (const s of [cluster.a, cluster.b])
    await waitFor(async () => (await s.health()).broker?.status === 'connected', 20000, 'broker connected');
  cluster.nginx = await startNginx(guideConfig([cluster.a.port, cluster.b.port]));
  cluster.proxy = `http://127.0.0.1:${cluster.nginx.port}`;
  cluster.stop = async () => {
    await cluster.nginx?.stop();
    await cluster.a?.stop();
    await cluster.b?.stop();
    await cluster.rabbit?.stop();
    await cluster.pg?.stop();
    await cluster.redis?.stop();
  };
  return cluster;
}
