'use strict';
// The game's web server: serves the webpack build in dist/ and answers
// /health, with Node's standard library only, so the runtime image needs no
// production dependencies.
//
// Environment: PORT (default 8080), HOST (default 0.0.0.0), STATIC_DIR
// (default ./dist beside this file).

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const TYPES = {
  '.css': 'text/css; charset=utf-8',
  '.gif': 'image/gif',
  '.html': 'text/html; charset=utf-8',
  '.ico': 'image/x-icon',
  '.jpeg': 'image/jpeg',
  '.jpg': 'image/jpeg',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.mp3': 'audio/mpeg',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
};

// How long a stop (SIGTERM from Docker or ECS) waits for open requests.
const SHUTDOWN_GRACE_MS = 10_000;

function send(res, status, body, headers = {}) {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

// The file under `root` that a request path names, or null when the path is
// malformed or leaves `root`.
function resolveFile(root, rawPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) {
    return null;
  }
  const relative = decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  const file = path.join(root, path.normalize(relative));
  return file.startsWith(root + path.sep) ? file : null;
}

function serveFile(req, res, file) {
  fs.stat(file, (err, stat) => {
    if (err || !stat.isFile()) {
      send(res, 404, 'not found\n');
      return;
    }
    const type = TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream';
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': stat.size,
      'X-Content-Type-Options': 'nosniff',
      // The page must pick up a new deploy at once; the scripts it loads may
      // be cached briefly.
      'Cache-Control': type.startsWith('text/html') ? 'no-cache' : 'public, max-age=300',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = fs.createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  });
}

// Healthy when the built page is readable: an image without its build fails
// the load balancer's check instead of serving 404s.
function health(res, root) {
  fs.access(path.join(root, 'index.html'), fs.constants.R_OK, (err) => {
    const body = JSON.stringify({ status: err ? 'unavailable' : 'ok' });
    send(res, err ? 503 : 200, body, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
    });
  });
}

/** An HTTP server for the files under `root` and /health; not yet listening. */
function createServer({ root }) {
  const base = path.resolve(root);
  return http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    const pathname = req.url.split('?', 1)[0];
    if (pathname === '/health') {
      health(res, base);
      return;
    }
    const file = pathname.startsWith('/') ? resolveFile(base, pathname) : null;
    if (file === null) {
      send(res, 404, 'not found\n');
      return;
    }
    serveFile(req, res, file);
  });
}

function parsePort(text) {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port <= 65535)) {
    throw new Error(`PORT must be an integer from 0 to 65535, not ${JSON.stringify(text)}`);
  }
  return port;
}

function main() {
  let port;
  try {
    port = parsePort(process.env.PORT || '8080');
  } catch (err) {
    console.error(err.message);
    process.exit(2);
  }
  const host = process.env.HOST || '0.0.0.0';
  const root = process.env.STATIC_DIR || path.join(__dirname, 'dist');
  const server = createServer({ root });
  server.on('error', (err) => {
    console.error(`server error: ${err.message}`);
    process.exit(1);
  });
  server.listen(port, host, () => {
    const { address, port: bound } = server.address();
    console.log(`ceros-ski listening on http://${address}:${bound}, serving ${path.resolve(root)}`);
  });
  // As PID 1 in a container, Node gets no default signal handling: stop
  // accepting, finish open requests, then exit.
  const stop = (signal) => {
    console.log(`${signal}: shutting down`);
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) {
  main();
}

module.exports = { createServer, parsePort };
