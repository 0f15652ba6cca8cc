/**
 * The labelled-row format of `parapet eval` (JSONL, one object per line) and its strict parser:
 * `{"text", "expect"?, "categories"?, "source"?, "id"?}`. Categories name what the guardrail should detect:
 * a content filter type, `topic:<name>`, `pii:<TYPE>`, `word:PROFANITY`, `word:CUSTOM` or `regex:<name>`.
 */
import { CONTENT_FILTER_TYPES, PII_ENTITY_TYPES } from '../engine/config/types.ts';

export type EvalAction = 'BLOCKED' | 'ANONYMIZED' | 'NONE';
export type EvalSource = 'INPUT' | 'OUTPUT';

export const EVAL_ACTIONS: readonly EvalAction[] = ['BLOCKED', 'ANONYMIZED', 'NONE'];

export interface LabelledRow {
  /** 1-based line in the file (0 for rows built in memory). */
  line: number;
  id?: string;
  text: string;
  expect: EvalAction;
  /** What should be detected; undefined = not labelled (the row is scored on its action only); [] = benign. */
  categories?: string[];
  source?: EvalSource;
}

/** A malformed dataset: the message names the line and the field. */
export class DatasetError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'DatasetError';
  }
}

const FIELDS = new Set(['text', 'expect', 'categories', 'source', 'id']);
const CONTENT = new Set<string>(CONTENT_FILTER_TYPES);
const PII = new Set<string>(PII_ENTITY_TYPES);

/** Why `c` is not a valid category, or undefined when it is. */
export function categoryProblem(c: string): string | undefined {
  if (CONTENT.has(c)) return undefined;
  const colon = c.indexOf(':');
  const kind = colon < 0 ? c : c.slice(0, colon);
  const name = colon < 0 ? '' : c.slice(colon + 1);
  if (kind === 'topic' || kind === 'regex') return name.trim() ? undefined : `"${c}" names no ${kind}`;
  if (kind === 'pii') return PII.has(name) ? undefined : `"${c}": "${name}" is not a PII entity type`;
  if (kind === 'word') return name === 'PROFANITY' || name === 'CUSTOM' ? undefined : `"${c}": word lists are PROFANITY and CUSTOM`;
  return `"${c}" is not a category (${CONTENT_FILTER_TYPES.join(', ')}, topic:<name>, pii:<TYPE>, word:PROFANITY, word:CUSTOM, regex:<name>)`;
}

/** One row from a parsed JSON value; `line` is used in the error messages. */
export function parseRow(value: unknown, line: number): LabelledRow {
  const fail = (msg: string): never => {
    throw new DatasetError(`line ${line}: ${msg}`, line);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('a row must be a JSON object');
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!FIELDS.has(k)) fail(`unknown field "${k}" (fields: ${[...FIELDS].join(', ')})`);
  if (typeof o.text !== 'string') return fail('"text" must be a string');
  if (o.text.length === 0) fail('"text" must not be empty');
  let categories: string[] | undefined;
  if (o.categories !== undefined) {
    if (!Array.isArray(o.categories)) return fail('"categories" must be an array of strings');
    const seen = new Set<string>();
    for (const c of o.categories as unknown[]) {
      if (typeof c !== 'string') return fail('"categories" must be an array of strings');
      const problem = categoryProblem(c);
      if (problem) fail(`"categories": ${problem}`);
      if (seen.has(c)) fail(`"categories": "${c}" is listed twice`);
      seen.add(c);
    }
    categories = [...seen];
  }
  let expect: EvalAction;
  if (o.expect === undefined) {
    if (categories === undefined) return fail('a row needs "expect" or "categories"');
    expect = categories.length ? 'BLOCKED' : 'NONE';
  } else if (typeof o.expect === 'string' && (EVAL_ACTIONS as readonly string[]).includes(o.expect)) {
    expect = o.expect as EvalAction;
  } else return fail(`"expect" must be one of ${EVAL_ACTIONS.join(', ')}`);
  const row: LabelledRow = { line, text: o.text, expect };
  if (categories !== undefined) row.categories = categories;
  if (o.source !== undefined) {
    if (o.source !== 'INPUT' && o.source !== 'OUTPUT') fail('"source" must be INPUT or OUTPUT');
    row.source = o.source as EvalSource;
  }
  if (o.id !== undefined) {
    if (typeof o.id !== 'string') fail('"id" must be a string');
    row.id = o.id as string;
  }
  return row;
}

/** Every row of a JSONL text (blank lines skipped). Throws DatasetError on the first bad line, or for no rows. */
export function parseDataset(text: string): LabelledRow[] {
  const rows: LabelledRow[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      throw new DatasetError(`line ${line}: not valid JSON (${e instanceof Error ? e.message : String(e)})`, line);
    }
    rows.push(parseRow(value, line));
  });
  if (rows.length === 0) throw new DatasetError('the file has no rows (one JSON object per line)', 0);
  return rows;
}

/** How a row is named in reports: its id, else its line. */
export function rowLabel(row: LabelledRow): string {
  return row.id ?? (row.line ? `line ${row.line}` : '');
}
