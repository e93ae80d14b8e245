// Private real servers for integration tests: RabbitMQ, PostgreSQL, nginx and Redis, each on
// free 127.0.0.1 ports chosen at run time, with its data in a fresh temporary directory.
// Instances are fully isolated from each other and from any system instance (own Erlang
// node name, cookie, HOME, AMQP/distribution/epmd ports; own postgres cluster; own nginx
// prefix), so two tests may run them at the same time.
//
//   const rabbit = await startRabbit();     // { port, url, stop(), start(), log(), dir }
//   const pg = await startPostgres();       // { port, host, user, url, createDatabase(name), stop(), halt(), start() }
//   const nginx = await startNginx(`server { listen 127.0.0.1:LISTEN_PORT; ... }`);  // { port, stop() }
//   const redis = await startRedis();       // { port, url, cli(...args), json(...args), halt(), start(), stop() }
//
// Everything a test forgets to stop is killed, and its directory removed, when the node
// process exits normally.
import { spawn, execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import {
  chmodSync, chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync,
  readdirSync, rmSync, writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
const PG_BIN = '/usr/lib/postgresql/15/bin';
const NGINX = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
const isRoot = process.getuid?.() === 0;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------
// Ports

const handedOut = new Set();

function canListen(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function ephemeralRange() {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low > 0 && high >= low) return [low, high];
  } catch {}
  return [32768, 60999];
}

// A port that is free on 127.0.0.1 right now. Chosen at random BELOW the kernel's ephemeral
// range, so neither an outgoing connection's source port nor another process's `listen(0)`
// takes it between now and the moment the server binds it; never the same port twice in
// this process.
export async function freePort() {
  const [low] = ephemeralRange();
  const min = 10000;
  const max = low - 1;
  if (max - min > 1000) {
    for (let i = 0; i < 200; i++) {
      const port = randomInt(min, max + 1);
      if (handedOut.has(port)) continue;
      if (await canListen(port)) {
        handedOut.add(port);
        return port;
      }
    }
  }
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const server = net.createServer();
      server.unref();
      server.once('error', reject);
      server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
        const { port } = server.address();
        server.close(() => resolve(port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

function canConnect(port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

// True when an epmd answers on `port` (NAMES_REQ; the reply starts with epmd's own port),
// so a foreign listener on that port is not mistaken for ours.
function epmdAnswers(port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let data = Buffer.alloc(0);
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => socket.write(Buffer.from([0, 1, 110])));
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (data.length >= 4) done(data.readUInt32BE(0) === port);
    });
    socket.once('end', () => done(false));
    socket.once('error', () => done(false));
  });
}

async function waitClosed(ports, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = [];
    for (const port of ports) if (await canConnect(port, 500)) open.push(port);
    if (open.length === 0) return;
    if (Date.now() > deadline) throw new Error(`ports still accepting connections after stop: ${open.join(', ')}`);
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------------------
// Processes

function alive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  // A zombie still answers kill(0); it is gone for our purposes.
  try {
    return !/^\S+ \(.*\) Z /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function signal(pid, sig) {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

// Pids of the processes in process group `pgid` (from /proc).
function groupMembers(pgid) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] state, [1] ppid, [2] pgrp
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') pids.push(Number(entry));
    } catch {}
  }
  return pids;
}

// epmd processes serving `port` (ours: started with `-port PORT`, or by Erlang with
// ERL_EPMD_PORT=PORT in the environment).
function epmdProcesses(port) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!argv[0] || !/(^|\/)epmd$/.test(argv[0])) continue;
      const i = argv.indexOf('-port');
      if (i >= 0 && argv[i + 1] === String(port)) {
        pids.push(Number(entry));
        continue;
      }
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (environ.includes(`ERL_EPMD_PORT=${port}`)) pids.push(Number(entry));
    } catch {}
  }
  return pids;
}

