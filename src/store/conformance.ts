/**
 * The one conformance suite every Store implementation runs (SQLite, PostgreSQL…):
 *
 *   runStoreConformance('sqlite (memory)', () => openSqliteStore(...), { rawSql, cipher });
 *
 * `open` must return a new, EMPTY store on every call; each case closes the store it opened.
 * Besides guardrails it covers organizations, IAM principals, STS sessions, resource policies, enforcement
 * configs and the hash-chained audit trail (append-only even to raw SQL; tampering found by verify()).
 * `rawSql` (TEST-ONLY escape hatch) lets the suite prove database-level guarantees: versions immutable
 * even to raw UPDATEs, secrets sealed at rest. `cipher` is the SecretCipher the opener gives the store.
 * Without them those cases are reported as skipped, never silently passed.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ServiceError, type ErrorCode } from '../core/errors.ts';
import type { GuardrailConfig } from '../engine/config/types.ts';
import { auditHash, GENESIS_HASH, normalizeAuditEntry } from './audit-hash.ts';
import { createAesGcmCipher } from './crypto.ts';
import type {
  AccessKeyRecord,
  AuditEntry,
  AuditQuery,
  AuditRecord,
  CreateAccountStatusRecord,
  EnforcementConfigRecord,
  GuardrailRecord,
  MembershipRecord,
  OrganizationRecord,
  OrgPolicyRecord,
  OrgUnitRecord,
  PrincipalRecord,
  ResourcePolicyRecord,
  SecretCipher,
  SessionRecord,
  Store,
  Tag,
  UnsafeRawSql,
} from './types.ts';

export interface ConformanceOptions {
  /** TEST-ONLY: raw SQL against the store under test. */
  rawSql?: (store: Store) => UnsafeRawSql;
  /** The cipher `open` passes to the store. */
  cipher?: SecretCipher;
}

const ACCT = '111111111111';
const OTHER_ACCT = '222222222222';
const REGION = 'us-east-1';
const OTHER_REGION = 'eu-west-1';
const T0 = Date.UTC(2026, 0, 1);

const at = (second: number): string => new Date(T0 + second * 1000).toISOString();

function config(name: string, extra: Partial<GuardrailConfig> = {}): GuardrailConfig {
  return {
    name,
    blockedInputMessaging: 'Sorry, I cannot help with that.',
    blockedOutputsMessaging: 'Sorry, I cannot answer that.',
    ...extra,
  };
}

interface GuardrailFixture {
  id: string;
  name?: string;
  accountId?: string;
  region?: string;
  createdAt?: string;
  config?: GuardrailConfig;
}

function guardrail(f: GuardrailFixture): GuardrailRecord {
  const accountId = f.accountId ?? ACCT;
  const region = f.region ?? REGION;
  const createdAt = f.createdAt ?? at(0);
  return {
    accountId,
    region,
    guardrailId: f.id,
    arn: `arn:aws:bedrock:${region}:${accountId}:guardrail/${f.id}`,
    config: f.config ?? config(f.name ?? `name-${f.id}`),
    status: 'READY',
    latestVersion: 0,
    createdAt,
    updatedAt: createdAt,
  };
}

