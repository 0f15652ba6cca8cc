import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createAesGcmCipher, loadOrCreateMasterKey, parseMasterKey } from './crypto.ts';

const root = mkdtempSync(join(tmpdir(), 'parapet-crypto-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirCounter = 0;
const freshDir = (): string => join(root, `d${++dirCounter}`);

describe('createAesGcmCipher', () => {
  const key = randomBytes(32);
  const cipher = createAesGcmCipher(key);

  it('round-trips text, including empty and non-ASCII, in the v1 format', () => {
    for (const plain of ['', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'é€😀 \u0000 tail', 'x'.repeat(10_000)]) {
      const sealed = cipher.encrypt(plain);
      assert.match(sealed, /^v1:[A-Za-z0-9_-]+$/);
      assert.ok(!sealed.includes(plain) || plain === '');
      assert.equal(cipher.decrypt(sealed), plain);
      // iv(12) + tag(16) + ciphertext(len)
      assert.equal(Buffer.from(sealed.slice(3), 'base64url').length, 28 + Buffer.byteLength(plain));
    }
  });

  it('uses a fresh IV for every value', () => {
    const a = cipher.encrypt('same');
    const b = cipher.encrypt('same');
    assert.notEqual(a, b);
    assert.notDeepEqual(Buffer.from(a.slice(3), 'base64url').subarray(0, 12), Buffer.from(b.slice(3), 'base64url').subarray(0, 12));
  });

  it('detects tampering with any byte of iv, tag or ciphertext', () => {
    const sealed = cipher.encrypt('secret value');
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    for (let i = 0; i < raw.length; i++) {
      const bad = Buffer.from(raw);
      bad[i] = (bad[i] ?? 0) ^ 0x01;
      assert.throws(() => cipher.decrypt('v1:' + bad.toString('base64url')), /wrong master key or tampered/, `byte ${i}`);
    }
    assert.throws(() => cipher.decrypt('v1:' + raw.subarray(0, raw.length - 1).toString('base64url')));
  });

  it('rejects a wrong key, unknown versions and malformed payloads', () => {
    const sealed = cipher.encrypt('secret value');
    assert.throws(() => createAesGcmCipher(randomBytes(32)).decrypt(sealed), /wrong master key/);
    assert.throws(() => cipher.decrypt('v2:' + sealed.slice(3)), /unknown format/);
    assert.throws(() => cipher.decrypt(sealed.slice(3)), /unknown format/);
    assert.throws(() => cipher.decrypt('v1:'), /base64url/);
    assert.throws(() => cipher.decrypt('v1:abc+/='), /base64url/);
    assert.throws(() => cipher.decrypt('v1:' + Buffer.alloc(20).toString('base64url')), /too short/);
  });

  it('requires a 32-byte key and copies it', () => {
    assert.throws(() => createAesGcmCipher(randomBytes(16)), /32-byte key/);
    assert.throws(() => createAesGcmCipher(Buffer.alloc(0)), /32-byte key/);
    const k = randomBytes(32);
    const c = createAesGcmCipher(k);
    const sealed = c.encrypt('v');
    k.fill(0);
    assert.equal(c.decrypt(sealed), 'v');
  });
});

describe('parseMasterKey', () => {
  const key = randomBytes(32);
  it('accepts 64 hex chars and base64 / base64url of 32 bytes, trimmed', () => {
    assert.deepEqual(parseMasterKey(key.toString('hex')), key);
    assert.deepEqual(parseMasterKey(key.toString('hex').toUpperCase()), key);
    assert.deepEqual(parseMasterKey(` ${key.toString('base64')}\n`), key);
    assert.deepEqual(parseMasterKey(key.toString('base64').replace(/=$/, '')), key);
    assert.deepEqual(parseMasterKey(key.toString('base64url')), key);
  });
  it('rejects everything else', () => {
    const bad = [
      '',
      'secret',
      key.toString('hex').slice(2),
      key.toString('hex') + '00',
      'g'.repeat(64),
      randomBytes(31).toString('base64'),
      randomBytes(33).toString('base64'),
      randomBytes(48).toString('base64'),
      key.toString('base64').slice(0, 42) + '!=',
    ];
    for (const b of bad) assert.equal(parseMasterKey(b), undefined, JSON.stringify(b));
  });
});

describe('loadOrCreateMasterKey', () => {
  it('creates <dataDir>/master.key with mode 0600 and returns the same key afterwards', () => {
    const dir = freshDir();
    const key = loadOrCreateMasterKey(dir);
    assert.equal(key.length, 32);
    const file = join(dir, 'master.key');
    assert.equal(readFileSync(file, 'utf8').trim(), key.toString('hex'));
    if (process.platform !== 'win32') assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(loadOrCreateMasterKey(dir), key);
    assert.deepEqual(readdirSync(dir), ['master.key'], 'no temp files left behind');
    assert.notDeepEqual(loadOrCreateMasterKey(freshDir()), key, 'each data dir gets its own random key');
  });

  it('reads an existing key file written as base64', () => {
    const dir = freshDir();
    loadOrCreateMasterKey(dir); // creates the directory
    const key = randomBytes(32);
    writeFileSync(join(dir, 'master.key'), key.toString('base64'));
    assert.deepEqual(loadOrCreateMasterKey(dir), key);
  });

  it('refuses a corrupt key file instead of replacing it', () => {
    const dir = freshDir();
    loadOrCreateMasterKey(dir);
    writeFileSync(join(dir, 'master.key'), 'not a key');
    assert.throws(() => loadOrCreateMasterKey(dir), /invalid master key file/);
    assert.equal(readFileSync(join(dir, 'master.key'), 'utf8'), 'not a key');
  });

  it('prefers a valid environment value and then touches no file', () => {
    const dir = freshDir();
    const key = randomBytes(32);
    assert.deepEqual(loadOrCreateMasterKey(dir, key.toString('hex')), key);
    assert.deepEqual(loadOrCreateMasterKey(dir, key.toString('base64')), key);
    assert.equal(existsSync(dir), false);
  });

  it('throws a clear error for a bad environment value, even when a key file exists', () => {
    const dir = freshDir();
    loadOrCreateMasterKey(dir);
    for (const bad of ['', 'changeme', 'ab'.repeat(31), randomBytes(16).toString('base64')]) {
      assert.throws(() => loadOrCreateMasterKey(dir, bad), /invalid master key in the environment: expected 64 hex/);
    }
  });
});
