// An HTTPS stand-in for an API server (the Kubernetes API for kubectl): answers every path
// with 200 and a small JSON document when the request carries
// `Authorization: Bearer $EXPECTED_TOKEN`, else 401. Prints "listening on PORT" once ready,
// then one line per request: "ok PATH" or "refused PATH".
//   EXPECTED_TOKEN=… node bearer-api.mjs CERT KEY
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';

const [cert, key] = process.argv.slice(2);
const expected = `Bearer ${process.env.EXPECTED_TOKEN}`;
const server = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
  const ok = process.env.EXPECTED_TOKEN && req.headers.authorization === expected;
  console.log(`${ok ? 'ok' : 'refused'} ${req.url}`);
  if (ok) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ paths: ['/api', '/version'] }));
  } else {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure',
                              message: 'Unauthorized', reason: 'Unauthorized', code: 401 }));
  }
});
server.listen(0, '127.0.0.1', () => console.log(`listening on ${server.address().port}`));
