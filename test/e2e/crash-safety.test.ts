/**
 * Crash safety of both stores: the real server (`parapet serve`, a child process) is killed with SIGKILL in the
 * middle of a stream of writes (CreateGuardrail, CreateGuardrailVersion) and invocations (ApplyGuardrail,
 * Converse and ConverseStream through the organization's enforced guardrail), restarted on the same data
 * directory (SQLite) or schema (PostgreSQL), twice. After each restart every acknowledged write is there, every
 * acknowledged call has its audit records, and the hash chain verifies.
 *
 * What is promised at acknowledgement (README, "Durability"): a control-plane change and its audit record are
 * committed before the answer; an invocation's records (the call's record and one per guardrail application) are
 * committed before the answer is sent, and for a stream before the response ends. A call cut off by the crash
 * was never acknowledged and may or may not have left a record.
 *
 * SQLite always; PostgreSQL too when PARAPET_TEST_POSTGRES_URL is set.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BedrockClient, CreateGuardrailCommand, CreateGuardrailVersionCommand, GetGuardrailCommand, ListGuardrailsCommand } from '@aws-sdk/client-bedrock';
import { ApplyGuardrailCommand, BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import pg from 'pg';
import type { CredentialsFile } from '../../src/server/serve.ts';
import type { AuditRecord } from '../../src/store/types.ts';
import { signedFetch } from '../helpers/signed-fetch.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const BIN = fileURLToPath(new URL('../../bin/parapet.mjs', import.meta.url));
const PG_URL = process.env.PARAPET_TEST_POSTGRES_URL;
if (!PG_URL) console.log('# SKIPPED crash safety on PostgreSQL: set PARAPET_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test); SQLite runs');

/** Acknowledged = the client received a complete, successful answer. */
interface Acknowledged {
  guardrails: Array<{ id: string; arn: string }>;
  versions: Array<{ id: string; arn: string; version: string }>;
  /** Request ids of acknowledged invocations, by their audit action. */
  invocations: Array<{ requestId: string; action: string }>;
}

/** The server process: `parapet serve` on a data directory (and a PostgreSQL schema). */
class Child {
  readonly proc: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<void>;