function rejectsWith(code: ErrorCode, members: Record<string, string | number> = {}) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof ServiceError, `expected a ServiceError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const [k, v] of Object.entries(members)) assert.equal(e.members[k], v);
    return true;
  };
}

function withStore(open: () => Promise<Store>, fn: (s: Store) => Promise<void>): () => Promise<void> {
  return async () => {
    const store = await open();
    try {
      await fn(store);
    } finally {
      await store.close();
    }
  };
}

export function runStoreConformance(name: string, open: () => Promise<Store>, options: ConformanceOptions = {}): void {
  const test = (title: string, fn: (s: Store) => Promise<void>): void => {
    it(title, withStore(open, fn));
  };
  const rawTest = (title: string, fn: (s: Store, raw: UnsafeRawSql) => Promise<void>): void => {
    const { rawSql } = options;
    if (!rawSql) {
      it(title, { skip: 'no rawSql escape hatch given to runStoreConformance' }, () => {});
      return;
    }
    test(title, (s) => fn(s, rawSql(s)));
  };

  /** Creates a guardrail with no token, generous limits. */
  const create = (s: Store, f: GuardrailFixture, tags?: Tag[]): Promise<GuardrailRecord> =>
    s.guardrails.create({ record: guardrail(f), requestHash: `h-${f.id}`, maxPerAccountRegion: 1000, tags });
  const publish = (s: Store, id: string, extra: { token?: string; hash?: string; max?: number; description?: string } = {}) =>
    s.guardrails.createVersion({
      accountId: ACCT,
      region: REGION,
      guardrailId: id,
      createdAt: at(100),
      clientRequestToken: extra.token,
      requestHash: extra.hash ?? 'vh',
      maxVersions: extra.max ?? 20,
      description: extra.description,
    });
  const versionNumbers = async (s: Store, id: string): Promise<number[]> =>
    (await s.guardrails.listVersions(ACCT, REGION, id, { maxResults: 1000 })).items.map((v) => v.version);

  describe(`${name}: store conformance`, () => {
    test('declares its kind', async (s) => {
      assert.ok(s.kind === 'sqlite' || s.kind === 'postgres');
    });

    describe('accounts', () => {
      test('create, get and list in creation order', async (s) => {
        await s.accounts.create({ accountId: '3', name: 'c', role: 'member', createdAt: at(2) });
        await s.accounts.create({ accountId: '2', name: 'b', email: 'b@example.com', role: 'member', createdAt: at(1) });
        await s.accounts.create({ accountId: '1', name: 'a', role: 'management', createdAt: at(2) });
        assert.deepEqual(await s.accounts.get('2'), {
          accountId: '2',
          name: 'b',
          email: 'b@example.com',
          role: 'member',
          createdAt: at(1),
        });
        assert.deepEqual(await s.accounts.get('1'), { accountId: '1', name: 'a', role: 'management', createdAt: at(2) });
        assert.equal(await s.accounts.get('9'), undefined);
        assert.deepEqual(
          (await s.accounts.list()).map((a) => a.accountId),
          ['2', '1', '3'],
        );
      });

      test('a duplicate account id is a conflict', async (s) => {
        await s.accounts.create({ accountId: ACCT, name: 'a', role: 'member', createdAt: at(0) });
        await assert.rejects(
          s.accounts.create({ accountId: ACCT, name: 'other', role: 'member', createdAt: at(1) }),
          rejectsWith('ConflictException'),
        );
        assert.equal((await s.accounts.get(ACCT))?.name, 'a');
      });
    });

    describe('access keys', () => {
      const key = (id: string, accountId = ACCT, createdAt = at(0)): AccessKeyRecord => ({
        accessKeyId: id,
        accountId,
        principalArn: `arn:aws:iam::${accountId}:user/alice`,
        secretAccessKey: `secret/${id}+wJalrXUtnFEMI/K7MDENG/bPxRfiCY`,
        status: 'Active',
        createdAt,
      });
      const withAccounts = async (s: Store): Promise<void> => {
        await s.accounts.create({ accountId: ACCT, name: 'a', role: 'member', createdAt: at(0) });
        await s.accounts.create({ accountId: OTHER_ACCT, name: 'b', role: 'member', createdAt: at(0) });
      };

      test('round-trips with the plaintext secret, lists per account in order, changes status, deletes', async (s) => {
        await withAccounts(s);
        await s.accessKeys.create(key('AKIAB', ACCT, at(2)));
        await s.accessKeys.create(key('AKIAA', ACCT, at(2)));
        await s.accessKeys.create(key('AKIAC', ACCT, at(1)));
        await s.accessKeys.create(key('AKIAX', OTHER_ACCT));
        assert.deepEqual(await s.accessKeys.get('AKIAB'), key('AKIAB', ACCT, at(2)));
        assert.deepEqual(
          (await s.accessKeys.listForAccount(ACCT)).map((k) => k.accessKeyId),
          ['AKIAC', 'AKIAA', 'AKIAB'],
        );
        await s.accessKeys.setStatus('AKIAA', 'Inactive');
        assert.equal((await s.accessKeys.get('AKIAA'))?.status, 'Inactive');
        assert.equal((await s.accessKeys.get('AKIAB'))?.status, 'Active');
        await s.accessKeys.delete('AKIAA');
        await s.accessKeys.delete('AKIAA'); // deleting again is a no-op
        assert.equal(await s.accessKeys.get('AKIAA'), undefined);
        assert.deepEqual(
          (await s.accessKeys.listForAccount(OTHER_ACCT)).map((k) => k.accessKeyId),
          ['AKIAX'],
        );
        assert.deepEqual(await s.accessKeys.listForAccount('999999999999'), []);
      });

      test('rejects unknown accounts, duplicate ids and status changes of unknown keys', async (s) => {
        await withAccounts(s);
        await assert.rejects(s.accessKeys.create(key('AKIA1', '999999999999')), rejectsWith('ResourceNotFoundException'));
        await s.accessKeys.create(key('AKIA1'));
        await assert.rejects(s.accessKeys.create(key('AKIA1', OTHER_ACCT)), rejectsWith('ConflictException'));
        assert.equal((await s.accessKeys.get('AKIA1'))?.accountId, ACCT);
        await assert.rejects(s.accessKeys.setStatus('AKIA404', 'Inactive'), rejectsWith('ResourceNotFoundException'));
      });

      rawTest('stores only the sealed secret, with a fresh IV per value', async (s, raw) => {
        await withAccounts(s);
        const a = key('AKIAA');
        const b = { ...key('AKIAB'), secretAccessKey: a.secretAccessKey };
        await s.accessKeys.create(a);
        await s.accessKeys.create(b);
        const rows = await raw('SELECT * FROM access_keys');
        assert.equal(rows.length, 2);
        const cells = rows.flatMap((r) => Object.values(r)).map((v) => String(v));
        assert.ok(cells.every((c) => !c.includes(a.secretAccessKey) && !c.includes('wJalrXUtnFEMI')));
        const sealed = rows.map((r) => r['secret_sealed']);
        assert.equal(typeof sealed[0], 'string');
        assert.notEqual(sealed[0], sealed[1], 'same secret, same sealed value: the IV is not random');
        if (options.cipher && typeof sealed[0] === 'string') {
          assert.equal(options.cipher.decrypt(sealed[0]), a.secretAccessKey);
          const wrong = createAesGcmCipher(randomBytes(32));
          assert.throws(() => wrong.decrypt(sealed[0] as string));
        }
      });

      rawTest('a secret sealed under another key fails to decrypt instead of returning garbage', async (s, raw) => {
        await withAccounts(s);
        await s.accessKeys.create(key('AKIAA'));
        const foreign = createAesGcmCipher(randomBytes(32)).encrypt('attacker-chosen-secret');
        await raw(`UPDATE access_keys SET secret_sealed = '${foreign}' WHERE access_key_id = 'AKIAA'`);
        await assert.rejects(s.accessKeys.get('AKIAA'), /AKIAA/);
      });
    });

    describe('guardrails: create, get, update', () => {
      test('create returns the stored record; get is scoped by account and region', async (s) => {
        const rec = guardrail({
          id: 'g1',
          config: config('one', {
            description: 'd',
            wordPolicyConfig: { wordsConfig: [{ text: 'bad' }], managedWordListsConfig: [{ type: 'PROFANITY' }] },
          }),
        });
        const created = await s.guardrails.create({ record: rec, requestHash: 'h', maxPerAccountRegion: 100 });
        assert.deepEqual(created, rec);
        assert.deepEqual(await s.guardrails.get(ACCT, REGION, 'g1'), rec);
        assert.equal(await s.guardrails.get(ACCT, OTHER_REGION, 'g1'), undefined);
        assert.equal(await s.guardrails.get(OTHER_ACCT, REGION, 'g1'), undefined);
        assert.equal(await s.guardrails.get(ACCT, REGION, 'nope'), undefined);
      });

      test('names are unique per account and region', async (s) => {
        await create(s, { id: 'g1', name: 'shared' });
        await assert.rejects(create(s, { id: 'g2', name: 'shared' }), rejectsWith('ConflictException'));
        assert.equal(await s.guardrails.get(ACCT, REGION, 'g2'), undefined);
        await create(s, { id: 'g3', name: 'shared', region: OTHER_REGION });
        await create(s, { id: 'g4', name: 'shared', accountId: OTHER_ACCT });
      });

      test('updateDraft replaces the config, keeps identity, enforces name uniqueness', async (s) => {
        await create(s, { id: 'g1', name: 'one', createdAt: at(1) });
        await create(s, { id: 'g2', name: 'two', createdAt: at(2) });
        const next = config('uno', { description: 'renamed', topicPolicyConfig: { topicsConfig: [] } });
        const updated = await s.guardrails.updateDraft(ACCT, REGION, 'g1', next, at(50));
        assert.deepEqual(updated, { ...guardrail({ id: 'g1', createdAt: at(1), config: next }), updatedAt: at(50) });
        assert.deepEqual(await s.guardrails.get(ACCT, REGION, 'g1'), updated);
        await assert.rejects(
          s.guardrails.updateDraft(ACCT, REGION, 'g1', config('two'), at(51)),
          rejectsWith('ConflictException'),
        );
        assert.equal((await s.guardrails.get(ACCT, REGION, 'g1'))?.config.name, 'uno');
        // keeping its own name is fine; the old name is free again
        assert.ok(await s.guardrails.updateDraft(ACCT, REGION, 'g1', config('uno'), at(52)));
        await create(s, { id: 'g3', name: 'one' });
        assert.equal(await s.guardrails.updateDraft(ACCT, REGION, 'nope', config('x'), at(53)), undefined);
        assert.equal(await s.guardrails.updateDraft(ACCT, OTHER_REGION, 'g1', config('x'), at(53)), undefined);
      });

      test('quota per account and region', async (s) => {
        const make = (id: string, region = REGION) =>
          s.guardrails.create({ record: guardrail({ id, region }), requestHash: id, maxPerAccountRegion: 3 });
        await make('a');
        await make('b');
        await make('c');
        await assert.rejects(make('d'), rejectsWith('ServiceQuotaExceededException'));
        assert.equal(await s.guardrails.get(ACCT, REGION, 'd'), undefined);
        await make('e', OTHER_REGION);
        assert.equal(await s.guardrails.delete(ACCT, REGION, 'a'), true);
        await make('d');
      });

      test('idempotent create: same token and hash return the first guardrail; another hash is a conflict', async (s) => {
        const first = await s.guardrails.create({
          record: guardrail({ id: 'g1', name: 'idem' }),
          clientRequestToken: 'tok-1',
          requestHash: 'H',
          maxPerAccountRegion: 1,
        });
        // a retry carries a freshly generated id and timestamps; the store answers with the original
        const retry = await s.guardrails.create({
          record: guardrail({ id: 'g2', name: 'idem', createdAt: at(9) }),
          clientRequestToken: 'tok-1',
          requestHash: 'H',
          maxPerAccountRegion: 1, // already full: a retry is not a new guardrail
        });
        assert.deepEqual(retry, first);
        assert.equal(await s.guardrails.get(ACCT, REGION, 'g2'), undefined);
        await assert.rejects(
          s.guardrails.create({
            record: guardrail({ id: 'g3', name: 'different' }),
            clientRequestToken: 'tok-1',
            requestHash: 'OTHER',
            maxPerAccountRegion: 100,
          }),
          rejectsWith('ConflictException'),
        );
        // the token is scoped to account+region
        const elsewhere = await s.guardrails.create({
          record: guardrail({ id: 'g4', name: 'idem', region: OTHER_REGION }),
          clientRequestToken: 'tok-1',
          requestHash: 'H',
          maxPerAccountRegion: 1,
        });
        assert.equal(elsewhere.guardrailId, 'g4');
        const all = await s.guardrails.list(ACCT, REGION, { maxResults: 100 });
        assert.deepEqual(
          all.items.map((g) => g.guardrailId),
          ['g1'],
        );
      });

      test('create stores tags atomically and enforces maxTags', async (s) => {
        const tags = [
          { key: 'team', value: 'ml' },
          { key: 'env', value: 'prod' },
        ];
        const g = await create(s, { id: 'g1' }, tags);
        assert.deepEqual(await s.tags.list(g.arn), [
          { key: 'env', value: 'prod' },
          { key: 'team', value: 'ml' },
        ]);
        const rec = guardrail({ id: 'g2' });
        await assert.rejects(
          s.guardrails.create({ record: rec, requestHash: 'h', maxPerAccountRegion: 100, tags, maxTags: 1 }),
          rejectsWith('TooManyTagsException', { resourceName: rec.arn }),
        );
        assert.equal(await s.guardrails.get(ACCT, REGION, 'g2'), undefined);
        assert.deepEqual(await s.tags.list(rec.arn), []);
      });
    });

    describe('guardrails: list', () => {
      test('pages in (createdAt, id) order for every page size, scoped to account+region', async (s) => {
        // ties on createdAt are broken by id
        const plan: [string, number][] = [['e', 3], ['b', 1], ['d', 1], ['a', 5], ['c', 1], ['g', 0], ['f', 3]];
        for (const [id, sec] of plan) await create(s, { id, createdAt: at(sec) });
        await create(s, { id: 'x', region: OTHER_REGION });
        await create(s, { id: 'y', accountId: OTHER_ACCT });
        const expected = ['g', 'b', 'c', 'd', 'e', 'f', 'a'];
        for (let size = 1; size <= expected.length + 1; size++) {
          const seen: string[] = [];
          let token: string | undefined;
          let pages = 0;
          do {
            const page = await s.guardrails.list(ACCT, REGION, { maxResults: size, nextToken: token });
            assert.ok(page.items.length <= size);
            assert.ok(page.items.length > 0, 'no empty pages');
            seen.push(...page.items.map((g) => g.guardrailId));
            token = page.nextToken;
            pages++;
          } while (token !== undefined && pages < 20);
          assert.deepEqual(seen, expected, `maxResults=${size}`);
          assert.equal(pages, Math.ceil(expected.length / size), `maxResults=${size}`);
        }
        const empty = await s.guardrails.list(OTHER_ACCT, OTHER_REGION, { maxResults: 10 });
        assert.deepEqual(empty, { items: [] });
      });

      test('a page token stays valid when the previous last item is deleted', async (s) => {
        for (const [i, id] of ['a', 'b', 'c', 'd'].entries()) await create(s, { id, createdAt: at(i) });
        const first = await s.guardrails.list(ACCT, REGION, { maxResults: 2 });
        assert.deepEqual(
          first.items.map((g) => g.guardrailId),
          ['a', 'b'],
        );
        await s.guardrails.delete(ACCT, REGION, 'b');
        const second = await s.guardrails.list(ACCT, REGION, { maxResults: 2, nextToken: first.nextToken });
        assert.deepEqual(
          second.items.map((g) => g.guardrailId),
          ['c', 'd'],
        );
        assert.equal(second.nextToken, undefined);
      });

      test('invalid tokens and page sizes are validation errors', async (s) => {
        for (const [i, id] of ['a', 'b', 'c'].entries()) await create(s, { id, createdAt: at(i) });
        const page = await s.guardrails.list(ACCT, REGION, { maxResults: 1 });
        assert.ok(page.nextToken);
        await publish(s, 'a');
        await publish(s, 'a');
        const versionToken = (await s.guardrails.listVersions(ACCT, REGION, 'a', { maxResults: 1 })).nextToken;
        assert.ok(versionToken);
        const bad = [
          'not a token',
          '!!!!',
          Buffer.from('{"a":1}').toString('base64url'),
          Buffer.from('["g",1,2]').toString('base64url'),
          versionToken,
          'x'.repeat(5000),
        ];
        for (const nextToken of bad) {
          await assert.rejects(
            s.guardrails.list(ACCT, REGION, { maxResults: 1, nextToken }),
            rejectsWith('ValidationException'),
          );
        }
        await assert.rejects(
          s.guardrails.listVersions(ACCT, REGION, 'a', { maxResults: 1, nextToken: page.nextToken }),
          rejectsWith('ValidationException'),
        );
        await assert.rejects(s.guardrails.list(ACCT, REGION, { maxResults: 0 }), rejectsWith('ValidationException'));
        await assert.rejects(s.guardrails.list(ACCT, REGION, { maxResults: 1.5 }), rejectsWith('ValidationException'));
      });
    });

    describe('guardrails: versions', () => {
      test('a version is a frozen snapshot of the DRAFT at publish time', async (s) => {
        const draft1 = config('one', { description: 'first', contentPolicyConfig: { filtersConfig: [] } });
        await create(s, { id: 'g1', config: draft1 });
        const v1 = await publish(s, 'g1', { description: 'v1 notes' });
        assert.deepEqual(v1, {
          accountId: ACCT,
          region: REGION,
          guardrailId: 'g1',
          version: 1,
          description: 'v1 notes',
          config: draft1,
          createdAt: at(100),
          updatedAt: at(100),
        });
        assert.equal((await s.guardrails.get(ACCT, REGION, 'g1'))?.latestVersion, 1);
        const draft2 = config('one', { description: 'second' });
        await s.guardrails.updateDraft(ACCT, REGION, 'g1', draft2, at(200));
        assert.deepEqual(await s.guardrails.getVersion(ACCT, REGION, 'g1', 1), v1);
        const v2 = await publish(s, 'g1');
        assert.equal(v2?.version, 2);
        assert.deepEqual(v2?.config, draft2);
        assert.equal(v2 !== undefined && 'description' in v2, false);
        assert.equal(await s.guardrails.getVersion(ACCT, REGION, 'g1', 3), undefined);
        assert.equal(await s.guardrails.getVersion(ACCT, OTHER_REGION, 'g1', 1), undefined);
        assert.equal(await publish(s, 'nope'), undefined);
      });

      test('version numbers are never reused', async (s) => {
        await create(s, { id: 'g1' });
        await publish(s, 'g1');
        await publish(s, 'g1');
        assert.equal(await s.guardrails.deleteVersion(ACCT, REGION, 'g1', 2), true);
        assert.equal(await s.guardrails.deleteVersion(ACCT, REGION, 'g1', 2), false);
        assert.equal((await publish(s, 'g1'))?.version, 3);
        await s.guardrails.deleteVersion(ACCT, REGION, 'g1', 3);
        await s.guardrails.deleteVersion(ACCT, REGION, 'g1', 1);
        assert.deepEqual(await versionNumbers(s, 'g1'), []);
        assert.equal((await publish(s, 'g1'))?.version, 4);
        assert.deepEqual(await versionNumbers(s, 'g1'), [4]);
        assert.equal((await s.guardrails.get(ACCT, REGION, 'g1'))?.latestVersion, 4);
        assert.equal(await s.guardrails.deleteVersion(ACCT, REGION, 'nope', 1), false);
      });

      test('maxVersions counts existing versions', async (s) => {
        await create(s, { id: 'g1' });
        await publish(s, 'g1', { max: 2 });
        await publish(s, 'g1', { max: 2 });
        await assert.rejects(publish(s, 'g1', { max: 2 }), rejectsWith('ServiceQuotaExceededException'));
        assert.equal((await s.guardrails.get(ACCT, REGION, 'g1'))?.latestVersion, 2);
        await s.guardrails.deleteVersion(ACCT, REGION, 'g1', 1);
        assert.equal((await publish(s, 'g1', { max: 2 }))?.version, 3);
      });

      test('idempotent publish: same token and hash return the same version; another hash is a conflict', async (s) => {
        await create(s, { id: 'g1' });
        await create(s, { id: 'g2' });
        const v = await publish(s, 'g1', { token: 'tok', hash: 'H', max: 1 });
        assert.deepEqual(await publish(s, 'g1', { token: 'tok', hash: 'H', max: 1 }), v);
        await assert.rejects(publish(s, 'g1', { token: 'tok', hash: 'X' }), rejectsWith('ConflictException'));
        assert.deepEqual(await versionNumbers(s, 'g1'), [1]);
        // the token is scoped to the guardrail
        assert.equal((await publish(s, 'g2', { token: 'tok', hash: 'H' }))?.version, 1);
        assert.equal((await publish(s, 'g1', { token: 'tok2', hash: 'H' }))?.version, 2);
      });

      test('listVersions pages in ascending order for every page size', async (s) => {
        await create(s, { id: 'g1' });
        await create(s, { id: 'g2' });
        for (let i = 0; i < 6; i++) await publish(s, 'g1');
        await publish(s, 'g2');
        await s.guardrails.deleteVersion(ACCT, REGION, 'g1', 2);
        const expected = [1, 3, 4, 5, 6];
        for (let size = 1; size <= expected.length + 1; size++) {
          const seen: number[] = [];
          let token: string | undefined;
          let pages = 0;
          do {
            const page = await s.guardrails.listVersions(ACCT, REGION, 'g1', { maxResults: size, nextToken: token });
            assert.ok(page.items.length <= size && page.items.length > 0);
            seen.push(...page.items.map((v) => v.version));
            token = page.nextToken;
            pages++;
          } while (token !== undefined && pages < 20);
          assert.deepEqual(seen, expected, `maxResults=${size}`);
        }
        assert.deepEqual(await s.guardrails.listVersions(ACCT, REGION, 'nope', { maxResults: 5 }), { items: [] });
      });

      test('deleting a guardrail removes its versions, tags and idempotency tokens', async (s) => {
        const g = await s.guardrails.create({
          record: guardrail({ id: 'g1', name: 'doomed' }),
          clientRequestToken: 'tok',
          requestHash: 'H',
          maxPerAccountRegion: 100,
          tags: [{ key: 'k', value: 'v' }],
        });
        await create(s, { id: 'keep' }, [{ key: 'k', value: 'v' }]);
        await publish(s, 'g1', { token: 'vtok' });
        await publish(s, 'keep');
        assert.equal(await s.guardrails.delete(ACCT, REGION, 'g1'), true);
        assert.equal(await s.guardrails.get(ACCT, REGION, 'g1'), undefined);
        assert.equal(await s.guardrails.getVersion(ACCT, REGION, 'g1', 1), undefined);
        assert.deepEqual(await s.tags.list(g.arn), []);
        assert.equal(await s.guardrails.delete(ACCT, REGION, 'g1'), false);
        // the rest is untouched
        assert.deepEqual(await versionNumbers(s, 'keep'), [1]);
        assert.equal((await s.tags.list(guardrail({ id: 'keep' }).arn)).length, 1);
        // the token is free again: the same request creates a new guardrail, with the name free too
        const again = await s.guardrails.create({
          record: guardrail({ id: 'g9', name: 'doomed' }),
          clientRequestToken: 'tok',
          requestHash: 'H',
          maxPerAccountRegion: 100,
        });
        assert.equal(again.guardrailId, 'g9');
      });
    });

    describe('tags', () => {
      const ARN = `arn:aws:bedrock:${REGION}:${ACCT}:guardrail/tagged`;

      test('put upserts by key, list sorts by key, remove ignores unknown keys', async (s) => {
        assert.deepEqual(await s.tags.list(ARN), []);
        await s.tags.put(ARN, [{ key: 'b', value: '1' }, { key: 'a', value: '2' }], 50);
        await s.tags.put(ARN, [{ key: 'b', value: 'updated' }, { key: 'c', value: '' }], 50);
        assert.deepEqual(await s.tags.list(ARN), [
          { key: 'a', value: '2' },
          { key: 'b', value: 'updated' },
          { key: 'c', value: '' },
        ]);
        await s.tags.remove(ARN, ['a', 'zzz']);
        await s.tags.remove(ARN, []);
        assert.deepEqual(
          (await s.tags.list(ARN)).map((t) => t.key),
          ['b', 'c'],
        );
        assert.deepEqual(await s.tags.list(`${ARN}-other`), []);
      });

      test('maxTags counts distinct keys after the upsert; over the limit nothing changes', async (s) => {
        await s.tags.put(ARN, [{ key: 'a', value: '1' }, { key: 'b', value: '1' }], 3);
        await assert.rejects(
          s.tags.put(ARN, [{ key: 'c', value: '1' }, { key: 'd', value: '1' }], 3),
          rejectsWith('TooManyTagsException', { resourceName: ARN }),
        );
        assert.deepEqual(
          (await s.tags.list(ARN)).map((t) => t.key),
          ['a', 'b'],
        );
        // overwriting existing keys and duplicate keys in one call do not count twice; the last one wins
        await s.tags.put(ARN, [{ key: 'a', value: '2' }, { key: 'c', value: 'x' }, { key: 'c', value: 'y' }], 3);
        assert.deepEqual(await s.tags.list(ARN), [
          { key: 'a', value: '2' },
          { key: 'b', value: '1' },
          { key: 'c', value: 'y' },
        ]);
      });
    });

    describe('meta', () => {
      test('get, set, overwrite', async (s) => {
        assert.equal(await s.meta.get('k'), undefined);
        await s.meta.set('k', 'v1');
        await s.meta.set('k', 'v2');
        await s.meta.set('other', '');
        assert.equal(await s.meta.get('k'), 'v2');
        assert.equal(await s.meta.get('other'), '');
      });
      test('claim: the first value wins, every claimer learns it', async (s) => {
        const results = await Promise.all(['a', 'b', 'c', 'd'].map((v) => s.meta.claim('bootstrap', v)));
        const winner = await s.meta.get('bootstrap');
        assert.ok(winner && ['a', 'b', 'c', 'd'].includes(winner));
        assert.deepEqual(results, [winner, winner, winner, winner]);
        assert.equal(await s.meta.claim('bootstrap', 'late'), winner);
      });
    });

    describe('concurrency', () => {
      test('30 parallel publishes against a limit of 20: exactly 20 succeed, numbers 1..20', async (s) => {
        await create(s, { id: 'g1' });
        const results = await Promise.allSettled(Array.from({ length: 30 }, () => publish(s, 'g1', { max: 20 })));
        const numbers = results.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value.version] : []));
        assert.deepEqual(
          [...numbers].sort((a, b) => a - b),
          Array.from({ length: 20 }, (_, i) => i + 1),
        );
        for (const r of results) {
          if (r.status === 'rejected') rejectsWith('ServiceQuotaExceededException')(r.reason);
        }
        assert.equal(results.filter((r) => r.status === 'rejected').length, 10);
        assert.equal((await versionNumbers(s, 'g1')).length, 20);
      });

      test('150 parallel creates against a limit of 100: exactly 100 succeed', async (s) => {
        const results = await Promise.allSettled(
          Array.from({ length: 150 }, (_, i) =>
            s.guardrails.create({
              record: guardrail({ id: `g${i}`, createdAt: at(i) }),
              requestHash: `h${i}`,
              maxPerAccountRegion: 100,
              // varied request shapes vary the interleaving of the check-then-insert steps
              clientRequestToken: i % 2 === 1 ? `tok${i}` : undefined,
              tags: i % 3 === 0 ? [{ key: 'k', value: `${i}` }] : undefined,
            }),
          ),
        );
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 100);
        for (const r of results) {
          if (r.status === 'rejected') rejectsWith('ServiceQuotaExceededException')(r.reason);
        }
        const listed = await s.guardrails.list(ACCT, REGION, { maxResults: 1000 });
        assert.equal(listed.items.length, 100);
      });

      test('parallel retries of one request create one guardrail and one version', async (s) => {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            s.guardrails.create({
              record: guardrail({ id: `g${i}`, name: 'same' }),
              clientRequestToken: 'tok',
              requestHash: 'H',
              maxPerAccountRegion: 100,
            }),
          ),
        );
        assert.equal(new Set(results.map((g) => g.guardrailId)).size, 1);
        const id = results[0]?.guardrailId ?? '';
        const versions = await Promise.all(
          Array.from({ length: 20 }, () => publish(s, id, { token: 'vtok', hash: 'H' })),
        );
        assert.deepEqual(new Set(versions.map((v) => v?.version)), new Set([1]));
        assert.equal((await s.guardrails.list(ACCT, REGION, { maxResults: 100 })).items.length, 1);
      });

      test('parallel creates with one name: exactly one wins', async (s) => {
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) => create(s, { id: `g${i}`, name: 'contested' })),
        );
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        for (const r of results) if (r.status === 'rejected') rejectsWith('ConflictException')(r.reason);
      });

      test('parallel tag puts against the limit: exactly the limit is reached', async (s) => {
        const arn = 'arn:aws:bedrock:us-east-1:111111111111:guardrail/t';
        const results = await Promise.allSettled(
          Array.from({ length: 12 }, (_, i) => s.tags.put(arn, [{ key: `k${i}`, value: 'v' }], 5)),
        );
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 5);
        assert.equal((await s.tags.list(arn)).length, 5);
      });
    });

    const cases: Cases = { test, rawTest, options };
    organizationCases(cases);
    principalCases(cases);
    sessionCases(cases);
    resourcePolicyCases(cases);
    enforcementCases(cases);
    auditCases(cases);

    describe('database-level guarantees', () => {
      rawTest('published versions cannot be updated, even by raw SQL; deleting stays possible', async (s, raw) => {
        await create(s, { id: 'g1' });
        const v1 = await publish(s, 'g1', { description: 'original' });
        await publish(s, 'g1');
        await assert.rejects(raw(`UPDATE guardrail_versions SET description = 'tampered' WHERE version = 1`));
        await assert.rejects(raw(`UPDATE guardrail_versions SET config = '{}'`));
        await assert.rejects(raw(`UPDATE guardrail_versions SET version = 7 WHERE version = 2`));
        assert.deepEqual(await s.guardrails.getVersion(ACCT, REGION, 'g1', 1), v1);
        assert.deepEqual(await versionNumbers(s, 'g1'), [1, 2]);
        await raw(`DELETE FROM guardrail_versions WHERE version = 2`);
        assert.deepEqual(await versionNumbers(s, 'g1'), [1]);
        assert.equal(await s.guardrails.delete(ACCT, REGION, 'g1'), true);
        assert.deepEqual(await raw('SELECT * FROM guardrail_versions'), []);
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Issue 3: organizations, principals, sessions, resource policies, enforcement configs, audit trail.

interface Cases {
  test: (title: string, fn: (s: Store) => Promise<void>) => void;
  rawTest: (title: string, fn: (s: Store, raw: UnsafeRawSql) => Promise<void>) => void;
  options: ConformanceOptions;
}

const MEMBER = '222222222222';
const THIRD = '333333333333';

function orgRecord(suffix: string, managementAccountId: string, extra: Partial<OrganizationRecord> = {}): OrganizationRecord {
  const orgId = `o-${suffix}`;
  const rootId = `r-${suffix}`;
  return {
    orgId,
    arn: `arn:aws:organizations::${managementAccountId}:organization/${orgId}`,
    managementAccountId,
    rootId,
    rootArn: `arn:aws:organizations::${managementAccountId}:root/${orgId}/${rootId}`,
    featureSet: 'ALL',
    enabledPolicyTypes: [],
    createdAt: at(0),
    ...extra,
  };
}

function ouRecord(org: OrganizationRecord, ouId: string, name: string, parentId = org.rootId, createdAt = at(1)): OrgUnitRecord {
  return {
    ouId,
    orgId: org.orgId,
    arn: `arn:aws:organizations::${org.managementAccountId}:ou/${org.orgId}/${ouId}`,
    parentId,
    name,
    createdAt,
  };
}

function member(org: OrganizationRecord, accountId: string, parentId = org.rootId, joinedAt = at(2)): MembershipRecord {
  return { accountId, orgId: org.orgId, parentId, joinedMethod: 'INVITED', joinedAt };
}

function orgPolicy(org: OrganizationRecord, policyId: string, name: string, extra: Partial<OrgPolicyRecord> = {}): OrgPolicyRecord {
  return {
    policyId,
    orgId: org.orgId,
    arn: `arn:aws:organizations::${org.managementAccountId}:policy/${org.orgId}/bedrock_policy/${policyId}`,
    type: 'BEDROCK_POLICY',
    name,
    description: `about ${name}`,
    content: '{"bedrock":{"guardrail_inference":{}}}',
    createdAt: at(3),
    updatedAt: at(3),
    ...extra,
  };
}

/** Creates an organization managed by ACCT (suffix `aaaaaaaaaa`). */
async function newOrg(s: Store, suffix = 'aaaaaaaaaa', managementAccountId = ACCT): Promise<OrganizationRecord> {
  const org = orgRecord(suffix, managementAccountId);
  await s.organizations.create(org, at(0));
  return org;
}

function organizationCases({ test, rawTest }: Cases): void {
  describe('organizations: the organization', () => {
    test('create stores the organization and the management membership; lookups by id and by account', async (s) => {
      const org = orgRecord('aaaaaaaaaa', ACCT, { enabledPolicyTypes: ['SERVICE_CONTROL_POLICY', 'BEDROCK_POLICY'] });
      await s.organizations.create(org, at(7));
      const expected = { ...org, enabledPolicyTypes: ['BEDROCK_POLICY', 'SERVICE_CONTROL_POLICY'] };
      assert.deepEqual(await s.organizations.get(org.orgId), expected);
      assert.deepEqual(await s.organizations.getForAccount(ACCT), expected);
      assert.deepEqual(await s.organizations.getMembership(ACCT), {
        accountId: ACCT,
        orgId: org.orgId,
        parentId: org.rootId,
        joinedMethod: 'CREATED',
        joinedAt: at(7),
      });
      assert.equal(await s.organizations.get('o-nope'), undefined);
      assert.equal(await s.organizations.getForAccount(MEMBER), undefined);
    });

    test('setEnabledPolicyTypes stores the types sorted and without duplicates; unknown org is an error', async (s) => {
      const org = await newOrg(s);
      await s.organizations.setEnabledPolicyTypes(org.orgId, ['TAG_POLICY', 'BEDROCK_POLICY', 'TAG_POLICY']);
      assert.deepEqual((await s.organizations.get(org.orgId))?.enabledPolicyTypes, ['BEDROCK_POLICY', 'TAG_POLICY']);
      await s.organizations.setEnabledPolicyTypes(org.orgId, []);
      assert.deepEqual((await s.organizations.get(org.orgId))?.enabledPolicyTypes, []);
      await assert.rejects(
        s.organizations.setEnabledPolicyTypes('o-nope', ['BEDROCK_POLICY']),
        rejectsWith('AWSOrganizationsNotInUseException'),
      );
    });

    test('an account already in an organization cannot create another; nothing is left behind', async (s) => {
      const first = await newOrg(s);
      await s.organizations.addMember(member(first, MEMBER));
      for (const account of [ACCT, MEMBER]) {
        const other = orgRecord(`b${account.slice(0, 9)}`, account);
        await assert.rejects(s.organizations.create(other, at(1)), rejectsWith('AlreadyInOrganizationException'));
        assert.equal(await s.organizations.get(other.orgId), undefined);
      }
      assert.equal((await s.organizations.getForAccount(MEMBER))?.orgId, first.orgId);
      // a clash of generated ids is a plain conflict
      await assert.rejects(s.organizations.create(orgRecord('aaaaaaaaaa', THIRD), at(1)), rejectsWith('ConflictException'));
      assert.equal(await s.organizations.getMembership(THIRD), undefined);
      await s.organizations.create(orgRecord('cccccccccc', THIRD), at(1));
    });

    test('delete refuses while other members remain, then removes everything the organization owns', async (s) => {
      const org = await newOrg(s);
      const ou = ouRecord(org, 'ou-aaaa-00000001', 'Prod');
      await s.organizations.createOu(ou);
      await s.organizations.addMember(member(org, MEMBER, ou.ouId));
      await s.organizations.createPolicy(orgPolicy(org, 'p-00000001', 'guard'));
      await s.organizations.attach('p-00000001', org.rootId, at(4));
      await s.organizations.attach('p-00000001', ou.ouId, at(5));
      await s.organizations.putCreateAccountStatus({
        id: 'car-1',
        orgId: org.orgId,
        accountName: 'x',
        state: 'IN_PROGRESS',
        requestedAt: at(6),
      });
      await assert.rejects(s.organizations.delete(org.orgId), rejectsWith('OrganizationNotEmptyException'));
      assert.ok(await s.organizations.get(org.orgId));
      assert.deepEqual(await s.organizations.listTargetsForPolicy('p-00000001'), [org.rootId, ou.ouId]);

      assert.equal(await s.organizations.moveMember(MEMBER, ou.ouId, org.rootId), true);
      assert.equal(await s.organizations.removeMember(MEMBER), true);
      await s.organizations.delete(org.orgId);
      assert.equal(await s.organizations.get(org.orgId), undefined);
      assert.equal(await s.organizations.getForAccount(ACCT), undefined);
      assert.equal(await s.organizations.getMembership(ACCT), undefined);
      assert.equal(await s.organizations.getOu(ou.ouId), undefined);
      assert.equal(await s.organizations.getPolicy('p-00000001'), undefined);
      assert.deepEqual(await s.organizations.listAttachmentsForTarget(org.rootId), []);
      assert.equal(await s.organizations.getCreateAccountStatus('car-1'), undefined);
      await assert.rejects(s.organizations.delete(org.orgId), rejectsWith('AWSOrganizationsNotInUseException'));
      // the management account is free to create a new organization, with the same names
      const again = await newOrg(s, 'bbbbbbbbbb');
      await s.organizations.createOu(ouRecord(again, 'ou-bbbb-00000001', 'Prod'));
      await s.organizations.createPolicy(orgPolicy(again, 'p-00000002', 'guard'));
    });
  });

  describe('organizations: organizational units', () => {
    test('create, get, list in (createdAt, id) order with an optional parent filter', async (s) => {
      const org = await newOrg(s);
      const a = ouRecord(org, 'ou-aaaa-0000000b', 'A', org.rootId, at(2));
      const b = ouRecord(org, 'ou-aaaa-0000000a', 'B', org.rootId, at(2));
      const c = ouRecord(org, 'ou-aaaa-0000000c', 'C', org.rootId, at(1));
      const nested = ouRecord(org, 'ou-aaaa-0000000d', 'A', a.ouId, at(3));
      for (const ou of [a, b, c, nested]) await s.organizations.createOu(ou);
      assert.deepEqual(await s.organizations.getOu(nested.ouId), nested);
      assert.equal(await s.organizations.getOu('ou-aaaa-zzzzzzzz'), undefined);
      assert.deepEqual(
        (await s.organizations.listOus(org.orgId)).map((o) => o.ouId),
        [c.ouId, b.ouId, a.ouId, nested.ouId],
      );
      assert.deepEqual(
        (await s.organizations.listOus(org.orgId, org.rootId)).map((o) => o.ouId),
        [c.ouId, b.ouId, a.ouId],
      );
      assert.deepEqual(await s.organizations.listOus(org.orgId, a.ouId), [nested]);
      assert.deepEqual(await s.organizations.listOus(org.orgId, nested.ouId), []);
      assert.deepEqual(await s.organizations.listOus('o-nope'), []);
    });

    test('names are unique per parent; parents must belong to the organization', async (s) => {
      const org = await newOrg(s);
      const other = await newOrg(s, 'bbbbbbbbbb', THIRD);
      const a = ouRecord(org, 'ou-aaaa-00000001', 'Prod');
      await s.organizations.createOu(a);
      await assert.rejects(
        s.organizations.createOu(ouRecord(org, 'ou-aaaa-00000002', 'Prod')),
        rejectsWith('DuplicateOrganizationalUnitException'),
      );
      assert.equal(await s.organizations.getOu('ou-aaaa-00000002'), undefined);
      await s.organizations.createOu(ouRecord(org, 'ou-aaaa-00000003', 'Prod', a.ouId));
      await s.organizations.createOu(ouRecord(other, 'ou-bbbb-00000001', 'Prod'));
      await assert.rejects(
        s.organizations.createOu(ouRecord(org, 'ou-aaaa-00000004', 'X', 'ou-aaaa-zzzzzzzz')),
        rejectsWith('ParentNotFoundException'),
      );
      await assert.rejects(
        s.organizations.createOu(ouRecord(org, 'ou-aaaa-00000005', 'X', other.rootId)),
        rejectsWith('ParentNotFoundException'),
      );
      await assert.rejects(s.organizations.createOu(ouRecord(org, a.ouId, 'Fresh')), rejectsWith('ConflictException'));
    });

    test('renameOu keeps the parent, enforces name uniqueness, and reports unknown OUs', async (s) => {
      const org = await newOrg(s);
      await s.organizations.createOu(ouRecord(org, 'ou-aaaa-00000001', 'Prod'));
      await s.organizations.createOu(ouRecord(org, 'ou-aaaa-00000002', 'Dev'));
      await s.organizations.renameOu('ou-aaaa-00000001', 'Production');
      assert.deepEqual(await s.organizations.getOu('ou-aaaa-00000001'), ouRecord(org, 'ou-aaaa-00000001', 'Production'));
      await assert.rejects(
        s.organizations.renameOu('ou-aaaa-00000002', 'Production'),
        rejectsWith('DuplicateOrganizationalUnitException'),
      );
      assert.equal((await s.organizations.getOu('ou-aaaa-00000002'))?.name, 'Dev');
      await s.organizations.renameOu('ou-aaaa-00000002', 'Dev'); // its own name is fine
      await s.organizations.renameOu('ou-aaaa-00000002', 'Prod'); // the old name is free again
      await assert.rejects(
        s.organizations.renameOu('ou-aaaa-zzzzzzzz', 'X'),
        rejectsWith('OrganizationalUnitNotFoundException'),
      );
    });

    test('deleteOu refuses while it has child OUs or accounts, and removes its attachments', async (s) => {
      const org = await newOrg(s);
      const parent = ouRecord(org, 'ou-aaaa-00000001', 'Parent');
      const child = ouRecord(org, 'ou-aaaa-00000002', 'Child', parent.ouId);
      await s.organizations.createOu(parent);
      await s.organizations.createOu(child);
      await s.organizations.addMember(member(org, MEMBER, child.ouId));
      await s.organizations.createPolicy(orgPolicy(org, 'p-00000001', 'guard'));
      await s.organizations.attach('p-00000001', child.ouId, at(4));
      await s.organizations.attach('p-00000001', parent.ouId, at(5));
      await assert.rejects(s.organizations.deleteOu(parent.ouId), rejectsWith('OrganizationalUnitNotEmptyException'));
      await assert.rejects(s.organizations.deleteOu(child.ouId), rejectsWith('OrganizationalUnitNotEmptyException'));
      assert.equal(await s.organizations.moveMember(MEMBER, child.ouId, org.rootId), true);
      assert.equal(await s.organizations.deleteOu(child.ouId), true);
      assert.equal(await s.organizations.getOu(child.ouId), undefined);
      assert.deepEqual(await s.organizations.listTargetsForPolicy('p-00000001'), [parent.ouId]);
      assert.equal(await s.organizations.deleteOu(parent.ouId), true);
      assert.deepEqual(await s.organizations.listTargetsForPolicy('p-00000001'), []);
      assert.equal(await s.organizations.deleteOu(parent.ouId), false);
      // the policy is free to be deleted now
      assert.equal(await s.organizations.deletePolicy('p-00000001'), true);
    });
  });

  describe('organizations: members', () => {
    test('addMember, getMembership, listMembers in (joinedAt, accountId) order with a parent filter', async (s) => {
      const org = await newOrg(s);
      const ou = ouRecord(org, 'ou-aaaa-00000001', 'Prod');
      await s.organizations.createOu(ou);
      const m3 = member(org, THIRD, ou.ouId, at(5));
      const m2 = member(org, MEMBER, org.rootId, at(5));
      const m4 = { ...member(org, '444444444444', org.rootId, at(1)), joinedMethod: 'CREATED' as const };
      for (const m of [m3, m2, m4]) await s.organizations.addMember(m);
      assert.deepEqual(await s.organizations.getMembership(THIRD), m3);
      assert.equal(await s.organizations.getMembership('999999999999'), undefined);
      assert.deepEqual(
        (await s.organizations.listMembers(org.orgId)).map((m) => m.accountId),
        [ACCT, '444444444444', MEMBER, THIRD],
      );
      assert.deepEqual(
        (await s.organizations.listMembers(org.orgId, org.rootId)).map((m) => m.accountId),
        [ACCT, '444444444444', MEMBER],
      );
      assert.deepEqual(await s.organizations.listMembers(org.orgId, ou.ouId), [m3]);
      assert.equal((await s.organizations.getForAccount(THIRD))?.orgId, org.orgId);
      assert.deepEqual(await s.organizations.listMembers('o-nope'), []);
    });

    test('an account belongs to at most one organization; parents must belong to the organization', async (s) => {
      const org = await newOrg(s);
      const other = await newOrg(s, 'bbbbbbbbbb', THIRD);
      await s.organizations.addMember(member(org, MEMBER));
      await assert.rejects(s.organizations.addMember(member(org, MEMBER)), rejectsWith('AlreadyInOrganizationException'));
      await assert.rejects(s.organizations.addMember(member(other, MEMBER)), rejectsWith('AlreadyInOrganizationException'));
      await assert.rejects(s.organizations.addMember(member(other, ACCT)), rejectsWith('AlreadyInOrganizationException'));
      assert.equal((await s.organizations.getMembership(MEMBER))?.orgId, org.orgId);
      await assert.rejects(
        s.organizations.addMember(member(org, '444444444444', other.rootId)),
        rejectsWith('ParentNotFoundException'),
      );
      await assert.rejects(
        s.organizations.addMember({ ...member(org, '444444444444'), orgId: 'o-nope' }),
        rejectsWith('ParentNotFoundException'),
      );
      assert.equal(await s.organizations.getMembership('444444444444'), undefined);
    });

    test('moveMember checks the current parent atomically and the destination', async (s) => {
      const org = await newOrg(s);
      const other = await newOrg(s, 'bbbbbbbbbb', THIRD);
      const ou = ouRecord(org, 'ou-aaaa-00000001', 'Prod');
      await s.organizations.createOu(ou);
      await s.organizations.createOu(ouRecord(other, 'ou-bbbb-00000001', 'Elsewhere'));
      await s.organizations.addMember(member(org, MEMBER));
      assert.equal(await s.organizations.moveMember(MEMBER, ou.ouId, org.rootId), false, 'not the current parent');
      assert.equal((await s.organizations.getMembership(MEMBER))?.parentId, org.rootId);
      assert.equal(await s.organizations.moveMember(MEMBER, org.rootId, ou.ouId), true);
      assert.equal((await s.organizations.getMembership(MEMBER))?.parentId, ou.ouId);
      assert.equal(await s.organizations.moveMember(MEMBER, org.rootId, ou.ouId), false, 'already moved');
      await assert.rejects(
        s.organizations.moveMember(MEMBER, ou.ouId, 'ou-aaaa-zzzzzzzz'),
        rejectsWith('DestinationParentNotFoundException'),
      );
      await assert.rejects(
        s.organizations.moveMember(MEMBER, ou.ouId, 'ou-bbbb-00000001'),
        rejectsWith('DestinationParentNotFoundException'),
      );
      assert.equal((await s.organizations.getMembership(MEMBER))?.parentId, ou.ouId);
      assert.equal(await s.organizations.moveMember('999999999999', org.rootId, ou.ouId), false, 'not a member');
    });

    test('removeMember removes the membership and its direct attachments only', async (s) => {
      const org = await newOrg(s);
      await s.organizations.addMember(member(org, MEMBER));
      await s.organizations.addMember(member(org, THIRD));
      await s.organizations.createPolicy(orgPolicy(org, 'p-00000001', 'guard'));
      await s.organizations.attach('p-00000001', MEMBER, at(4));
      await s.organizations.attach('p-00000001', THIRD, at(5));
      await s.organizations.attach('p-00000001', org.rootId, at(6));
      assert.equal(await s.organizations.removeMember(MEMBER), true);
      assert.equal(await s.organizations.getMembership(MEMBER), undefined);
      assert.equal(await s.organizations.getForAccount(MEMBER), undefined);
      assert.deepEqual(await s.organizations.listAttachmentsForTarget(MEMBER), []);
      assert.deepEqual(await s.organizations.listTargetsForPolicy('p-00000001'), [THIRD, org.rootId]);
      assert.equal(await s.organizations.removeMember(MEMBER), false);
      // a removed account may join again (here: another organization)
      const other = await newOrg(s, 'bbbbbbbbbb', '444444444444');
      await s.organizations.addMember(member(other, MEMBER));
      assert.equal((await s.organizations.getForAccount(MEMBER))?.orgId, other.orgId);
    });
  });

  describe('organizations: policies and attachments', () => {
    test('create, get, list per type in (createdAt, id) order; names unique per organization and type', async (s) => {
      const org = await newOrg(s);
      const other = await newOrg(s, 'bbbbbbbbbb', THIRD);
      const p2 = orgPolicy(org, 'p-00000002', 'two', { createdAt: at(1) });
      const p1 = orgPolicy(org, 'p-00000001', 'one', { createdAt: at(1) });
      const p0 = orgPolicy(org, 'p-00000000', 'zero', { createdAt: at(2) });
      const tag = orgPolicy(org, 'p-00000003', 'one', { type: 'TAG_POLICY' });
      for (const p of [p2, p1, p0, tag]) await s.organizations.createPolicy(p);
      await s.organizations.createPolicy(orgPolicy(other, 'p-00000004', 'one'));
      assert.deepEqual(await s.organizations.getPolicy('p-00000002'), p2);
      assert.equal(await s.organizations.getPolicy('p-zzzzzzzz'), undefined);
      assert.deepEqual(
        (await s.organizations.listPolicies(org.orgId, 'BEDROCK_POLICY')).map((p) => p.policyId),
        ['p-00000001', 'p-00000002', 'p-00000000'],
      );
      assert.deepEqual(await s.organizations.listPolicies(org.orgId, 'TAG_POLICY'), [tag]);
      assert.deepEqual(await s.organizations.listPolicies(org.orgId, 'SERVICE_CONTROL_POLICY'), []);
      await assert.rejects(
        s.organizations.createPolicy(orgPolicy(org, 'p-00000005', 'one')),
        rejectsWith('DuplicatePolicyException'),
      );
      assert.equal(await s.organizations.getPolicy('p-00000005'), undefined);
      await assert.rejects(
        s.organizations.createPolicy(orgPolicy(org, 'p-00000001', 'fresh')),
        rejectsWith('ConflictException'),
      );
      await assert.rejects(
        s.organizations.createPolicy({ ...orgPolicy(org, 'p-00000006', 'x'), orgId: 'o-nope' }),
        rejectsWith('AWSOrganizationsNotInUseException'),
      );
    });

    test('updatePolicy replaces name, description, content and updatedAt only', async (s) => {
      const org = await newOrg(s);
      const p = orgPolicy(org, 'p-00000001', 'one');
      await s.organizations.createPolicy(p);
      await s.organizations.createPolicy(orgPolicy(org, 'p-00000002', 'two'));
      const next = { ...p, name: 'uno', description: 'new', content: '{"bedrock":{}}', updatedAt: at(50) };
      assert.equal(await s.organizations.updatePolicy({ ...next, createdAt: at(99), arn: 'ignored', orgId: 'ignored' }), true);
      assert.deepEqual(await s.organizations.getPolicy('p-00000001'), next);
      await assert.rejects(
        s.organizations.updatePolicy({ ...next, name: 'two', updatedAt: at(51) }),
        rejectsWith('DuplicatePolicyException'),
      );
      assert.deepEqual(await s.organizations.getPolicy('p-00000001'), next);
      assert.equal(await s.organizations.updatePolicy(orgPolicy(org, 'p-zzzzzzzz', 'x')), false);
    });

    test('attach, list both ways in attach-time order, detach; duplicates and unknown ids are errors', async (s) => {
      const org = await newOrg(s);
      const other = await newOrg(s, 'bbbbbbbbbb', THIRD);
      const ou = ouRecord(org, 'ou-aaaa-00000001', 'Prod');
      await s.organizations.createOu(ou);
      await s.organizations.addMember(member(org, MEMBER, ou.ouId));
      for (const id of ['p-00000001', 'p-00000002']) await s.organizations.createPolicy(orgPolicy(org, id, id));
      await s.organizations.attach('p-00000002', ou.ouId, at(10));
      await s.organizations.attach('p-00000001', MEMBER, at(12));
      await s.organizations.attach('p-00000001', org.rootId, at(11));
      await s.organizations.attach('p-00000001', ou.ouId, at(10));
      assert.deepEqual(await s.organizations.listTargetsForPolicy('p-00000001'), [ou.ouId, org.rootId, MEMBER]);
      assert.deepEqual(await s.organizations.listAttachmentsForTarget(ou.ouId), ['p-00000001', 'p-00000002']);
      assert.deepEqual(await s.organizations.listAttachmentsForTarget(MEMBER), ['p-00000001']);
      assert.deepEqual(await s.organizations.listAttachmentsForTarget(ACCT), []);
      await assert.rejects(
        s.organizations.attach('p-00000001', ou.ouId, at(20)),
        rejectsWith('DuplicatePolicyAttachmentException'),
      );
      await assert.rejects(s.organizations.attach('p-zzzzzzzz', ou.ouId, at(20)), rejectsWith('PolicyNotFoundException'));
      for (const target of ['ou-aaaa-zzzzzzzz', '999999999999', other.rootId, THIRD]) {
        await assert.rejects(s.organizations.attach('p-00000002', target, at(20)), rejectsWith('TargetNotFoundException'));
      }
      assert.equal(await s.organizations.detach('p-00000001', ou.ouId), true);
      assert.equal(await s.organizations.detach('p-00000001', ou.ouId), false);
      assert.equal(await s.organizations.detach('p-zzzzzzzz', ou.ouId), false);
      assert.deepEqual(await s.organizations.listTargetsForPolicy('p-00000001'), [org.rootId, MEMBER]);
      // re-attaching is allowed after a detach and counts as a new attachment time
      await s.organizations.attach('p-00000001', ou.ouId, at(30));
      assert.deepEqual(await s.organizations.listTargetsForPolicy('p-00000001'), [org.rootId, MEMBER, ou.ouId]);
    });

    test('deletePolicy refuses while the policy is attached anywhere', async (s) => {
      const org = await newOrg(s);
      await s.organizations.addMember(member(org, MEMBER));
      await s.organizations.createPolicy(orgPolicy(org, 'p-00000001', 'one'));
      await s.organizations.attach('p-00000001', org.rootId, at(4));
      await s.organizations.attach('p-00000001', MEMBER, at(5));
      await assert.rejects(s.organizations.deletePolicy('p-00000001'), rejectsWith('PolicyInUseException'));
      await s.organizations.detach('p-00000001', org.rootId);
      await assert.rejects(s.organizations.deletePolicy('p-00000001'), rejectsWith('PolicyInUseException'));
      assert.ok(await s.organizations.getPolicy('p-00000001'));
      await s.organizations.detach('p-00000001', MEMBER);
      assert.equal(await s.organizations.deletePolicy('p-00000001'), true);
      assert.equal(await s.organizations.getPolicy('p-00000001'), undefined);
      assert.equal(await s.organizations.deletePolicy('p-00000001'), false);
      // the name is free again
      await s.organizations.createPolicy(orgPolicy(org, 'p-00000002', 'one'));
    });

    rawTest('the database itself refuses a second membership and deleting an attached policy', async (s, raw) => {
      const org = await newOrg(s);
      await s.organizations.createPolicy(orgPolicy(org, 'p-00000001', 'one'));
      await s.organizations.attach('p-00000001', org.rootId, at(4));
      await assert.rejects(raw(`DELETE FROM org_policies WHERE policy_id = 'p-00000001'`));
      assert.ok(await s.organizations.getPolicy('p-00000001'));
      const other = await newOrg(s, 'bbbbbbbbbb', THIRD);
      await assert.rejects(
        raw(
          `INSERT INTO org_members (account_id, org_id, parent_id, joined_method, joined_at) ` +
            `VALUES ('${ACCT}', '${other.orgId}', '${other.rootId}', 'INVITED', '${at(9)}')`,
        ),
      );
      assert.equal((await s.organizations.getForAccount(ACCT))?.orgId, org.orgId);
    });
  });

  describe('organizations: create-account status', () => {
    test('put upserts by id, get, list newest first per organization', async (s) => {
      const org = await newOrg(s);
      const other = await newOrg(s, 'bbbbbbbbbb', THIRD);
      const first: CreateAccountStatusRecord = {
        id: 'car-1',
        orgId: org.orgId,
        accountName: 'one',
        state: 'IN_PROGRESS',
        requestedAt: at(1),
      };
      await s.organizations.putCreateAccountStatus(first);
      assert.deepEqual(await s.organizations.getCreateAccountStatus('car-1'), first);
      const done: CreateAccountStatusRecord = { ...first, state: 'SUCCEEDED', accountId: MEMBER, completedAt: at(2) };
      await s.organizations.putCreateAccountStatus(done);
      assert.deepEqual(await s.organizations.getCreateAccountStatus('car-1'), done);
      const failed: CreateAccountStatusRecord = {
        id: 'car-0',
        orgId: org.orgId,
        accountName: 'two',
        state: 'FAILED',
        failureReason: 'EMAIL_ALREADY_EXISTS',
        requestedAt: at(3),
        completedAt: at(3),
      };
      await s.organizations.putCreateAccountStatus(failed);
      await s.organizations.putCreateAccountStatus({ ...first, id: 'car-2', requestedAt: at(3) });
      await s.organizations.putCreateAccountStatus({ ...first, id: 'car-9', orgId: other.orgId });
      assert.deepEqual(
        (await s.organizations.listCreateAccountStatus(org.orgId)).map((c) => c.id),
        ['car-2', 'car-0', 'car-1'],
      );
      assert.equal(await s.organizations.getCreateAccountStatus('car-404'), undefined);
      assert.deepEqual(await s.organizations.listCreateAccountStatus('o-nope'), []);
      await assert.rejects(
        s.organizations.putCreateAccountStatus({ ...first, id: 'car-x', orgId: 'o-nope' }),
        rejectsWith('AWSOrganizationsNotInUseException'),
      );
    });
  });

  describe('organizations: concurrency', () => {
    test('parallel joins of one account to several organizations: exactly one wins', async (s) => {
      const orgs = [await newOrg(s, 'aaaaaaaaaa', ACCT), await newOrg(s, 'bbbbbbbbbb', THIRD)];
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => s.organizations.addMember(member(orgs[i % 2] as OrganizationRecord, MEMBER))),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') rejectsWith('AlreadyInOrganizationException')(r.reason);
    });

    test('parallel OUs with one name, parallel identical attachments: exactly one wins each', async (s) => {
      const org = await newOrg(s);
      const ous = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => s.organizations.createOu(ouRecord(org, `ou-aaaa-0000000${i}`, 'Same'))),
      );
      assert.equal(ous.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of ous) if (r.status === 'rejected') rejectsWith('DuplicateOrganizationalUnitException')(r.reason);
      await s.organizations.createPolicy(orgPolicy(org, 'p-00000001', 'one'));
      const attachments = await Promise.allSettled(
        Array.from({ length: 10 }, () => s.organizations.attach('p-00000001', org.rootId, at(5))),
      );
      assert.equal(attachments.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of attachments) if (r.status === 'rejected') rejectsWith('DuplicatePolicyAttachmentException')(r.reason);
    });
  });
}

function principalCases({ test }: Cases): void {
  const user = (name: string, accountId = ACCT, extra: Partial<PrincipalRecord> = {}): PrincipalRecord => ({
    arn: `arn:aws:iam::${accountId}:user/${name}`,
    accountId,
    kind: 'user',
    name,
    uniqueId: `AIDA${name.toUpperCase().padEnd(17, 'X')}`,
    createdAt: at(0),
    ...extra,
  });
  const role = (name: string, accountId = ACCT): PrincipalRecord => ({
    arn: `arn:aws:iam::${accountId}:role/${name}`,
    accountId,
    kind: 'role',
    name,
    uniqueId: `AROA${name.toUpperCase().padEnd(17, 'X')}`,
    trustPolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${MEMBER}:root` }, Action: 'sts:AssumeRole' }],
    }),
    maxSessionSeconds: 3600,
    createdAt: at(1),
  });
  const EMPTY_POLICY = '{"Version":"2012-10-17","Statement":[]}';
  const policy = (principalArn: string, policyName: string, document = EMPTY_POLICY, updatedAt = at(5)) => ({
    principalArn,
    policyName,
    document,
    updatedAt,
  });

  describe('principals', () => {
    test('create, get, list per account ordered by (kind, name) with a kind filter', async (s) => {
      const records = [user('bob'), role('ops'), user('alice'), role('admin'), user('zed', OTHER_ACCT)];
      for (const p of records) await s.principals.create(p);
      assert.deepEqual(await s.principals.get(user('alice').arn), user('alice'));
      assert.deepEqual(await s.principals.get(role('ops').arn), role('ops'));
      assert.equal(await s.principals.get(user('nobody').arn), undefined);
      assert.deepEqual(
        (await s.principals.listForAccount(ACCT)).map((p) => p.arn),
        [role('admin').arn, role('ops').arn, user('alice').arn, user('bob').arn],
      );
      assert.deepEqual(
        (await s.principals.listForAccount(ACCT, 'user')).map((p) => p.name),
        ['alice', 'bob'],
      );
      assert.deepEqual(
        (await s.principals.listForAccount(ACCT, 'role')).map((p) => p.name),
        ['admin', 'ops'],
      );
      assert.deepEqual(await s.principals.listForAccount(THIRD), []);
    });

    test('names are unique per account and kind, regardless of case', async (s) => {
      await s.principals.create(user('alice'));
      await assert.rejects(s.principals.create(user('alice')), rejectsWith('EntityAlreadyExists'));
      await assert.rejects(s.principals.create(user('Alice')), rejectsWith('EntityAlreadyExists'));
      assert.equal(await s.principals.get(user('Alice').arn), undefined);
      await s.principals.create(role('alice')); // a role may share a user's name
      await s.principals.create(user('alice', OTHER_ACCT));
      await assert.rejects(s.principals.create(role('ALICE')), rejectsWith('EntityAlreadyExists'));
    });

    test('inline policies: upsert, get, list by name, delete; unknown principal is NoSuchEntity', async (s) => {
      const alice = user('alice');
      await s.principals.create(alice);
      await s.principals.create(user('bob'));
      await s.principals.putPolicy(policy(alice.arn, 'b'));
      await s.principals.putPolicy(policy(alice.arn, 'a'));
      await s.principals.putPolicy(policy(user('bob').arn, 'a'));
      const replaced = policy(alice.arn, 'b', '{"Version":"2012-10-17","Statement":[{"Effect":"Deny"}]}', at(9));
      await s.principals.putPolicy(replaced);
      assert.deepEqual(await s.principals.getPolicy(alice.arn, 'b'), replaced);
      assert.equal(await s.principals.getPolicy(alice.arn, 'c'), undefined);
      assert.deepEqual(await s.principals.listPolicies(alice.arn), [policy(alice.arn, 'a'), replaced]);
      assert.equal(await s.principals.deletePolicy(alice.arn, 'a'), true);
      assert.equal(await s.principals.deletePolicy(alice.arn, 'a'), false);
      assert.deepEqual(await s.principals.listPolicies(alice.arn), [replaced]);
      await assert.rejects(s.principals.putPolicy(policy(user('ghost').arn, 'a')), rejectsWith('NoSuchEntity'));
      await assert.rejects(s.principals.putPolicy(policy(role('ghost').arn, 'a')), rejectsWith('NoSuchEntity'));
      assert.deepEqual(await s.principals.listPolicies(user('ghost').arn), []);
    });

    test('delete removes the principal and its inline policies only', async (s) => {
      const alice = user('alice');
      await s.principals.create(alice);
      await s.principals.create(user('bob'));
      await s.principals.putPolicy(policy(alice.arn, 'a'));
      await s.principals.putPolicy(policy(user('bob').arn, 'a'));
      assert.equal(await s.principals.delete(alice.arn), true);
      assert.equal(await s.principals.get(alice.arn), undefined);
      assert.deepEqual(await s.principals.listPolicies(alice.arn), []);
      assert.equal(await s.principals.delete(alice.arn), false);
      assert.equal((await s.principals.listPolicies(user('bob').arn)).length, 1);
      // recreated: same name, no inherited policies
      await s.principals.create(alice);
      assert.deepEqual(await s.principals.listPolicies(alice.arn), []);
    });
  });
}

