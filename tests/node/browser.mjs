// A real browser for the tests (Debian's chromium, headless, driven by playwright-core)
// and a site of another origin than the service that serves it a test page.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// Serves `page` at every path but those `files` names (path → {type, body()}); resolves
// with {url, close()}. The page comes from another origin than the service, as in
// production.
export async function serveSite(page, files = {}) {
  const site = createServer((request, response) => {
    const file = Object.entries(files).find(([path]) => request.url.startsWith(path));
    if (file) {
      response.writeHead(200, { 'Content-Type': file[1].type });
      response.end(file[1].body());
    } else {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end(page);
    }
  });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${site.address().port}`, close: () => site.close() };
}

export async function launchBrowser() {
  assert.ok(existsSync(chromiumPath), `no browser at ${chromiumPath}: install Debian's chromium (scripts/dev.sh test does)`);
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
