'use strict';
// The image's HEALTHCHECK: exits 0 when the server on $PORT answers /health
// with 200, 1 otherwise. Node is the only program the runtime image is
// guaranteed to have, so no curl or wget.

const http = require('node:http');

const port = Number(process.env.PORT || '8080');
const request = http.get({ host: '127.0.0.1', port, path: '/health', timeout: 3000 }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
request.on('timeout', () => request.destroy(new Error('timed out')));
request.on('error', (err) => {
  console.error(`health check failed: ${err.message}`);
  process.exit(1);
});
