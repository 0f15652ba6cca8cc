/**
 * Secrets at rest: AES-256-GCM with a master key the operator controls.
 *
 * Sealed format: `v1:` + base64url(iv[12] | tag[16] | ciphertext). A fresh random IV per value; the GCM tag
 * makes any tampering (or a wrong key) fail loudly on decrypt.
 *
 * Master-key rotation (`parapet rotate-master-key`, see `master-key-rotation.ts`) stages the new key in
 * `master.key.new` before it commits the re-encrypted secrets, and renames it over `master.key` after. A process
 * that starts in between (after a crash) finds both files: `loadMasterKey` returns the current key and attaches
 * the pending one, and `createAesGcmCipher` given that key also decrypts with the pending one. So whichever key
 * the database's secrets are sealed with at that moment, they open, and the start works without the composition
 * root (`server/serve.ts`) knowing about rotations.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SecretCipher } from './types.ts';

const VERSION_PREFIX = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export const MASTER_KEY_FILE = 'master.key';
/** The next master key while a rotation is under way (or was interrupted): written before the database switches. */
export const PENDING_MASTER_KEY_FILE = 'master.key.new';
/** The previous master key, kept by a finished rotation for the operator to deal with (old exports need it). */
export const OLD_MASTER_KEY_FILE = 'master.key.old';

/**
 * Keys a loaded master key travels with (the pending key of an interrupted rotation). Module-private and keyed
 * by the very Buffer `loadMasterKey` returned, so only that key, passed as is to `createAesGcmCipher`, gets them.
 */
const acceptedAlongside = new WeakMap<Buffer, readonly Buffer[]>();

export interface CipherOptions {
  /**
   * Keys that may also open a sealed value (never used to seal). Default: the keys `loadMasterKey` attached to
   * `key` (the pending key of an interrupted rotation), else none.
   */
  alsoDecryptWith?: readonly Buffer[];
}

export function createAesGcmCipher(key: Buffer, opts: CipherOptions = {}): SecretCipher {
  const k = checkedCopy(key); // private copy: later changes to the caller's buffer don't affect us
  const others = (opts.alsoDecryptWith ?? acceptedAlongside.get(key) ?? []).map(checkedCopy).filter((o) => !o.equals(k));
  return {
    encrypt(plain: string): string {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', k, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return VERSION_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    decrypt(sealed: string): string {
      const raw = parseSealed(sealed);
      // The GCM tag tells a wrong key apart: the sealing key is the one whose tag verifies.
      for (const candidate of [k, ...others]) {
        const plain = openWith(candidate, raw);
        if (plain !== undefined) return plain;
      }
      throw new Error('cannot decrypt secret: wrong master key or tampered data');
    },
  };
}

function checkedCopy(key: Buffer): Buffer {
  if (key.length !== KEY_BYTES) {
    throw new Error(`AES-256-GCM needs a ${KEY_BYTES}-byte key, got ${key.length} bytes`);
  }
  return Buffer.from(key);
}

/** iv | tag | ciphertext of a `v1:` value; throws on anything that is not one (no key could open it). */
function parseSealed(sealed: string): Buffer {
  if (!sealed.startsWith(VERSION_PREFIX)) {
    throw new Error('cannot decrypt secret: unknown format (expected "v1:…")');
  }
  const payload = sealed.slice(VERSION_PREFIX.length);
  if (!BASE64URL.test(payload)) throw new Error('cannot decrypt secret: payload is not base64url');
  const raw = Buffer.from(payload, 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('cannot decrypt secret: payload too short');
  return raw;
}

/** The plaintext, or undefined when the tag does not verify under `key` (another key, or tampering). */
function openWith(key: Buffer, raw: Buffer): string | undefined {
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** Parses a 32-byte key written as 64 hex characters or base64 / base64url (padding optional). */
export function parseMasterKey(text: string): Buffer | undefined {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(t)) return checkLength(Buffer.from(t, 'base64'));
  if (/^[A-Za-z0-9_-]{43}=?$/.test(t)) return checkLength(Buffer.from(t.replace(/=$/, ''), 'base64url'));
  return undefined;
}

function checkLength(b: Buffer): Buffer | undefined {
  return b.length === KEY_BYTES ? b : undefined;
}

/**
 * The master key: from `envValue` when given (64 hex chars or base64 of 32 bytes; anything else throws),
 * otherwise from `<dataDir>/master.key`, created (mode 0600, atomically) when missing.
 */
export function loadOrCreateMasterKey(dataDir: string, envValue?: string): Buffer {
  const existing = loadMasterKey(dataDir, envValue);
  if (existing) return existing;
  const path = join(dataDir, MASTER_KEY_FILE);

  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  // Write a complete temp file, then link it into place: readers never see a partial key, and when two
  // processes race, exactly one link succeeds and the other reads the winner's key.
  const tmp = join(dataDir, `${MASTER_KEY_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  writeFileSync(tmp, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  try {
    chmodSync(tmp, 0o600);
    linkSync(tmp, path);
    return key;
  } catch (e) {
    if (isErrno(e, 'EEXIST')) {
      const winner = readKeyFile(path);
      if (winner) return winner;
    }
    throw e;
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * The master key from `envValue` when given (anything but a valid key throws), otherwise from
 * `<dataDir>/master.key`; undefined when that file does not exist (nothing is created). When an interrupted
 * rotation left `<dataDir>/master.key.new`, that key is attached to the one returned: a cipher made from it
 * opens secrets sealed with either (see the top of this file).
 */
export function loadMasterKey(dataDir: string, envValue?: string): Buffer | undefined {
  const key = envValue !== undefined ? parseEnvKey(envValue) : readKeyFile(join(dataDir, MASTER_KEY_FILE));
  if (!key) return undefined;
  const pending = readKeyFile(join(dataDir, PENDING_MASTER_KEY_FILE));
  if (pending && !pending.equals(key)) acceptedAlongside.set(key, [pending]);
  return key;
}

function parseEnvKey(envValue: string): Buffer {
  const key = parseMasterKey(envValue);
  if (!key) {
    throw new Error(
      'invalid master key in the environment: expected 64 hexadecimal characters or the base64 of 32 bytes ' +
        '(generate one with `openssl rand -hex 32`)',
    );
  }
  return key;
}

/**
 * Writes `key` (hex) to `path` so that a crash leaves either the old file or the complete new one: a private temp
 * file, synced, renamed over `path`, and the directory synced so the rename itself survives a power loss.
 */
export function writeKeyFileDurably(path: string, key: Buffer): void {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeFileSync(fd, key.toString('hex') + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  syncDirectory(dirname(path));
}

/** Makes renames and links in `dir` durable (a no-op where directories cannot be synced). */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (e) {
    if (!isErrno(e, 'EISDIR') && !isErrno(e, 'EINVAL') && !isErrno(e, 'EPERM')) throw e;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A key file: 64 hex characters or base64 of 32 bytes; undefined when it does not exist, throws when invalid. */
export function readKeyFile(path: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return undefined;
    throw e;
  }
  const key = parseMasterKey(text);
  if (!key) {
    throw new Error(
      `invalid master key file ${path}: expected 64 hexadecimal characters or the base64 of 32 bytes. ` +
        'Restore the original file; replacing it makes the stored secrets unreadable.',
    );
  }
  return key;
}

function isErrno(e: unknown, code: string): boolean {
  return e instanceof Error && 'code' in e && e.code === code;
}
