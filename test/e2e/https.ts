/**
 * An https front for the test server: a self-signed certificate for `*.paloma.test`, made with
 * `openssl` when the tests start (nothing is committed or downloaded), and a `node:https` server that
 * passes every request on to the http test server, so its pages and receipts serve both. Contexts
 * that visit it need `ignoreHTTPSErrors: true`. `__Host-` cookies and `Secure` need a real https page.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_DOMAIN } from './browser.js';

export interface HttpsFront {
  readonly port: number;
  /** `https://<host>:<port><path>` */
  url(path: string, host: string): string;
  close(): Promise<void>;
}

/** A throwaway key and certificate for `*.paloma.test` (and, for a server test, any host: clients skip the check). */
export function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'paloma-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-subj',
        `/CN=${TEST_DOMAIN}`,
        '-addext',
        `subjectAltName=DNS:*.${TEST_DOMAIN},DNS:${TEST_DOMAIN}`,
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Serves https on 127.0.0.1 (a free port) in front of the http server on `httpPort`. */
export async function startHttpsFront(httpPort: number): Promise<HttpsFront> {
  const server = createServer(selfSigned(), (incoming, outgoing) => {
    const forward = request(
      { host: '127.0.0.1', port: httpPort, path: incoming.url, method: incoming.method, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(forward);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (path, host) => `https://${host}:${port}${path}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
