// Starts the real push-service binary for a JavaScript client test: port 0, a temporary
// data directory, and the port read back from its start-up log line.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const binary = process.env.PUSH_SERVICE_BIN;
if (!binary) throw new Error('PUSH_SERVICE_BIN must name the push-service binary');

export class Service {
  constructor(env = {}) {
    this.dataDir = mkdtempSync(join(tmpdir(), 'push-node-'));
    this.env = { ...process.env, ...env };
    this.log = '';
  }

  // `push-service config set` for a tenant (or '--core') with a document.
  configure(tenant, document) {
    const file = join(this.dataDir, `config-${Date.now()}.json`);
    writeFileSync(file, JSON.stringify(document));
    const scope = tenant === '--core' ? ['--core'] : ['--tenant', tenant];
    const result = spawnSync(binary, ['config', 'set', ...scope, file, '--data-dir', this.dataDir], { env: this.env });
    if (result.status !== 0) throw new Error(`config set failed: ${result.stderr}`);
  }

  // `push-service tenant add --name <name>` (its id is the name in kebab case).
  addTenant(name) {
    const result = spawnSync(binary, ['tenant', 'add', '--name', name, '--data-dir', this.dataDir], { env: this.env });
    if (result.status !== 0) throw new Error(`tenant add failed: ${result.stderr}`);
  }

  async start(port = 0) {
    this.log = '';
    this.process = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--data-dir', this.dataDir], {
      env: this.env,
    });
    this.process.stdout.on('data', (d) => (this.log += d));
    this.port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`push-service did not start:\n${this.log}`)), 15000);
      this.process.stderr.on('data', (d) => {
        this.log += d;
        const match = /listening on http:\/\/[^:]+:(\d+)/.exec(this.log);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      this.process.on('exit', (code) => reject(new Error(`push-service exited with ${code}:\n${this.log}`)));
    });
    this.url = `http://127.0.0.1:${this.port}`;
    return this;
  }

  // A development-issuer token: `push-service token ...args`.
  token(...args) {
    const result = spawnSync(binary, ['token', ...args, '--data-dir', this.dataDir], { env: this.env });
    if (result.status !== 0) throw new Error(`push-service token failed: ${result.stderr}`);
    return result.stdout.toString().trim();
  }

  // Publishes for `tenant` (id or name) as a core event sender.
  async publish(tenant, event) {
    this.senderToken ??= this.token('--core', '--roles', 'urn:ads:platform:event-service:event-sender');
    const response = await fetch(`${this.url}/event/v1/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${this.senderToken}` },
      body: JSON.stringify({ timestamp: new Date().toISOString(), tenantId: tenant, ...event }),
    });
    return { status: response.status, body: await response.json() };
  }

  async health() {
    return (await fetch(`${this.url}/health`)).json();
  }

  // SIGTERM, and wait for the exit; the data directory stays (for a restart).
  async halt() {
    // Running: neither an exit code nor a signal yet (a process killed by a signal keeps
    // exitCode null, and its 'exit' has already been emitted).
    if (this.process && this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      this.process.kill('SIGTERM');
      const timer = setTimeout(() => this.process.kill('SIGKILL'), 15000); // a stuck shutdown
      await exited;
      clearTimeout(timer);
    }
  }

  async stop() {
    await this.halt();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

// Resolves when `predicate()` is true, polling; rejects after `ms`.
export async function waitFor(predicate, ms = 5000, what = 'condition') {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}
