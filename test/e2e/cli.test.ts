/** The `parapet` CLI against a running server, using the data directory's credentials. */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { CreateAccountCommand, CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const run = promisify(execFile);
const BIN = new URL('../../bin/parapet.mjs', import.meta.url).pathname;

/** A long-running CLI process (`serve`, `audit tail`) whose output can be awaited. */
class Running {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  #waiters: Array<() => void> = [];

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const wake = () => {
      for (const w of this.#waiters.splice(0)) w();
    };
    this.child.stdout?.on('data', (d: Buffer) => {
      this.stdout += d.toString();
      wake();
    });
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString();
      wake();
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => {
      wake();
      resolve(code);
    }));
  }

  /** Resolves when the output satisfies `done`; fails if the process exits first. */
  async until(done: (stdout: string) => boolean): Promise<void> {
    while (!done(this.stdout)) {
      if (this.child.exitCode !== null) assert.fail(`exited (${this.child.exitCode}) first: ${this.stdout}${this.stderr}`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  async interrupt(): Promise<number | null> {
    this.child.kill('SIGINT');
    return this.exited;
  }
}

describe('parapet CLI', () => {
  let t: TestServer;
  const env = { ...process.env };
  delete env.AWS_ACCESS_KEY_ID;
  delete env.AWS_SECRET_ACCESS_KEY;
  delete env.AWS_PROFILE;
  delete env.PARAPET_ACCESS_KEY_ID;

  async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
    try {
      const r = await run(process.execPath, [BIN, '--data-dir', t.dataDir, ...args], { env });
      return { ...r, code: 0 };
    } catch (e) {
      const err = e as { stdout: string; stderr: string; code: number };
      return { stdout: err.stdout, stderr: err.stderr, code: err.code };
    }
  }

  before(async () => {
    t = await startTestServer();
  });
  after(async () => t.stop());

  it('creates, publishes, lists, gets, applies, updates and deletes', async () => {
    const created = await cli(
      '-o', 'json', 'guardrails', 'create', '--name', 'cli-demo',
      '--filter', 'PROMPT_ATTACK:HIGH', '--pii', 'EMAIL:ANONYMIZE', '--word', 'Project Falcon',
    );
    assert.equal(created.code, 0, created.stderr);
    const { guardrailId, version } = JSON.parse(created.stdout) as { guardrailId: string; version: string };
    assert.match(guardrailId, /^[a-z0-9]{12}$/);
    assert.equal(version, 'DRAFT');

    const published = await cli('guardrails', 'publish', guardrailId, '--description', 'first');
    assert.equal(published.code, 0, published.stderr);
    assert.match(published.stdout, /version 1/);

    const list = await cli('guardrails', 'list', guardrailId);
    assert.match(list.stdout, /cli-demo/);
    assert.match(list.stdout, /DRAFT/);

    const masked = await cli('-o', 'json', 'apply', '--guardrail', guardrailId, '--version', '1', 'mail me: a.b@example.org');
    assert.equal(masked.code, 0, masked.stderr);
    const r = JSON.parse(masked.stdout) as { action: string; outputs: { text: string }[] };
    assert.equal(r.action, 'GUARDRAIL_INTERVENED');
    assert.equal(r.outputs[0]?.text, 'mail me: {EMAIL}');

    const human = await cli('apply', '--guardrail', guardrailId, 'Tell me about Project Falcon');
    assert.match(human.stdout, /action: GUARDRAIL_INTERVENED/);
    assert.match(human.stdout, /Project Falcon/);

    // Policy flags on update replace that policy and keep the others.
    const updated = await cli('guardrails', 'update', guardrailId, '--word', 'Orion');
    assert.equal(updated.code, 0, updated.stderr);
    const draft = JSON.parse((await cli('-o', 'json', 'guardrails', 'get', guardrailId)).stdout) as {
      wordPolicy: { words: { text: string }[] };
      sensitiveInformationPolicy: { piiEntities: { type: string }[] };
    };
    assert.deepEqual(draft.wordPolicy.words.map((w) => w.text), ['Orion']);
    assert.equal(draft.sensitiveInformationPolicy.piiEntities[0]?.type, 'EMAIL');
    const v1 = JSON.parse((await cli('-o', 'json', 'guardrails', 'get', guardrailId, '--version', '1')).stdout) as {
      wordPolicy: { words: { text: string }[] };
    };
    assert.deepEqual(v1.wordPolicy.words.map((w) => w.text), ['Project Falcon']);

    const del = await cli('guardrails', 'delete', guardrailId);
    assert.equal(del.code, 0, del.stderr);
    const gone = await cli('guardrails', 'get', guardrailId);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /^ResourceNotFoundException: /);
  });

  it('reports validation errors with the AWS code and exit status 1', async () => {
    const r = await cli('guardrails', 'create', '--name', 'bad name');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ValidationException: 1 validation error detected/);
  });

  it('audit list filters model calls by outcome, action prefix, principal and Region, with a detail column', async () => {
    const g = JSON.parse((await cli('-o', 'json', 'guardrails', 'create', '--name', 'cli-audit', '--word', 'Project Falcon')).stdout) as {
      guardrailId: string;
      guardrailArn: string;
    };
    assert.equal((await cli('guardrails', 'publish', g.guardrailId)).code, 0);
    const since = new Date().toISOString(); // `apply` above recorded interventions too
    const rt = t.runtime();
    const guardrailConfig = { guardrailIdentifier: g.guardrailId, guardrailVersion: '1' };
    const blocked = await rt.send(
      new ConverseCommand({ modelId: 'parapet.demo-v1', messages: [{ role: 'user', content: [{ text: 'Tell me about Project Falcon' }] }], guardrailConfig }),
    );
    assert.equal(blocked.stopReason, 'guardrail_intervened');
    const fine = await rt.send(new ConverseCommand({ modelId: 'parapet.demo-v1', messages: [{ role: 'user', content: [{ text: 'hello' }] }], guardrailConfig }));
    assert.equal(fine.stopReason, 'end_turn');

    type Rec = { seq: number; action: string; outcome: string; principalArn: string; region?: string; detail: Record<string, unknown> };
    const intervened = (JSON.parse((await cli('audit', 'list', '--outcome', 'INTERVENED', '--since', since, '--json')).stdout) as { records: Rec[] }).records;
    assert.deepEqual(intervened.map((r) => r.action), ['bedrock:ApplyGuardrail', 'bedrock:Converse']);
    assert.ok(intervened.every((r) => r.outcome === 'INTERVENED'));
    assert.equal(intervened[1]?.detail.model, 'parapet.demo-v1');
    assert.equal(intervened[1]?.detail.intervenedOn, 'INPUT');
    assert.equal(intervened[0]?.detail.guardrail, `${g.guardrailArn}:1`);

    const none = (JSON.parse((await cli('-o', 'json', 'audit', 'list', '--outcome', 'NONE', '--action-prefix', 'bedrock:Conv')).stdout) as { records: Rec[] })
      .records;
    assert.deepEqual(none.map((r) => [r.action, r.outcome]), [['bedrock:Converse', 'NONE']]);
    const mine = `arn:aws:iam::${t.accountId}:root`;
    const byPrincipal = await cli('audit', 'list', '--principal', mine, '--action-prefix', 'bedrock:', '--json');
    assert.ok((JSON.parse(byPrincipal.stdout) as { records: Rec[] }).records.length >= 4);
    assert.deepEqual((JSON.parse((await cli('audit', 'list', '--principal', 'arn:aws:iam::123456789012:root', '--json')).stdout) as { records: Rec[] }).records, []);
    const inRegion = (JSON.parse((await cli('audit', 'list', '--region', 'us-east-1', '--action', 'bedrock:Converse', '--json')).stdout) as { records: Rec[] }).records;
    assert.equal(inRegion.length, 2);
    assert.ok(inRegion.every((r) => r.region === 'us-east-1'));
    assert.deepEqual((JSON.parse((await cli('audit', 'list', '--region', 'eu-west-1', '--action', 'bedrock:Converse', '--json')).stdout) as { records: Rec[] }).records, []);

    const human = await cli('audit', 'list', '--outcome', 'INTERVENED', '--since', since);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /│ time +│ account +│ principal +│ action +│ outcome +│ detail/);
    assert.match(human.stdout, /│ root +│ bedrock:Converse +│ INTERVENED +│ parapet\.demo-v1 · intervened on INPUT · model not called · [\d.]+ ms/);
    assert.match(human.stdout, new RegExp(`${g.guardrailArn}:1 · INPUT · BLOCKED: CUSTOM · [\\d.]+ ms`));
  });

  it('audit tail prints the latest records, then new ones as NDJSON, and stops on SIGINT with exit 0', async () => {
    const tail = new Running(['--data-dir', t.dataDir, 'audit', 'tail', '--json', '--lines', '2', '--interval', '100', '--action-prefix', 'bedrock:'], env);
    const lines = () => tail.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { seq: number; action: string; outcome: string });
    try {
      await tail.until((out) => out.split('\n').filter(Boolean).length >= 2);
      const first = lines();
      assert.equal(first.length, 2);
      assert.ok(first[0] && first[1] && first[0].seq < first[1].seq, 'oldest first');
      await t.runtime().send(new ConverseCommand({ modelId: 'parapet.demo-v1', messages: [{ role: 'user', content: [{ text: 'tail me' }] }] }));
      await tail.until(() => lines().some((r) => r.action === 'bedrock:Converse' && r.seq > (first[1]?.seq ?? 0)));
      assert.equal(await tail.interrupt(), 0, tail.stderr);
      const all = lines();
      assert.deepEqual(all.map((r) => r.seq), [...new Set(all.map((r) => r.seq))].sort((a, b) => a - b), 'each once, in order');
      assert.ok(all.every((r) => r.action.startsWith('bedrock:')));
    } finally {
      if (tail.child.exitCode === null) tail.child.kill();
    }
  });

  it('models list shows the demo model, or the routes of a models file without secrets; models check validates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parapet-cli-models-'));
    try {
      const demo = await cli('models', 'list');
      assert.equal(demo.code, 0, demo.stderr);
      assert.match(demo.stdout, /│ parapet\.demo-v1 │ demo +│ demo │ parapet\.demo-v1 +│ \(built in, local\)/);
      const file = join(dir, 'models.json');
      writeFileSync(
        file,
        JSON.stringify({
          providers: { oa: { type: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', apiKeyEnv: 'CLI_TEST_KEY_VAR', headers: { 'x-org': 'org-secret' } } },
          models: { 'anthropic.claude-3-haiku-20240307-v1:0': { provider: 'oa', model: 'llama3' } },
        }),
      );
      const listed = await cli('models', 'list', '--models', file, '--json');
      assert.equal(listed.code, 0, listed.stderr);
      const routes = (JSON.parse(listed.stdout) as { models: Array<{ modelId: string; provider: string; upstreamModel: string; baseUrl?: string }> }).models;
      assert.deepEqual(routes.map((r) => [r.modelId, r.provider, r.upstreamModel, r.baseUrl]), [
        ['anthropic.claude-3-haiku-20240307-v1:0', 'oa', 'llama3', 'http://127.0.0.1:11434/v1'],
        ['parapet.demo-v1', 'demo', 'parapet.demo-v1', undefined],
      ]);
      assert.doesNotMatch(listed.stdout + (await cli('models', 'list', '--models', file)).stdout, /CLI_TEST_KEY_VAR|org-secret/);

      const ok = await cli('models', 'check', file);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /^OK: .*models\.json \(2 model route\(s\)\)/);
      assert.match(ok.stderr, /warning: CLI_TEST_KEY_VAR \(providers\.oa\.apiKeyEnv\) is not set/);
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, '{ "providers": { "oa": { "type": "openai" } }, "models": { "m": { "provider": "oa" } },\n}');
      const broken = await cli('models', 'check', bad);
      assert.equal(broken.code, 1);
      assert.match(broken.stderr, /^error: .*bad\.json: is not valid JSON at line 2, column 1/);
      assert.doesNotMatch(broken.stderr, /\n\s+at /, 'no stack trace');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serve: a bad models file or fail-open ARN exits 1 with the reason; a good start names the endpoints and models', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parapet-cli-serve-'));
    const serveEnv: NodeJS.ProcessEnv = { ...env, PARAPET_DATA_DIR: join(dir, 'data'), PARAPET_DEMO: '0' };
    delete serveEnv.PARAPET_PORT;
    delete serveEnv.PARAPET_MODELS;
    delete serveEnv.PARAPET_FAIL_OPEN;
    delete serveEnv.PARAPET_LOG_CONTENT;
    const serveRun = async (...args: string[]) => {
      try {
        return { ...(await run(process.execPath, [BIN, 'serve', ...args], { env: serveEnv })), code: 0 };
      } catch (e) {
        return e as { stdout: string; stderr: string; code: number };
      }
    };
    try {
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, '{ "providers": {}, "models": { "m": { "provider": "nope" } } }');
      const badModels = await serveRun('--port', '0', '--models', bad);
      assert.equal(badModels.code, 1);
      assert.equal(badModels.stderr, `error: ${bad}: models["m"].provider names unknown provider "nope" (the file defines no providers)\n`);
      const badArn = await serveRun('--port', '0', '--fail-open', 'my-guardrail');
      assert.equal(badArn.code, 1);
      assert.match(badArn.stderr, /^error: --fail-open 'my-guardrail' is not a guardrail ARN/);

      const models = join(dir, 'models.json');
      writeFileSync(models, JSON.stringify({ providers: { oa: { type: 'openai', baseUrl: 'http://127.0.0.1:9/v1' } }, models: { 'acme.model-v1': { provider: 'oa', model: 'tiny' } } }));
      const arn = `arn:aws:bedrock:us-east-1:${t.accountId}:guardrail/abcdefghijkl:1`;
      const server = new Running(['serve', '--port', '0', '--models', models, '--fail-open', arn, '--no-quotas', '--guardrail-deadline-ms', '500'], serveEnv);
      try {
        await server.until((out) => out.includes('Credentials:'));
        const url = /listening on (http:\/\/\S+)/.exec(server.stdout)?.[1];
        assert.ok(url, server.stdout);
        assert.match(server.stdout, new RegExp(`OpenAI: +${url}/v1/chat/completions`));
        assert.match(server.stdout, new RegExp(`Metrics: +${url}/metrics`));
        assert.match(server.stdout, /Models: +acme\.model-v1 → oa:tiny\n +parapet\.demo-v1 \(demo\)/);
        assert.match(server.stdout, new RegExp(`Fail-open: +${arn}`));
        assert.match(server.stdout, /Quotas: +off/);
        const metrics = await fetch(`${url}/metrics`);
        assert.equal(metrics.status, 200);
        await metrics.text();
        assert.equal(await server.interrupt(), 0, server.stderr);
      } finally {
        if (server.child.exitCode === null) server.child.kill();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('resource-policy --allow-org outside an organization says to pass the organization id', async () => {
    const r = await cli('resource-policy', 'put', `arn:aws:bedrock:us-east-1:${t.accountId}:guardrail/abcdefghijkl`, '--allow-org');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^AWSOrganizationsNotInUseException: Cannot find your organization \(.*\)\. Pass its id: --allow-org o-…/);
  });
});

