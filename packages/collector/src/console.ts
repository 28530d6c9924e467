import { existsSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the built console lives. From `dist/console.js` and from `src/console.ts` alike,
 * `../dist/console/` is the package's `dist/console/`, so sources and the npm build find the same files.
 */
export const CONSOLE_DIR = fileURLToPath(new URL('../dist/console/', import.meta.url));

/** The console's only files, by the name a request may ask for: nothing else under `/admin/` is ever read. */
const FILES = {
  'index.html': 'text/html; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
} as const;

/**
 * Every `/admin/` answer carries these. The page runs only its own script and style (no inline
 * code, no third party), talks only to this collector, and cannot be framed (clickjacking).
 */
export const CONSOLE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
} as const;

interface File {
  type: string;
  body: Buffer;
}

/**
 * Serves the operator console at `/admin/` from `dir`. The files are read once, on the first request,
 * into a fixed table: a request names a key of that table or gets 404, so no path reaches the disk.
 */
export function createConsole(dir: string = CONSOLE_DIR) {
  let files: Map<string, File> | undefined;
  const load = () => {
    if (files) return files;
    files = new Map();
    for (const [name, type] of Object.entries(FILES)) {
      const path = join(dir, name);
      if (existsSync(path)) files.set(name, { type, body: readFileSync(path) });
    }
    return files;
  };

  /** Answers a request whose path is `/admin` or starts with `/admin/`. */
  return function serve(pathname: string, method: string, res: ServerResponse) {
    const send = (status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
      res.writeHead(status, { ...CONSOLE_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
      res.end(method === 'HEAD' ? undefined : body);
    };
    const text = 'text/plain; charset=utf-8';
    if (method !== 'GET' && method !== 'HEAD') return send(405, text, 'method not allowed\n', { Allow: 'GET, HEAD' });
    // Relative URLs in index.html resolve against the folder, so the page must be `/admin/`.
    if (pathname === '/admin') return send(308, text, '', { Location: '/admin/' });
    const name = pathname === '/admin/' ? 'index.html' : pathname.slice('/admin/'.length);
    const file = Object.hasOwn(FILES, name) ? load().get(name) : undefined;
    if (!file) {
      const built = load().size > 0;
      return send(404, text, built ? 'not found\n' : 'the console is not built: run `npm run build`\n');
    }
    // The assets are small and change with each release; no-cache keeps a new release from meeting an old script.
    send(200, file.type, file.body, name === 'index.html' ? {} : { 'Cache-Control': 'no-cache' });
  };
}