  constructor(args: string[]) {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PARAPET_') && !k.startsWith('AWS_')) env[k] = v;
    env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    this.proc = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.proc.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.proc.once('exit', () => resolve()));
  }

  async url(): Promise<string> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const m = /listening on (http:\/\/\S+)/.exec(this.stdout);
      if (m?.[1]) return m[1];
      if (this.proc.exitCode !== null || Date.now() > deadline) assert.fail(`the server did not start: ${this.stdout}${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function clients(url: string, creds: { accessKeyId: string; secretAccessKey: string }) {
  const config = { region: 'us-east-1', endpoint: url, credentials: creds, maxAttempts: 1 };
  return { bedrock: new BedrockClient(config), runtime: new BedrockRuntimeClient(config) };
}

async function allRecords(url: string, creds: { accessKeyId: string; secretAccessKey: string }): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for (let afterSeq = 0; ; ) {
    const res = await signedFetch(url, creds, { path: '/admin/v1/audit', query: { after: String(afterSeq), limit: '1000' } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const records = res.body['records'] as AuditRecord[];
    out.push(...records);
    if (records.length < 1000) return out;
    afterSeq = records.at(-1)?.seq ?? afterSeq;
  }
}

/**
 * Drives writes and invocations against `url` until `stopWhen` holds, then SIGKILLs the child with calls in
 * flight. Returns how many calls were in flight at the kill.
 */
async function trafficThenKill(
  child: Child,
  url: string,
  creds: CredentialsFile,
  demoGuardrailId: string,
  ack: Acknowledged,
  round: number,
): Promise<number> {
  const mgmt = creds.accounts.find((a) => a.role === 'management');
  const member = creds.accounts.find((a) => a.name === 'team-a');
  assert.ok(mgmt && member);
  const m = clients(url, mgmt);
  const a = clients(url, member);
  let killed = false;
  let inFlight = 0;
  const track = async <T>(p: Promise<T>): Promise<T> => {
    inFlight++;
    try {
      return await p;
    } finally {
      inFlight--;
    }
  };
  const loop = async (body: (i: number) => Promise<void>) => {
    for (let i = 0; !killed; i++) {
      try {
        await body(i);
      } catch (e) {
        if (!killed) throw e; // before the kill every call must succeed
      }
    }
  };
  const [invocations0, writes0] = [ack.invocations.length, ack.guardrails.length + ack.versions.length];
  const loops = [
    loop(async (i) => {
      const g = await track(
        m.bedrock.send(
          new CreateGuardrailCommand({
            name: `crash-${round}-${i}`,
            blockedInputMessaging: 'no',
            blockedOutputsMessaging: 'no',
            wordPolicyConfig: { wordsConfig: [{ text: `secret${i}` }] },
          }),
        ),
      );
      if (!g.guardrailId || !g.guardrailArn) throw new Error('no guardrail id');
      ack.guardrails.push({ id: g.guardrailId, arn: g.guardrailArn });
      const v = await track(m.bedrock.send(new CreateGuardrailVersionCommand({ guardrailIdentifier: g.guardrailId })));
      ack.versions.push({ id: g.guardrailId, arn: g.guardrailArn, version: v.version ?? '' });
    }),
    ...[0, 1].map(() =>
      loop(async (i) => {
        const r = await track(a.runtime.send(new ConverseCommand({ modelId: 'parapet.demo-v1', messages: [{ role: 'user', content: [{ text: `hello ${i}` }] }] })));
        assert.ok(r.output?.message);
        ack.invocations.push({ requestId: r.$metadata.requestId ?? '', action: 'bedrock:Converse' });
      }),
    ),
    loop(async () => {
      const r = await track(
        m.runtime.send(new ApplyGuardrailCommand({ guardrailIdentifier: demoGuardrailId, guardrailVersion: '1', source: 'INPUT', content: [{ text: { text: 'hi there' } }] })),
      );
      assert.ok(r.action);
      ack.invocations.push({ requestId: r.$metadata.requestId ?? '', action: 'bedrock:ApplyGuardrail' });
    }),
    loop(async (i) => {
      await track(
        (async () => {
          const r = await a.runtime.send(new ConverseStreamCommand({ modelId: 'parapet.demo-v1', messages: [{ role: 'user', content: [{ text: `stream ${i}` }] }] }));
          let closing = false;
          for await (const ev of r.stream ?? []) if (ev.metadata) closing = true;
          // Acknowledged: the closing metadata event arrived (sent once the records are durable) and the response
          // ended without error.
          if (!closing) throw new Error('the stream ended without its closing metadata event');
          ack.invocations.push({ requestId: r.$metadata.requestId ?? '', action: 'bedrock:ConverseStream' });
        })(),
      );
    }),
  ];
  const started = Date.now();
  // Enough traffic to matter, then the kill, with calls in flight.
  while ((ack.invocations.length - invocations0 < 30 || ack.guardrails.length + ack.versions.length - writes0 < 6) && Date.now() - started < 30_000) {
    await new Promise((r) => setTimeout(r, 5));
  }
  while (inFlight === 0) await new Promise((r) => setImmediate(r));
  const atKill = inFlight;
  killed = true;
  child.proc.kill('SIGKILL');
  await child.exited;
  await Promise.all(loops);
  for (const c of [m, a]) {
    c.bedrock.destroy();
    c.runtime.destroy();
  }
  return atKill;
}

/** Every acknowledged write and audit record is there, and the chain verifies. */
async function checkDurable(url: string, creds: CredentialsFile, ack: Acknowledged): Promise<void> {
  const mgmt = creds.accounts.find((a) => a.role === 'management');
  assert.ok(mgmt);
  const m = clients(url, mgmt);
  try {
    for (const g of ack.guardrails) {
      const got = await m.bedrock.send(new GetGuardrailCommand({ guardrailIdentifier: g.id }));
      assert.equal(got.guardrailArn, g.arn);
    }
    for (const v of ack.versions) {
      const got = await m.bedrock.send(new GetGuardrailCommand({ guardrailIdentifier: v.id, guardrailVersion: v.version }));
      assert.equal(got.version, v.version);
    }
    const records = await allRecords(url, mgmt);
    const byRequest = new Map<string, AuditRecord[]>();
    for (const r of records) if (r.requestId) byRequest.set(r.requestId, [...(byRequest.get(r.requestId) ?? []), r]);
    const resources = new Set(records.map((r) => `${r.action} ${r.resourceArn ?? ''}`));
    for (const g of ack.guardrails) assert.ok(resources.has(`bedrock:CreateGuardrail ${g.arn}`), `the audit record of acknowledged CreateGuardrail ${g.arn}`);
    for (const v of ack.versions)
      assert.ok(resources.has(`bedrock:CreateGuardrailVersion ${v.arn}:${v.version}`), `the audit record of acknowledged CreateGuardrailVersion ${v.arn}:${v.version}`);
    for (const inv of ack.invocations) {
      assert.ok(inv.requestId, 'the answer carried its request id');
      const recs = byRequest.get(inv.requestId) ?? [];
      assert.ok(
        recs.some((r) => r.action === inv.action),
        `the audit record of acknowledged ${inv.action} ${inv.requestId}`,
      );
      // A guarded model call also recorded each guardrail application (input and output of the enforced baseline).
      if (inv.action !== 'bedrock:ApplyGuardrail')
        assert.ok(recs.filter((r) => r.action === 'bedrock:ApplyGuardrail').length >= 2, `guardrail applications of ${inv.requestId}`);
    }
    const verify = await signedFetch(url, mgmt, { path: '/admin/v1/audit/verify' });
    assert.equal(verify.status, 200);
    assert.equal(verify.body['ok'], true, `the chain verifies: ${JSON.stringify(verify.body)}`);
    assert.ok((verify.body['count'] as number) >= records.length);
  } finally {
    m.bedrock.destroy();
    m.runtime.destroy();
  }
}

async function crashAndRecover(serveArgs: string[], dataDir: string): Promise<{ acknowledged: number; inFlightAtKills: number[] }> {
  const ack: Acknowledged = { guardrails: [], versions: [], invocations: [] };
  const inFlightAtKills: number[] = [];
  let demoGuardrailId = '';
  for (let round = 0; round < 3; round++) {
    const child = new Child(['--data-dir', dataDir, 'serve', '--port', '0', '--no-quotas', ...serveArgs]);
    try {
      const url = await child.url();
      const creds = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as CredentialsFile;
      if (round > 0) await checkDurable(url, creds, ack);
      if (round === 2) break;
      if (!demoGuardrailId) {
        const mgmt = creds.accounts.find((a) => a.role === 'management');
        assert.ok(mgmt);
        const c = clients(url, mgmt);
        demoGuardrailId = (await c.bedrock.send(new ListGuardrailsCommand({}))).guardrails?.find((g) => g.name === 'parapet-demo-baseline')?.id ?? '';
        c.bedrock.destroy();
        assert.ok(demoGuardrailId, 'the demo organization enforces its baseline guardrail');
      }
      inFlightAtKills.push(await trafficThenKill(child, url, creds, demoGuardrailId, ack, round));
    } finally {
      if (child.proc.exitCode === null && child.proc.signalCode === null) {
        child.proc.kill('SIGINT');
        await child.exited;
      }
    }
  }
  for (const n of inFlightAtKills) assert.ok(n >= 1, 'the kill hit calls in flight');
  assert.ok(ack.invocations.length >= 40 && ack.guardrails.length >= 2 && ack.versions.length >= 2, JSON.stringify({ i: ack.invocations.length, g: ack.guardrails.length }));
  return { acknowledged: ack.invocations.length + ack.guardrails.length + ack.versions.length, inFlightAtKills };
}

describe('crash safety (SIGKILL mid-stream, restart)', () => {
  const dirs: string[] = [];
  const schemas: string[] = [];
  after(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    if (PG_URL && schemas.length) {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
      await c.end();
    }
  });

  it('SQLite: every acknowledged write and audit record survives, and the chain verifies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parapet-crash-'));
    dirs.push(dir);
    const r = await crashAndRecover([], dir);
    console.log(`crash safety, SQLite: ${r.acknowledged} acknowledged operations survived 2 SIGKILLs (calls in flight at the kills: ${r.inFlightAtKills.join(', ')})`);
  });

  it('PostgreSQL: every acknowledged write and audit record survives, and the chain verifies', { skip: !PG_URL }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parapet-crash-'));
    dirs.push(dir);
    const schema = `e2e_crash_${randomBytes(4).toString('hex')}`;
    schemas.push(schema);
    const r = await crashAndRecover(['--database', PG_URL ?? '', '--database-schema', schema], dir);
    console.log(`crash safety, PostgreSQL: ${r.acknowledged} acknowledged operations survived 2 SIGKILLs (calls in flight at the kills: ${r.inFlightAtKills.join(', ')})`);
  });
});