function sessionCases({ test, rawTest, options }: Cases): void {
  const session = (id: string, expiresAt: string, extra: Partial<SessionRecord> = {}): SessionRecord => ({
    accessKeyId: id,
    secretAccessKey: `session-secret/${id}/wJalrXUtnFEMI`,
    sessionTokenSha256: createHash('sha256').update(`token-${id}`).digest('hex'),
    accountId: ACCT,
    principalArn: `arn:aws:sts::${ACCT}:assumed-role/ops/${id}`,
    roleArn: `arn:aws:iam::${ACCT}:role/ops`,
    sourcePrincipalArn: `arn:aws:iam::${MEMBER}:user/alice`,
    createdAt: at(0),
    expiresAt,
    ...extra,
  });

  describe('sessions', () => {
    test('round-trips with the plaintext secret; a duplicate id is a conflict', async (s) => {
      const a = session('ASIAAAAAAAAAAAAAAAAA', at(3600));
      await s.sessions.create(a);
      assert.deepEqual(await s.sessions.get(a.accessKeyId), a);
      assert.equal(await s.sessions.get('ASIAZZZZZZZZZZZZZZZZ'), undefined);
      await assert.rejects(
        s.sessions.create({ ...a, secretAccessKey: 'other' }),
        rejectsWith('ConflictException'),
      );
      assert.equal((await s.sessions.get(a.accessKeyId))?.secretAccessKey, a.secretAccessKey);
    });

    test('deleteExpired removes sessions with expiresAt <= now and counts them', async (s) => {
      await s.sessions.create(session('ASIA1', at(10)));
      await s.sessions.create(session('ASIA2', at(20)));
      await s.sessions.create(session('ASIA3', at(30)));
      assert.equal(await s.sessions.deleteExpired(at(5)), 0);
      assert.equal(await s.sessions.deleteExpired(at(20)), 2);
      assert.equal(await s.sessions.get('ASIA1'), undefined);
      assert.equal(await s.sessions.get('ASIA2'), undefined);
      assert.ok(await s.sessions.get('ASIA3'));
      assert.equal(await s.sessions.deleteExpired(at(20)), 0);
    });

    rawTest('stores only the sealed secret and the token hash', async (s, raw) => {
      const a = session('ASIAAAAAAAAAAAAAAAAA', at(3600));
      await s.sessions.create(a);
      const rows = await raw('SELECT * FROM sessions');
      assert.equal(rows.length, 1);
      const cells = rows.flatMap((r) => Object.values(r)).map((v) => String(v));
      assert.ok(cells.every((c) => !c.includes('wJalrXUtnFEMI')));
      assert.ok(cells.includes(a.sessionTokenSha256));
      const sealed = rows[0]?.['secret_sealed'];
      if (options.cipher && typeof sealed === 'string') assert.equal(options.cipher.decrypt(sealed), a.secretAccessKey);
      const foreign = createAesGcmCipher(randomBytes(32)).encrypt('attacker-chosen-secret');
      await raw(`UPDATE sessions SET secret_sealed = '${foreign}'`);
      await assert.rejects(s.sessions.get(a.accessKeyId), /ASIAAAAAAAAAAAAAAAAA/);
    });
  });
}

