/**
 * `parapet eval`: measures a guardrail's detection quality on a labelled JSONL file (see src/eval/dataset.ts) by
 * running every row through the server's ApplyGuardrail (outputScope FULL), then prints the action confusion
 * matrix, the per-category table, the intervention summary, the worst misses and the throughput (or `-o json`).
 * A measurement: exits 0 whatever the numbers; a bad data file is an error (exit 1).
 */
import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DatasetError, type EvalSource, type LabelledRow, parseDataset } from '../eval/dataset.ts';
import { renderJson, renderReport } from '../eval/report.ts';
import { type EvalScore, type GuardrailAnswer, predict, type RowResult, score } from '../eval/score.ts';
import { type ClientConfig, callApi, encodeLabel } from './client.ts';
import { FlagError } from './guardrail-flags.ts';
import { type CliContext, positiveInt } from './output.ts';

export interface EvalOptions {
  guardrail: string;
  version: string;
  rows: readonly LabelledRow[];
  /** Source of rows that do not name one. */
  source: EvalSource;
  misses: number;
  concurrency: number;
  /** Called after each row. */
  progress?: (done: number, total: number) => void;
}

/** `ID[:VERSION]` (an ARN's colons are kept: only a trailing `:DRAFT` or `:<number>` is a version). */
export function parseGuardrailRef(ref: string): { guardrail: string; version: string } {
  const m = /^(.+):(DRAFT|[1-9]\d*)$/.exec(ref);
  return m?.[1] && m[2] ? { guardrail: m[1], version: m[2] } : { guardrail: ref, version: 'DRAFT' };
}

/** The rows of a JSONL file; a DatasetError's message names the file. */
export function readDataset(path: string): LabelledRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FlagError(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    return parseDataset(text);
  } catch (e) {
    if (e instanceof DatasetError) throw new FlagError(`${path}: ${e.message}`);
    throw e;
  }
}

/** Runs every row through ApplyGuardrail, `concurrency` at a time, and scores the answers. */
export async function runEval(cfg: ClientConfig, o: EvalOptions): Promise<EvalScore> {
  const path = `/guardrail/${encodeLabel(o.guardrail)}/version/${encodeLabel(o.version)}/apply`;
  const results: RowResult[] = new Array(o.rows.length);
  let next = 0;
  let done = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < o.rows.length) {
      const i = next++;
      const row = o.rows[i] as LabelledRow;
      const answer = (await callApi(cfg, 'POST', path, {
        body: { source: row.source ?? o.source, content: [{ text: { text: row.text } }], outputScope: 'FULL' },
      })) as GuardrailAnswer;
      results[i] = { row, prediction: predict({ action: answer.action, assessments: answer.assessments ?? [] }) };
      o.progress?.(++done, o.rows.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, o.rows.length) }, worker));
  return score(results, { misses: o.misses, elapsedMs: performance.now() - started });
}

function nonNegativeInt(v: string): string {
  if (!/^\d{1,9}$/.test(v)) throw new InvalidArgumentError('--misses must be a whole number.');
  return v;
}

export function addEvalCommand(program: Command, ctx: CliContext): void {
  program
    .command('eval')
    .description('measure detection quality: run a labelled JSONL file through ApplyGuardrail and score the answers')
    .requiredOption('--guardrail <ID[:VERSION]>', 'guardrail identifier or ARN, optionally :VERSION (default DRAFT)')
    .requiredOption('--data <file.jsonl>', 'labelled rows: {"text", "expect"?, "categories"?, "source"?, "id"?} per line')
    .addOption(new Option('--source <source>', 'source of rows that name none').choices(['INPUT', 'OUTPUT']).default('INPUT'))
    .option('--misses <n>', 'list up to n false negatives and n false positives', nonNegativeInt, '10')
    .option('--concurrency <n>', 'requests in flight', positiveInt('--concurrency'), '4')
    .action(async (o: { guardrail: string; data: string; source: EvalSource; misses: string; concurrency: string }) => {
      const rows = readDataset(o.data);
      const tty = process.stderr.isTTY === true;
      const s = await runEval(await ctx.cfg(), {
        ...parseGuardrailRef(o.guardrail),
        rows,
        source: o.source,
        misses: Number(o.misses),
        concurrency: Number(o.concurrency),
        progress: tty ? (d, n) => process.stderr.write(`\r ${d}/${n} rows`) : undefined,
      });
      if (tty) process.stderr.write('\n');
      process.stdout.write(`${ctx.gopts().output === 'json' ? renderJson(s) : renderReport(s)}\n`);
    });
}
