/**
 * `parapet export` / `parapet import`: backup and restore of the whole state as one JSON file, working directly
 * on the store (no server needed, nor used): SQLite in the data directory, or PostgreSQL with --database, and
 * the master key from PARAPET_MASTER_KEY or `<data-dir>/master.key` — the store `parapet serve` would open.
 * The summary (rows per table) goes to stderr; with `-o json` it is printed as JSON (on stdout, unless the
 * export itself goes there).
 */
import { once } from 'node:events';
import { createReadStream, existsSync, renameSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { BackupStoreOptions, ExportSummary, ImportSummary } from '../server/backup.ts';
import { type CliContext, table } from './output.ts';

export interface StoreFlags {
  database?: string;
  databaseSchema?: string;
}

export const DATABASE_HELP = 'PostgreSQL: postgres://user[:password]@host[:port]/db (default: PARAPET_DATABASE_URL, else SQLite in the data directory)';
export const SCHEMA_HELP = "the PostgreSQL schema (default: PARAPET_DATABASE_SCHEMA, else the server's search_path)";

/** Where the store is, as `export`, `import` and `rotate-master-key` take it: flags, then the environment. */
export function storeOptions(ctx: CliContext, o: StoreFlags): BackupStoreOptions {
  const database = o.database ?? (process.env.PARAPET_DATABASE_URL || undefined);
  const databaseSchema = o.databaseSchema ?? (process.env.PARAPET_DATABASE_SCHEMA || undefined);
  return {
    dataDir: ctx.gopts().dataDir ?? process.env.PARAPET_DATA_DIR ?? '.parapet',
    ...(database ? { database } : {}),
    ...(databaseSchema ? { databaseSchema } : {}),
    ...(process.env.PARAPET_MASTER_KEY !== undefined ? { masterKey: process.env.PARAPET_MASTER_KEY } : {}),
  };
}

function countsTable(counts: Record<string, number>, total: number): string {
  return table(['table', 'rows'], [...Object.entries(counts), ['(total)', total]]);
}

/** The summary: JSON with `-o json` (on `stream`), else a table and a line on stderr. */
function report(ctx: CliContext, json: unknown, human: string, stream: NodeJS.WriteStream = process.stdout): void {
  if (ctx.gopts().output === 'json') stream.write(`${JSON.stringify(json, null, 2)}\n`);
  else process.stderr.write(`${human}\n`);
}

/** Writes through `write` into a new private file next to `path`, renamed into place once complete and synced. */
async function writeFileAtomically(path: string, fn: (write: (chunk: string) => Promise<void>) => Promise<ExportSummary>) {
  const target = resolve(path);
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  const fh = await open(tmp, 'wx', 0o600);
  let bytes = 0;
  try {
    const summary = await fn(async (chunk) => {
      bytes += Buffer.byteLength(chunk);
      await fh.write(chunk);
    });
    await fh.sync();
    await fh.close();
    renameSync(tmp, target);
    return { summary, bytes };
  } catch (e) {
    await fh.close().catch(() => {});
    rmSync(tmp, { force: true });
    throw e;
  }
}

export function addExportCommands(program: Command, ctx: CliContext): void {
  program
    .command('export')
    .description(
      'write the whole state (accounts and keys with their secrets sealed, organizations, guardrails with every version, ' +
        'policies, enforcement, the audit trail) to one JSON file, read from the store in one snapshot (safe while servers run)',
    )
    .option('--out <file>', 'the file to write (- for stdout); written privately (0600) and renamed into place when complete', '-')
    .option('--database <url>', DATABASE_HELP)
    .option('--database-schema <name>', SCHEMA_HELP)
    .action(async (o: StoreFlags & { out: string }) => {
      const { describeStore, exportStore } = await import('../server/backup.ts');
      const so = storeOptions(ctx, o);
      let summary: ExportSummary;
      let bytes = 0;
      if (o.out === '-') {
        summary = await exportStore(so, async (chunk) => {
          bytes += Buffer.byteLength(chunk);
          if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
        });
      } else {
        ({ summary, bytes } = await writeFileAtomically(o.out, (write) => exportStore(so, write)));
      }
      const where = o.out === '-' ? 'stdout' : o.out;
      if (summary.rows === 0) process.stderr.write(`warning: the store at ${describeStore(so)} is empty\n`);
      report(
        ctx,
        { file: where, store: describeStore(so), bytes, ...summary },
        `${countsTable(summary.counts, summary.rows)}\nexported ${summary.rows} rows (${bytes} bytes) from ${describeStore(so)} to ${where}`,
        o.out === '-' ? process.stderr : process.stdout,
      );
    });

  program
    .command('import <file>')
    .description(
      'restore an export file (- for stdin) into an EMPTY store (SQLite in the data directory, or PostgreSQL with --database), ' +
        'in one transaction; needs the master key the file was exported with (or --source-key-file to re-seal the secrets)',
    )
    .option('--database <url>', DATABASE_HELP)
    .option('--database-schema <name>', SCHEMA_HELP)
    .option(
      '--source-key-file <file>',
      "the source's master.key, when the target has another key (or none yet: one is created): secrets are re-sealed with the target's key",
    )
    .action(async (file: string, o: StoreFlags & { sourceKeyFile?: string }) => {
      const { describeStore, ImportError, importStore } = await import('../server/backup.ts');
      const so = { ...storeOptions(ctx, o), ...(o.sourceKeyFile !== undefined ? { sourceKeyFile: o.sourceKeyFile } : {}) };
      if (file !== '-' && !existsSync(file)) throw new Error(`${file} does not exist`);
      process.umask(0o077); // the database and any key it creates are private to this user, like `serve`'s
      const input = file === '-' ? process.stdin : createReadStream(file);
      const lines = createInterface({ input, crlfDelay: Infinity });
      let summary: ImportSummary;
      try {
        summary = await importStore(so, lines);
      } catch (e) {
        if (e instanceof ImportError && e.reason === 'key' && o.sourceKeyFile === undefined)
          throw new Error(`${e.message} (--source-key-file <the source's master.key>)`);
        throw e;
      } finally {
        lines.close();
        if (file !== '-') input.destroy();
      }
      report(
        ctx,
        { file, store: describeStore(so), ...summary },
        `${countsTable(summary.counts, summary.rows)}\n` +
          `imported ${summary.rows} rows exported ${summary.exportedAt} from ${summary.source.kind} into ${describeStore(so)}; ` +
          `the audit trail (${summary.auditRecords} records) verifies` +
          (summary.resealed ? `; ${summary.resealed} secrets re-sealed with the target's master key` : ''),
      );
    });
}
