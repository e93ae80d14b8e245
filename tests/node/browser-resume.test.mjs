// A real browser's EventSource (Debian's chromium, headless, driven by playwright-core)
// keeps its place across a restart of the service: it reconnects by itself with
// Last-Event-ID, and the service replays what it missed (docs/resume.md). This is what
// the users of ADSP's push service run.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, serveSite } from './browser.mjs';
import { Service } from './service.mjs';

let service;
let site;
let siteUrl;
let browser;

const page = `<!doctype html><html><body><script>
  const params = new URLSearchParams(location.search);
  window.received = [];
  window.readies = [];
  window.resets = [];
  const source = new EventSource(params.get('service') + '/stream/v1/streams/orders?tenant=demo');
  source.onmessage = (e) => window.received.push({ n: JSON.parse(e.data).payload.n, id: e.lastEventId });
  source.addEventListener('adsp:ready', (e) => window.readies.push(JSON.parse(e.data)));
  source.addEventListener('adsp:reset', (e) => window.resets.push(JSON.parse(e.data)));
</script></body></html>`;

before(async () => {
  service = new Service();
  service.configure('demo', {
    orders: { id: 'orders', name: 'Orders', publicSubscribe: true, events: [{ namespace: 'shop', name: 'order-placed' }] },
  });
  await service.start();
  site = await serveSite(page);
  siteUrl = site.url;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  site?.close();
  await service?.stop();
});

// Publishes order `n` (the restart is awaited between two of them: the service always
// answers).
async function publish(n) {
  const r = await service.publish('demo', { namespace: 'shop', name: 'order-placed', id: `browser-${n}`, payload: { n } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

test('a browser EventSource gets every event once, in order, across a restart', async () => {
  const context = await browser.newContext();
  const tab = await context.newPage();
  // "localhost" for the service: a different origin from the page's 127.0.0.1.
  const serviceUrl = service.url.replace('127.0.0.1', 'localhost');
  await tab.goto(`${siteUrl}/?service=${encodeURIComponent(serviceUrl)}`);
  await tab.waitForFunction(() => window.readies.length === 1, null, { timeout: 10000 });
  const port = service.port;
  const total = 20;
  for (let n = 1; n <= total; ++n) {
    await publish(n);
    if (n === 8) {
      // Wait until the browser has what was published so far, then restart: what is
      // published next waits in the log until the browser is back.
      await tab.waitForFunction((k) => window.received.length === k, 8, { timeout: 10000 });
      await service.halt();
      await service.start(port);
    }
  }
  await tab.waitForFunction((k) => window.received.length >= k, total, { timeout: 20000 });
  // The proof that nothing more comes: one more event, and it is the next one.
  await publish(total + 1);
  await tab.waitForFunction((k) => window.received.length >= k, total + 1, { timeout: 10000 });
  const received = await tab.evaluate(() => window.received);
  assert.deepEqual(received.map((r) => r.n), Array.from({ length: total + 1 }, (_, i) => i + 1));
  assert.ok(received.every((r) => /^[0-9a-f]{8}\.\d+-\d+$/.test(r.id)), JSON.stringify(received));
  const readies = await tab.evaluate(() => window.readies);
  assert.equal(readies.length, 2, JSON.stringify(readies));
  // The browser waits seconds before it reconnects: the events after the restart came
  // from the log, not live.
  assert.ok(readies[1].replayed > 0, JSON.stringify(readies));
  assert.deepEqual(await tab.evaluate(() => window.resets), []);
  await context.close();
});