describe('parapet CLI: cross-account safeguards', () => {
  let t: TestServer;
  let orgId: string;
  let member: string;
  let guardrailId: string;
  let guardrailArn: string;
  const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
  const env = { ...process.env };
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'PARAPET_ACCESS_KEY_ID'])
    delete env[k];

  async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
    try {
      const r = await run(process.execPath, [BIN, '--data-dir', t.dataDir, ...args], { env });
      return { ...r, code: 0 };
    } catch (e) {
      const err = e as { stdout: string; stderr: string; code: number };
      return { stdout: err.stdout, stderr: err.stderr, code: err.code };
    }
  }

  async function json<T>(...args: string[]): Promise<T> {
    const r = await cli('-o', 'json', ...args);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as T;
  }

  before(async () => {
    t = await startTestServer();
    const orgs = t.client(OrganizationsClient);
    orgId = (await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }))).Organization?.Id ?? '';
    const created = await orgs.send(new CreateAccountCommand({ AccountName: 'team-a', Email: 'team-a@example.com' }));
    member = created.CreateAccountStatus?.AccountId ?? '';
    assert.match(member, /^\d{12}$/);
    const g = await json<{ guardrailId: string; guardrailArn: string }>(
      'guardrails', 'create', '--name', 'org-baseline', '--filter', 'PROMPT_ATTACK:HIGH',
    );
    ({ guardrailId, guardrailArn } = g);
    assert.equal((await cli('guardrails', 'publish', guardrailId)).code, 0);
  });
  after(async () => t.stop());

  it('whoami: --account of a member assumes OrganizationAccountAccessRole; of yourself keeps your key', async () => {
    const me = await json<{ Account: string; Arn: string }>('whoami');
    assert.equal(me.Account, t.accountId);
    assert.equal(me.Arn, `arn:aws:iam::${t.accountId}:root`);
    assert.deepEqual(await json('--account', t.accountId, 'whoami'), me);
    assert.deepEqual(await json('--account', 'management', 'whoami'), me);

    const assumed = await json<{ Account: string; Arn: string }>('--account', member, 'whoami');
    assert.equal(assumed.Account, member);
    assert.equal(assumed.Arn, `arn:aws:sts::${member}:assumed-role/OrganizationAccountAccessRole/parapet-cli`);

    const stranger = await cli('--account', '123456789012', 'whoami');
    assert.equal(stranger.code, 1);
    assert.match(stranger.stderr, /^AccessDenied\w*: Cannot act in account 123456789012: AssumeRole of arn:aws:iam::123456789012:role\/OrganizationAccountAccessRole/);
    const unknown = await cli('--account', 'no-such-name', 'whoami');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /not in .*credentials\.json/);
  });

  it('enforcement put/list/delete, with the DRAFT pitfall and model-scope warnings', async () => {
    const draft = await cli('enforcement', 'put', '--guardrail', guardrailId, '--guardrail-version', 'DRAFT');
    assert.equal(draft.code, 1);
    assert.match(draft.stderr, /^ValidationException: guardrailVersion DRAFT cannot be enforced/);

    const created = await cli(
      'enforcement', 'put', '--guardrail', guardrailId, '--guardrail-version', '1', '--include', 'acme.not-a-model',
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^created configuration [a-z0-9]+/);
    assert.match(created.stderr, /^warning: includedModels matches no known model id \(acme\.not-a-model\)/m);

    const listed = await json<{ guardrailsConfig: Array<{ configId: string; guardrailVersion: string; modelEnforcement: unknown }> }>(
      'enforcement', 'list',
    );
    assert.equal(listed.guardrailsConfig.length, 1);
    const configId = listed.guardrailsConfig[0]?.configId ?? '';
    assert.deepEqual(listed.guardrailsConfig[0]?.modelEnforcement, { includedModels: ['acme.not-a-model'], excludedModels: [] });

    // No --config-id: the current configuration is found and updated; what no flag replaces is kept.
    const updated = await cli('enforcement', 'put', '--guardrail', guardrailId, '--guardrail-version', '1', '--system', 'selective');
    assert.equal(updated.code, 0, updated.stderr);
    assert.match(updated.stdout, new RegExp(`^updated configuration ${configId}`));
    assert.match(updated.stderr, new RegExp(`note: updating configuration ${configId} \\(kept: models acme\\.not-a-model\\)`));
    const after1 = await json<{ guardrailsConfig: Array<{ selectiveContentGuarding: Record<string, string>; modelEnforcement: unknown }> }>(
      'enforcement', 'list',
    );
    assert.deepEqual(after1.guardrailsConfig[0]?.selectiveContentGuarding, { system: 'SELECTIVE', messages: 'COMPREHENSIVE' });
    assert.deepEqual(after1.guardrailsConfig[0]?.modelEnforcement, { includedModels: ['acme.not-a-model'], excludedModels: [] });

    const table = await cli('enforcement', 'list');
    assert.match(table.stdout, new RegExp(configId));
    assert.match(table.stdout, /SELECTIVE/);

    const wrongId = await cli('enforcement', 'put', '--guardrail', guardrailId, '--guardrail-version', '1', '--config-id', 'nope');
    assert.equal(wrongId.code, 1);
    assert.match(wrongId.stderr, /^ResourceNotFoundException: /);

    const deleted = await cli('enforcement', 'delete');
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, new RegExp(`deleted configuration ${configId}`));
    assert.match((await cli('enforcement', 'list')).stdout, /no enforced guardrail configuration/);
    const none = await cli('enforcement', 'delete');
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^error: There is no enforced guardrail configuration/);
  });

  it('resource-policy --allow-org uses the caller\'s organization; get and --ou', async () => {
    const put = await json<{ resourceArn: string; resourcePolicy: { Statement: Array<Record<string, unknown>> } }>(
      'resource-policy', 'put', guardrailArn, '--allow-org',
    );
    assert.equal(put.resourceArn, guardrailArn);
    const stmt = put.resourcePolicy.Statement[0];
    assert.deepEqual(stmt, {
      Sid: 'AllowOrganizationToApplyGuardrail',
      Effect: 'Allow',
      Principal: '*',
      Action: 'bedrock:ApplyGuardrail',
      Resource: guardrailArn,
      Condition: { StringEquals: { 'aws:PrincipalOrgID': orgId } },
    });
    const got = await json<{ resourcePolicy: string }>('resource-policy', 'get', guardrailArn);
    assert.deepEqual(JSON.parse(got.resourcePolicy), put.resourcePolicy);

    const human = await cli('resource-policy', 'put', guardrailArn, '--allow-org', orgId, '--ou', 'ou-ab12-cdefgh34', '--actions', 'apply,get');
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /"ForAnyValue:StringLike"/);
    assert.match(human.stdout, new RegExp(`"${orgId}/\\*/ou-ab12-cdefgh34/\\*"`));
    assert.match(human.stdout, /bedrock:GetGuardrail/);

    const neither = await cli('resource-policy', 'put', guardrailArn);
    assert.equal(neither.code, 1);
    assert.match(neither.stderr, /exactly one of --file/);
    // Back to the whole organization for the next tests.
    assert.equal((await cli('resource-policy', 'put', guardrailArn, '--allow-org')).code, 0);
  });

  it('verify: exit 0 for a clean setup, 2 when the resource policy is missing', async () => {
    // The member enforces the management account's guardrail, acting in the member account through --account.
    const put = await cli('--account', member, 'enforcement', 'put', '--guardrail', guardrailArn, '--guardrail-version', '1');
    assert.equal(put.code, 0, put.stderr);

    const clean = await cli('verify', '--model', MODEL, '--account', member);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /Guardrails that would apply:/);
    assert.match(clean.stdout, new RegExp(guardrailArn));
    assert.match(clean.stdout, /ACCOUNT_ENFORCED/);
    assert.match(clean.stdout, /Result: OK/);
    const report = await json<{ accountId: string; ok: boolean; guardrails: Array<{ permitted: boolean }> }>(
      'verify', '--model', MODEL, '--target', member,
    );
    assert.equal(report.accountId, member);
    assert.equal(report.ok, true);
    assert.equal(report.guardrails[0]?.permitted, true);

    const removed = await cli('resource-policy', 'delete', guardrailArn);
    assert.equal(removed.code, 0, removed.stderr);
    const broken = await cli('verify', '--model', MODEL, '--target', member);
    assert.equal(broken.code, 2, broken.stdout + broken.stderr);
    assert.match(broken.stdout, /ERROR MISSING_RESOURCE_POLICY/);
    assert.doesNotMatch(broken.stdout, /CALLER_NOT_PERMITTED/, 'one finding for one cause: the missing resource policy explains the denial');
    assert.match(broken.stdout, /Result: PROBLEMS/);

    const clash = await cli('--account', t.accountId, 'verify', '--model', MODEL, '--target', member);
    assert.equal(clash.code, 1);
    assert.match(clash.stderr, /name different accounts/);
    const failed = await cli('verify', '--model', MODEL, '--target', '123456789012');
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /^AccessDenied\w*: /);
  });

  it('audit list shows the changes, filtered by account and paged; audit verify checks the chain', async () => {
    const all = await json<{ records: Array<{ seq: number; accountId: string; action: string; resourceArn?: string }> }>(
      'audit', 'list', '--all', '--limit', '2',
    );
    const actions = all.records.map((r) => r.action);
    for (const a of [
      'bedrock:PutEnforcedGuardrailConfiguration',
      'bedrock:DeleteEnforcedGuardrailConfiguration',
      'bedrock:PutResourcePolicy',
      'bedrock:DeleteResourcePolicy',
    ])
      assert.ok(actions.includes(a), `${a} in ${actions.join(', ')}`);
    const seqs = all.records.map((r) => r.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a), 'newest first');
    assert.equal(new Set(seqs).size, seqs.length, 'pages do not overlap');

    const memberOnly = await json<{ records: Array<{ accountId: string; action: string; principalArn: string }> }>(
      'audit', 'list', '--account', member,
    );
    assert.ok(memberOnly.records.length > 0);
    assert.ok(memberOnly.records.every((r) => r.accountId === member));
    const put = memberOnly.records.find((r) => r.action === 'bedrock:PutEnforcedGuardrailConfiguration');
    assert.equal(put?.principalArn, `arn:aws:sts::${member}:assumed-role/OrganizationAccountAccessRole/parapet-cli`);

    const human = await cli('audit', 'list', '--action', 'bedrock:PutResourcePolicy');
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /bedrock:PutResourcePolicy/);
    assert.doesNotMatch(human.stdout, /bedrock:DeleteResourcePolicy/);

    const chain = await cli('audit', 'verify');
    assert.equal(chain.code, 0, chain.stderr);
    assert.match(chain.stdout, /^audit trail OK: \d+ record\(s\)/);
  });

  it('accounts create-key prints the key once and --save stores it for --account', async () => {
    const r = await cli('accounts', 'create-key', member, '--save');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: the secret access key is shown only this once/);
    const id = /AWS_ACCESS_KEY_ID=(AKIA[A-Z2-7]{16})/.exec(r.stdout)?.[1];
    assert.ok(id, r.stdout);
    assert.match(r.stdout, /AWS_SECRET_ACCESS_KEY=\S{40}/);
    const file = join(t.dataDir, 'credentials.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const saved = (JSON.parse(readFileSync(file, 'utf8')) as { accounts: Array<{ accountId: string; name: string; accessKeyId: string }> })
      .accounts.find((a) => a.accountId === member);
    assert.equal(saved?.accessKeyId, id);
    assert.equal(saved?.name, 'team-a');
    // Now --account finds the member's own key (by id or name): no role to assume.
    const me = await json<{ Arn: string }>('--account', 'team-a', 'whoami');
    assert.equal(me.Arn, `arn:aws:iam::${member}:root`);

    const bad = await cli('accounts', 'create-key', '12');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /not a 12-digit account id/);
  });
});
