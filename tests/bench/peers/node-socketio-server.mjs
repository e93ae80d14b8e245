// Reference peer of the benchmark: the npm `socket.io` 4.x server carrying the same stream as
// push-service does over socket.io.
//
//   node tests/bench/peers/node-socketio-server.mjs [--port N]      (N = 0, the default: a free port)
//
// Listens on 127.0.0.1 only and prints "listening on http://127.0.0.1:<port>" to stderr.
//
// - socket.io at /socket.io/, namespace /demo; any handshake query is accepted (the load
//   generator sends stream=application-health, as to push-service). Default socket.io options:
//   pingInterval 25000, pingTimeout 20000, perMessageDeflate off.
// - POST /event/v1/events with an ADSP event {namespace, name, timestamp, payload, tenantId?,
//   correlationId?, context?}: emitted to every socket of /demo as `<namespace>:<name>` with the
//   item push-service sends for a stream without a projection (the whole event, tenantId as the
//   demo tenant's URN). Answers 200 with JSON.
// - GET /health answers 200 (readiness probe of tests/bench/run.sh).
// SIGTERM / SIGINT exit at once.
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const TENANT_URN = 'urn:ads:platform:tenant-service:v2:/tenants/demo';
const MAX_BODY_BYTES = 1 << 20;

function parsePort(argv) {
  const index = argv.indexOf('--port');
  if (index < 0) return 0;
  const value = Number(argv[index + 1]);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    console.error(`node-socketio-server: --port must be 0..65535, not '${argv[index + 1]}'`);
    process.exit(2);
  }
  return value;
}

function reply(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

let io;
let published = 0;

function publish(req, res) {
  const chunks = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(chunk);
  });
  req.on('end', () => {
    if (tooLarge) return reply(res, 413, { error: 'request body too large' });
    let event;
    try {
      event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (error) {
      return reply(res, 400, { error: `request body is not valid JSON: ${error.message}` });
    }
    if (!event || typeof event !== 'object' || Array.isArray(event))
      return reply(res, 400, { error: 'request body must be a JSON object' });
    const { namespace, name, timestamp, payload, correlationId, context } = event;
    if (typeof namespace !== 'string' || typeof name !== 'string' || !namespace || !name)
      return reply(res, 400, { error: 'namespace and name are required' });
    const item = { tenantId: TENANT_URN, namespace, name, timestamp, payload };
    if (correlationId !== undefined) item.correlationId = correlationId;
    if (context !== undefined) item.context = context;
    io.of('/demo').emit(`${namespace}:${name}`, item);
    published += 1;
    return reply(res, 200, { sequence: published, tenantId: TENANT_URN, streams: 1 });
  });
  req.on('error', () => res.destroy());
}

// socket.io's request listener takes /socket.io/ and hands every other request to this one.
const http = createServer((req, res) => {
  const path = (req.url || '').split('?')[0];
  if (req.method === 'POST' && path === '/event/v1/events') return publish(req, res);
  if (req.method === 'GET' && path === '/health') return reply(res, 200, { status: 'ok' });
  return reply(res, 404, { error: 'not found' });
});
http.keepAliveTimeout = 65000; // the load generator keeps its publishing connections open

io = new Server(http, { perMessageDeflate: false });
io.of('/demo').on('connection', () => {});

http.on('error', (error) => {
  console.error(`node-socketio-server: ${error.message}`);
  process.exit(1);
});
http.listen(parsePort(process.argv.slice(2)), '127.0.0.1', () => {
  console.error(`listening on http://127.0.0.1:${http.address().port}`);
});

process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
