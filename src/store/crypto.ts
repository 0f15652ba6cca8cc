/**
 * Secrets at rest: AES-256-GCM with a master key the operator controls.
 *
 * Sealed format: `v1:` + base64url(iv[12] | tag[16] | ciphertext). A fresh random IV per value; the GCM tag
 * makes any tampering (or a wrong key) fail loudly on decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretCipher } from './types.ts';

const VERSION_PREFIX = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export const MASTER_KEY_FILE = 'master.key';

export function createAesGcmCipher(key: Buffer): SecretCipher {
  if (key.length !== KEY_BYTES) {
    throw new Error(`AES-256-GCM needs a ${KEY_BYTES}-byte key, got ${key.length} bytes`);
  }
  const k = Buffer.from(key); // private copy: later changes to the caller's buffer don't affect us
  return {
    encrypt(plain: string): string {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', k, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return VERSION_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    decrypt(sealed: string): string {
      if (!sealed.startsWith(VERSION_PREFIX)) {
        throw new Error('cannot decrypt secret: unknown format (expected "v1:…")');
      }
      const payload = sealed.slice(VERSION_PREFIX.length);
      if (!BASE64URL.test(payload)) throw new Error('cannot decrypt secret: payload is not base64url');
      const raw = Buffer.from(payload, 'base64url');
      if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('cannot decrypt secret: payload too short');
      const decipher = createDecipheriv('aes-256-gcm', k, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch (cause) {
        throw new Error('cannot decrypt secret: wrong master key or tampered data', { cause });
      }
    },
  };
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
 * `<dataDir>/master.key`; undefined when that file does not exist (nothing is created).
 */
export function loadMasterKey(dataDir: string, envValue?: string): Buffer | undefined {
  if (envValue !== undefined) {
    const key = parseMasterKey(envValue);
    if (!key) {
      throw new Error(
        'invalid master key in the environment: expected 64 hexadecimal characters or the base64 of 32 bytes ' +
          '(generate one with `openssl rand -hex 32`)',
      );
    }
    return key;
  }
  return readKeyFile(join(dataDir, MASTER_KEY_FILE));
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