function resourcePolicyCases({ test }: Cases): void {
  const rp = (id: string, accountId = ACCT, region = REGION, document?: string): ResourcePolicyRecord => ({
    resourceArn: `arn:aws:bedrock:${region}:${accountId}:guardrail/${id}`,
    accountId,
    region,
    document: document ?? `{"Version":"2012-10-17","Id":"${id}"}`,
    updatedAt: at(1),
  });

  describe('resource policies', () => {
    test('put upserts by ARN keeping the document verbatim; get, delete, list by account and Region', async (s) => {
      const spaced = rp('b', ACCT, REGION, '{ "Version" : "2012-10-17",\n  "Statement": [] }');
      for (const p of [spaced, rp('a'), rp('c', ACCT, OTHER_REGION), rp('d', OTHER_ACCT)]) await s.resourcePolicies.put(p);
      assert.deepEqual(await s.resourcePolicies.get(spaced.resourceArn), spaced);
      const replaced = { ...rp('a'), document: '{"replaced":true}', updatedAt: at(9) };
      await s.resourcePolicies.put(replaced);
      assert.deepEqual(await s.resourcePolicies.get(replaced.resourceArn), replaced);
      assert.deepEqual(
        (await s.resourcePolicies.listForAccount(ACCT)).map((p) => p.resourceArn),
        [rp('c', ACCT, OTHER_REGION).resourceArn, replaced.resourceArn, spaced.resourceArn],
      );
      assert.deepEqual(await s.resourcePolicies.listForAccount(ACCT, OTHER_REGION), [rp('c', ACCT, OTHER_REGION)]);
      assert.deepEqual(await s.resourcePolicies.listForAccount(THIRD), []);
      assert.equal(await s.resourcePolicies.delete(spaced.resourceArn), true);
      assert.equal(await s.resourcePolicies.delete(spaced.resourceArn), false);
      assert.equal(await s.resourcePolicies.get(spaced.resourceArn), undefined);
    });
  });
}

