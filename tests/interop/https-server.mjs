// A static HTTPS server on loopback for the TLS trust tests: serves FILE at every path with
// the given certificate. Prints "listening on PORT" once ready.
//   node https-server.mjs CERT KEY FILE
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';

const [cert, key, file] = process.argv.slice(2);
const body = readFileSync(file);
const server = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => console.log(`listening on ${server.address().port}`));
