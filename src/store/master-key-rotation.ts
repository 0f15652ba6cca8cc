/**
 * Master-key rotation (`parapet rotate-master-key`): every sealed secret of the store (the `sealed` columns of
 * `Store.state`: access-key secrets and STS session secrets) is re-sealed with a new master key in ONE write
 * transaction, and the new key replaces the old one where it lives (`<data-dir>/master.key`, or the operator's
 * PARAPET_MASTER_KEY, which we cannot change: the new key is handed back to be shown once).
 *
 * The crash-safe switch. The database and the key file cannot change together, so the order is:
 *
 *   1. plan:   read the current key; the next one is `master.key.new` if an earlier run left it (resume), else
 *              the operator's (--new-key-file / PARAPET_NEW_MASTER_KEY) or a fresh random one.
 *   2. reseal: in one transaction, open every secret (with the current key, or with the next one when
 *              resuming); any that opens with neither refuses the rotation before anything is written. Then,
 *              still inside the transaction, write the next key durably to `master.key.new` (temp, fsync,
 *              rename, fsync of the directory), re-seal, commit.
 *   3. confirm: read every secret back in a new snapshot with the next key alone.
 *   4. switch: file mode: hard-link `master.key` to `master.key.old`, rename `master.key.new` over
 *              `master.key`, fsync the directory. Environment mode: show the new key, then remove
 *              `master.key.new`.
 *
 * Whatever step a crash interrupts, both keys stay on disk until the database is confirmed under the new one,
 * and a process started meanwhile accepts both: `loadMasterKey` (crypto.ts) attaches `master.key.new` to the
 * current key, and the cipher made from it opens values sealed with either (the GCM tag tells which key sealed a
 * value, so no key id is stored). Running the command again finishes the switch: it reseals whatever is still
 * under the old key (secrets a server sealed meanwhile included) and moves the files. The key a value was
 * sealed with is never guessed: it is proven by the tag.
 *
 * Servers must be stopped while this runs (every replica on a shared PostgreSQL store): a running server keeps
 * sealing new secrets with the key it loaded, which would not open once the old key is gone.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  createAesGcmCipher,
  MASTER_KEY_FILE,
  OLD_MASTER_KEY_FILE,
  parseMasterKey,
  PENDING_MASTER_KEY_FILE,
  readKeyFile,
  syncDirectory,
  writeKeyFileDurably,
} from './crypto.ts';
import { openPostgresStore } from './postgres/index.ts';
import { openSqliteStore } from './sqlite/index.ts';
import type { StateRow, StateTable, StateTransfer, Store } from './types.ts';

const SQLITE_FILE = 'parapet.db';
const KEY_BYTES = 32;

/** The rotation was refused before anything changed (or, for `pending`, cannot go on as asked). */
export class RotationRefusedError extends Error {
  override name = 'RotationRefusedError';
}

export interface RotationTarget {
  dataDir: string;
  /** A PostgreSQL URL; else SQLite in the data directory. */
  database?: string;
  databaseSchema?: string;
  /** PARAPET_MASTER_KEY when set: the current key comes from it and the new one is shown instead of written. */
  masterKeyEnv?: string;
}

export interface RotationPlan {
  dataDir: string;
  mode: 'file' | 'env';
  current: Buffer;
  next: Buffer;
  /** `master.key.new` already holds `next`: an interrupted rotation is being finished. */
  resuming: boolean;
}

export interface ResealCounts {
  /** Secrets that were sealed with the current key and now are with the next one, per table. */
  perTable: Record<string, number>;
  resealed: number;
  /** Secrets already sealed with the next key (a resumed rotation whose transaction had committed). */
  alreadyNext: number;
}

export interface RotationResult extends ResealCounts {
  mode: RotationPlan['mode'];
  resumed: boolean;
  /** Secrets read back with the new key alone after the commit. */
  verified: number;
  /** File mode: where the new key and the previous one are. */
  keyFile?: string;
  oldKeyFile?: string;
}

// ---------------------------------------------------------------------------------------------------------
// 1. plan

/** A key given as text (PARAPET_NEW_MASTER_KEY, a key file's content): 64 hex chars or base64 of 32 bytes. */
export function parseNewKey(text: string, where: string): Buffer {
  const key = parseMasterKey(text);
  if (!key) throw new RotationRefusedError(`${where} is not a master key: expected 64 hexadecimal characters or the base64 of 32 bytes`);
  return key;
}

/** Reads the keys and decides what this run does; refuses (nothing changed) when the files do not allow it. */
export function planRotation(t: RotationTarget, requested?: Buffer): RotationPlan {
  const dataDir = resolve(t.dataDir);
  const mode = t.masterKeyEnv !== undefined ? 'env' : 'file';
  const current = currentKey(t, dataDir);
  const pending = readKeyFile(join(dataDir, PENDING_MASTER_KEY_FILE));
  if (pending && requested && !pending.equals(requested))
    throw new RotationRefusedError(
      `an interrupted rotation to another key is pending in ${join(dataDir, PENDING_MASTER_KEY_FILE)}: ` +
        'run the command again without --new-key-file / PARAPET_NEW_MASTER_KEY to finish it first (never delete that file)',
    );
  const next = pending ?? requested ?? randomBytes(KEY_BYTES);
  if (!pending && next.equals(current)) throw new RotationRefusedError('the new master key is the current one');
  if (mode === 'file') checkOldKeyFile(dataDir, current);
  return { dataDir, mode, current, next, resuming: pending !== undefined };
}

