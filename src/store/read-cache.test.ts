import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAesGcmCipher } from './crypto.ts';
import { withReadCache } from './read-cache.ts';
import { openSqliteStore } from './sqlite/index.ts';
import type { Store } from './types.ts';

describe('read cache', () => {
  let raw: Store;
  before(async () => {
    raw = await openSqliteStore({ filename: ':memory:', cipher: createAesGcmCipher(Buffer.alloc(32, 7)) });
  });
  after(async () => raw.close());

  const policy = (n: number) => ({
    resourceArn: 'arn:aws:bedrock:us-east-1:111111111111:guardrail/abc',
    accountId: '111111111111',
    region: 'us-east-1',
    document: `{"v":${n}}`,
    updatedAt: '2026-01-01T00:00:00.000Z',
  });

  it('counts writes, not audit appends', async () => {
    const before = raw.changeCount?.() ?? -1;
    await raw.audit.append({ at: '2026-01-01T00:00:00.000Z', accountId: '111111111111', principalArn: 'p', action: 'a', outcome: 'Success' });
    assert.equal(raw.changeCount?.(), before, 'an audit append is not a change');
    await raw.resourcePolicies.put(policy(1));
    assert.equal(raw.changeCount?.(), before + 1);
  });

  it('serves repeated reads from memory until a write, and never longer than the TTL', async () => {
    let t = 0;
    let reads = 0;
    const counting: Store = {
      ...raw,
      resourcePolicies: {
        ...raw.resourcePolicies,
        get: (arn: string) => {
          reads++;
          return raw.resourcePolicies.get(arn);
        },
      },
    };
    const store = withReadCache(counting, { ttlMs: 1000, now: () => t });
    const arn = policy(1).resourceArn;
    const first = await store.resourcePolicies.get(arn);
    assert.equal((await store.resourcePolicies.get(arn))?.document, first?.document);
    assert.equal(reads, 1, 'the second read came from the cache');
    await store.resourcePolicies.put(policy(2));
    assert.equal((await store.resourcePolicies.get(arn))?.document, '{"v":2}', 'a write makes the next read fresh');
    assert.equal(reads, 2);
    t = 999;
    await store.resourcePolicies.get(arn);
    assert.equal(reads, 2);
    t = 1000;
    await store.resourcePolicies.get(arn);
    assert.equal(reads, 3, 'past the TTL the row is read again (another replica may have written)');
  });

  it('a TTL of 0 turns the cache off', () => {
    assert.equal(withReadCache(raw, { ttlMs: 0 }), raw);
  });
});
