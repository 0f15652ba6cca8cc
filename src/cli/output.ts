/** What every command shares: the global options, output in `-o table|json`, and option parsers. */
import { readFileSync } from 'node:fs';
import Table from 'cli-table3';
import { InvalidArgumentError } from 'commander';
import type { ClientConfig } from './client.ts';
import { FlagError } from './guardrail-flags.ts';

export type Json = Record<string, unknown>;

export interface GlobalOpts {
  endpoint?: string;
  region?: string;
  profile?: string;
  dataDir?: string;
  account?: string;
  output: 'table' | 'json';
}

/** Handed to each command group by main.ts. */
export interface CliContext {
  gopts(): GlobalOpts;
  /** Acting in `--account` when given (which may assume a role there). */
  cfg(): Promise<ClientConfig>;
  /** The caller's own credentials, `--account` ignored (for commands where `--account` names a target). */
  baseCfg(): ClientConfig;
}

export function table(head: string[], rows: unknown[][]): string {
  const t = new Table({ head, style: { head: [], border: [] } });
  for (const r of rows) t.push(r.map((c) => (c === undefined || c === null ? '' : String(c))));
  return t.toString();
}

export function print(opts: GlobalOpts, value: unknown, human: () => string): void {
  process.stdout.write(`${opts.output === 'json' ? JSON.stringify(value, null, 2) : human()}\n`);
}

export function warn(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}

export function note(message: string): void {
  process.stderr.write(`note: ${message}\n`);
}

export function readJsonFile(path: string): Json {
  const text = path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw new FlagError(`${path} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Repeatable, comma-separated values (`--include a,b --include c`), flattened and trimmed. */
export function commaList(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

export function positiveInt(name: string) {
  return (v: string): string => {
    if (!/^[1-9]\d{0,14}$/.test(v)) throw new InvalidArgumentError(`${name} must be a positive integer.`);
    return v;
  };
}
