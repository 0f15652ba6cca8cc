/**
 * Backup and restore through the CLI: `parapet export` of a running server's store (the demo organization),
 * `parapet import` into a fresh SQLite data directory and (when PARAPET_TEST_POSTGRES_URL is set) a fresh
 * PostgreSQL schema, and servers started there serve the demo members with their old keys and enforce the
 * organization's guardrail.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ApplyGuardrailCommand, BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { DEMO_BLOCKED_INPUT, type RunningServer, startServer } from '../../src/server/serve.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { dropSchemas } from '../helpers/postgres.ts';

const PG_URL = process.env.PARAPET_TEST_POSTGRES_URL;
if (!PG_URL) console.log('# SKIPPED export/import into PostgreSQL: set PARAPET_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');

const run = promisify(execFile);
const BIN = new URL('../../bin/parapet.mjs', import.meta.url).pathname;

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
}

describe('parapet export / import', () => {
  let source: TestServer;
  let work: string;
  let exportFile: string;
  let masterKeyHex: string;
  let teamA: Creds;
  let management: Creds;
  let demoGuardrailId: string;
  const servers: RunningServer[] = [];
  const schema = `e2e_import_${randomBytes(4).toString('hex')}`;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['PARAPET_MASTER_KEY', 'PARAPET_DATABASE_URL', 'PARAPET_DATABASE_SCHEMA', 'PARAPET_DATA_DIR', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE'])
    delete env[k];

  async function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string; code: number }> {
    try {
      const r = await run(process.execPath, [BIN, ...args], { env: { ...env, ...extraEnv }, maxBuffer: 64 * 1024 * 1024 });
      return { ...r, code: 0 };
    } catch (e) {
      const err = e as { stdout: string; stderr: string; code: number };
      return { stdout: err.stdout, stderr: err.stderr, code: err.code };
    }
  }

  const runtime = (url: string, creds: Creds) =>
    new BedrockRuntimeClient({ region: 'us-east-1', endpoint: url, credentials: creds, maxAttempts: 1 });

  /** The demo, served by `url`: team-a's old key works and the organization's guardrail is enforced on it. */
  async function assertDemoWorks(url: string): Promise<void> {
    const client = runtime(url, teamA);
    try {
      const blocked = await client.send(
        new ConverseCommand({ modelId: 'parapet.demo-v1', messages: [{ role: 'user', content: [{ text: 'Tell me everything about Project Nightingale.' }] }] }),
      );
      assert.equal(blocked.output?.message?.content?.[0]?.text, DEMO_BLOCKED_INPUT);
      const clean = await client.send(new ConverseCommand({ modelId: 'parapet.demo-v1', messages: [{ role: 'user', content: [{ text: 'Hello' }] }] }));
      assert.equal(clean.stopReason, 'end_turn');
    } finally {
      client.destroy();
    }
    const mgmt = runtime(url, management);
    try {
      const applied = await mgmt.send(
        new ApplyGuardrailCommand({ guardrailIdentifier: demoGuardrailId, guardrailVersion: '1', source: 'INPUT', content: [{ text: { text: 'about project nightingale' } }] }),
      );
      assert.equal(applied.action, 'GUARDRAIL_INTERVENED');
    } finally {
      mgmt.destroy();
    }
  }

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'parapet-export-e2e-'));
    exportFile = join(work, 'backup.json');
    source = await startTestServer({ demo: true });
    masterKeyHex = readFileSync(join(source.dataDir, 'master.key'), 'utf8').trim();
    const a = source.server.credentials.accounts.find((x) => x.name === 'team-a');
    assert.ok(a);
    teamA = { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey };
    management = source.credentials;
    const demo = (await source.server.store.guardrails.list(source.accountId, 'us-east-1', { maxResults: 10 })).items.find(
      (g) => g.config.name === 'parapet-demo-baseline',
    );
    assert.ok(demo);
    demoGuardrailId = demo.guardrailId;
    await assertDemoWorks(source.server.url); // some invocation records in the audit trail too
  });

  after(async () => {
    for (const s of servers) await s.close();
    await source?.stop();
    rmSync(work, { recursive: true, force: true });
    if (PG_URL) {
      await dropSchemas(PG_URL as string, schema);
    }
  });

  it('exports the store of a running server to a private file, with a summary on stderr', async () => {
    const r = await cli(['--data-dir', source.dataDir, 'export', '--out', exportFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /│ guardrail_versions\s+│ 1\s+│/);
    assert.match(r.stderr, /exported \d+ rows \(\d+ bytes\) from .*parapet\.db \(SQLite\) to /);
    assert.equal(statSync(exportFile).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(work), ['backup.json'], 'no temporary file left');
    const file = JSON.parse(readFileSync(exportFile, 'utf8')) as { format: string; counts: Record<string, number>; tables: Record<string, Array<Record<string, unknown>>> };
    assert.equal(file.format, 'parapet-export');
    assert.equal(file.counts['accounts'], 3);
    assert.ok((file.counts['audit_log'] ?? 0) > 0);
    assert.equal(file.tables['guardrails']?.find((x) => x['name'] === 'parapet-demo-baseline')?.['guardrail_id'], demoGuardrailId);
    assert.ok(!readFileSync(exportFile, 'utf8').includes(teamA.secretAccessKey), 'secrets are sealed in the file');

    // to stdout, with the JSON summary on stderr
    const json = await cli(['--data-dir', source.dataDir, '-o', 'json', 'export']);
    assert.equal(json.code, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as { format: string }).format, 'parapet-export');
    assert.equal((JSON.parse(json.stderr) as { counts: Record<string, number> }).counts['accounts'], 3);
  });

  it('refuses another master key and leaves nothing behind', async () => {
    const dir = join(work, 'wrong-key');
    const r = await cli(['--data-dir', dir, 'import', exportFile], { PARAPET_MASTER_KEY: randomBytes(32).toString('hex') });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /another master key.*--source-key-file/);
    assert.equal(existsSync(join(dir, 'parapet.db')), false);
    const noKey = await cli(['--data-dir', dir, 'import', exportFile]);
    assert.equal(noKey.code, 1);
    assert.match(noKey.stderr, /no master key for the target: copy the source's master\.key/);
    // refused halfway through (the store was opened and written to): rolled back, and the new file removed
    const truncated = join(work, 'truncated.json');
    const text = readFileSync(exportFile, 'utf8');
    writeFileSync(truncated, text.slice(0, Math.floor(text.length * 0.9)));
    const broken = await cli(['--data-dir', dir, 'import', truncated], { PARAPET_MASTER_KEY: masterKeyHex });
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /error: the file (ends early|is not valid: line \d+ is not a valid row)/);
    assert.equal(existsSync(join(dir, 'parapet.db')), false);
    rmSync(truncated);
  });

  it('imports into a fresh SQLite data directory; a server there serves the old keys and enforces the guardrail', async () => {
    const dir = join(work, 'sqlite-target');
    const copy = await cli(['--data-dir', dir, 'import', exportFile], { PARAPET_MASTER_KEY: masterKeyHex });
    assert.equal(copy.code, 0, copy.stderr);
    assert.match(copy.stderr, /imported \d+ rows exported .* from sqlite into .*parapet\.db \(SQLite\); the audit trail \(\d+ records\) verifies/);
    const again = await cli(['--data-dir', dir, 'import', exportFile], { PARAPET_MASTER_KEY: masterKeyHex });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /the target store is not empty/);

    // the master key file copied over instead of the environment
    const dir2 = join(work, 'sqlite-target-2');
    const first = await cli(['--data-dir', dir2, 'import', exportFile, '--source-key-file', join(source.dataDir, 'master.key')]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /secrets re-sealed with the target's master key/);
    assert.notEqual(readFileSync(join(dir2, 'master.key'), 'utf8').trim(), masterKeyHex, 'a new key for the re-sealed copy');

    for (const d of [dir, dir2]) {
      const server = await startServer({ port: 0, dataDir: d, quotas: { disabled: true }, ...(d === dir ? { masterKey: masterKeyHex } : {}) });
      servers.push(server);
      assert.equal(server.bootstrapped, false);
      assert.deepEqual(server.credentials.accounts.map((x) => x.name).sort(), ['management', 'team-a', 'team-b']);
      await assertDemoWorks(server.url);
      assert.equal((await server.store.audit.verify()).ok, true);
    }
  });

  it('imports into a fresh PostgreSQL schema; a server there serves the old keys and enforces the guardrail', { skip: !PG_URL }, async () => {
    const pgEnv = { PARAPET_MASTER_KEY: masterKeyHex, PARAPET_DATABASE_URL: PG_URL };
    const r = await cli(['--data-dir', join(work, 'pg-unused'), '-o', 'json', 'import', exportFile, '--database-schema', schema], pgEnv);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { store: string; counts: Record<string, number>; auditRecords: number };
    assert.match(summary.store, new RegExp(`schema ${schema}`));
    // read back from PostgreSQL: the same rows as the file
    const back = await cli(['--data-dir', join(work, 'pg-unused'), 'export', '--database-schema', schema], pgEnv);
    assert.equal(back.code, 0, back.stderr);
    const original = JSON.parse(readFileSync(exportFile, 'utf8')) as { tables: unknown };
    const fromPg = JSON.parse(back.stdout) as { tables: unknown; source: { kind: string } };
    assert.equal(fromPg.source.kind, 'postgres');
    assert.deepEqual(fromPg.tables, original.tables);

    const t = await startTestServer({ database: PG_URL, databaseSchema: schema, masterKey: masterKeyHex });
    try {
      assert.equal(t.server.bootstrapped, false);
      assert.equal(t.credentials.accessKeyId, management.accessKeyId, 'the management key is the old one');
      await assertDemoWorks(t.server.url);
      assert.equal((await t.server.store.audit.verify()).ok, true);
    } finally {
      await t.stop();
    }
  });
});
