// RFC 6455 strictness of the service's own WebSocket code, seen from a raw TCP client
// (node:net): a protocol error is answered with a close frame carrying 1002 (or 1007 for
// text that is not UTF-8) before the connection closes; a close is echoed only with a
// valid code.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Service, waitFor } from './service.mjs';

let service;
before(async () => {
  service = new Service();
  await service.start();
});
after(async () => service?.stop());

function clientFrame(opcode, payload, { fin = true, masked = true } = {}) {
  const data = Buffer.from(payload);
  if (data.length > 125) throw new Error('short frames only');
  const mask = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  const head = Buffer.from([(fin ? 0x80 : 0) | opcode, (masked ? 0x80 : 0) | data.length]);
  if (!masked) return Buffer.concat([head, data]);
  return Buffer.concat([head, mask, Buffer.from(data.map((b, i) => b ^ mask[i % 4]))]);
}

function closeBody(code, reason = Buffer.alloc(0)) {
  const body = Buffer.alloc(2);
  body.writeUInt16BE(code);
  return Buffer.concat([body, Buffer.from(reason)]);
}

// An Engine.IO WebSocket session on the real service: resolves once the 101 and the
// Engine.IO open packet are in. `frames` collects the server's frames; `ended` resolves
// when the server closes the TCP connection.
function openSession() {
  return new Promise((resolve, reject) => {
    const socket = net.connect(service.port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    const frames = [];
    const session = { socket, frames };
    session.ended = new Promise((done) => socket.on('close', done));
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString();
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(head));
        upgraded = true;
        buffer = buffer.subarray(end + 4);
      }
      while (buffer.length >= 2) {
        let length = buffer[1] & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (buffer.length < 4) return;
          length = buffer.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (buffer.length < 10) return;
          length = Number(buffer.readBigUInt64BE(2));
          offset = 10;
        }
        if (buffer.length < offset + length) return;
        frames.push({ opcode: buffer[0] & 0x0f, payload: buffer.subarray(offset, offset + length) });
        buffer = buffer.subarray(offset + length);
        if (frames.length === 1) resolve(session);
      }
    });
    socket.write('GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
      'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
      'Sec-WebSocket-Version: 13\r\n\r\n');
  });
}

// Sends `bytes`, waits for the server to close the connection, and returns the code of
// the close frame it sent first (null: a close frame without a code; undefined: none).
async function closeCodeFor(bytes) {
  const session = await openSession();
  assert.equal(session.frames[0].opcode, 0x1);
  assert.match(session.frames[0].payload.toString(), /^0\{.*"sid":/, 'the Engine.IO open packet');
  session.socket.write(bytes);
  await session.ended;
  const close = session.frames.find((f) => f.opcode === 0x8);
  if (!close) return undefined;
  return close.payload.length >= 2 ? close.payload.readUInt16BE(0) : null;
}

describe('RFC 6455 close codes from the real service', () => {
  const cases = [
    ['a normal close is echoed', clientFrame(0x8, closeBody(1000)), 1000],
    ['a close with 4000 is echoed', clientFrame(0x8, closeBody(4000, 'bye')), 4000],
    ['a close without a body is answered without one', clientFrame(0x8, []), null],
    ['close code 0', clientFrame(0x8, closeBody(0)), 1002],
    ['close code 1005', clientFrame(0x8, closeBody(1005)), 1002],
    ['close code 5000', clientFrame(0x8, closeBody(5000)), 1002],
    ['a 1-byte close body', clientFrame(0x8, [0x03]), 1002],
    ['reserved control opcode 0xB', clientFrame(0xb, []), 1002],
    ['reserved data opcode 0x3', clientFrame(0x3, 'x'), 1002],
    ['an unmasked frame', clientFrame(0x1, '4hi', { masked: false }), 1002],
    ['a fragmented ping', clientFrame(0x9, 'x', { fin: false }), 1002],
    ['a continuation of nothing', clientFrame(0x0, 'x'), 1002],
    ['text that is not UTF-8', clientFrame(0x1, Buffer.from([0x34, 0xc0, 0xaf])), 1007],
    ['text not UTF-8 across fragments',
      Buffer.concat([clientFrame(0x1, Buffer.from([0x34, 0xe2]), { fin: false }),
        clientFrame(0x0, Buffer.from([0x82]), { fin: false }), clientFrame(0x0, Buffer.from([0x28]))]), 1007],
    ['a close reason that is not UTF-8', clientFrame(0x8, closeBody(1000, Buffer.from([0xed, 0xa0, 0x80]))), 1007],
  ];
  for (const [name, bytes, expected] of cases) {
    test(name, async () => {
      assert.equal(await closeCodeFor(bytes), expected);
    });
  }

  test('valid UTF-8 split across fragments is one message', async () => {
    const session = await openSession();
    // A Socket.IO CONNECT to a namespace that is no tenant, split inside the two bytes
    // of "é": answered (CONNECT_ERROR) only if the fragments were joined and accepted.
    const message = Buffer.from('40/é,');
    session.socket.write(Buffer.concat([clientFrame(0x1, message.subarray(0, 5), { fin: false }),
      clientFrame(0x0, message.subarray(5))]));
    await waitFor(() => session.frames.some((f) => f.payload.toString().startsWith('44/é,')), 5000,
      'a CONNECT_ERROR naming the namespace');
    session.socket.destroy();
  });
});
