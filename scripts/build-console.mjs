#!/usr/bin/env node
// Builds the web console (console/ → console/dist) when its sources changed since the last build (the console
// also bundles pure modules of src/, such as core/models.ts and iam/, so a change there counts too).
// `npm start` and `npm test` run it first. Without Vite (an install with --omit=dev) it leaves a built
// console as it is, or says how to build one; the gateway then serves everything but the console.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../console/', import.meta.url));
const shared = fileURLToPath(new URL('../src/', import.meta.url));
const dist = join(root, 'dist', 'index.html');
const force = process.argv.includes('--force');

function newest(dir) {
  let t = 0;
  for (const name of readdirSync(dir)) {
    if (name === 'dist' || name === 'node_modules') continue;
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}

if (!force && existsSync(dist) && statSync(dist).mtimeMs >= Math.max(newest(root), newest(shared))) process.exit(0);

let vite;
try {
  vite = await import('vite');
} catch {
  console.warn(
    existsSync(dist)
      ? 'console: Vite is not installed (a production install?); serving the console built before.'
      : 'console: not built and Vite is not installed: run `npm install` then `npm run build:console` to get the web console.',
  );
  process.exit(0);
}
const t0 = performance.now();
await vite.build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
console.log(`console: built into console/dist in ${Math.round(performance.now() - t0)} ms`);
