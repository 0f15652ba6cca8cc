/**
 * The built web console (console/dist, made by `npm run build:console`), held in memory with a gzip copy
 * of each file. Hashed assets are cached for a year; index.html is revalidated, so a new build shows at once.
 * Any other path under /console is the single-page app's own route and gets index.html.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** What a console page may load: only this origin; no inline scripts; no framing. */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

export interface StaticFile {
  readonly type: string;
  readonly body: Buffer;
  readonly gzip: Buffer | undefined;
  readonly immutable: boolean;
}

export interface ConsoleFiles {
  /** The file for a request path under /console (index.html for the app's routes), or undefined. */
  lookup(pathUnderConsole: string): StaticFile | undefined;
  readonly built: boolean;
  readonly dir: string;
}

export function loadConsoleFiles(dir: string): ConsoleFiles {
  const files = new Map<string, StaticFile>();
  if (existsSync(join(dir, 'index.html'))) {
    const walk = (d: string): void => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else {
          const rel = relative(dir, p).split(sep).join('/');
          const body = readFileSync(p);
          const type = TYPES[extname(name)] ?? 'application/octet-stream';
          const compressible = /^(text\/|application\/json|image\/svg)/.test(type) && body.length > 512;
          files.set(rel, { type, body, gzip: compressible ? gzipSync(body, { level: 9 }) : undefined, immutable: rel.startsWith('assets/') });
        }
      }
    };
    walk(dir);
  }
  const index = files.get('index.html');
  return {
    built: index !== undefined,
    dir,
    lookup(path) {
      const rel = path.replace(/^\/+/, '');
      const hit = files.get(rel);
      if (hit) return hit;
      // A missing asset is a 404, not the app (a stale page asking for an old bundle must see the failure).
      if (rel.startsWith('assets/') || extname(rel) !== '') return undefined;
      return index;
    },
  };
}
