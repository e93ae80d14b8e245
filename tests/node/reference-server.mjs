// The reference servers of socket.io's public protocol test suites, on the npm packages:
// `node reference-server.mjs` (socket.io at /socket.io/) or `node reference-server.mjs
// --engine-io-echo` (and an engine.io echo at /engine.io/), each on a free port, printing "listening on http://127.0.0.1:<port>".
import { createServer } from 'node:http';
import { Server as EngineServer } from 'engine.io';
import { Server } from 'socket.io';

const options = { pingInterval: 300, pingTimeout: 200, maxHttpBufferSize: 1e6, cors: { origin: '*' } };
const http = createServer();
if (process.argv.includes('--engine-io-echo')) {
  // Engine.IO at its package's default path, /engine.io/; socket.io stays at /socket.io/.
  const engine = new EngineServer(options);
  engine.attach(http);
  engine.on('connection', (socket) => socket.on('data', (...args) => socket.send(...args)));
}
const io = new Server(http, { ...options, connectTimeout: 1000 });
io.on('connection', (socket) => {
  socket.emit('auth', socket.handshake.auth);
  socket.on('message', (...args) => socket.emit('message-back', ...args));
  socket.on('message-with-ack', (...args) => {
    const ack = args.pop();
    ack(...args);
  });
});
io.of('/custom').on('connection', (socket) => socket.emit('auth', socket.handshake.auth));
http.listen(0, '127.0.0.1', () => console.error(`listening on http://127.0.0.1:${http.address().port}`));
process.on('SIGTERM', () => process.exit(0));