function currentKey(t: RotationTarget, dataDir: string): Buffer {
  if (t.masterKeyEnv !== undefined) return parseNewKey(t.masterKeyEnv, 'PARAPET_MASTER_KEY');
  const key = readKeyFile(join(dataDir, MASTER_KEY_FILE));
  if (!key)
    throw new RotationRefusedError(`no master key: set PARAPET_MASTER_KEY or put the key in ${join(dataDir, MASTER_KEY_FILE)}`);
  return key;
}

/**
 * The previous rotation's `master.key.old` may still be needed (to import exports made before it): it is never
 * overwritten. One holding the current key is this rotation's own, linked before a crash.
 */
function checkOldKeyFile(dataDir: string, current: Buffer): void {
  const path = join(dataDir, OLD_MASTER_KEY_FILE);
  const old = existsSync(path) ? readKeyFile(path) : undefined;
  if (old && !old.equals(current))
    throw new RotationRefusedError(
      `${path} (the key before an earlier rotation) is in the way: move it somewhere safe (exports made before that ` +
        'rotation need it) or delete it, then run the command again',
    );
}

// ---------------------------------------------------------------------------------------------------------
// 2. reseal

/** Opens the store the rotation works on: the one `parapet serve` would open with these options. */
export async function openRotationStore(t: RotationTarget, plan: RotationPlan): Promise<Store> {
  const cipher = createAesGcmCipher(plan.current, { alsoDecryptWith: [plan.next] });
  if (t.database)
    return openPostgresStore({ connectionString: t.database, cipher, ...(t.databaseSchema ? { schema: t.databaseSchema } : {}), poolSize: 2 });
  const file = join(plan.dataDir, SQLITE_FILE);
  if (!existsSync(file)) throw new RotationRefusedError(`there is no store at ${file}: pass --data-dir, or --database for PostgreSQL`);
  return openSqliteStore({ filename: file, cipher });
}

function stateOf(store: Store): StateTransfer {
  if (!store.state) throw new Error(`this ${store.kind} store cannot re-seal its secrets`);
  return store.state;
}

interface Reseal {
  table: string;
  key: StateRow;
  column: string;
  sealed: string;
}

/** Names a row by its primary key (ids, never the secret) for messages. */
function rowName(t: StateTable, row: StateRow): string {
  return `${t.name} ${t.key.map((k) => String(row[k])).join('/')}`;
}

/**
 * Step 2, in ONE write transaction: opens every sealed value, refuses (RotationRefusedError, nothing written)
 * when one opens with neither key, then runs `beforeCommit` (which stages the next key on disk) and re-seals.
 */
export async function resealSecrets(store: Store, plan: RotationPlan, beforeCommit: () => void | Promise<void>): Promise<ResealCounts> {
  const state = stateOf(store);
  const current = createAesGcmCipher(plan.current, { alsoDecryptWith: [] });
  const next = createAesGcmCipher(plan.next, { alsoDecryptWith: [] });
  return state.write(async (w) => {
    const updates: Reseal[] = [];
    const unreadable: string[] = [];
    const counts: ResealCounts = { perTable: {}, resealed: 0, alreadyNext: 0 };
    for (const t of state.tables) {
      const sealedColumns = t.columns.filter((c) => c.sealed).map((c) => c.name);
      if (!sealedColumns.length) continue;
      counts.perTable[t.name] = 0;
      for await (const rows of w.rows(t.name))
        for (const row of rows)
          for (const column of sealedColumns) {
            const value = String(row[column]);
            const plain = tryOpen(current, value);
            if (plain !== undefined) {
              updates.push({ table: t.name, key: keyOf(t, row), column, sealed: next.encrypt(plain) });
              counts.perTable[t.name] = (counts.perTable[t.name] ?? 0) + 1;
            } else if (tryOpen(next, value) !== undefined) counts.alreadyNext++;
            else unreadable.push(rowName(t, row));
          }
    }
    if (unreadable.length) throw refusal(plan, unreadable);
    await beforeCommit();
    for (const u of updates) await w.replaceSealed(u.table, u.key, u.column, u.sealed);
    counts.resealed = updates.length;
    return counts;
  });
}

function tryOpen(cipher: { decrypt(sealed: string): string }, sealed: string): string | undefined {
  try {
    return cipher.decrypt(sealed);
  } catch {
    return undefined;
  }
}

function keyOf(t: StateTable, row: StateRow): StateRow {
  const key: StateRow = {};
  for (const k of t.key) key[k] = row[k] ?? null;
  return key;
}

