import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ServiceError } from '../core/errors.ts';
import { auditHash, auditHashOfNormalized, canonicalJson, GENESIS_HASH, normalizeAuditEntry } from './audit-hash.ts';

/** Rebuilds a JSON value with every object's keys inserted in reverse order. */
function reverseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (v !== null && typeof v === 'object') {
    // fromEntries defines own properties, so a "__proto__" key stays a key (assignment would set the prototype).
    return Object.fromEntries(Object.keys(v).reverse().map((k) => [k, reverseKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}

describe('canonicalJson', () => {
  it('sorts keys recursively and leaves arrays in order', () => {
    assert.equal(
      canonicalJson({ b: 1, a: [{ d: 2, c: [3, { f: null, e: 'x' }] }] }),
      '{"a":[{"c":[3,{"e":"x","f":null}],"d":2}],"b":1}',
    );
    assert.equal(canonicalJson({ B: 1, a: 2, _: 3, '10': 4, '9': 5 }), '{"10":4,"9":5,"B":1,"_":3,"a":2}');
  });

  it('follows JSON for non-JSON values', () => {
    assert.equal(canonicalJson(undefined), 'null');
    assert.equal(
      canonicalJson({ u: undefined, f: () => 1, d: new Date(0), n: Number.NaN, z: -0 }),
      '{"d":"1970-01-01T00:00:00.000Z","n":null,"z":0}',
    );
    assert.equal(canonicalJson([undefined, 'é', '\ud800']), '[null,"é","\\ud800"]');
    assert.throws(() => canonicalJson({ big: 1n }), TypeError);
  });

  it('property: independent of key order, and parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const c = canonicalJson(v);
        assert.equal(canonicalJson(reverseKeys(v)), c);
        assert.deepEqual(JSON.parse(c), JSON.parse(JSON.stringify(v)));
        assert.equal(canonicalJson(JSON.parse(c)), c);
      }),
    );
  });
});

describe('auditHash', () => {
  const fields = {
    seq: 1,
    at: '2026-01-01T00:00:00.000Z',
    accountId: '111111111111',
    principalArn: 'arn:aws:iam::111111111111:user/alice',
    action: 'bedrock:ApplyGuardrail',
    outcome: 'NONE',
    detail: { b: 1, a: [{ d: 2, c: 1 }] },
  };
  const canonical =
    '{"accountId":"111111111111","action":"bedrock:ApplyGuardrail","at":"2026-01-01T00:00:00.000Z",' +
    '"detail":{"a":[{"c":1,"d":2}],"b":1},"outcome":"NONE","principalArn":"arn:aws:iam::111111111111:user/alice","seq":1}';

  it('is sha256 hex of prevHash + canonical JSON of the fields (a fixed vector other verifiers can check)', () => {
    assert.equal(GENESIS_HASH, '0'.repeat(64));
    const expected = createHash('sha256').update(GENESIS_HASH + canonical).digest('hex');
    assert.equal(auditHash(GENESIS_HASH, fields), expected);
    assert.equal(expected, 'd2a9e4da968a2e657d3825bae9d8282dbca2bc2ccf1eede3072fd3a26d6afc61');
  });

  it('covers every field but prevHash/hash, and the previous hash', () => {
    const base = auditHash(GENESIS_HASH, fields);
    assert.equal(auditHash(GENESIS_HASH, { ...fields, prevHash: 'x', hash: 'y' } as typeof fields), base);
    assert.equal(auditHash(GENESIS_HASH, { ...fields, region: undefined }), base, 'absent and undefined are the same');
    for (const changed of [{ seq: 2 }, { outcome: 'INTERVENED' }, { region: 'us-east-1' }, { before: null }, { detail: { b: 1 } }]) {
      assert.notEqual(auditHash(GENESIS_HASH, { ...fields, ...changed }), base, JSON.stringify(changed));
    }
    assert.notEqual(auditHash('f'.repeat(64), fields), base);
  });
});

describe('normalizeAuditEntry', () => {
  const entry = { at: 'T', accountId: 'A', principalArn: 'P', action: 'X', outcome: 'O' };

  it('settles payloads to their JSON round trip and strings to what UTF-8 can carry', () => {
    assert.deepEqual(
      normalizeAuditEntry({ ...entry, region: undefined, before: null, after: undefined, detail: { d: new Date(0), u: undefined } }),
      { ...entry, before: null, detail: { d: '1970-01-01T00:00:00.000Z' } },
    );
    assert.deepEqual(normalizeAuditEntry({ ...entry, principalArn: 'a\ud800b', detail: 'c\ud800' }), {
      ...entry,
      principalArn: 'a\ufffdb',
      detail: 'c\ud800', // inside JSON text a lone surrogate survives as an escape
    });
    assert.deepEqual(normalizeAuditEntry({ ...entry, detail: () => 1 }), entry);
  });

  it('refuses payloads JSON cannot carry', () => {
    assert.throws(
      () => normalizeAuditEntry({ ...entry, detail: 1n }),
      (e: unknown) => e instanceof ServiceError && e.code === 'ValidationException',
    );
  });
});

describe('auditHashOfNormalized', () => {
  it('equals auditHash for every normalized entry (the fast path changes no hash)', () => {
    fc.assert(
      fc.property(
        fc.record({ detail: fc.jsonValue(), after: fc.option(fc.jsonValue(), { nil: undefined }), region: fc.option(fc.string(), { nil: undefined }) }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (extra, seq) => {
          const e = normalizeAuditEntry({
            at: '2026-01-01T00:00:00.000Z',
            accountId: '111111111111',
            principalArn: 'p',
            action: 'bedrock:Converse',
            outcome: 'NONE',
            ...(extra.region !== undefined ? { region: extra.region } : {}),
            detail: extra.detail,
            ...(extra.after !== undefined ? { after: extra.after } : {}),
          });
          assert.equal(auditHashOfNormalized(GENESIS_HASH, { ...e, seq }), auditHash(GENESIS_HASH, { ...e, seq }));
        },
      ),
    );
  });
});
