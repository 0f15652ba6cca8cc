import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import type { GuardrailConfig } from '../engine/config/types.ts';
import { createAesGcmCipher } from './crypto.ts';
import {
  exportState,
  ExportError,
  type ImportOptions,
  ImportError,
  importExport,
  importState,
  openExportLines,
  type ParapetExport,
  writeExport,
} from './export.ts';
import { openPostgresStore, unsafeRawSqlForTests as pgRawSql } from './postgres/index.ts';
import { STATE_SCHEMA_VERSION, STATE_TABLES } from './sql/state.ts';
import { openSqliteStore, unsafeRawSqlForTests as sqliteRawSql } from './sqlite/index.ts';
import type { AuditEntry, SecretCipher, StateRow, Store } from './types.ts';

const PG_URL = process.env['PARAPET_TEST_POSTGRES_URL'];
if (!PG_URL) console.log('# SKIPPED PostgreSQL export/import tests: set PARAPET_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');

const cipher = createAesGcmCipher(randomBytes(32));
const otherCipher = createAesGcmCipher(randomBytes(32));

const dir = mkdtempSync(join(tmpdir(), 'parapet-export-'));
let files = 0;
const opened: Store[] = [];
const openSqlite = async (c: SecretCipher = cipher): Promise<Store> => {
  const s = await openSqliteStore({ filename: join(dir, `s${++files}`, 'parapet.db'), cipher: c });
  opened.push(s);
  return s;
};

let admin: pg.Pool | undefined;
const schemas: string[] = [];
const openPg = async (c: SecretCipher = cipher, schema?: string): Promise<Store> => {
  const name = schema ?? `parapet_export_${process.pid}_${Date.now().toString(36)}_${schemas.length}`;
  if (!schema) schemas.push(name);
  const s = await openPostgresStore({ connectionString: PG_URL ?? '', cipher: c, schema: name, poolSize: 4 });
  opened.push(s);
  return s;
};

after(async () => {
  for (const s of opened) await s.close();
  rmSync(dir, { recursive: true, force: true });
  if (schemas.length) {
    admin ??= new pg.Pool({ connectionString: PG_URL, max: 1 });
    for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  }
  await admin?.end();
});

// ---- a state that fills every table, with awkward text -----------------------------------------------------

const ACCT = '111111111111';
const MEMBER = '222222222222';
const REGION = 'us-east-1';
const at = (s: number): string => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();
const AWKWARD = 'quote " backslash \\ newline \n tab \t U+2028 \u2028 emoji 🦜 NUL-free ä';
const config = (name: string, extra: Partial<GuardrailConfig> = {}): GuardrailConfig => ({
  name,
  description: AWKWARD,
  blockedInputMessaging: 'no',
  blockedOutputsMessaging: 'no',
  ...extra,
});
const GR = 'exportgr0001';
const GR_ARN = `arn:aws:bedrock:${REGION}:${ACCT}:guardrail/${GR}`;