function refusal(plan: RotationPlan, unreadable: string[]): RotationRefusedError {
  const source = plan.mode === 'env' ? 'PARAPET_MASTER_KEY' : join(plan.dataDir, MASTER_KEY_FILE);
  const shown = unreadable.slice(0, 5).join(', ') + (unreadable.length > 5 ? ` and ${unreadable.length - 5} more` : '');
  return new RotationRefusedError(
    `the current master key (${source}) does not open ${unreadable.length} stored secret(s): ${shown}. ` +
      'Nothing was changed. Run the command with the key this store was written with',
  );
}

/** Writes the next key to `master.key.new` (durably) unless a resumed run already has it there. */
export function stagePendingKey(plan: RotationPlan): void {
  if (plan.resuming) return;
  mkdirSync(plan.dataDir, { recursive: true, mode: 0o700 });
  writeKeyFileDurably(join(plan.dataDir, PENDING_MASTER_KEY_FILE), plan.next);
}

// ---------------------------------------------------------------------------------------------------------
// 3. confirm

/** Step 3: every sealed value, read in a fresh snapshot, opens with the next key alone; returns how many. */
export async function confirmResealed(store: Store, next: Buffer): Promise<number> {
  const state = stateOf(store);
  const cipher = createAesGcmCipher(next, { alsoDecryptWith: [] });
  return state.read(async (r) => {
    let n = 0;
    for (const t of state.tables) {
      const sealedColumns = t.columns.filter((c) => c.sealed).map((c) => c.name);
      if (!sealedColumns.length) continue;
      for await (const rows of r.rows(t.name))
        for (const row of rows)
          for (const column of sealedColumns) {
            if (tryOpen(cipher, String(row[column])) === undefined)
              throw new Error(`after the commit, ${rowName(t, row)} does not open with the new key; run the command again`);
            n++;
          }
    }
    return n;
  });
}

/** An audit record of the rotation (counts only: no key material, no fingerprint). */
async function recordRotation(store: Store, plan: RotationPlan, counts: ResealCounts): Promise<void> {
  await store.audit.append({
    at: new Date().toISOString(),
    accountId: (await store.meta.get('managementAccountId')) ?? '000000000000',
    principalArn: 'parapet:operator',
    action: 'parapet:RotateMasterKey',
    outcome: 'Success',
    detail: { keySource: plan.mode, resumed: plan.resuming, resealed: counts.resealed, alreadyNext: counts.alreadyNext, perTable: counts.perTable },
  });
}

// ---------------------------------------------------------------------------------------------------------
// 4. switch

/**
 * File mode: the current key stays reachable as `master.key.old` (a hard link, so no copy of it is written),
 * then `master.key.new` is renamed over `master.key` in one atomic step.
 */
export function switchKeyFiles(plan: RotationPlan): { keyFile: string; oldKeyFile: string } {
  const keyFile = join(plan.dataDir, MASTER_KEY_FILE);
  const oldKeyFile = join(plan.dataDir, OLD_MASTER_KEY_FILE);
  const pendingFile = join(plan.dataDir, PENDING_MASTER_KEY_FILE);
  if (plan.current.equals(plan.next)) {
    // master.key already holds the next key (copied by hand): only the staged copy is left to remove.
    rmSync(pendingFile, { force: true });
  } else {
    if (!existsSync(oldKeyFile)) linkSync(keyFile, oldKeyFile);
    syncDirectory(plan.dataDir);
    renameSync(pendingFile, keyFile);
  }
  syncDirectory(plan.dataDir);
  return { keyFile, oldKeyFile };
}

/** Environment mode, once the new key was shown: the staged copy goes (the operator now holds the key). */
export function discardPendingKey(plan: RotationPlan): void {
  rmSync(join(plan.dataDir, PENDING_MASTER_KEY_FILE), { force: true });
  syncDirectory(plan.dataDir);
}

// ---------------------------------------------------------------------------------------------------------

export interface RotateOptions {
  /** The new key (--new-key-file, PARAPET_NEW_MASTER_KEY); default a fresh random one. */
  newKey?: Buffer;
  /**
   * Environment mode: shows the new key to the operator. Called after the commit and before the staged copy is
   * removed, so a crash before it leaves the key on disk for the next run to show.
   */
  reveal?: (key: Buffer, result: RotationResult) => void | Promise<void>;
}

/** The whole rotation, steps 1–4. */
export async function rotateMasterKey(t: RotationTarget, o: RotateOptions = {}): Promise<RotationResult> {
  const plan = planRotation(t, o.newKey);
  const store = await openRotationStore(t, plan);
  let counts: ResealCounts;
  let verified: number;
  try {
    counts = await resealSecrets(store, plan, () => stagePendingKey(plan));
    verified = await confirmResealed(store, plan.next);
    await recordRotation(store, plan, counts);
  } finally {
    await store.close();
  }
  const result: RotationResult = { ...counts, mode: plan.mode, resumed: plan.resuming, verified };
  if (plan.mode === 'file') return { ...result, ...switchKeyFiles(plan) };
  await o.reveal?.(plan.next, result);
  discardPendingKey(plan);
  return result;
}