// Waits for a spawned child to exit (or `ms` to pass); true when it exited.
function exited(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

// SIGTERM (to `pid` only, or the whole group), up to `graceMs` for the leader to exit, then
// SIGKILL to every process left in its group; returns when the group is empty.
async function terminateGroup(child, { graceMs = 20000, wholeGroup = false } = {}) {
  const pgid = child.pid;
  if (!pgid) return;
  if (alive(pgid)) {
    signal(wholeGroup ? -pgid : pgid, 'SIGTERM');
    await exited(child, graceMs);
  }
  for (let i = 0; i < 100; i++) {
    const left = groupMembers(pgid);
    if (left.length === 0) return;
    signal(-pgid, 'SIGKILL');
    for (const pid of left) signal(pid, 'SIGKILL');
    await sleep(50);
  }
  throw new Error(`processes of group ${pgid} survive SIGKILL: ${groupMembers(pgid).join(' ')}`);
}

function tail(text, lines = 60) {
  return text.split('\n').slice(-lines).join('\n');
}

function readOr(file, fallback = '') {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

// Environment without the variables that would point a server or client elsewhere.
function cleanEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(RABBITMQ_|ERL_|PG)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 16 << 20, ...options }, (error, stdout, stderr) => {
      if (error) {
        error.message += `\n${stdout}${stderr}`;
        reject(error);
      } else resolve({ stdout, stderr });
    });
  });
}

