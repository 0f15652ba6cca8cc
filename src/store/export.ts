/**
 * Backup and restore of the whole state (`parapet export` / `parapet import`), between any two stores
 * (SQLite, PostgreSQL), through `Store.state`. One JSON file:
 *
 *   { "format": "parapet-export", "version": 1, "exportedAt": "…",
 *     "source": { "kind": "sqlite" | "postgres", "schemaVersion": 2 },
 *     "keyCheck": "v1:…",                       a known text sealed with the master key
 *     "counts": { "<table>": <rows>, … },        rows per table, as exported
 *     "tables": { "<table>": [ { "<column>": value, … }, … ], … } }
 *
 * Tables come parents first (the order to insert them in), rows in primary-key order, each row exactly as the
 * database holds it: sealed secrets stay sealed (only the same master key opens them), the audit log keeps its
 * seq and hashes (so the chain verifies in the copy as in the original).
 *
 * Written as above with one table opener and one row per line, so a file of any size is read back line by line
 * without holding it in memory; any other layout of the same JSON (e.g. pretty-printed) is read whole.
 *
 * Import refuses, before writing anything, a file in another format or version, one exported with another
 * master key (`keyCheck`), and a non-empty target. It then inserts everything in ONE write transaction, checking
 * every row on the way (columns and types, sealed secrets open, the audit chain links), and afterwards, still
 * inside the transaction, the row counts and the audit chain as the target stores them: any failure rolls the
 * whole import back.
 */
import { AuditChainChecker } from './sql/audit.ts';
import type { AuditLogTable } from './sql/schema.ts';
import type { SecretCipher, StateReader, StateRow, StateTable, StateTransfer, StateValue, Store } from './types.ts';

export const EXPORT_FORMAT = 'parapet-export';
export const EXPORT_VERSION = 1;
/** What `keyCheck` seals. */
const KEY_CHECK_TEXT = 'parapet-export-key-check';
const BATCH = 1000;

export interface ExportHeader {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  source: { kind: Store['kind']; schemaVersion: number };
  /** `cipher.encrypt('parapet-export-key-check')` with the source's master key. */
  keyCheck: string;
  /** Rows per table, as exported. */
  counts: Record<string, number>;
}

export interface ParapetExport extends ExportHeader {
  tables: Record<string, StateRow[]>;
}

export interface ExportOptions {
  /** The store's cipher (its master key): seals `keyCheck`, and every sealed secret must open with it. */
  cipher: SecretCipher;
  now?: () => Date;
}

export interface ExportSummary {
  exportedAt: string;
  source: ExportHeader['source'];
  counts: Record<string, number>;
  /** All rows of all tables. */
  rows: number;
}

export interface ImportOptions {
  /** The target store's cipher. Unless `sourceCipher` is given, the file must have been exported with the same key. */
  cipher: SecretCipher;
  /** The master key the file was exported with, when it is not the target's: sealed secrets are re-sealed with `cipher`. */
  sourceCipher?: SecretCipher;
}

export interface ImportSummary extends ExportSummary {
  /** Audit records, verified in the target. */
  auditRecords: number;
  /** Secrets re-sealed from the source's master key to the target's (0 without `sourceCipher`). */
  resealed: number;
}

/** The export could not be made (no snapshot support, secrets the master key does not open). */
export class ExportError extends Error {
  override name = 'ExportError';
}

/**
 * The file was refused, or the import failed and was rolled back. `reason`: `format` (not a Parapet export of a
 * version this one reads), `key` (exported with another master key), `not-empty` (the target has state),
 * `corrupt` (bad JSON, rows that do not fit the schema, secrets that do not open, an audit chain that does not
 * verify), `verify` (the target does not hold what was written).
 */
export class ImportError extends Error {
  override name = 'ImportError';
  readonly reason: 'format' | 'key' | 'not-empty' | 'corrupt' | 'verify';