async function populate(s: Store, auditRecords = 40): Promise<void> {
  await s.accounts.create({ accountId: ACCT, name: 'management', role: 'management', createdAt: at(0) });
  await s.accounts.create({ accountId: MEMBER, name: AWKWARD, email: 'team@example.org', role: 'member', createdAt: at(1) });
  await s.accessKeys.create({ accessKeyId: 'AKIAEXPORTTEST000001', accountId: ACCT, principalArn: `arn:aws:iam::${ACCT}:root`, secretAccessKey: 'management/secret+key', status: 'Active', createdAt: at(0) });
  await s.accessKeys.create({ accessKeyId: 'AKIAEXPORTTEST000002', accountId: MEMBER, principalArn: `arn:aws:iam::${MEMBER}:root`, secretAccessKey: 'member/secret', status: 'Inactive', createdAt: at(1) });
  await s.guardrails.create({
    record: { accountId: ACCT, region: REGION, guardrailId: GR, arn: GR_ARN, config: config('baseline'), status: 'READY', latestVersion: 0, createdAt: at(2), updatedAt: at(2) },
    clientRequestToken: 'token-1',
    requestHash: 'hash-1',
    maxPerAccountRegion: 100,
    tags: [{ key: 'team', value: AWKWARD }],
  });
  const version = (n: number, description?: string) =>
    s.guardrails.createVersion({ accountId: ACCT, region: REGION, guardrailId: GR, createdAt: at(3 + n), requestHash: `v${n}`, clientRequestToken: `vt-${n}`, maxVersions: 20, ...(description ? { description } : {}) });
  await version(1, 'first');
  await s.guardrails.updateDraft(ACCT, REGION, GR, config('baseline', { wordPolicyConfig: { wordsConfig: [{ text: 'zanzibar' }] } } as Partial<GuardrailConfig>), at(5));
  await version(2);
  await version(3, 'third');
  assert.equal(await s.guardrails.deleteVersion(ACCT, REGION, GR, 2), true); // versions 1 and 3, latest 3
  await s.tags.put('arn:aws:bedrock:us-east-1:111111111111:guardrail/other', [{ key: 'a', value: '' }], 50);
  await s.meta.set('managementAccountId', ACCT);
  await s.meta.set('bootstrapped', at(0));

  const org = {
    orgId: 'o-exportabcd',
    arn: `arn:aws:organizations::${ACCT}:organization/o-exportabcd`,
    managementAccountId: ACCT,
    rootId: 'r-expo',
    rootArn: `arn:aws:organizations::${ACCT}:root/o-exportabcd/r-expo`,
    featureSet: 'ALL' as const,
    enabledPolicyTypes: [],
    createdAt: at(0),
  };
  await s.organizations.create(org, at(0));
  await s.organizations.setEnabledPolicyTypes(org.orgId, ['BEDROCK_POLICY']);
  await s.organizations.createOu({ ouId: 'ou-expo-abcdefgh', orgId: org.orgId, arn: `${org.arn}/ou`, parentId: org.rootId, name: 'Engineering', createdAt: at(1) });
  await s.organizations.addMember({ accountId: MEMBER, orgId: org.orgId, parentId: 'ou-expo-abcdefgh', joinedMethod: 'CREATED', joinedAt: at(2) });
  await s.organizations.createPolicy({ policyId: 'p-exportab', orgId: org.orgId, arn: `${org.arn}/p`, type: 'BEDROCK_POLICY', name: 'baseline', description: AWKWARD, content: '{"bedrock":{}}', createdAt: at(3), updatedAt: at(3) });
  await s.organizations.attach('p-exportab', org.rootId, at(4));
  await s.organizations.putCreateAccountStatus({ id: 'car-export', orgId: org.orgId, accountName: 'team', state: 'SUCCEEDED', accountId: MEMBER, requestedAt: at(1), completedAt: at(2) });
  await s.organizations.putCreateAccountStatus({ id: 'car-failed', orgId: org.orgId, accountName: 'x', state: 'FAILED', failureReason: 'EMAIL_ALREADY_EXISTS', requestedAt: at(3) });

  await s.principals.create({ arn: `arn:aws:iam::${ACCT}:role/ops`, accountId: ACCT, kind: 'role', name: 'ops', uniqueId: 'AROAEXPORT', trustPolicy: '{"Statement":[]}', maxSessionSeconds: 3600, createdAt: at(1) });
  await s.principals.create({ arn: `arn:aws:iam::${ACCT}:user/alice`, accountId: ACCT, kind: 'user', name: 'alice', uniqueId: 'AIDAEXPORT', createdAt: at(2) });
  await s.principals.putPolicy({ principalArn: `arn:aws:iam::${ACCT}:user/alice`, policyName: 'all', document: '{"Statement":[]}', updatedAt: at(3) });
  await s.sessions.create({
    accessKeyId: 'ASIAEXPORTTEST000001',
    secretAccessKey: 'session/secret',
    sessionTokenSha256: createHash('sha256').update('token').digest('hex'),
    accountId: ACCT,
    principalArn: `arn:aws:sts::${ACCT}:assumed-role/ops/s`,
    roleArn: `arn:aws:iam::${ACCT}:role/ops`,
    sourcePrincipalArn: `arn:aws:iam::${ACCT}:user/alice`,
    createdAt: at(4),
    expiresAt: '2999-01-01T00:00:00.000Z',
  });
  await s.resourcePolicies.put({ resourceArn: GR_ARN, accountId: ACCT, region: REGION, document: '{"Statement":[]}', updatedAt: at(5) });
  await s.enforcement.create({
    configId: 'cfg-export',
    accountId: MEMBER,
    region: REGION,
    guardrailArn: GR_ARN,
    guardrailId: GR,
    guardrailVersion: 1,
    selectiveContentGuarding: { system: 'SELECTIVE', messages: 'COMPREHENSIVE' },
    createdAt: at(6),
    createdBy: 'arn:aws:iam::222222222222:root',
    updatedAt: at(6),
    updatedBy: 'arn:aws:iam::222222222222:root',
  });
  await appendAudit(s, auditRecords);
}