// A guard process per server directory: a shell blocked reading a pipe from this node
// process. When the node process dies in ANY way (also SIGKILL, a ctest timeout), the pipe
// closes and the guard SIGKILLs the process groups listed in DIR/.pgids, runs `extra` and
// removes DIR. cancel() ends the guard without doing anything.
function guard(dir, extra = ':') {
  writeFileSync(join(dir, '.pgids'), '');
  const script = `trap '' INT TERM HUP; while read -r _; do :; done
for g in $(cat "$1/.pgids" 2>/dev/null); do kill -KILL "$g" 2>/dev/null; done
${extra}
rm -rf "$1"`;
  const child = spawn('/bin/sh', ['-c', script, 'guard', dir], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  child.unref();
  child.stdin.on('error', () => {});
  child.stdin.unref();
  child.on('error', () => {});
  return {
    // Process groups to kill: pass their leaders' pids ([] once they are stopped).
    set(pids) {
      writeFileSync(join(dir, '.pgids'), pids.filter(Boolean).map((pid) => `-${pid}`).join(' '));
    },
    cancel() {
      if (child.pid) signal(-child.pid, 'SIGKILL');
    },
  };
}

// Cleanup at exit (synchronous: only signals and rmSync) for whatever a test did not stop.
const atExit = new Set();
process.on('exit', () => {
  for (const fn of atExit) {
    try {
      fn();
    } catch {}
  }
});

// ---------------------------------------------------------------------------------------
// RabbitMQ

// Starts a private RabbitMQ node. Resolves once an AMQP connection as guest succeeds.
//   port       AMQP port on 127.0.0.1
//   url        amqp://guest:guest@127.0.0.1:PORT/
//   stop()     stops the node and its epmd; the data directory stays for start()
//   start()    starts it again on the same ports with the same data
//   log()      the server's console output and log file (text)
//   destroy()  stop() and remove the data directory (otherwise removed at process exit)
//   dir, nodeName, distPort, epmdPort, startupMs (of the last start)
export async function startRabbit({ timeoutMs = 60000 } = {}) {
  const { default: amqp } = await import('amqplib');
  const dir = mkdtempSync(join(tmpdir(), 'push-rabbit-'));
  const home = join(dir, 'home');
  const mnesia = join(dir, 'mnesia');
  const logs = join(dir, 'log');
  for (const d of [home, mnesia, logs]) mkdirSync(d, { recursive: true });
  const nodeName = `push-test-${randomBytes(6).toString('hex')}@localhost`;
  writeFileSync(join(home, '.erlang.cookie'), randomBytes(20).toString('hex').toUpperCase());
  chmodSync(join(home, '.erlang.cookie'), 0o400);
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
  writeFileSync(
    join(dir, 'rabbitmq.conf'),
    ['log.file.level = info', 'disk_free_limit.absolute = 10MB', ''].join('\n'),
  );
  const consoleLog = join(logs, 'console.log');
  const fileLog = join(logs, `${nodeName}.log`);

  const self = {
    port: 0,
    url: '',
    dir,
    nodeName,
    distPort: 0,
    epmdPort: 0,
    log: () => `${readOr(consoleLog)}\n--- ${fileLog}\n${readOr(fileLog)}`,
  };
  let server = null;
  let epmd = null;
  const watchdog = guard(dir);

  const env = () =>
    cleanEnv({
      HOME: home,
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      ERL_EPMD_PORT: String(self.epmdPort),
      ERL_EPMD_ADDRESS: '127.0.0.1',
      ERL_CRASH_DUMP: join(logs, 'erl_crash.dump'),
      RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
      RABBITMQ_NODENAME: nodeName,
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(self.port),
      RABBITMQ_DIST_PORT: String(self.distPort),
      RABBITMQ_MNESIA_BASE: mnesia,
      RABBITMQ_LOG_BASE: logs,
      RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
      RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
      RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
      RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
      // Distribution on loopback only (rabbit's default ERL args already include +sbwt none).
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    });

  async function killEverything() {
    if (server) await terminateGroup(server, { graceMs: 20000 });
    if (epmd) await terminateGroup(epmd, { graceMs: 5000 });
    // An epmd that Erlang started itself (daemonized, so outside our groups).
    for (let i = 0; i < 50; i++) {
      const strays = self.epmdPort ? epmdProcesses(self.epmdPort) : [];
      if (strays.length === 0) break;
      for (const pid of strays) signal(pid, i < 20 ? 'SIGTERM' : 'SIGKILL');
      await sleep(100);
    }
    server = null;
    epmd = null;
    watchdog.set([]);
  }

  function killNow() {
    for (const child of [server, epmd]) {
      if (child?.pid) {
        signal(-child.pid, 'SIGKILL');
        for (const pid of groupMembers(child.pid)) signal(pid, 'SIGKILL');
      }
    }
    if (self.epmdPort) for (const pid of epmdProcesses(self.epmdPort)) signal(pid, 'SIGKILL');
  }
  const exitHook = () => {
    killNow();
    watchdog.cancel();
    rmSync(dir, { recursive: true, force: true });
  };
  atExit.add(exitHook);

  async function launch() {
    const e = env();
    const out = openSync(consoleLog, 'a');
    try {
      // Our own epmd, in the foreground, on the private port: Erlang finds it running and
      // does not daemonize one of its own.
      epmd = spawn('epmd', ['-port', String(self.epmdPort), '-address', '127.0.0.1'], {
        env: e,
        cwd: dir,
        detached: true,
        stdio: ['ignore', out, out],
      });
      epmd.unref();
      epmd.on('error', () => {});
      watchdog.set([epmd.pid]);
      const epmdDeadline = Date.now() + 10000;
      while (!(await epmdAnswers(self.epmdPort, 500))) {
        if (epmd.exitCode !== null || epmd.signalCode !== null || Date.now() > epmdDeadline) {
          const error = new Error(`epmd did not start on 127.0.0.1:${self.epmdPort}\n${tail(self.log())}`);
          error.portClash = true;
          throw error;
        }
        await sleep(50);
      }
      server = spawn(RABBITMQ_SERVER, [], { env: e, cwd: dir, detached: true, stdio: ['ignore', out, out] });
      server.unref();
      server.on('error', () => {});
      watchdog.set([epmd.pid, server.pid]);
    } finally {
      closeSync(out);
    }
    const started = Date.now();
    const deadline = started + timeoutMs;
    let lastError = null;
    for (;;) {
      if (server.exitCode !== null || server.signalCode !== null) {
        throw new Error(
          `rabbitmq-server exited (${server.exitCode ?? server.signalCode}) during start-up\n${tail(self.log())}`,
        );
      }
      try {
        const connection = await amqp.connect(self.url, { timeout: 2000 });
        await connection.close();
        self.startupMs = Date.now() - started;
        return;
      } catch (error) {
        lastError = error;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `RabbitMQ did not accept an AMQP connection within ${timeoutMs} ms (${lastError?.message})\n${tail(self.log())}`,
        );
      }
      await sleep(250);
    }
  }

  const portClash = (error) =>
    error.portClash ||
    /eaddrinuse|address already in use|could not bind|dist_port_already_used/i.test(`${error.message}\n${self.log()}`);

  // First start: on a port taken in the meantime, new ports (three attempts).
  for (let attempt = 1; ; attempt++) {
    self.port = await freePort();
    self.distPort = await freePort();
    self.epmdPort = await freePort();
    self.url = `amqp://guest:guest@127.0.0.1:${self.port}/`;
    try {
      await launch();
      break;
    } catch (error) {
      await killEverything().catch(() => {});
      if (attempt < 3 && portClash(error)) {
        writeFileSync(consoleLog, '');
        rmSync(fileLog, { force: true });
        continue;
      }
      atExit.delete(exitHook);
      watchdog.cancel();
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  self.stop = async () => {
    await killEverything();
    await waitClosed([self.port, self.distPort, self.epmdPort]);
  };
  self.start = async () => {
    if (server && alive(server.pid)) return;
    try {
      await launch();
    } catch (error) {
      await killEverything().catch(() => {});
      throw error;
    }
  };
  // Faults. pause()/resume(): SIGSTOP/SIGCONT to the node's processes (it keeps its
  // sockets and answers nothing). kill(): SIGKILL to the node and its epmd, no shutdown at
  // all; start() brings it back with the same data.
  self.pause = () => {
    for (const pid of groupMembers(server.pid)) signal(pid, 'SIGSTOP');
  };
  self.resume = () => {
    for (const pid of groupMembers(server.pid)) signal(pid, 'SIGCONT');
  };
  self.kill = async () => {
    killNow();
    for (const child of [server, epmd]) if (child) await exited(child, 10000);
    server = null;
    epmd = null;
    watchdog.set([]);
    await waitClosed([self.port, self.distPort, self.epmdPort]);
  };
  // stop() and remove the data directory (also done at process exit).
  self.destroy = async () => {
    await self.stop();
    atExit.delete(exitHook);
    watchdog.cancel();
    rmSync(dir, { recursive: true, force: true });
  };
  return self;
}

// ---------------------------------------------------------------------------------------
// PostgreSQL

// Starts a private PostgreSQL 15 cluster (trust authentication, user postgres).
//   createDatabase(name)  CREATE DATABASE; resolves to that database's URL
//   stop()                fast shutdown, directory removed
export async function startPostgres() {
  // As root, postgres runs as the `postgres` system user, which must reach the directory.
  const base = isRoot ? '/tmp' : tmpdir();
  const dir = mkdtempSync(join(base, 'push-pg-'));
  const data = join(dir, 'data');
  const sockets = join(dir, 'sock');
  const logFile = join(dir, 'postgres.log');
  mkdirSync(sockets);
  let owner = null;
  if (isRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    owner = { uid: Number(stdout.trim()), gid: Number(gid.trim()) };
    chownSync(dir, owner.uid, owner.gid);
    chownSync(sockets, owner.uid, owner.gid);
  }
  const env = cleanEnv({ LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' });
  const asOwner = (tool, args) =>
    isRoot
      ? run('runuser', ['-u', 'postgres', '--', join(PG_BIN, tool), ...args], { env, cwd: dir })
      : run(join(PG_BIN, tool), args, { env, cwd: dir });

  const self = { port: 0, host: '127.0.0.1', user: 'postgres', url: '', dir };
  let running = false;

  const postmasterPid = () => Number(readOr(join(data, 'postmaster.pid')).split('\n')[0]) || 0;
  // On a dead test process: immediate shutdown (SIGQUIT), SIGKILL after 5 s.
  const watchdog = guard(
    dir,
    `p=$(head -n 1 "$1/data/postmaster.pid" 2>/dev/null)
if [ -n "$p" ] && kill -QUIT "$p" 2>/dev/null; then
  for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$p" 2>/dev/null
fi`,
  );
  if (owner) chownSync(join(dir, '.pgids'), owner.uid, owner.gid);
  const exitHook = () => {
    const pid = postmasterPid();
    if (running && pid) signal(pid, 'SIGQUIT'); // immediate shutdown
    watchdog.cancel();
    rmSync(dir, { recursive: true, force: true });
  };
  atExit.add(exitHook);

  try {
    await asOwner('initdb', [
      '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C', '--no-instructions',
    ]);
    for (let attempt = 1; ; attempt++) {
      self.port = await freePort();
      try {
        await asOwner('pg_ctl', [
          '-D', data, '-l', logFile, '-w', '-t', '60',
          '-o', `-p ${self.port} -k '${sockets}' -c listen_addresses=127.0.0.1 -c fsync=off`,
          'start',
        ]);
        running = true;
        break;
      } catch (error) {
        const log = readOr(logFile);
        if (attempt < 3 && /could not bind|already in use/i.test(log)) continue;
        error.message += `\n${tail(log)}`;
        throw error;
      }
    }
  } catch (error) {
    atExit.delete(exitHook);
    watchdog.cancel();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  self.url = `postgresql://postgres@127.0.0.1:${self.port}/`;

  self.psql = (sql, database = 'postgres') =>
    run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(self.port), '-U', 'postgres',
      '-d', database, '-At', '-c', sql], { env }).then(({ stdout }) => stdout);

  self.createDatabase = async (name) => {
    await self.psql(`CREATE DATABASE "${String(name).replaceAll('"', '""')}"`);
    return `${self.url}${encodeURIComponent(name)}`;
  };

  // Faults: halt() stops the server (fast shutdown: sessions are cut) and keeps its data;
  // start() runs it again on the same port.
  self.halt = async () => {
    await asOwner('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
    running = false;
    await waitClosed([self.port]);
  };
  self.start = async () => {
    await asOwner('pg_ctl', [
      '-D', data, '-l', logFile, '-w', '-t', '60',
      '-o', `-p ${self.port} -k '${sockets}' -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ]);
    running = true;
  };

  self.stop = async () => {
    if (running) {
      try {
        await asOwner('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
      } catch {
        const pid = postmasterPid();
        if (pid) signal(pid, 'SIGKILL');
      }
      running = false;
      await waitClosed([self.port]);
    }
    atExit.delete(exitHook);
    watchdog.cancel();
    rmSync(dir, { recursive: true, force: true });
  };
  return self;
}

// ---------------------------------------------------------------------------------------
// nginx

// Starts a private nginx (one worker). `configBody` goes inside `http { }`; every
// LISTEN_PORT in it becomes the chosen free port. `options.main` adds top-level
// directives (e.g. load_module). stop() shuts it down and removes the directory.
export async function startNginx(configBody, { main = '', timeoutMs = 15000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'push-nginx-'));
  const conf = join(dir, 'nginx.conf');
  const errorLog = join(dir, 'error.log');
  const self = { port: 0, dir };
  let child = null;
  const watchdog = guard(dir);
  const exitHook = () => {
    if (child?.pid) signal(-child.pid, 'SIGKILL');
    watchdog.cancel();
    rmSync(dir, { recursive: true, force: true });
  };
  atExit.add(exitHook);

  const write = (port) => {
    const p = (name) => join(dir, name);
    writeFileSync(
      conf,
      [
        '# generated by tests/node/servers.mjs',
        // The temporary directory is 0700: as root, workers must run as root to use it.
        isRoot ? 'user root;' : '',
        'daemon off;',
        'master_process on;',
        'worker_processes 1;',
        `pid ${p('nginx.pid')};`,
        `lock_file ${p('nginx.lock')};`,
        `error_log ${errorLog} info;`,
        main,
        'events { worker_connections 1024; }',
        'http {',
        `    access_log ${p('access.log')};`,
        `    client_body_temp_path ${p('client_body_temp')};`,
        `    proxy_temp_path ${p('proxy_temp')};`,
        `    fastcgi_temp_path ${p('fastcgi_temp')};`,
        `    uwsgi_temp_path ${p('uwsgi_temp')};`,
        `    scgi_temp_path ${p('scgi_temp')};`,
        String(configBody).replaceAll('LISTEN_PORT', String(port)),
        '}',
        '',
      ].join('\n'),
    );
  };

  try {
    for (let attempt = 1; ; attempt++) {
      self.port = await freePort();
      write(self.port);
      writeFileSync(errorLog, '');
      const out = openSync(join(dir, 'stderr.log'), 'w');
      try {
        child = spawn(NGINX, ['-c', conf, '-p', `${dir}/`, '-e', errorLog], {
          cwd: dir,
          detached: true,
          stdio: ['ignore', out, out],
        });
      } finally {
        closeSync(out);
      }
      child.unref();
      child.on('error', () => {});
      watchdog.set([child.pid]);
      const deadline = Date.now() + timeoutMs;
      let up = false;
      while (!up) {
        if (child.exitCode !== null || child.signalCode !== null) break;
        // nginx logs "start worker processes" only after binding every listener: a
        // foreign listener on the port is not mistaken for this nginx.
        if (/start worker process/.test(readOr(errorLog)) && (await canConnect(self.port, 500))) up = true;
        else if (Date.now() > deadline) break;
        else await sleep(50);
      }
      if (up) break;
      const log = `${readOr(join(dir, 'stderr.log'))}${readOr(errorLog)}`;
      await terminateGroup(child, { graceMs: 5000, wholeGroup: true });
      child = null;
      watchdog.set([]);
      if (attempt < 3 && /Address already in use/.test(log)) continue;
      throw new Error(`nginx did not start on 127.0.0.1:${self.port}\n${tail(log)}\n--- ${conf}\n${readOr(conf)}`);
    }
  } catch (error) {
    atExit.delete(exitHook);
    watchdog.cancel();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  self.log = () => `${readOr(join(dir, 'stderr.log'))}${readOr(errorLog)}`;
  self.stop = async () => {
    if (child) {
      // SIGTERM to the master: fast shutdown; stragglers of the group get SIGKILL.
      await terminateGroup(child, { graceMs: 10000 });
      child = null;
      watchdog.set([]);
      await waitClosed([self.port]);
    }
    atExit.delete(exitHook);
    watchdog.cancel();
    rmSync(dir, { recursive: true, force: true });
  };
  return self;
}

// ---------------------------------------------------------------------------------------
// Redis

const REDIS_SERVER = existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : 'redis-server';
const REDIS_CLI = existsSync('/usr/bin/redis-cli') ? '/usr/bin/redis-cli' : 'redis-cli';

// Starts a private redis-server (no persistence, no other listener). `cli(...args)` runs
// Debian's redis-cli against it and resolves to its output (`--json` for structured
// answers); halt() stops it (SIGKILL: as a crash), start() starts it again, empty, on
// the same port; stop() removes it.
export async function startRedis({ timeoutMs = 15000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'push-redis-'));
  const self = { port: await freePort(), dir };
  self.url = `redis://127.0.0.1:${self.port}`;
  let child = null;
  const watchdog = guard(dir);
  const exitHook = () => {
    if (child?.pid) signal(-child.pid, 'SIGKILL');
    watchdog.cancel();
    rmSync(dir, { recursive: true, force: true });
  };
  atExit.add(exitHook);

  self.cli = async (...args) => (await run(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(self.port), ...args])).stdout;
  self.json = async (...args) => JSON.parse(await self.cli('--json', ...args));
  // Ready when redis-server says so on its output (it logs there, and the test keeps a
  // copy in redis.log); an exit or the deadline first is a failure.
  self.start = async () => {
    const logFile = join(dir, 'redis.log');
    child = spawn(
      REDIS_SERVER,
      ['--port', String(self.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
        '--dir', dir, '--daemonize', 'no', '--protected-mode', 'yes'],
      { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.unref();
    child.on('error', () => {});
    watchdog.set([child.pid]);
    let output = '';
    const ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${tail(output)}`)), timeoutMs);
      const onData = (data) => {
        output += data;
        writeFileSync(logFile, output);
        if (/Ready to accept connections/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', () => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited:\n${tail(output)}`));
      });
    });
    await ready;
    child.stdout.unref?.();
    child.stderr.unref?.();
    if ((await self.cli('PING')).trim() !== 'PONG') throw new Error('redis-server does not answer PING');
  };
  self.halt = async () => {
    if (!child) return;
    signal(-child.pid, 'SIGKILL');
    await exited(child, 10000);
    child = null;
    watchdog.set([]);
    await waitClosed([self.port]);
  };
  self.stop = async () => {
    await self.halt();
    atExit.delete(exitHook);
    watchdog.cancel();
    rmSync(dir, { recursive: true, force: true });
  };
  self.log = () => readOr(join(dir, 'redis.log'));
  try {
    await self.start();
  } catch (error) {
    exitHook();
    atExit.delete(exitHook);
    throw error;
  }
  return self;
}