function enforcementCases({ test }: Cases): void {
  type Extra = Partial<EnforcementConfigRecord>;
  const cfg = (configId: string, accountId = ACCT, region = REGION, extra: Extra = {}): EnforcementConfigRecord => ({
    configId,
    accountId,
    region,
    guardrailArn: `arn:aws:bedrock:${region}:${ACCT}:guardrail/gr1`,
    guardrailId: 'gr1',
    guardrailVersion: 1,
    createdAt: at(1),
    createdBy: `arn:aws:sts::${accountId}:assumed-role/admin/a`,
    updatedAt: at(1),
    updatedBy: `arn:aws:sts::${accountId}:assumed-role/admin/a`,
    ...extra,
  });

  describe('enforcement configs', () => {
    test('create and get round-trip, with and without the optional settings', async (s) => {
      const full = cfg('cfg1', ACCT, REGION, {
        selectiveContentGuarding: { system: 'SELECTIVE', messages: 'COMPREHENSIVE' },
        modelEnforcement: { includedModels: ['ALL'], excludedModels: ['amazon.titan-embed-text-v2:0'] },
      });
      await s.enforcement.create(full);
      await s.enforcement.create(cfg('cfg2', ACCT, OTHER_REGION));
      assert.deepEqual(await s.enforcement.get(ACCT, REGION), full);
      assert.deepEqual(await s.enforcement.get(ACCT, OTHER_REGION), cfg('cfg2', ACCT, OTHER_REGION));
      assert.equal(await s.enforcement.get(OTHER_ACCT, REGION), undefined);
    });

    test('one per account and Region: a second one is a conflict naming the first configId', async (s) => {
      await s.enforcement.create(cfg('first'));
      await assert.rejects(s.enforcement.create(cfg('second')), (e: unknown) => {
        rejectsWith('ConflictException')(e);
        assert.match((e as Error).message, /first/);
        return true;
      });
      assert.equal((await s.enforcement.get(ACCT, REGION))?.configId, 'first');
      await assert.rejects(s.enforcement.create(cfg('first', OTHER_ACCT)), rejectsWith('ConflictException'));
      await s.enforcement.create(cfg('third', OTHER_ACCT));
    });

    test('update replaces all but the identity and creation fields; delete is scoped by account', async (s) => {
      await s.enforcement.create(
        cfg('c1', ACCT, REGION, {
          selectiveContentGuarding: { system: 'SELECTIVE' },
          modelEnforcement: { includedModels: ['ALL'], excludedModels: [] },
        }),
      );
      const next = cfg('c1', ACCT, REGION, {
        guardrailArn: `arn:aws:bedrock:${REGION}:${ACCT}:guardrail/gr2`,
        guardrailId: 'gr2',
        guardrailVersion: 7,
        modelEnforcement: { includedModels: ['anthropic.claude-v2'], excludedModels: [] },
        updatedAt: at(50),
        updatedBy: 'arn:aws:sts::111111111111:assumed-role/other/b',
      });
      assert.equal(
        await s.enforcement.update({ ...next, region: OTHER_REGION, createdAt: at(99), createdBy: 'ignored' }),
        true,
      );
      assert.deepEqual(await s.enforcement.get(ACCT, REGION), next);
      assert.equal(await s.enforcement.update(cfg('nope')), false);
      assert.equal(await s.enforcement.update(cfg('c1', OTHER_ACCT)), false, 'another account cannot update it');
      assert.equal(await s.enforcement.delete(OTHER_ACCT, 'c1'), false);
      assert.equal(await s.enforcement.delete(ACCT, 'c1'), true);
      assert.equal(await s.enforcement.delete(ACCT, 'c1'), false);
      assert.equal(await s.enforcement.get(ACCT, REGION), undefined);
      await s.enforcement.create(cfg('c2')); // the slot is free again
    });

    test('listForGuardrail and listForAccounts, ordered by (accountId, region)', async (s) => {
      const gr2 = `arn:aws:bedrock:${REGION}:${ACCT}:guardrail/gr2`;
      await s.enforcement.create(cfg('a', THIRD, REGION, { guardrailVersion: 2 }));
      await s.enforcement.create(cfg('b', ACCT, REGION));
      await s.enforcement.create(cfg('c', ACCT, OTHER_REGION, { guardrailArn: gr2, guardrailId: 'gr2' }));
      await s.enforcement.create(cfg('d', OTHER_ACCT, REGION));
      assert.deepEqual(
        (await s.enforcement.listForGuardrail(cfg('x').guardrailArn)).map((c) => c.configId),
        ['b', 'd', 'a'],
      );
      assert.deepEqual((await s.enforcement.listForGuardrail(gr2)).map((c) => c.configId), ['c']);
      assert.deepEqual(await s.enforcement.listForGuardrail('arn:aws:bedrock:us-east-1:1:guardrail/none'), []);
      assert.deepEqual(
        (await s.enforcement.listForAccounts([THIRD, ACCT, THIRD, '999999999999'])).map((c) => c.configId),
        ['c', 'b', 'a'],
      );
      assert.deepEqual(await s.enforcement.listForAccounts([]), []);
      const many = Array.from({ length: 1200 }, (_, i) => String(i).padStart(12, '9'));
      assert.deepEqual((await s.enforcement.listForAccounts([...many, OTHER_ACCT])).map((c) => c.configId), ['d']);
    });

    test('parallel creates in one account and Region: exactly one wins, the rest name it', async (s) => {
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => s.enforcement.create(cfg(`c${i}`))));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const winner = (await s.enforcement.get(ACCT, REGION))?.configId ?? '';
      for (const r of results) {
        if (r.status === 'rejected') {
          rejectsWith('ConflictException')(r.reason);
          assert.ok((r.reason as Error).message.includes(winner));
        }
      }
    });
  });
}

