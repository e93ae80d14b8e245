// The Engine.IO v4 / Socket.IO v5 protocol, checked the same way against our
// socketio-conformance-server and against the reference Node servers (npm engine.io and
// socket.io), so that "ours behaves like the reference" is a test result. The checks
// follow socket.io's public protocol documentation and its protocol test suites
// (engine.io-protocol, socket.io-protocol), which are not on npm and cannot be fetched
// here; see docs/socketio.md.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import WebSocket from 'ws';

const here = fileURLToPath(new URL('.', import.meta.url));
const servers = {
  'qt conformance server': (echo) => [process.env.CONFORMANCE_BIN, ['--port', '0', ...(echo ? ['--engine-io-echo'] : [])]],
  'reference node server': (echo) => [process.execPath, [`${here}reference-server.mjs`, ...(echo ? ['--engine-io-echo'] : [])]],
};

async function launch([command, args]) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start:\n${log}`)), 10000);
    const read = (data) => {
      log += data;
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
  });
  return { child, url: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}` };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const eio = (url, query) => `${url}/socket.io/?${new URLSearchParams(query)}`;
// With --engine-io-echo, Engine.IO alone is served at the engine.io package's default
// path (what engine.io-protocol's suite expects), and Socket.IO stays at /socket.io/.
const engineIo = (url, query) => `${url}/engine.io/?${new URLSearchParams(query)}`;

async function handshake(url) {
  const response = await fetch(engineIo(url, { EIO: '4', transport: 'polling' }));
  const body = await response.text();
  return { status: response.status, body, open: JSON.parse(body.slice(1)) };
}

function openWebSocket(url) {
  const socket = new WebSocket(url);
  const messages = [];
  const waiters = [];
  socket.on('message', (data, isBinary) => {
    messages.push(isBinary ? Buffer.from(data) : data.toString());
    waiters.splice(0).forEach((w) => w());
  });
  const next = async () => {
    while (!messages.length) await new Promise((r) => waiters.push(r));
    return messages.shift();
  };
  const closed = new Promise((resolve) => socket.on('close', resolve));
  const opened = new Promise((resolve, reject) => {
    socket.on('open', resolve);
    socket.on('error', reject);
  });
  return { socket, next, closed, opened };
}

