/**
 * The one conformance suite every Store implementation runs (SQLite, PostgreSQL…):
 *
 *   runStoreConformance('sqlite (memory)', () => openSqliteStore(...), { rawSql, cipher });
 *
 * `open` must return a new, EMPTY store on every call; each case closes the store it opened.
 * `rawSql` (TEST-ONLY escape hatch) lets the suite prove database-level guarantees: versions immutable
 * even to raw UPDATEs, secrets sealed at rest. `cipher` is the SecretCipher the opener gives the store.
 * Without them those cases are reported as skipped, never silently passed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ServiceError, type ErrorCode } from '../core/errors.ts';
import type { GuardrailConfig } from '../engine/config/types.ts';
import { createAesGcmCipher } from './crypto.ts';
import type { AccessKeyRecord, GuardrailRecord, SecretCipher, Store, Tag, UnsafeRawSql } from './types.ts';

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
