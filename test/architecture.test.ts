/**
 * Keeps the dependency arrows of ARCHITECTURE.md honest: each folder of src/ may import only the
 * folders below it, the engine does no I/O, and nothing imports server/ or cli/.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const SRC = resolve(new URL('../src', import.meta.url).pathname);

const ALLOWED: Record<string, readonly string[]> = {
  core: ['core'],
  engine: ['core', 'engine'],
  iam: ['core', 'iam'],
  store: ['core', 'store', 'engine:type'],
  audit: ['core', 'store', 'audit'],
  providers: ['core', 'providers'],
  org: ['core', 'iam', 'engine:type', 'org'],
  control: ['core', 'engine', 'iam', 'org', 'store', 'audit', 'control'],
  runtime: ['core', 'engine', 'iam', 'org', 'store', 'audit', 'providers', 'control', 'runtime'],
  server: ['core', 'engine', 'iam', 'org', 'store', 'audit', 'providers', 'control', 'runtime', 'server'],
  eval: ['core', 'engine', 'eval'],
  safeguards: ['core', 'safeguards'],
  cli: ['core', 'cli', 'server', 'providers', 'eval', 'safeguards'],
};

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const IMPORT_RE = /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

interface Edge {
  from: string;
  spec: string;
  typeOnly: boolean;
}

function edges(file: string): Edge[] {
  const text = readFileSync(file, 'utf8');
  const out: Edge[] = [];
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[3] ?? m[4] ?? m[5];
    if (spec) out.push({ from: file, spec, typeOnly: Boolean(m[2]) });
  }
  return out;
}

function layerOf(file: string): string {
  return relative(SRC, file).split('/')[0] ?? '';
}

describe('architecture', () => {
  const all = files(SRC);

  it('every source file sits in a known layer', () => {
    for (const f of all) assert.ok(layerOf(f) in ALLOWED, `${relative(SRC, f)} is outside the known layers`);
  });

  it('imports follow the dependency arrows', () => {
    const violations: string[] = [];
    for (const f of all) {
      const from = layerOf(f);
      for (const e of edges(f)) {
        if (!e.spec.startsWith('.')) continue;
        const target = layerOf(resolve(dirname(f), e.spec));
        const allowed = ALLOWED[from] ?? [];
        const ok = allowed.includes(target) || (e.typeOnly && allowed.includes(`${target}:type`));
        if (!ok) violations.push(`${relative(SRC, f)} → ${e.spec} (${from} may not import ${target})`);
      }
    }
    assert.deepEqual(violations, []);
  });

  it('the engine is pure: no node: modules, no clock, no randomness', () => {
    const violations: string[] = [];
    for (const f of all.filter((x) => layerOf(x) === 'engine')) {
      const text = readFileSync(f, 'utf8');
      for (const e of edges(f)) if (e.spec.startsWith('node:')) violations.push(`${relative(SRC, f)} imports ${e.spec}`);
      if (/\bDate\.now\(|\bMath\.random\(|\bprocess\.|\bfetch\(|\bnew Date\(\)/.test(text))
        violations.push(`${relative(SRC, f)} uses the clock, randomness, process or the network`);
    }
    assert.deepEqual(violations, []);
  });
});
