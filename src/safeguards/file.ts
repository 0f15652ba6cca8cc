/**
 * Loading a safeguards file: YAML (.yaml, .yml) or JSON (.json), checked against schemas/safeguards.schema.json,
 * with every problem reported by its path in the file. The file's SHA-256 (of its bytes) identifies the change
 * source in the audit trail.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { type SchemaProblem, validateAgainstSchema } from './json-schema.ts';
import type { SafeguardsFile } from './file-types.ts';

export const SCHEMA_URL = new URL('../../schemas/safeguards.schema.json', import.meta.url);

/**
 * The `$schema` pointer an exported file carries, for editor completion: the schema this CLI ships (in a checkout
 * `schemas/`, in an installed package `node_modules/parapet/schemas/`), relative to `cwd` — where
 * `parapet export --safeguards > safeguards.yaml` writes — so it works for a file kept next to the project and
 * can be committed; an absolute file URL when the schema is not under `cwd` (a global install). A file saved
 * elsewhere needs the pointer adjusted by hand; plan and apply never read it.
 */
export function schemaRef(cwd: string = process.cwd()): string {
  const path = fileURLToPath(SCHEMA_URL);
  const rel = relative(cwd, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return SCHEMA_URL.href;
  return `./${rel.split(sep).join('/')}`;
}

let schemaCache: Record<string, unknown> | undefined;
export function safeguardsSchema(): Record<string, unknown> {
  schemaCache ??= JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as Record<string, unknown>;
  return schemaCache;
}

export class SafeguardsFileError extends Error {
  constructor(
    message: string,
    readonly problems: SchemaProblem[] = [],
  ) {
    super(problems.length ? `${message}\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}` : message);
  }
}

export interface LoadedFile {
  file: SafeguardsFile;
  /** Hex SHA-256 of the file's bytes. */
  sha256: string;
  name: string;
}

/** Parses and checks the text of a file named `name` (its extension picks JSON or YAML). */
export function parseSafeguardsText(text: string, name: string): LoadedFile {
  const sha256 = createHash('sha256').update(text).digest('hex');
  // A backup (`parapet export`) is JSON lines starting with its header; say which command reads it.
  if (/^\s*\{\s*"format"\s*:\s*"parapet-export"/.test(text))
    throw new SafeguardsFileError(
      `${name} is a backup written by \`parapet export\`, not a safeguards file: restore it with \`parapet import ${name}\` ` +
        '(into an empty store), or write a safeguards file with `parapet export --safeguards > safeguards.yaml`.',
    );
  let data: unknown;
  if (/\.json$/i.test(name)) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new SafeguardsFileError(`${name} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  } else {
    const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length) {
      const e = doc.errors[0];
      const at = e?.linePos?.[0] ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
      throw new SafeguardsFileError(`${name} is not valid YAML${at}: ${e?.message.split('\n')[0] ?? ''}`);
    }
    data = doc.toJS({ maxAliasCount: 100 });
  }
  const problems = validateAgainstSchema(safeguardsSchema(), data);
  if (problems.length) throw new SafeguardsFileError(`${name} does not match the safeguards schema (schemas/safeguards.schema.json):`, problems);
  return { file: data as SafeguardsFile, sha256, name };
}

export function loadSafeguardsFile(path: string): LoadedFile {
  const text = path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
  return parseSafeguardsText(text, path === '-' ? 'stdin.yaml' : path);
}

/** The audit trail's change source for writes made from this file (the server copies it into each record). */
export function changeSourceOf(sha256: string): string {
  return `safeguards-file sha256=${sha256}`;
}
