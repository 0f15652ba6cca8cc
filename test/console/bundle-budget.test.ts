/**
 * The console's load budget (README, "Web console"): what a first visit downloads — index.html and every
 * script and stylesheet it references — stays under BUDGET_GZIP_BYTES compressed.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DEFAULT_CONSOLE_DIR } from '../../src/server/serve.ts';

export const BUDGET_GZIP_BYTES = 150 * 1024;

it(`the console's first load is at most ${BUDGET_GZIP_BYTES / 1024} KiB gzipped, all from hashed, cacheable assets`, () => {
  const index = join(DEFAULT_CONSOLE_DIR, 'index.html');
  assert.ok(existsSync(index), `${index} is missing: npm test builds it (pretest); alone, run npm run build:console`);
  const html = readFileSync(index, 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="\/console\/(assets\/[^"]+)"/g)].map((m) => m[1] ?? '');
  assert.ok(refs.some((r) => r.endsWith('.js')), 'index.html loads a script');
  for (const r of refs) assert.match(r, /-[\w-]{8}\.(js|css)$/, `${r} has a content hash`);
  // Scripts the first page imports statically are preloaded by Vite (modulepreload); count them too.
  const files = new Set([...refs]);
  const gz = (p: string) => gzipSync(readFileSync(join(DEFAULT_CONSOLE_DIR, p)), { level: 9 }).length;
  let total = gzipSync(html).length;
  for (const f of files) total += gz(f);
  const all = readdirSync(join(DEFAULT_CONSOLE_DIR, 'assets'));
  assert.ok(all.length > 0);
  console.log(`# console first load: ${(total / 1024).toFixed(1)} KiB gzipped (${files.size} assets + index.html)`);
  assert.ok(total <= BUDGET_GZIP_BYTES, `first load ${(total / 1024).toFixed(1)} KiB gzipped > ${BUDGET_GZIP_BYTES / 1024} KiB`);
});
