/**
 * The PostgreSQL change feed: what the triggers send, that every replica of a schema hears it (and no other
 * schema), and that the listener comes back (with a `resync`) when its connection is killed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createAesGcmCipher } from '../crypto.ts';
import type { ChangeEvent, Store } from '../types.ts';
import { changeChannel, decodeChange, encodeChange } from './change-feed.ts';
import { openPostgresStore } from './index.ts';

const URL = process.env['PARAPET_TEST_POSTGRES_URL'];
if (!URL) console.log('# SKIPPED PostgreSQL change feed tests: set PARAPET_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');

const ACCT = '111111111111';
const REGION = 'us-east-1';
const AT = '2026-01-01T00:00:00.000Z';

describe('change feed payloads', () => {
  it('round-trips every event kind; anything unreadable or unknown is a resync', () => {
    const events: ChangeEvent[] = [
      { kind: 'changed' },
      { kind: 'guardrailDeleted', guardrailArn: 'arn:aws:bedrock:us-east-1:111111111111:guardrail/abc' },
      { kind: 'guardrailDeleted', guardrailArn: 'arn:aws:bedrock:us-east-1:111111111111:guardrail/abc', version: 3 },
      { kind: 'accessKeyChanged', accessKeyId: 'AKIAEXAMPLE' },
      { kind: 'resync' },
    ];
    for (const e of events) assert.deepEqual(decodeChange(encodeChange(e)), e);
    // What the triggers send (json_build_object's spacing, a null version).
    assert.deepEqual(decodeChange('{"kind" : "guardrailDeleted", "guardrailArn" : "a", "version" : null}'), {
      kind: 'guardrailDeleted',
      guardrailArn: 'a',
    });
    for (const bad of [undefined, '', 'nope', '[]', 'null', '{"kind":"future"}', '{"kind":"accessKeyChanged"}', '{"kind":"guardrailDeleted","guardrailArn":"a","version":"1"}'])
      assert.deepEqual(decodeChange(bad), { kind: 'resync' }, String(bad));
  });

  it('keeps payloads under the NOTIFY limit', () => {
    assert.equal(encodeChange({ kind: 'accessKeyChanged', accessKeyId: 'A'.repeat(9000) }), '{"kind":"resync"}');
  });

  it('names one channel per schema, a valid identifier', () => {
    assert.match(changeChannel('public'), /^parapet_changes_[0-9a-f]{16}$/);
    assert.notEqual(changeChannel('a'), changeChannel('b'));
  });
});

describe('change feed on PostgreSQL', { skip: !URL }, () => {
  const cipher = createAesGcmCipher(randomBytes(32));
  const schema = `parapet_feed_${process.pid}_${randomBytes(3).toString('hex')}`;
  const other = `${schema}_other`;
  let a: Store;
  let b: Store;
  let c: Store; // another schema
  let admin: pg.Client;
  const heard = new Map<Store, ChangeEvent[]>();

  const open = async (s: string): Promise<Store> => {
    const store = await openPostgresStore({ connectionString: URL ?? '', cipher, schema: s, poolSize: 3, changeFeed: { minBackoffMs: 20, maxBackoffMs: 200 } });
    const events: ChangeEvent[] = [];
    heard.set(store, events);
    store.changes?.subscribe((e) => events.push(e));
    return store;
  };

  /** Resolves with the first event `store` hears, from now on, that `match` accepts (rejects after 5 s). */
  const next = (store: Store, match: (e: ChangeEvent) => boolean): Promise<ChangeEvent> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop?.();
        reject(new Error('no matching change event within 5 s'));
      }, 5_000);
      const stop = store.changes?.subscribe((e) => {
        if (!match(e)) return;
        clearTimeout(timer);
        stop?.();
        resolve(e);
      });
    });

  /** Publishes a marker through `store` and waits for it to come back: everything committed before was heard. */
  const sync = async (store: Store): Promise<string> => {
    const marker = `MARKER${randomBytes(6).toString('hex').toUpperCase()}`;
    const back = next(store, (e) => e.kind === 'accessKeyChanged' && e.accessKeyId === marker);
    await store.changes?.publish({ kind: 'accessKeyChanged', accessKeyId: marker });
    await back;
    return marker;
  };

  /**
   * Exactly what `store` heard of what `fn` committed (NOTIFY delivers in commit order, so markers published
   * before and after fence it off), in delivery order: one transaction's row-level events before its statement-level ones.
   */
  const during = async (store: Store, fn: () => Promise<unknown>): Promise<ChangeEvent[]> => {
    await sync(store);
    const events: ChangeEvent[] = [];
    const stop = store.changes?.subscribe((e) => events.push(e));
    try {
      await fn();
      const marker = await sync(store);
      return events.filter((e) => !(e.kind === 'accessKeyChanged' && e.accessKeyId === marker));
    } finally {
      stop?.();
    }
  };

  before(async () => {
    [a, b] = await Promise.all([open(schema), open(schema)]);
    c = await open(other);
    admin = new pg.Client({ connectionString: URL, options: `-c search_path=${schema}` });
    await admin.connect();
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await c?.close();
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.query(`DROP SCHEMA IF EXISTS ${other} CASCADE`);
    await admin?.end();
  });

  it('every table but the audit log and the quota buckets notifies its changes', async () => {
    const { rows } = await admin.query<{ table_name: string; notifies: boolean }>(
      `SELECT t.table_name, EXISTS (
         SELECT 1 FROM pg_trigger g JOIN pg_class r ON r.oid = g.tgrelid
         WHERE r.relnamespace = $1::text::regnamespace AND r.relname = t.table_name AND g.tgname = t.table_name || '_notify_changed'
       ) AS notifies
       FROM information_schema.tables t WHERE t.table_schema = $1::text AND t.table_name NOT LIKE 'kysely\\_%' ORDER BY 1`,
      [schema],
    );
    assert.equal(rows.length, 20);
    assert.deepEqual(rows.filter((r) => !r.notifies).map((r) => r.table_name), ['audit_log', 'quota_buckets']);
  });

  it("a write on one replica bumps the other's change count; the audit log notifies nothing", async () => {
    const before = b.changeCount?.() ?? 0;
    const events = await during(b, () => a.meta.set('k', 'v'));
    assert.deepEqual(events, [{ kind: 'changed' }], 'one statement, one event');
    assert.ok((b.changeCount?.() ?? 0) > before);
    assert.deepEqual(await during(b, () => a.audit.append({ at: AT, accountId: ACCT, principalArn: 'p', action: 'x', outcome: 'NONE' })), []);
  });

  it('access keys and guardrail deletions carry their detail, whichever way the rows change', async () => {
    await a.accounts.create({ accountId: ACCT, name: 'acct', role: 'management', createdAt: AT });
    const key = { accessKeyId: 'AKIAFEEDTEST1', accountId: ACCT, principalArn: `arn:aws:iam::${ACCT}:root`, secretAccessKey: 's', status: 'Active' as const, createdAt: AT };
    const keyEvent = { kind: 'accessKeyChanged', accessKeyId: key.accessKeyId };
    assert.deepEqual(await during(b, () => a.accessKeys.create(key)), [keyEvent, { kind: 'changed' }]);
    assert.deepEqual(await during(b, () => a.accessKeys.setStatus(key.accessKeyId, 'Inactive')), [keyEvent, { kind: 'changed' }]);
    // An operator's SQL, outside the repositories, notifies too.
    assert.deepEqual(await during(b, () => admin.query(`UPDATE access_keys SET status = 'Active'`)), [keyEvent, { kind: 'changed' }]);
    assert.deepEqual(await during(b, () => a.accessKeys.delete(key.accessKeyId)), [keyEvent, { kind: 'changed' }]);

    const arn = `arn:aws:bedrock:${REGION}:${ACCT}:guardrail/feed1`;
    await a.guardrails.create({
      record: { accountId: ACCT, region: REGION, guardrailId: 'feed1', arn, config: { name: 'feed1', blockedInputMessaging: 'no', blockedOutputsMessaging: 'no' }, status: 'READY', latestVersion: 0, createdAt: AT, updatedAt: AT },
      requestHash: 'h',
      maxPerAccountRegion: 10,
    });
    for (let i = 0; i < 3; i++) await a.guardrails.createVersion({ accountId: ACCT, region: REGION, guardrailId: 'feed1', createdAt: AT, requestHash: `h${i}`, maxVersions: 10 });
    const deleted = (e: ChangeEvent) => e.kind === 'guardrailDeleted';
    assert.deepEqual((await during(b, () => a.guardrails.deleteVersion(ACCT, REGION, 'feed1', 2))).filter(deleted), [
      { kind: 'guardrailDeleted', guardrailArn: arn, version: 2 },
    ]);
    const whole = (await during(b, () => a.guardrails.delete(ACCT, REGION, 'feed1'))).filter(deleted);
    assert.deepEqual(whole.at(-1), { kind: 'guardrailDeleted', guardrailArn: arn }, 'the whole guardrail, after its versions');
  });

  it('a rolled-back write notifies nothing; another schema hears nothing of this one', async () => {
    const cEvents = heard.get(c) ?? [];
    const seen = cEvents.length;
    const events = await during(b, async () => {
      await admin.query('BEGIN');
      await admin.query(`INSERT INTO meta (meta_key, meta_value) VALUES ('rolled', 'back')`);
      await admin.query('ROLLBACK');
    });
    assert.deepEqual(events, []);
    assert.equal(cEvents.length, seen);
    assert.deepEqual(await during(c, () => c.meta.set('mine', '1')), [{ kind: 'changed' }]);
  });

  it('reconnects after its connection is killed, reports a resync, and hears changes again', async () => {
    const channel = changeChannel(schema);
    const resyncs = Promise.all([a, b].map((s) => next(s, (e) => e.kind === 'resync')));
    const { rows } = await admin.query<{ killed: boolean }>(
      'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = $1',
      [`parapet listen ${channel}`],
    );
    assert.deepEqual(rows, [{ killed: true }, { killed: true }], "both replicas' listening connections");
    await resyncs;
    assert.deepEqual(await during(b, () => a.meta.set('after', 'reconnect')), [{ kind: 'changed' }]);
    // The repositories kept working on the pool meanwhile.
    assert.equal(await b.meta.get('after'), 'reconnect');
  });
});
