/**
 * `explore --serve`: the page over HTTP on 127.0.0.1 only. GET / (or
 * /index.html) answers the page; anything else is 404, any other method 405.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Serving {
  readonly url: string;
  readonly port: number;
  /** Stops listening and ends open connections. */
  close(): Promise<void>;
}

/** A server listening before its page is ready: until `show`, GET answers 503 (the runs are still running). */
export interface Listening extends Serving {
  /** The page to answer from now on. */
  show(html: string): void;
}

/**
 * Listens on 127.0.0.1:`port` (0: any free port) at once, so that a port in
 * use or refused is known before the runs; the page comes later (`show`).
 */
export function listenPage(port: number): Promise<Listening> {
  let body: Buffer | undefined;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split(/[?#]/)[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    if (path !== '/' && path !== '/index.html') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    if (body === undefined) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5', 'cache-control': 'no-store' }).end('the explorer is still running its checks; reload in a moment\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const actual = (server.address() as AddressInfo).port;
      resolve({
        url: `http://127.0.0.1:${actual}/`,
        port: actual,
        show: (html) => {
          body = Buffer.from(html, 'utf8');
        },
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
