#!/usr/bin/env node
// In a checkout, runs the TypeScript sources through tsx; in a published package (which ships only
// the compiled dist/), runs the build.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const root = fileURLToPath(new URL('..', import.meta.url));
const source = `${root}src/cli/main.ts`;
let entry;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = pathToFileURL(source).href;
} else {
  entry = pathToFileURL(`${root}dist/cli/main.js`).href;
}
const { main } = await import(entry);
await main(process.argv);
