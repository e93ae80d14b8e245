// socket.io subscribers share the fan-out's bounded buffers: a client that stops reading
// is cut off once its queue passes the bound, and the healthy ones keep receiving.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { Service, waitFor } from './service.mjs';

let service;

before(async () => {
  service = new Service({ PUSH_SUBSCRIBER_BUFFER_BYTES: '65536' });
  await service.start();
});

after(async () => {
  await service.stop();
});

test('a stalled WebSocket subscriber is cut off; a healthy one gets everything', async () => {
  // The stalled client: raw Engine.IO/Socket.IO over `ws`, which then stops reading.
  const url = `${service.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket&stream=application-health`;
  const stalled = new WebSocket(url);
  let stalledClosed = false;
  stalled.on('close', () => (stalledClosed = true));
  stalled.on('error', () => {});
  await new Promise((resolve) => stalled.once('message', resolve)); // the open packet
  stalled.send('40/demo,');
  await new Promise((resolve) => stalled.once('message', resolve)); // CONNECT answer
  stalled._socket.pause(); // from here on, nothing is read

  const healthy = io(`${service.url}/demo`, { query: { stream: 'application-health' }, transports: ['websocket'] });
  await new Promise((resolve) => healthy.once('connect', resolve));
  let received = 0;
  healthy.on('status-service:health-check-started', () => ++received);
  await waitFor(async () => (await service.health()).subscribers === 2, 5000, 'two subscribers');

  const blob = 'x'.repeat(16 * 1024);
  const total = 400; // 6.4 MB: far past the kernel's socket buffers plus the 64 KiB bound
  for (let n = 0; n < total; ++n) {
    const reply = await service.publish('demo', {
      namespace: 'status-service',
      name: 'health-check-started',
      payload: { n, blob },
    });
    assert.equal(reply.status, 200);
  }
  await waitFor(() => received === total, 20000, 'every event at the healthy client');
  await waitFor(async () => (await service.health()).subscribers === 1, 10000, 'the stalled one cut off');
  assert.match(service.log, /closing a slow subscriber/);
  stalled._socket.resume();
  await waitFor(() => stalledClosed, 10000, 'the stalled connection closed');
  healthy.close();
});