async function appendAudit(s: Store, n: number): Promise<void> {
  const entries: AuditEntry[] = Array.from({ length: n }, (_, i) => ({
    at: at(10 + i),
    accountId: i % 2 ? ACCT : MEMBER,
    principalArn: `arn:aws:iam::${ACCT}:root`,
    action: i % 3 ? 'bedrock:ApplyGuardrail' : 'bedrock:CreateGuardrail',
    outcome: i % 5 ? 'NONE' : 'INTERVENED',
    ...(i % 2 ? { region: REGION, resourceArn: GR_ARN, requestId: `req-${i}` } : {}),
    ...(i % 3 ? { detail: { i, text: AWKWARD, nested: { z: 1, a: [1.5, -0, null, true] } } } : { before: null, after: { name: 'x' } }),
  }));
  for (let i = 0; i < entries.length; i += 500) await s.audit.appendMany(entries.slice(i, i + 500));
}

async function dump(s: Store): Promise<Record<string, StateRow[]>> {
  const state = s.state;
  assert.ok(state);
  return state.read(async (r) => {
    const out: Record<string, StateRow[]> = {};
    for (const t of state.tables) {
      out[t.name] = [];
      for await (const rows of r.rows(t.name, 7)) out[t.name]?.push(...rows); // small batches: pagination too
    }
    return out;
  });
}

const rowCount = async (s: Store): Promise<number> => Object.values(await dump(s)).reduce((n, rows) => n + rows.length, 0);

async function exportText(s: Store, c: SecretCipher = cipher): Promise<string> {
  let text = '';
  await writeExport(s, { cipher: c }, (chunk) => {
    text += chunk;
  });
  return text;
}

async function* linesOf(text: string): AsyncGenerator<string> {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  yield* lines;
}

const importText = async (s: Store, text: string, opts: ImportOptions = { cipher }) =>
  importExport(s, await openExportLines(linesOf(text)), opts);

/** What a store must hold after importing `source`'s state. */
async function assertSameState(source: Store, target: Store): Promise<void> {
  assert.deepEqual(await dump(target), await dump(source));
  const v1 = await target.guardrails.getVersion(ACCT, REGION, GR, 1);
  assert.equal(v1?.description, 'first');
  assert.equal(v1?.config.description, AWKWARD);
  assert.equal(await target.guardrails.getVersion(ACCT, REGION, GR, 2), undefined);
  assert.equal((await target.guardrails.getVersion(ACCT, REGION, GR, 3))?.description, 'third');
  assert.equal((await target.guardrails.get(ACCT, REGION, GR))?.latestVersion, 3);
  assert.equal((await target.accessKeys.get('AKIAEXPORTTEST000001'))?.secretAccessKey, 'management/secret+key');
  assert.equal((await target.accessKeys.get('AKIAEXPORTTEST000002'))?.status, 'Inactive');
  assert.equal((await target.sessions.get('ASIAEXPORTTEST000001'))?.secretAccessKey, 'session/secret');
  assert.equal((await target.enforcement.get(MEMBER, REGION))?.guardrailVersion, 1);
  const verified = await target.audit.verify();
  assert.deepEqual(verified, await source.audit.verify());
  assert.equal(verified.ok, true);
}