for (const [name, command] of Object.entries(servers)) {
  describe(`Engine.IO on the ${name}`, () => {
    let server;
    before(async () => (server = await launch(command(true))));
    after(() => server.child.kill('SIGTERM'));

    test('handshake over polling', async () => {
      const { status, body, open } = await handshake(server.url);
      assert.equal(status, 200);
      assert.equal(body[0], '0');
      assert.match(open.sid, /^[\w-]{10,}$/);
      assert.deepEqual(open.upgrades, ['websocket']);
      assert.equal(open.pingInterval, 300);
      assert.equal(open.pingTimeout, 200);
      assert.equal(open.maxPayload, 1000000);
    });

    for (const [what, query, method, code, message] of [
      ['missing EIO', { transport: 'polling' }, 'GET', 5, 'Unsupported protocol version'],
      ['EIO 3', { EIO: '3', transport: 'polling' }, 'GET', 5, 'Unsupported protocol version'],
      ['unknown transport', { EIO: '4', transport: 'carrier-pigeon' }, 'GET', 0, 'Transport unknown'],
      ['unknown sid', { EIO: '4', transport: 'polling', sid: 'nope' }, 'GET', 1, 'Session ID unknown'],
      ['handshake by POST', { EIO: '4', transport: 'polling' }, 'POST', 2, 'Bad handshake method'],
      ['websocket transport without upgrade', { EIO: '4', transport: 'websocket' }, 'GET', 3, 'Bad request'],
    ]) {
      test(`refuses: ${what}`, async () => {
        const response = await fetch(engineIo(server.url, query), { method, body: method === 'POST' ? '1' : undefined });
        assert.equal(response.status, 400);
        assert.deepEqual(await response.json(), { code, message });
      });
    }

    test('polling: messages in, echoed out, text and binary', async () => {
      const { open } = await handshake(server.url);
      const url = engineIo(server.url, { EIO: '4', transport: 'polling', sid: open.sid });
      const posted = await fetch(url, { method: 'POST', body: '4hello\x1ebAQIDBA==' });
      assert.equal(posted.status, 200);
      assert.equal(await posted.text(), 'ok');
      const body = await (await fetch(url)).text();
      assert.deepEqual(body.split('\x1e'), ['4hello', 'bAQIDBA==']);
    });

    test('heartbeat: the server pings, and closes a session that does not answer', async () => {
      const { open } = await handshake(server.url);
      const url = engineIo(server.url, { EIO: '4', transport: 'polling', sid: open.sid });
      assert.equal(await (await fetch(url)).text(), '2'); // held until the ping
      await sleep(600); // no pong within pingTimeout
      const response = await fetch(url);
      assert.equal(response.status, 400);
      assert.equal((await response.json()).code, 1);
    });

    test('heartbeat: closed by pingInterval + pingTimeout after the handshake, however the timer ticks', async () => {
      // The engine.io-protocol suite's check: no poll, so the ping is never read; at the
      // protocol's deadline the session is gone. Ours checks the deadline when a request
      // names the session, so the answer at the deadline is exact; the reference server
      // relies on its timer, which a loaded machine delays: it is given half a second more.
      const { open } = await handshake(server.url);
      const margin = name === 'reference node server' ? 500 : 0;
      await sleep(open.pingInterval + open.pingTimeout + margin);
      const url = engineIo(server.url, { EIO: '4', transport: 'polling', sid: open.sid });
      const response = await fetch(url);
      assert.equal(response.status, 400);
    });

    test('a close from the client releases the pending poll with a noop', async () => {
      const { open } = await handshake(server.url);
      const url = engineIo(server.url, { EIO: '4', transport: 'polling', sid: open.sid });
      const pending = fetch(url);
      await sleep(50); // the poll is held first (as in 'a second concurrent GET')
      const posted = await fetch(url, { method: 'POST', body: '1' });
      assert.equal(posted.status, 200);
      const poll = await pending;
      assert.equal(poll.status, 200);
      assert.equal(await poll.text(), '6');
      assert.equal((await fetch(url)).status, 400);
    });

    test('answering pings keeps the session', async () => {
      const { open } = await handshake(server.url);
      const url = engineIo(server.url, { EIO: '4', transport: 'polling', sid: open.sid });
      for (let i = 0; i < 3; ++i) {
        assert.equal(await (await fetch(url)).text(), '2');
        await fetch(url, { method: 'POST', body: '3' });
      }
      await fetch(url, { method: 'POST', body: '4still here' });
      assert.equal(await (await fetch(url)).text(), '4still here');
    });

    test('a second concurrent GET closes the session', async () => {
      const { open } = await handshake(server.url);
      const url = engineIo(server.url, { EIO: '4', transport: 'polling', sid: open.sid });
      const first = fetch(url);
      await sleep(50);
      const second = await fetch(url);
      assert.equal(second.status, 400);
      assert.equal(await (await first).text(), '1'); // the pending poll gets the close packet
    });

    test('websocket: open packet first, then echo of text and binary', async () => {
      const ws = openWebSocket(engineIo(server.ws, { EIO: '4', transport: 'websocket' }));
      await ws.opened;
      const open = await ws.next();
      assert.equal(open[0], '0');
      assert.deepEqual(JSON.parse(open.slice(1)).upgrades, []);
      ws.socket.send('4hello');
      assert.equal(await ws.next(), '4hello');
      ws.socket.send(Buffer.from([1, 2, 3, 4]));
      assert.deepEqual(await ws.next(), Buffer.from([1, 2, 3, 4]));
      ws.socket.close();
    });

    test('websocket: an unanswered ping closes the connection', async () => {
      const ws = openWebSocket(engineIo(server.ws, { EIO: '4', transport: 'websocket' }));
      await ws.opened;
      await ws.next(); // open
      assert.equal(await ws.next(), '2');
      await ws.closed;
    });

    test('upgrade from polling: probe, upgrade, noop; then polling is refused', async () => {
      const { open } = await handshake(server.url);
      const pollUrl = engineIo(server.url, { EIO: '4', transport: 'polling', sid: open.sid });
      const ws = openWebSocket(engineIo(server.ws, { EIO: '4', transport: 'websocket', sid: open.sid }));
      await ws.opened;
      const pending = fetch(pollUrl);
      ws.socket.send('2probe');
      assert.equal(await ws.next(), '3probe');
      assert.equal(await (await pending).text(), '6'); // the pending poll is released with a noop
      ws.socket.send('5');
      await sleep(50);
      ws.socket.send('4after upgrade');
      assert.equal(await ws.next(), '4after upgrade');
      const refused = await fetch(pollUrl);
      assert.equal(refused.status, 400);
      assert.equal((await refused.json()).code, 3);
      ws.socket.close();
    });

    test('Socket.IO is still served at /socket.io/ beside the Engine.IO echo', async () => {
      const socket = io(server.url, { transports: ['websocket'], auth: { a: 1 }, forceNew: true, reconnection: false });
      const auth = await new Promise((resolve, reject) => {
        socket.on('auth', resolve);
        socket.on('connect_error', reject);
      });
      assert.deepEqual(auth, { a: 1 });
      socket.close();
      const echo = await fetch(eio(server.url, { EIO: '4', transport: 'polling' }));
      assert.equal(echo.status, 200);
    });
  });

  describe(`Socket.IO on the ${name}`, () => {
    let server;
    before(async () => (server = await launch(command(false))));
    after(() => server.child.kill('SIGTERM'));

    for (const transports of [['polling'], ['websocket'], ['polling', 'websocket']]) {
      test(`connect with auth, message-back, ack, binary, /custom over ${transports.join('+')}`, async () => {
        const socket = io(server.url, { transports, auth: { token: 'abc' }, forceNew: true, reconnection: false });
        assert.deepEqual(await new Promise((r) => socket.once('auth', r)), { token: 'abc' });
        const back = await new Promise((r) => {
          socket.once('message-back', (...args) => r(args));
          socket.emit('message', 1, '2', { three: 3 }, Buffer.from([4]));
        });
        assert.deepEqual(back, [1, '2', { three: 3 }, Buffer.from([4])]);
        const acked = await new Promise((r) => socket.emit('message-with-ack', 'a', Buffer.from([1, 2]), (...args) => r(args)));
        assert.deepEqual(acked, ['a', Buffer.from([1, 2])]);
        const custom = io(`${server.url}/custom`, { transports, auth: { t: 1 }, forceNew: true, reconnection: false });
        assert.deepEqual(await new Promise((r) => custom.once('auth', r)), { t: 1 });
        socket.close();
        custom.close();
      });
    }

    test('an unknown namespace gets CONNECT_ERROR "Invalid namespace"', async () => {
      const socket = io(`${server.url}/nope`, { forceNew: true, reconnection: false });
      const error = await new Promise((r) => socket.once('connect_error', r));
      assert.equal(error.message, 'Invalid namespace');
      socket.close();
    });

    test('raw protocol: CONNECT to two namespaces on one connection; an invalid packet closes it', async () => {
      const ws = openWebSocket(eio(server.ws, { EIO: '4', transport: 'websocket' }));
      await ws.opened;
      await ws.next(); // Engine.IO open
      ws.socket.send('40');
      const connected = await ws.next();
      assert.match(connected, /^40\{"sid":"[\w-]+"\}$/);
      assert.equal(await ws.next(), '42["auth",{}]');
      ws.socket.send('40/custom,{"x":1}');
      assert.match(await ws.next(), /^40\/custom,\{"sid":"[\w-]+"\}$/);
      assert.equal(await ws.next(), '42/custom,["auth",{"x":1}]');
      ws.socket.send('42["message",{"a":[1,2]}]');
      assert.equal(await ws.next(), '42["message-back",{"a":[1,2]}]');
      ws.socket.send('42{"not":"an array"}');
      await ws.closed;
    });

    test('a connection that sends no CONNECT is closed after connectTimeout', async () => {
      const ws = openWebSocket(eio(server.ws, { EIO: '4', transport: 'websocket' }));
      await ws.opened;
      await ws.next();
      // Answer pings so that only the connect timeout can close it: with the pings
      // answered the heartbeat keeps the session, so a close proves the connect timeout.
      // The deadline only stops a hang; it is not a bound on the server's speed.
      let pongs = 0;
      ws.socket.on('message', (data) => data.toString() === '2' && ++pongs && ws.socket.send('3'));
      let timer;
      const gaveUp = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('still open after 30 s without CONNECT')), 30000);
      });
      await Promise.race([ws.closed, gaveUp]).finally(() => clearTimeout(timer));
      assert.ok(pongs >= 1, 'the heartbeat ran (pingInterval 300 ms < connectTimeout 1000 ms)');
    });
  });
}