/** Statements that lift the audit log's append-only guard (to prove that verify() catches tampering). */
function disableAuditGuard(kind: Store['kind']): string[] {
  return kind === 'sqlite'
    ? ['DROP TRIGGER audit_log_no_update', 'DROP TRIGGER audit_log_no_delete']
    : ['ALTER TABLE audit_log DISABLE TRIGGER USER'];
}

function auditCases({ test, rawTest }: Cases): void {
  const entry = (i: number, extra: Partial<AuditEntry> = {}): AuditEntry => ({
    at: at(i),
    accountId: ACCT,
    principalArn: `arn:aws:iam::${ACCT}:user/alice`,
    action: 'bedrock:ApplyGuardrail',
    outcome: 'NONE',
    ...extra,
  });
  const appendAll = async (s: Store, entries: AuditEntry[]): Promise<AuditRecord[]> => {
    const out: AuditRecord[] = [];
    for (const e of entries) out.push(await s.audit.append(e));
    return out;
  };

  describe('audit trail', () => {
    test('append numbers records 1, 2, 3… and links each hash to the previous one', async (s) => {
      assert.deepEqual(await s.audit.verify(), { ok: true, count: 0 });
      const e1 = entry(1, {
        region: REGION,
        resourceArn: 'arn:aws:bedrock:us-east-1:111111111111:guardrail/g1',
        requestId: 'req-1',
        before: null,
        after: { name: 'g1', nested: { b: 1, a: [1, 'x', { z: true, y: null }] } },
        detail: { latencyMs: 3, textUnits: 1 },
      });
      const records = await appendAll(s, [e1, entry(2), entry(3, { outcome: 'INTERVENED' })]);
      assert.deepEqual(
        records.map((r) => r.seq),
        [1, 2, 3],
      );
      assert.equal(records[0]?.prevHash, GENESIS_HASH);
      assert.equal(records[1]?.prevHash, records[0]?.hash);
      assert.equal(records[2]?.prevHash, records[1]?.hash);
      assert.deepEqual(records[0], { ...e1, seq: 1, prevHash: GENESIS_HASH, hash: auditHash(GENESIS_HASH, { ...e1, seq: 1 }) });
      for (const r of records) assert.match(r.hash, /^[0-9a-f]{64}$/);
      assert.deepEqual(await s.audit.list({ limit: 10 }), [...records].reverse());
      assert.deepEqual(await s.audit.verify(), { ok: true, count: 3 });
    });

    test('appendMany writes consecutive, linked records in one go; an empty batch writes nothing', async (s) => {
      await s.audit.append(entry(1));
      assert.deepEqual(await s.audit.appendMany([]), []);
      const batch = await s.audit.appendMany([entry(2, { outcome: 'INTERVENED' }), entry(3), entry(4)]);
      assert.deepEqual(
        batch.map((r) => r.seq),
        [2, 3, 4],
      );
      assert.equal(batch[1]?.prevHash, batch[0]?.hash);
      assert.equal(batch[2]?.prevHash, batch[1]?.hash);
      assert.deepEqual(await s.audit.verify(), { ok: true, count: 4 });
      // A batch with one bad entry writes none of it.
      await assert.rejects(s.audit.appendMany([entry(5), entry(6, { detail: { big: 1n } })]), rejectsWith('ValidationException'));
      assert.deepEqual(await s.audit.verify(), { ok: true, count: 4 });
    });

    test('list: afterSeq follows the trail oldest first; outcome, principal, Region and action-prefix filters', async (s) => {
      await s.audit.appendMany([
        entry(1), // 1
        entry(2, { outcome: 'INTERVENED', region: REGION }), // 2
        entry(3, { principalArn: 'arn:aws:iam::111111111111:user/bob', action: 'bedrock:Converse' }), // 3
        entry(4, { action: 'organizations:CreatePolicy', region: 'eu-west-1' }), // 4
        entry(5, { action: 'bedrock_x%:Odd' }), // 5
      ]);
      const seqs = async (q: Omit<AuditQuery, 'limit'> & { limit?: number }) =>
        (await s.audit.list({ limit: 100, ...q })).map((r) => r.seq);
      assert.deepEqual(await seqs({ afterSeq: 2 }), [3, 4, 5]);
      assert.deepEqual(await seqs({ afterSeq: 2, limit: 1 }), [3]);
      assert.deepEqual(await seqs({ afterSeq: 5 }), []);
      assert.deepEqual(await seqs({ outcome: 'INTERVENED' }), [2]);
      assert.deepEqual(await seqs({ principalArn: 'arn:aws:iam::111111111111:user/bob' }), [3]);
      assert.deepEqual(await seqs({ region: 'eu-west-1' }), [4]);
      assert.deepEqual(await seqs({ actionPrefix: 'bedrock:' }), [3, 2, 1]);
      assert.deepEqual(await seqs({ actionPrefix: 'bedrock_x%' }), [5]);
      assert.deepEqual(await seqs({ actionPrefix: 'bedrock_' }), [5]);
    });

    test('payloads come back as their JSON; absent and null stay distinct; non-JSON is refused', async (s) => {
      const r = await s.audit.append(
        entry(1, { before: null, after: undefined, detail: { when: new Date(T0), gone: undefined, n: -0, list: [undefined] } }),
      );
      const expected = { ...entry(1), before: null, detail: { when: new Date(T0).toISOString(), n: 0, list: [null] } };
      const { seq, prevHash, hash, ...stored } = r;
      assert.deepEqual(stored, expected);
      assert.equal('after' in r, false);
      assert.deepEqual(await s.audit.list({ limit: 1 }), [{ ...expected, seq, prevHash, hash }]);
      await assert.rejects(s.audit.append(entry(2, { detail: { big: 1n } })), rejectsWith('ValidationException'));
      const cyclic: Record<string, unknown> = {};
      cyclic['self'] = cyclic;
      await assert.rejects(s.audit.append(entry(2, { after: cyclic })), rejectsWith('ValidationException'));
      assert.deepEqual(await s.audit.verify(), { ok: true, count: 1 });
    });

    test('list: newest first, with account, action, resource, time-range and beforeSeq filters', async (s) => {
      const arn = 'arn:aws:bedrock:us-east-1:111111111111:guardrail/g1';
      await appendAll(s, [
        entry(1), // 1
        entry(2, { accountId: OTHER_ACCT, action: 'organizations:CreatePolicy' }), // 2
        entry(3, { resourceArn: arn }), // 3
        entry(4, { accountId: THIRD, resourceArn: arn }), // 4
        entry(5, { action: 'organizations:CreatePolicy' }), // 5
        entry(5), // 6
      ]);
      const seqs = async (q: Omit<AuditQuery, 'limit'> & { limit?: number }) =>
        (await s.audit.list({ limit: 100, ...q })).map((r) => r.seq);
      assert.deepEqual(await seqs({}), [6, 5, 4, 3, 2, 1]);
      assert.deepEqual(await seqs({ limit: 2 }), [6, 5]);
      assert.deepEqual(await seqs({ limit: 2, beforeSeq: 5 }), [4, 3]);
      assert.deepEqual(await seqs({ beforeSeq: 1 }), []);
      assert.deepEqual(await seqs({ accountIds: [ACCT] }), [6, 5, 3, 1]);
      assert.deepEqual(await seqs({ accountIds: [OTHER_ACCT, THIRD] }), [4, 2]);
      assert.deepEqual(await seqs({ accountIds: [] }), []);
      assert.deepEqual(await seqs({ action: 'organizations:CreatePolicy' }), [5, 2]);
      assert.deepEqual(await seqs({ action: 'organizations:CreatePolicy', accountIds: [ACCT] }), [5]);
      assert.deepEqual(await seqs({ resourceArn: arn }), [4, 3]);
      assert.deepEqual(await seqs({ since: at(3), until: at(4) }), [4, 3]);
      assert.deepEqual(await seqs({ since: at(5) }), [6, 5]);
      assert.deepEqual(await seqs({ until: at(1) }), [1]);
      for (const limit of [0, -1, 1.5, Number.NaN]) {
        await assert.rejects(s.audit.list({ limit }), rejectsWith('ValidationException'));
      }
    });

    test('parallel appends form one gapless chain', async (s) => {
      const records = await Promise.all(Array.from({ length: 40 }, (_, i) => s.audit.append(entry(i, { requestId: `r${i}` }))));
      assert.deepEqual(
        records.map((r) => r.seq).sort((a, b) => a - b),
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
      assert.deepEqual(await s.audit.verify(), { ok: true, count: 40 });
    });

    test('property: after any sequence of appends, the chain verifies and reads back as appended', async (s) => {
      const text = fc.string({ unit: 'binary', maxLength: 30 }).filter((t) => !t.includes('\u0000'));
      const entryArb: fc.Arbitrary<AuditEntry> = fc.record(
        {
          at: fc.integer({ min: 0, max: 10 ** 9 }).map(at),
          accountId: fc.constantFrom(ACCT, OTHER_ACCT, THIRD),
          principalArn: text,
          action: fc.constantFrom('bedrock:ApplyGuardrail', 'organizations:CreatePolicy', 'sts:AssumeRole'),
          outcome: text,
          region: fc.option(fc.constantFrom(REGION, OTHER_REGION), { nil: undefined }),
          resourceArn: fc.option(text, { nil: undefined }),
          requestId: fc.option(fc.uuid(), { nil: undefined }),
          before: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
          after: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
          detail: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
        },
        { requiredKeys: ['at', 'accountId', 'principalArn', 'action', 'outcome'] },
      );
      let total = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(entryArb, { minLength: 1, maxLength: 8 }), async (entries) => {
          const appended = await appendAll(s, entries);
          total += entries.length;
          assert.deepEqual(
            appended.map((r) => r.seq),
            entries.map((_, i) => total - entries.length + i + 1),
          );
          appended.forEach((r, i) => {
            const { seq: _seq, prevHash: _prev, hash: _hash, ...fields } = r;
            assert.deepEqual(fields, normalizeAuditEntry(entries[i] as AuditEntry));
          });
          assert.deepEqual(await s.audit.list({ limit: entries.length }), [...appended].reverse());
          assert.deepEqual(await s.audit.verify(), { ok: true, count: total });
        }),
        { numRuns: 30 },
      );
    });

    rawTest('the database refuses UPDATE and DELETE of audit records', async (s, raw) => {
      const records = await appendAll(s, [entry(1), entry(2), entry(3)]);
      await assert.rejects(raw(`UPDATE audit_log SET outcome = 'Success' WHERE seq = 2`));
      await assert.rejects(raw(`UPDATE audit_log SET hash = prev_hash`));
      await assert.rejects(raw(`DELETE FROM audit_log WHERE seq = 3`));
      await assert.rejects(raw(`DELETE FROM audit_log`));
      assert.deepEqual(await s.audit.list({ limit: 10 }), [...records].reverse());
      assert.deepEqual(await s.audit.verify(), { ok: true, count: 3 });
    });

    rawTest('without the guard, verify() finds an edited, a re-hashed and a deleted record', async (s, raw) => {
      await appendAll(s, Array.from({ length: 6 }, (_, i) => entry(i + 1, { detail: { i } })));
      for (const statement of disableAuditGuard(s.kind)) await raw(statement);
      assert.deepEqual(await s.audit.verify(), { ok: true, count: 6 });

      // an edited payload no longer matches its own hash
      await raw(`UPDATE audit_log SET detail_json = '{"i":99}' WHERE seq = 5`);
      assert.deepEqual(await s.audit.verify(), { ok: false, count: 4, brokenAt: 5 });
      await raw(`UPDATE audit_log SET detail_json = 'not json' WHERE seq = 5`);
      assert.deepEqual(await s.audit.verify(), { ok: false, count: 4, brokenAt: 5 });

      await raw(`UPDATE audit_log SET detail_json = '{"i":4}' WHERE seq = 5`); // put the original back
      assert.deepEqual(await s.audit.verify(), { ok: true, count: 6 });

      // an edit whose own hash is recomputed breaks the next record's link instead
      const [row3] = await s.audit.list({ limit: 1, beforeSeq: 4 });
      assert.ok(row3);
      const forged = { ...row3, outcome: 'forged' };
      await raw(`UPDATE audit_log SET outcome = 'forged', hash = '${auditHash(forged.prevHash, forged)}' WHERE seq = 3`);
      assert.deepEqual(await s.audit.verify(), { ok: false, count: 3, brokenAt: 4 });

      // a deleted record breaks the chain at the first record after the gap
      await raw(`DELETE FROM audit_log WHERE seq = 2`);
      assert.deepEqual(await s.audit.verify(), { ok: false, count: 1, brokenAt: 3 });
    });

    rawTest('verify() checks the first link against the genesis hash', async (s, raw) => {
      await appendAll(s, [entry(1), entry(2)]);
      for (const statement of disableAuditGuard(s.kind)) await raw(statement);
      await raw(`DELETE FROM audit_log WHERE seq = 1`);
      assert.deepEqual(await s.audit.verify(), { ok: false, count: 0, brokenAt: 2 });
    });
  });
}