describe('state tables', () => {
  it('are exactly the SQLite tables and columns of the schema, parents before children', async () => {
    const s = await openSqlite();
    const raw = sqliteRawSql(s);
    const tables = (await raw(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'kysely\\_%' ESCAPE '\\' ORDER BY name`)).map((r) => r['name']);
    assert.deepEqual(tables, STATE_TABLES.map((t) => t.name).sort());
    for (const [i, t] of STATE_TABLES.entries()) {
      const info = await raw(`PRAGMA table_info(${t.name})`);
      assert.deepEqual(
        info.map((c) => ({ name: c['name'], type: c['type'] === 'bigint' ? 'integer' : String(c['type']).toLowerCase(), nullable: c['notnull'] === 0 && c['pk'] === 0 })), // (SQLite lets a TEXT primary key be NULL unless declared NOT NULL)
        t.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })),
        t.name,
      );
      const pk = info.filter((c) => Number(c['pk']) > 0).sort((a, b) => Number(a['pk']) - Number(b['pk'])).map((c) => c['name']);
      assert.deepEqual(pk, t.key, `${t.name} primary key`);
      const earlier = STATE_TABLES.slice(0, i).map((x) => x.name);
      for (const fk of await raw(`PRAGMA foreign_key_list(${t.name})`)) assert.ok(earlier.includes(String(fk['table'])), `${t.name} → ${String(fk['table'])}`);
    }
    assert.deepEqual(
      STATE_TABLES.flatMap((t) => t.columns.filter((c) => c.sealed).map((c) => `${t.name}.${c.name}`)),
      ['access_keys.secret_sealed', 'sessions.secret_sealed'],
    );
  });

  it('exist with the same columns in PostgreSQL (other tables there are bookkeeping, never exported)', { skip: !PG_URL }, async () => {
    const s = await openPg();
    const raw = pgRawSql(s);
    for (const t of STATE_TABLES) {
      const cols = await raw(
        `SELECT column_name AS name, data_type AS type, is_nullable AS nullable FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = '${t.name}' ORDER BY ordinal_position`,
      );
      assert.deepEqual(
        cols.map((c) => ({ name: c['name'], type: c['type'] === 'text' ? 'text' : 'integer', nullable: c['nullable'] === 'YES' })),
        t.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })),
        t.name,
      );
    }
  });
});

describe('export and import', () => {
  it('round-trips SQLite → file → SQLite: every row identical, versions, keys and the audit chain intact', async () => {
    const source = await openSqlite();
    await populate(source, 2_345); // several batches of audit rows
    const before = await dump(source);
    for (const t of STATE_TABLES) assert.ok(before[t.name]?.length, `the fixture fills ${t.name}`);

    const text = await exportText(source);
    const file = JSON.parse(text) as ParapetExport;
    assert.equal(file.format, 'parapet-export');
    assert.equal(file.version, 1);
    assert.deepEqual(file.source, { kind: 'sqlite', schemaVersion: STATE_SCHEMA_VERSION });
    assert.deepEqual(Object.keys(file.tables), STATE_TABLES.map((t) => t.name));
    assert.deepEqual(file.tables, before);
    assert.deepEqual(file.counts, Object.fromEntries(STATE_TABLES.map((t) => [t.name, before[t.name]?.length])));
    assert.match(file.tables['access_keys']?.[0]?.['secret_sealed'] as string, /^v1:/, 'secrets stay sealed');
    assert.ok(!text.includes('management/secret+key'), 'no plaintext secret in the file');
    // the in-memory export is the same document
    const inMemory = await exportState(source, { cipher, now: () => new Date(file.exportedAt) });
    assert.deepEqual({ ...inMemory, keyCheck: '' }, { ...file, keyCheck: '' });

    const target = await openSqlite();
    const summary = await importText(target, text);
    assert.equal(summary.auditRecords, 2_345);
    assert.equal(summary.resealed, 0);
    assert.deepEqual(summary.counts, file.counts);
    await assertSameState(source, target);
    // and it exports to the same tables again
    assert.deepEqual((JSON.parse(await exportText(target)) as ParapetExport).tables, file.tables);
  });

  it('reads a file parsed whole or laid out otherwise (pretty-printed) the same way', async () => {
    const source = await openSqlite();
    await populate(source);
    const file = await exportState(source, { cipher });
    const a = await openSqlite();
    await importState(a, JSON.parse(JSON.stringify(file)), { cipher });
    await assertSameState(source, a);
    const b = await openSqlite();
    await importText(b, JSON.stringify(file, null, 2));
    await assertSameState(source, b);
  });

  it('round-trips SQLite → PostgreSQL → SQLite with identical rows', { skip: !PG_URL }, async () => {
    const source = await openSqlite();
    await populate(source, 1_500);
    const text = await exportText(source);
    const pgStore = await openPg();
    await importText(pgStore, text);
    await assertSameState(source, pgStore);
    const fromPg = JSON.parse(await exportText(pgStore)) as ParapetExport;
    assert.deepEqual(fromPg.source, { kind: 'postgres', schemaVersion: STATE_SCHEMA_VERSION });
    assert.deepEqual(fromPg.tables, (JSON.parse(text) as ParapetExport).tables, 'the same rows in the same order from both stores');
    const back = await openSqlite();
    await importState(back, fromPg, { cipher });
    await assertSameState(source, back);
  });

  it('exports one snapshot while another replica keeps appending (PostgreSQL)', { skip: !PG_URL }, async () => {
    const a = await openPg();
    await populate(a, 3_000);
    const b = await openPg(cipher, schemas[schemas.length - 1]);
    let writing = true;
    const writer = (async () => {
      while (writing) await appendAudit(b, 20);
    })();
    const text = await exportText(a);
    writing = false;
    await writer;
    const file = JSON.parse(text) as ParapetExport;
    assert.ok((file.counts['audit_log'] ?? 0) >= 3_000);
    assert.ok((await a.audit.verify()).count > (file.counts['audit_log'] ?? 0), 'records were appended after the snapshot');
    const target = await openSqlite();
    const summary = await importText(target, text);
    assert.equal(summary.auditRecords, file.counts['audit_log']);
    assert.equal((await target.audit.verify()).ok, true);
  });

  it('refuses a file exported with another master key before writing anything; re-seals with the source key', async () => {
    const source = await openSqlite();
    await populate(source);
    const text = await exportText(source);
    const target = await openSqlite(otherCipher);
    await assert.rejects(importText(target, text, { cipher: otherCipher }), (e: unknown) => e instanceof ImportError && e.reason === 'key' && /another master key/.test(e.message));
    assert.equal(await rowCount(target), 0);
    await assert.rejects(importText(target, text, { cipher: otherCipher, sourceCipher: otherCipher }), (e: unknown) => e instanceof ImportError && e.reason === 'key');
    assert.equal(await rowCount(target), 0);

    const summary = await importText(target, text, { cipher: otherCipher, sourceCipher: cipher });
    assert.equal(summary.resealed, 3);
    assert.equal((await target.accessKeys.get('AKIAEXPORTTEST000001'))?.secretAccessKey, 'management/secret+key');
    assert.equal((await target.sessions.get('ASIAEXPORTTEST000001'))?.secretAccessKey, 'session/secret');
    const sealed = (await dump(target))['access_keys']?.[0]?.['secret_sealed'] as string;
    assert.throws(() => cipher.decrypt(sealed), 'sealed with the target key now');
  });

  it('refuses to export with a master key that does not open the store', async () => {
    const source = await openSqlite();
    await populate(source);
    await assert.rejects(exportText(source, otherCipher), (e: unknown) => e instanceof ExportError && /does not open the secret_sealed of access_keys/.test(e.message));
  });

  it('refuses a non-empty target and leaves it as it was', async () => {
    const source = await openSqlite();
    await populate(source);
    const text = await exportText(source);
    const target = await openSqlite();
    await target.accounts.create({ accountId: '999999999999', name: 'existing', role: 'management', createdAt: at(0) });
    const before = await dump(target);
    await assert.rejects(importText(target, text), (e: unknown) => e instanceof ImportError && e.reason === 'not-empty' && /accounts: 1/.test(e.message));
    assert.deepEqual(await dump(target), before);
    await assert.rejects(importText(source, text), (e: unknown) => e instanceof ImportError && e.reason === 'not-empty');
  });

  it('refuses a corrupted file with nothing written', async () => {
    const source = await openSqlite();
    await populate(source, 1_200);
    const text = await exportText(source);
    const lines = text.split('\n');
    const file = JSON.parse(text) as ParapetExport;
    const target = await openSqlite();
    const edit = (fn: (f: ParapetExport) => void): ParapetExport => {
      const copy = JSON.parse(text) as ParapetExport;
      fn(copy);
      return copy;
    };
    const auditLine = lines.findIndex((l) => l.includes('"seq":1100,'));
    const withLine = (i: number, line: string | undefined) => [...lines.slice(0, i), ...(line === undefined ? [] : [line]), ...lines.slice(i + 1)].join('\n');
    const cases: Array<[string, () => Promise<unknown>, ImportError['reason'] | RegExp, RegExp]> = [
      ['not JSON', () => importText(target, 'hello\n'), 'corrupt', /not valid JSON/],
      ['empty', () => importText(target, ''), 'format', /empty/],
      ['truncated mid-row', () => importText(target, text.slice(0, Math.floor(text.length * 0.8))), 'corrupt', /not a valid row|ends early/],
      ['truncated at a line end', () => importText(target, lines.slice(0, -3).join('\n')), 'corrupt', /ends early/],
      ['a missing comma', () => importText(target, withLine(auditLine, lines[auditLine]?.replace(/,$/, ''))), 'corrupt', /without a comma/],
      ['another format', () => importState(target, { ...file, format: 'something-else' }, { cipher }), 'format', /not a Parapet export/],
      ['another version', () => importState(target, { ...file, version: 2 }, { cipher }), 'format', /version 2 is not supported/],
      ['another schema version', () => importState(target, { ...file, source: { kind: 'sqlite', schemaVersion: 99 } }, { cipher }), 'format', /schema version 99/],
      ['a tampered audit row', () => importText(target, withLine(auditLine, lines[auditLine]?.replace('"outcome":"NONE"', '"outcome":"INTERVENED"'))), 'corrupt', /audit trail in the file does not verify at seq 1100/],
      ['a removed audit row', () => importText(target, withLine(auditLine, undefined)), 'corrupt', /does not verify at seq 1101/],
      ['the last audit row removed', () => importState(target, edit((f) => f.tables['audit_log']?.pop()), { cipher }), 'corrupt', /audit_log holds 1199 rows, the export header says 1200/],
      ['a tampered sealed secret', () => importState(target, edit((f) => {
        const row = f.tables['access_keys']?.[0] as StateRow;
        // Flip one bit of the ciphertext itself (changing the last base64 character may only touch padding bits).
        const raw = Buffer.from(cipher.encrypt('forged').slice('v1:'.length), 'base64url');
        raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 1;
        row['secret_sealed'] = `v1:${raw.toString('base64url')}`;
      }), { cipher }), 'corrupt', /sealed secret_sealed does not open/],
      ['a wrong column type', () => importState(target, edit((f) => ((f.tables['guardrails']?.[0] as StateRow)['latest_version'] = '3')), { cipher }), 'corrupt', /latest_version must be a whole number/],
      ['an unknown column', () => importState(target, edit((f) => ((f.tables['meta']?.[0] as StateRow)['extra'] = 'x')), { cipher }), 'corrupt', /column extra/],
      ['an unknown table', () => importState(target, edit((f) => (f.tables['quota_buckets'] = [])), { cipher }), 'corrupt', /does not know/],
      ['a missing table', () => importState(target, edit((f) => delete f.tables['sessions']), { cipher }), 'corrupt', /no table sessions/],
      // passes every check of the file, then fails in the database (a foreign key): the transaction rolls back
      ['a row the database refuses', () => importState(target, edit((f) => ((f.tables['access_keys']?.[0] as StateRow)['account_id'] = '000000000000')), { cipher }), /FOREIGN KEY/, /FOREIGN KEY/],
    ];
    for (const [name, run, reason, message] of cases) {
      await assert.rejects(run(), (e: unknown) => {
        assert.ok(e instanceof Error, name);
        if (typeof reason === 'string') assert.ok(e instanceof ImportError && e.reason === reason, `${name}: ${e.name} ${(e as ImportError).reason} ${e.message}`);
        assert.match(e.message, message, name);
        return true;
      });
      assert.equal(await rowCount(target), 0, `${name}: nothing written`);
    }
    // and the intact file still imports into the same store
    await importText(target, text);
    await assertSameState(source, target);
  });
});
