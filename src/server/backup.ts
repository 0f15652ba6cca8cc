/**
 * `parapet export` / `parapet import` work on the store directly, not through the API: it is opened the way
 * `startServer` opens it (SQLite in the data directory, or PostgreSQL), with the master key from
 * PARAPET_MASTER_KEY or `<data-dir>/master.key`. The format and the checks are `../store/export.ts`'s.
 *
 * Export reads one snapshot, so it is safe while servers run on the same store. Import refuses a non-empty
 * store; a refused or failed import into a new SQLite file removes the files it created.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  checkExportKey,
  type ExportSummary,
  type ImportSummary,
  openExportLines,
  importExport,
  writeExport,
} from '../store/export.ts';
import { createAesGcmCipher, loadMasterKey, loadOrCreateMasterKey, MASTER_KEY_FILE, readKeyFile } from '../store/crypto.ts';
import { openPostgresStore } from '../store/postgres/index.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import type { SecretCipher, Store } from '../store/types.ts';
import { describeDatabase } from './database-url.ts';

export { ExportError, ImportError, type ExportSummary, type ImportSummary } from '../store/export.ts';

export interface BackupStoreOptions {
  dataDir: string;
  /** A PostgreSQL URL; else SQLite in the data directory. */
  database?: string;
  databaseSchema?: string;
  /** PARAPET_MASTER_KEY, if set. */
  masterKey?: string;
}

const SQLITE_FILE = 'parapet.db';

/** Where the state lives, for messages: the SQLite file or the PostgreSQL URL without its password. */
export function describeStore(o: BackupStoreOptions): string {
  if (!o.database) return `${join(resolve(o.dataDir), SQLITE_FILE)} (SQLite)`;
  return `${describeDatabase(o.database)}${o.databaseSchema ? ` (schema ${o.databaseSchema})` : ''}`;
}

function open(o: BackupStoreOptions, cipher: SecretCipher): Promise<Store> {
  return o.database
    ? openPostgresStore({ connectionString: o.database, cipher, ...(o.databaseSchema ? { schema: o.databaseSchema } : {}), poolSize: 2 })
    : openSqliteStore({ filename: join(resolve(o.dataDir), SQLITE_FILE), cipher });
}

function noKey(dataDir: string): Error {
  return new Error(`no master key: set PARAPET_MASTER_KEY or put the key in ${join(resolve(dataDir), MASTER_KEY_FILE)}`);
}

/** Writes the export of the store to `write` (see `writeExport`). */
export async function exportStore(o: BackupStoreOptions, write: (chunk: string) => Promise<void> | void): Promise<ExportSummary> {
  if (o.database) describeDatabase(o.database); // a malformed URL fails here, with a clear message
  else if (!existsSync(join(resolve(o.dataDir), SQLITE_FILE)))
    throw new Error(`there is no store at ${describeStore(o)}: pass --data-dir, or --database for PostgreSQL`);
  const key = loadMasterKey(resolve(o.dataDir), o.masterKey);
  if (!key) throw noKey(o.dataDir);
  const cipher = createAesGcmCipher(key);
  const store = await open(o, cipher);
  try {
    return await writeExport(store, { cipher }, write);
  } finally {
    await store.close();
  }
}

export interface ImportStoreOptions extends BackupStoreOptions {
  /**
   * The master key file the export was made with, when the target has (or gets) another key: the secrets
   * are re-sealed with the target's key. Without a target key, a new one is created in the data directory.
   */
  sourceKeyFile?: string;
}

/** Imports an export file, given as its lines, into the (empty) store. */
export async function importStore(o: ImportStoreOptions, lines: AsyncIterable<string>): Promise<ImportSummary> {
  if (o.database) describeDatabase(o.database);
  const dataDir = resolve(o.dataDir);
  const source = await openExportLines(lines); // the header: format and version checked before anything is opened
  let sourceCipher: SecretCipher | undefined;
  if (o.sourceKeyFile !== undefined) {
    const sourceKey = readKeyFile(resolve(o.sourceKeyFile));
    if (!sourceKey) throw new Error(`the source key file ${o.sourceKeyFile} does not exist`);
    sourceCipher = createAesGcmCipher(sourceKey);
  }
  const keyPath = join(dataDir, MASTER_KEY_FILE);
  const dbFile = join(dataDir, SQLITE_FILE);
  const created = { key: !o.masterKey && !existsSync(keyPath), db: !o.database && !existsSync(dbFile) };
  // Without a target key: a new one only when re-sealing (the sealed secrets of the file need the source's).
  let key = loadMasterKey(dataDir, o.masterKey);
  if (!key && !sourceCipher)
    throw new Error(
      `no master key for the target: copy the source's master.key to ${keyPath} or set PARAPET_MASTER_KEY to it ` +
        '(or give the source key with --source-key-file to re-seal the secrets with a new key)',
    );
  // The file's key check, before anything is created or opened.
  if (sourceCipher) checkExportKey(source.header, { cipher: sourceCipher, sourceCipher });
  else if (key) checkExportKey(source.header, { cipher: createAesGcmCipher(key) });
  let store: Store | undefined;
  try {
    if (!key) {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      key = loadOrCreateMasterKey(dataDir, undefined);
    }
    const cipher = createAesGcmCipher(key);
    store = await open(o, cipher);
    return await importExport(store, source, { cipher, ...(sourceCipher ? { sourceCipher } : {}) });
  } catch (e) {
    await store?.close();
    store = undefined;
    // Nothing of a refused import stays behind: not the SQLite file it created, nor a key made for it.
    if (created.db) for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`, `${dbFile}-journal`]) rmSync(f, { force: true });
    if (created.key && key) rmSync(keyPath, { force: true });
    throw e;
  } finally {
    await store?.close();
  }
}
