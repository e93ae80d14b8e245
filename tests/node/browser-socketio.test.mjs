// socket.io-client in a real browser (Debian's chromium, headless, driven by
// playwright-core): a page from another origin subscribes to a push-service stream over
// polling, WebSocket, and polling upgraded to WebSocket.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchBrowser, serveSite } from './browser.mjs';
import { Service } from './service.mjs';

const clientBundle = fileURLToPath(
  new URL('../../node_modules/socket.io-client/dist/socket.io.min.js', import.meta.url),
);
let service;
let site;
let siteUrl;
let browser;

const page = `<!doctype html><html><head><script src="/socket.io.min.js"></script></head><body><script>
  const params = new URLSearchParams(location.search);
  window.received = [];
  const socket = io(params.get('service') + '/demo', {
    query: { stream: 'application-health' },
    transports: params.get('transports').split(','),
    withCredentials: true,
  });
  socket.on('connect', () => { window.connected = true; });
  socket.on('connect_error', (e) => { window.connectError = e.message; });
  socket.io.engine.on('upgrade', () => { window.upgraded = true; });
  socket.on('status-service:health-check-started', (item) => window.received.push(item));
  window.transport = () => socket.io.engine.transport.name;
</script></body></html>`;

before(async () => {
  service = await new Service().start();
  site = await serveSite(page, {
    '/socket.io.min.js': { type: 'application/javascript', body: () => readFileSync(clientBundle) },
  });
  siteUrl = site.url;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  site?.close();
  await service?.stop();
});

for (const transports of ['polling', 'websocket', 'polling,websocket']) {
  test(`a browser receives stream events over ${transports.replace(',', ' upgraded to ')}`, async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    // "localhost" for the service: a different origin from the page's 127.0.0.1.
    const serviceUrl = service.url.replace('127.0.0.1', 'localhost');
    await tab.goto(`${siteUrl}/?service=${encodeURIComponent(serviceUrl)}&transports=${transports}`);
    await tab.waitForFunction(() => window.connected || window.connectError, null, { timeout: 10000 });
    assert.equal(await tab.evaluate(() => window.connectError), undefined);
    if (transports.includes(','))
      await tab.waitForFunction(() => window.upgraded === true, null, { timeout: 10000 });
    const published = await service.publish('demo', {
      namespace: 'status-service',
      name: 'health-check-started',
      payload: { from: transports },
    });
    assert.equal(published.status, 200);
    await tab.waitForFunction(() => window.received.length === 1, null, { timeout: 10000 });
    const [item] = await tab.evaluate(() => window.received);
    assert.equal(item.payload.from, transports);
    assert.equal(item.tenantId, 'urn:ads:platform:tenant-service:v2:/tenants/demo');
    assert.equal(await tab.evaluate(() => window.transport()), transports.split(',').at(-1));
    await context.close();
  });
}
