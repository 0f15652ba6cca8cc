// Starts an assessment thread: in a checkout the TypeScript source runs through tsx (as bin/parapet.mjs does for
// the main thread); in a built package, the compiled file next to this one.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('./assessment-worker.ts', import.meta.url));
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('./assessment-worker.ts', import.meta.url).href);
} else {
  await import(new URL('./assessment-worker.js', import.meta.url).href);
}
