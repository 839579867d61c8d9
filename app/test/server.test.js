'use strict';
// The server against a scratch build directory: /health, the page, the
// script, what it refuses, and the entrypoint's start, health check and stop.

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { after, before, describe, it } = require('node:test');

const { createServer, parsePort } = require('../server.js');

const APP = path.join(__dirname, '..');
const PAGE = '<!doctype html><title>Ceros Ski</title><script src="main.js"></script>';

function scratchBuild() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ceros-ski-dist-'));
  fs.writeFileSync(path.join(dir, 'index.html'), PAGE);
  fs.writeFileSync(path.join(dir, 'main.js'), 'console.log("ski");\n');
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'assets', 'skier.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  return dir;
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

// Runs a script of the app with `env` added; resolves with its exit code
// once it exits, and offers the lines it prints to `onLine`.
function runScript(script, env, onLine = () => {}) {
  const child = spawn(process.execPath, [path.join(APP, script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffered = '';
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop();
    lines.forEach((line) => onLine(line, child));
  });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited };
}

describe('server', () => {
  let dir;
  let server;
  let base;

  before(async () => {
    dir = scratchBuild();
    server = createServer({ root: dir });
    base = `http://127.0.0.1:${await listen(server)}`;
  });

  after(() => {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers /health with 200 while the page is there', async () => {
    const res = await fetch(`${base}/health`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('serves index.html at / as HTML that is revalidated', async () => {
    const res = await fetch(`${base}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(await res.text(), PAGE);
  });

  it('serves the script and nested assets with their types', async () => {
    const js = await fetch(`${base}/main.js?v=1`);
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(await js.text(), 'console.log("ski");\n');
    const png = await fetch(`${base}/assets/skier.png`);
    assert.equal(png.headers.get('content-type'), 'image/png');
    assert.equal((await png.arrayBuffer()).byteLength, 4);
  });

  it('answers HEAD with the headers only', async () => {
    const res = await fetch(`${base}/`, { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(PAGE)));
    assert.equal(await res.text(), '');
  });

  it('answers 404 for missing files and directories without an index', async () => {
    assert.equal((await fetch(`${base}/nope.js`)).status, 404);
    assert.equal((await fetch(`${base}/assets/`)).status, 404);
    assert.equal((await fetch(`${base}/%E0%A4%A`)).status, 404);
  });

  it('never serves a file outside the build directory', async () => {
    const secret = path.join(path.dirname(dir), `${path.basename(dir)}-secret.txt`);
    fs.writeFileSync(secret, 'secret');
    try {
      const name = path.basename(secret);
      for (const p of [`/../${name}`, `/%2e%2e/${name}`, `/..%2f${name}`, `/assets/%2e%2e/%2e%2e/${name}`]) {
        const res = await fetch(`${base}${p}`);
        assert.equal(res.status, 404, p);
        assert.doesNotMatch(await res.text(), /secret/, p);
      }
    } finally {
      fs.rmSync(secret);
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    const res = await fetch(`${base}/`, { method: 'POST', body: 'x' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
  });
});

describe('health without a build', () => {
  it('answers 503 when index.html is missing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ceros-ski-empty-'));
    const server = createServer({ root: dir });
    try {
      const res = await fetch(`http://127.0.0.1:${await listen(server)}/health`);
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { status: 'unavailable' });
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parsePort', () => {
  it('takes integers from 0 to 65535 only', () => {
    assert.equal(parsePort('80'), 80);
    assert.equal(parsePort('0'), 0);
    for (const bad of ['-1', '65536', '8080.5', 'http', '']) {
      assert.throws(() => parsePort(bad), /PORT must be/, bad);
    }
  });
});

describe('entrypoint', () => {
  it('listens on $PORT, passes the health check script, and exits 0 on SIGTERM', async (t) => {
    const dir = scratchBuild();
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    let listening;
    const port = new Promise((resolve) => {
      listening = resolve;
    });
    const server = runScript('server.js', { PORT: '0', HOST: '127.0.0.1', STATIC_DIR: dir }, (line) => {
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
      if (match) {
        listening(match[1]);
      }
    });
    t.after(() => server.child.kill('SIGKILL'));
    // Whichever comes first: the port, or an exit before listening.
    const first = await Promise.race([port, server.exited.then((code) => ({ exited: code }))]);
    assert.equal(typeof first, 'string', `the server exited before listening: ${JSON.stringify(first)}`);

    assert.equal(await runScript('healthcheck.js', { PORT: first }).exited, 0);
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
    // Nothing listens any more: the health check must now fail.
    assert.equal(await runScript('healthcheck.js', { PORT: first }).exited, 1);
  });

  it('exits 2 on a malformed $PORT', async () => {
    assert.equal(await runScript('server.js', { PORT: 'eighty' }).exited, 2);
  });
});