  constructor(reason: ImportError['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

function stateOf(store: Store): StateTransfer {
  if (!store.state) throw new Error(`this ${store.kind} store cannot dump or restore its state`);
  return store.state;
}

function keyOf(t: StateTable, row: StateRow): string {
  return t.key.map((k) => String(row[k])).join('/');
}

// ---------------------------------------------------------------------------------------------------------
// Export

interface ExportVisitor {
  header(h: ExportHeader): Promise<void> | void;
  rows(t: StateTable, rows: StateRow[]): Promise<void> | void;
  tableEnd(t: StateTable, last: boolean): Promise<void> | void;
}

/** Reads the whole state in one snapshot and hands it to `v` in file order. */
async function visitState(store: Store, opts: ExportOptions, v: ExportVisitor): Promise<ExportSummary> {
  const state = stateOf(store);
  return state.read(async (r: StateReader) => {
    const counts: Record<string, number> = {};
    for (const t of state.tables) counts[t.name] = await r.count(t.name);
    const header: ExportHeader = {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportedAt: (opts.now?.() ?? new Date()).toISOString(),
      source: { kind: store.kind, schemaVersion: state.schemaVersion },
      keyCheck: opts.cipher.encrypt(KEY_CHECK_TEXT),
      counts,
    };
    await v.header(header);
    let total = 0;
    for (const [i, t] of state.tables.entries()) {
      const sealed = t.columns.filter((c) => c.sealed);
      let n = 0;
      for await (const rows of r.rows(t.name, BATCH)) {
        for (const row of rows)
          for (const c of sealed) {
            try {
              opts.cipher.decrypt(String(row[c.name]));
            } catch {
              throw new ExportError(
                `the master key given does not open the ${c.name} of ${t.name} ${keyOf(t, row)}: ` +
                  'export with the master key this store was written with',
              );
            }
          }
        n += rows.length;
        await v.rows(t, rows);
      }
      // one snapshot: the rows read are the rows counted
      if (n !== counts[t.name]) throw new ExportError(`${t.name}: counted ${counts[t.name]} rows but read ${n}`);
      total += n;
      await v.tableEnd(t, i === state.tables.length - 1);
    }
    return { exportedAt: header.exportedAt, source: header.source, counts, rows: total };
  });
}

/** The whole state as one object (in memory: for small states and tests; files are written by `writeExport`). */
export async function exportState(store: Store, opts: ExportOptions): Promise<ParapetExport> {
  let file: ParapetExport | undefined;
  await visitState(store, opts, {
    header: (h) => {
      file = { ...h, tables: {} };
    },
    rows: (t, rows) => {
      if (!file) throw new Error('rows before the header');
      (file.tables[t.name] ??= []).push(...rows);
    },
    tableEnd: (t) => {
      if (file) file.tables[t.name] ??= [];
    },
  });
  if (!file) throw new Error('the export wrote no header');
  return file;
}

/**
 * Writes the export file as text chunks to `write` (awaited: return a promise to apply backpressure), one
 * snapshot of the store, a batch of rows at a time.
 */
export async function writeExport(
  store: Store,
  opts: ExportOptions,
  write: (chunk: string) => Promise<void> | void,
): Promise<ExportSummary> {
  let first = true;
  return visitState(store, opts, {
    header: (h) => write(`${JSON.stringify(h).slice(0, -1)},"tables":{\n`),
    rows: (t, rows) => {
      let chunk = first ? `${JSON.stringify(t.name)}:[` : '';
      for (const row of rows) {
        chunk += `${first ? '\n' : ',\n'}${JSON.stringify(row)}`;
        first = false;
      }
      return write(chunk);
    },
    tableEnd: (t, last) => {
      const chunk = `${first ? `${JSON.stringify(t.name)}:[` : '\n'}]${last ? '\n}}\n' : ',\n'}`;
      first = true;
      return write(chunk);
    },
  });
}

// ---------------------------------------------------------------------------------------------------------
// Reading a file

/** A parsed file: its header, then its rows a batch at a time in file order (each table once, even if empty). */
export interface ExportSource {
  header: ExportHeader;
  batches(): AsyncIterable<{ table: string; rows: unknown[] }>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks the header's fields (not yet against the target store). */
export function parseExportHeader(h: unknown): ExportHeader {
  if (!isObject(h)) throw new ImportError('format', 'not a Parapet export: the file is not a JSON object');
  if (h['format'] !== EXPORT_FORMAT)
    throw new ImportError('format', `not a Parapet export: format is ${JSON.stringify(h['format'])}, expected "${EXPORT_FORMAT}"`);
  if (h['version'] !== EXPORT_VERSION)
    throw new ImportError(
      'format',
      `export format version ${JSON.stringify(h['version'])} is not supported: this Parapet reads version ${EXPORT_VERSION}`,
    );
  const source = h['source'];
  if (
    !isObject(source) ||
    (source['kind'] !== 'sqlite' && source['kind'] !== 'postgres') ||
    !Number.isSafeInteger(source['schemaVersion'])
  )
    throw new ImportError('format', 'the export header has no valid "source" ({ kind: "sqlite" | "postgres", schemaVersion })');
  if (typeof h['exportedAt'] !== 'string') throw new ImportError('format', 'the export header has no "exportedAt"');
  if (typeof h['keyCheck'] !== 'string') throw new ImportError('format', 'the export header has no "keyCheck"');
  const counts = h['counts'];
  if (!isObject(counts) || !Object.values(counts).every((n) => Number.isSafeInteger(n) && (n as number) >= 0))
    throw new ImportError('format', 'the export header has no valid "counts" (rows per table)');
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: h['exportedAt'],
    source: { kind: source['kind'], schemaVersion: source['schemaVersion'] as number },
    keyCheck: h['keyCheck'],
    counts: counts as Record<string, number>,
  };
}

/** A file already parsed into an object (e.g. by JSON.parse). Its tables are taken in the store's order. */
export function exportSourceOf(file: unknown): ExportSource {
  const header = parseExportHeader(file);
  const tables = (file as Record<string, unknown>)['tables'];
  if (!isObject(tables)) throw new ImportError('corrupt', 'the export has no "tables" object');
  for (const [name, rows] of Object.entries(tables))
    if (!Array.isArray(rows)) throw new ImportError('corrupt', `table ${name} is not an array of rows`);
  return {
    header,
    async *batches() {
      // The header's counts name every table: go in their order (the exporter's, parents first); tables the
      // counts do not name come last, so that the importer refuses them by name.
      const names = [...new Set([...Object.keys(header.counts), ...Object.keys(tables)])];
      for (const name of names) {
        const rows = tables[name];
        if (rows === undefined) throw new ImportError('corrupt', `the file has no table ${name}`);
        const all = rows as unknown[];
        if (all.length === 0) yield { table: name, rows: [] };
        for (let i = 0; i < all.length; i += BATCH) yield { table: name, rows: all.slice(i, i + BATCH) };
      }
    },
  };
}

const HEADER_END = ',"tables":{';
const TABLE_OPEN = /^("(?:[^"\\]|\\.)*"):\[(\],?)?$/;

/**
 * A file given as its lines (e.g. `readline` over a file or stdin). In the layout `writeExport` writes it is
 * read a batch of rows at a time; otherwise the lines are joined and parsed whole.
 */
export async function openExportLines(lines: AsyncIterable<string>): Promise<ExportSource> {
  const it = lines[Symbol.asyncIterator]();
  let lineNo = 0;
  const next = async (): Promise<string | undefined> => {
    const r = await it.next();
    if (r.done) return undefined;
    lineNo++;
    return r.value;
  };
  const first = await next();
  if (first === undefined) throw new ImportError('format', 'not a Parapet export: the file is empty');
  if (!(first.startsWith('{') && first.endsWith(HEADER_END))) {
    // Not our line layout: read it whole.
    const all = [first];
    for (let l = await next(); l !== undefined; l = await next()) all.push(l);
    let parsed: unknown;
    try {
      parsed = JSON.parse(all.join('\n'));
    } catch (e) {
      throw new ImportError('corrupt', `the file is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    return exportSourceOf(parsed);
  }
  let header: unknown;
  try {
    header = JSON.parse(`${first.slice(0, -HEADER_END.length)}}`);
  } catch (e) {
    throw new ImportError('corrupt', `line 1 (the header) is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const parsedHeader = parseExportHeader(header);
  const corrupt = (what: string) => new ImportError('corrupt', `the file is not valid: line ${lineNo} ${what}`);
  const truncated = () => new ImportError('corrupt', `the file ends early, after line ${lineNo} (truncated?)`);
  return {
    header: parsedHeader,
    async *batches() {
      for (let more = true; more; ) {
        const opener = await next();
        if (opener === undefined) throw truncated();
        const m = TABLE_OPEN.exec(opener);
        if (!m) throw corrupt('should open a table ("name":[)');
        const table = JSON.parse(m[1] ?? '""') as string;
        if (m[2] !== undefined) {
          more = m[2] === '],';
          yield { table, rows: [] };
          continue;
        }
        let rows: unknown[] = [];
        for (let expectRow = true; ; ) {
          const line = await next();
          if (line === undefined) throw truncated();
          if (line === ']' || line === '],') {
            if (expectRow) throw corrupt('closes the table after a comma (or right after opening it)');
            more = line === '],';
            break;
          }
          if (!expectRow) throw corrupt('follows a row without a comma');
          expectRow = line.endsWith(',');
          try {
            rows.push(JSON.parse(expectRow ? line.slice(0, -1) : line) as unknown);
          } catch (e) {
            throw corrupt(`is not a valid row (${e instanceof Error ? e.message : String(e)})`);
          }
          if (rows.length >= BATCH) {
            yield { table, rows };
            rows = [];
          }
        }
        if (rows.length) yield { table, rows };
      }
      const end = await next();
      if (end === undefined) throw truncated();
      if (end !== '}}') throw corrupt('should end the file (}})');
      for (let l = await next(); l !== undefined; l = await next()) if (l.trim() !== '') throw corrupt('follows the end of the file');
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Import

/** Throws ImportError (`key`) unless the file's keyCheck opens with the source key (`sourceCipher`, else `cipher`). */
export function checkExportKey(header: ExportHeader, opts: ImportOptions): void {
  let text: string | undefined;
  try {
    text = (opts.sourceCipher ?? opts.cipher).decrypt(header.keyCheck);
  } catch {
    text = undefined;
  }
  if (text !== KEY_CHECK_TEXT)
    throw new ImportError(
      'key',
      opts.sourceCipher
        ? 'the source master key given is not the one the file was exported with'
        : "the file was exported with another master key than the target's: its access-key and session secrets " +
            'would not open. Import with the source master key, or re-seal the secrets with it',
    );
}

function validRow(t: StateTable, raw: unknown, index: number): StateRow {
  const where = `table ${t.name}, row ${index}`;
  if (!isObject(raw)) throw new ImportError('corrupt', `${where} is not an object`);
  const row: StateRow = {};
  for (const c of t.columns) {
    const v = raw[c.name] as StateValue | undefined;
    if (v === undefined) throw new ImportError('corrupt', `${where} has no column ${c.name}`);
    const ok =
      v === null
        ? c.nullable
        : c.type === 'integer'
          ? typeof v === 'number' && Number.isSafeInteger(v)
          : typeof v === 'string';
    if (!ok) throw new ImportError('corrupt', `${where}: ${c.name} must be ${c.type === 'integer' ? 'a whole number' : 'text'}${c.nullable ? ' or null' : ''}`);
    row[c.name] = v;
  }
  const extra = Object.keys(raw).find((k) => !t.columns.some((c) => c.name === k));
  if (extra !== undefined) throw new ImportError('corrupt', `${where} has a column ${extra} that table ${t.name} does not have`);
  return row;
}

/** Imports a parsed file object into an empty store; see `importExport`. */
export async function importState(store: Store, file: unknown, opts: ImportOptions): Promise<ImportSummary> {
  return importExport(store, exportSourceOf(file), opts);
}

/**
 * Imports `source` into `store`, which must be empty, in one write transaction (see the file comment); throws
 * ImportError with nothing written on any problem.
 */
export async function importExport(store: Store, source: ExportSource, opts: ImportOptions): Promise<ImportSummary> {
  const state = stateOf(store);
  const { header } = source;
  if (header.source.schemaVersion !== state.schemaVersion)
    throw new ImportError(
      'format',
      `the file holds schema version ${header.source.schemaVersion} and this Parapet's store version ${state.schemaVersion}: ` +
        'import it with the Parapet version that exported it',
    );
  const names = state.tables.map((t) => t.name);
  const counted = Object.keys(header.counts);
  if (counted.length !== names.length || !names.every((n) => n in header.counts))
    throw new ImportError('format', `the export header counts tables ${counted.join(', ')}; this Parapet's are ${names.join(', ')}`);
  checkExportKey(header, opts);

  return state.write(async (w) => {
    const nonEmpty: string[] = [];
    for (const t of state.tables) {
      const n = await w.count(t.name);
      if (n) nonEmpty.push(`${t.name}: ${n}`);
    }
    if (nonEmpty.length)
      throw new ImportError(
        'not-empty',
        `the target store is not empty (${nonEmpty.join(', ')} rows): import only into an empty store ` +
          '(a new data directory, or a new PostgreSQL database or schema)',
      );

    const counts: Record<string, number> = {};
    const chain = new AuditChainChecker();
    let resealed = 0;
    let current = -1;
    const finish = (i: number) => {
      const t = state.tables[i];
      if (t && counts[t.name] !== header.counts[t.name])
        throw new ImportError('corrupt', `table ${t.name} holds ${counts[t.name]} rows, the export header says ${header.counts[t.name]}`);
    };
    for await (const batch of source.batches()) {
      if (current < 0 || batch.table !== state.tables[current]?.name) {
        finish(current);
        current++;
        const expected = state.tables[current];
        if (!names.includes(batch.table))
          throw new ImportError('corrupt', `the file has a table ${JSON.stringify(batch.table)} that this Parapet does not know`);
        if (batch.table !== expected?.name)
          throw new ImportError('corrupt', `table ${batch.table} is out of place: the tables must come in the order ${names.join(', ')}`);
        counts[expected.name] = 0;
      }
      const t = state.tables[current] as StateTable;
      const rows = batch.rows.map((raw, i) => validRow(t, raw, (counts[t.name] ?? 0) + i + 1));
      for (const [i, row] of rows.entries())
        for (const c of t.columns.filter((x) => x.sealed)) {
          const where = `table ${t.name}, row ${(counts[t.name] ?? 0) + i + 1} (${keyOf(t, row)})`;
          try {
            const secret = (opts.sourceCipher ?? opts.cipher).decrypt(String(row[c.name]));
            if (opts.sourceCipher) {
              row[c.name] = opts.cipher.encrypt(secret);
              resealed++;
            }
          } catch {
            throw new ImportError('corrupt', `${where}: the sealed ${c.name} does not open with the master key (tampered?)`);
          }
        }
      if (t.name === 'audit_log')
        for (const row of rows)
          if (!chain.accept(row as unknown as AuditLogTable))
            throw new ImportError(
              'corrupt',
              `the audit trail in the file does not verify at seq ${String(row['seq'])}: a record was changed, removed or reordered`,
            );
      await w.insert(t.name, rows);
      counts[t.name] = (counts[t.name] ?? 0) + rows.length;
    }
    finish(current);
    if (current !== state.tables.length - 1) throw new ImportError('corrupt', `the file has no table ${state.tables[current + 1]?.name}`);

    // What the target now holds, read back in the same transaction.
    for (const t of state.tables) {
      const n = await w.count(t.name);
      if (n !== counts[t.name]) throw new ImportError('verify', `after the import, table ${t.name} holds ${n} rows instead of ${counts[t.name]}`);
    }
    const stored = new AuditChainChecker();
    for await (const rows of w.rows('audit_log'))
      for (const row of rows)
        if (!stored.accept(row as unknown as AuditLogTable))
          throw new ImportError('verify', `the audit chain does not verify in the target at seq ${String(row['seq'])}`);
    if (stored.count !== chain.count || stored.head !== chain.head)
      throw new ImportError('verify', 'the audit chain in the target differs from the one in the file');

    const rows = Object.values(counts).reduce((a, b) => a + b, 0);
    return { exportedAt: header.exportedAt, source: header.source, counts, rows, auditRecords: stored.count, resealed };
  });
}
