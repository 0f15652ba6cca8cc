/**
 * Safeguards as code against real servers: export → apply on an empty server reproduces the demo organization
 * (the seed's walkthrough), a second apply changes nothing, a change by hand shows as drift, a failing change
 * stops apply with what was done, backups refused, the audit trail records the file's hash on every write; one
 * file for two Regions, checked through the AWS SDK clients of each; and `--prune`.
 *
 * The commands run in-process (the CLI's own functions, over the real SigV4 HTTP port, with their output
 * captured): a CLI process per call made this file take minutes. One test still runs real CLI processes, for what
 * only a process shows: the exit code 2 of a pending plan, no colour when stdout is not a TTY, and `apply TEXT`.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  BedrockClient,
  GetGuardrailCommand,
  GetResourcePolicyCommand,
  ListEnforcedGuardrailsConfigurationCommand,
  ListGuardrailsCommand,
  UpdateGuardrailCommand,
  type UpdateGuardrailCommandInput,
} from '@aws-sdk/client-bedrock';
import {
  DescribeEffectivePolicyCommand,
  ListAccountsCommand,
  ListPoliciesCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { resolveBaseConfig, resolveClientConfig } from '../../src/cli/config.ts';
import type { CliContext, GlobalOpts } from '../../src/cli/output.ts';
import { ApiError } from '../../src/cli/client.ts';
import { buildProgram } from '../../src/cli/main.ts';
import { type CommandIo, runPlan, runSafeguardsApply, runSafeguardsExport } from '../../src/cli/safeguards-commands.ts';
import { compactConfig, configFromOutput } from '../../src/safeguards/guardrail-config.ts';
import { type AwsCreds, startTestServer, type TestServer } from '../helpers/server.ts';
import { signedFetch } from '../helpers/signed-fetch.ts';

const run = promisify(execFile);
const BIN = new URL('../../bin/parapet.mjs', import.meta.url).pathname;
// The commands resolve credentials from the server's data directory only (as `--data-dir` would).
for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'PARAPET_ACCESS_KEY_ID', 'AWS_REGION', 'NO_COLOR'])
  delete process.env[k];

interface Run {
  stdout: string;
  stderr: string;
  code: number;
}

/** A real CLI process (only for what needs one). */
async function cliProcess(t: TestServer, ...args: string[]): Promise<Run> {
  try {
    return { ...(await run(process.execPath, [BIN, '--data-dir', t.dataDir, ...args], { env: process.env })), code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

function context(t: TestServer, output: 'table' | 'json'): CliContext {
  const gopts = (): GlobalOpts => ({ dataDir: t.dataDir, output });
  return { gopts, cfg: () => resolveClientConfig(gopts()), baseCfg: () => resolveBaseConfig(gopts()) };
}

/** `parapet [-o json] plan|apply -f FILE [--prune]` or `export --safeguards [--regions …]`, in-process, as main.ts reports errors. */
async function sg(
  t: TestServer,
  command: 'plan' | 'apply' | 'export',
  o: { file?: string; prune?: boolean; json?: boolean; regions?: string[] } = {},
): Promise<Run> {
  const r: Run = { stdout: '', stderr: '', code: 0 };
  const io: CommandIo = { out: (s) => void (r.stdout += s), err: (s) => void (r.stderr += s), colour: false };
  const ctx = context(t, o.json ? 'json' : 'table');
  try {
    if (command === 'plan') r.code = await runPlan(ctx, { file: o.file ?? '', prune: o.prune }, io);
    else if (command === 'apply') await runSafeguardsApply(ctx, { file: o.file ?? '', prune: o.prune }, io);
    else await runSafeguardsExport(ctx, { regions: o.regions }, io);
  } catch (e) {
    r.stderr += e instanceof ApiError ? `${e.code}: ${e.message}\n` : `error: ${(e as Error).message}\n`;
    r.code = 1;
  }
  return r;
}

interface PlanJson {
  changes: Array<{ kind: string; summary: string; region?: string; account: string }>;
  pitfalls: Array<{ severity: string; code: string; where: string }>;
  unmanaged: string[];
}

async function plan(t: TestServer, file: string, prune = false): Promise<PlanJson & { code: number }> {
  const r = await sg(t, 'plan', { file, prune, json: true });
  assert.ok(r.code === 0 || r.code === 2, r.stderr);
  return { ...(JSON.parse(r.stdout) as PlanJson), code: r.code };
}

async function apply(t: TestServer, file: string, prune = false): Promise<Run> {
  const r = await sg(t, 'apply', { file, prune });
  assert.equal(r.code, 0, r.stderr);
  return r;
}

/** Every audit record the management account can read. */
async function auditRecords(t: TestServer): Promise<Array<{ action: string; detail?: { changeSource?: string } }>> {
  const out: Array<{ action: string; detail?: { changeSource?: string } }> = [];
  let before: number | undefined;
  do {
    const r = await signedFetch(t.server.url, t.credentials, {
      path: '/admin/v1/audit',
      query: { limit: '1000', ...(before !== undefined ? { before: String(before) } : {}) },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    out.push(...(r.body.records as typeof out));
    before = r.body.nextBeforeSeq as number | undefined;
  } while (before !== undefined);
  return out;
}

async function assumeInto(t: TestServer, accountId: string): Promise<AwsCreds> {
  const r = await t.client(STSClient).send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`, RoleSessionName: 'safeguards-test' }),
  );
  const c = r.Credentials;
  assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken);
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

describe('parapet plan / apply / export --safeguards', () => {
  let demo: TestServer;
  let empty: TestServer;
  let dir: string;
  let exported: string;

  before(async () => {
    [demo, empty] = await Promise.all([startTestServer({ demo: true }), startTestServer({})]);
    dir = mkdtempSync(join(tmpdir(), 'parapet-safeguards-'));
  });
  after(async () => {
    await Promise.all([demo.stop(), empty.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('export of the demo organization plans no change against the same server', async () => {
    const r = await sg(demo, 'export');
    assert.equal(r.code, 0, r.stderr);
    exported = join(dir, 'demo.yaml');
    writeFileSync(exported, r.stdout);
    assert.match(r.stdout, /^# yaml-language-server: \$schema=\.\/schemas\/safeguards\.schema\.json\n/, 'the schema of this checkout, relative to the cwd');
    assert.match(r.stdout, /apiVersion: parapet\/safeguards-v1/);
    assert.match(r.stdout, /name: parapet-demo-baseline/);
    assert.match(r.stdout, /publish: true/);
    assert.match(r.stdout, /\$\{organization\.id\}/, 'no server-specific ids');
    assert.doesNotMatch(r.stdout, /\d{12}|o-[a-z0-9]{10}|ou-/, 'no account, organization or OU ids');
    const p = await plan(demo, exported);
    assert.deepEqual(p.changes, []);
    assert.deepEqual(p.pitfalls, []);
    assert.equal(p.code, 0);
  });

  it('as a CLI process: plan exits 2 with changes pending, without colour off a TTY; `apply TEXT` is still ApplyGuardrail', async () => {
    const id = (await demo.bedrock().send(new ListGuardrailsCommand({}))).guardrails?.[0]?.id ?? '';
    // Both at once: a process costs seconds of start-up on a loaded machine.
    const [human, applied] = await Promise.all([
      cliProcess(empty, 'plan', '-f', exported),
      cliProcess(demo, 'apply', '--guardrail', id, '--version', '1', 'mail me: a.b@example.org'),
    ]);
    assert.equal(human.code, 2, human.stderr);
    assert.match(human.stdout, /^organization\n/);
    assert.match(human.stdout, /us-east-1 · account management\n {2}\+ create guardrail parapet-demo-baseline\n {2}↑ publish parapet-demo-baseline v1/);
    assert.doesNotMatch(human.stdout, /\u001b\[/, 'no colour when stdout is not a TTY');
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /\{EMAIL\}/);
  });

  it('apply on an empty server reproduces it (in a safe order), and a second apply changes nothing', async () => {
    const p = await plan(empty, exported);
    assert.equal(p.code, 2);
    const kinds = p.changes.map((c) => c.kind);
    const at = (k: string) => kinds.indexOf(k);
    assert.ok(at('create-organization') === 0);
    assert.ok(at('create-account') < at('create-guardrail'));
    assert.ok(at('create-guardrail') < at('publish-version'));
    assert.ok(at('publish-version') < at('put-resource-policy'));
    assert.ok(at('put-resource-policy') < at('create-policy'));
    assert.ok(at('create-policy') < at('attach-policy'));

    const applied = await apply(empty, exported);
    assert.match(applied.stdout, new RegExp(`Applied ${p.changes.length} change\\(s\\)`));
    const again = await plan(empty, exported);
    assert.deepEqual(again.changes, [], 'idempotent');
    assert.deepEqual(again.unmanaged, []);
    const second = await apply(empty, exported);
    assert.match(second.stdout, /No changes/);
    // The reproduction exports to the same file.
    assert.equal((await sg(empty, 'export')).stdout, readFileSync(exported, 'utf8'));
  });

  it('records the file hash in the audit record of every change', async () => {
    const sha = createHash('sha256').update(readFileSync(exported)).digest('hex');
    const tagged = (await auditRecords(empty)).filter((x) => x.detail?.changeSource === `safeguards-file sha256=${sha}`);
    for (const action of ['organizations:CreatePolicy', 'organizations:AttachPolicy', 'bedrock:CreateGuardrail', 'bedrock:CreateGuardrailVersion'])
      assert.ok(tagged.some((x) => x.action === action), `${action} carries the file hash`);
  });

  it('shows drift made by hand, and apply repairs it', async () => {
    const bedrock = empty.bedrock();
    const id = (await bedrock.send(new ListGuardrailsCommand({}))).guardrails?.[0]?.id ?? '';
    const now = await bedrock.send(new GetGuardrailCommand({ guardrailIdentifier: id }));
    const config = compactConfig(configFromOutput(now as unknown as Record<string, unknown>)) as { wordPolicyConfig?: { wordsConfig?: Array<{ text: string }> } };
    config.wordPolicyConfig = { ...config.wordPolicyConfig, wordsConfig: [...(config.wordPolicyConfig?.wordsConfig ?? []), { text: 'Orion' }] };
    await bedrock.send(new UpdateGuardrailCommand({ ...(config as object), guardrailIdentifier: id, name: now.name } as UpdateGuardrailCommandInput));
    const p = await plan(empty, exported);
    assert.deepEqual(p.changes.map((c) => c.summary), ['update guardrail parapet-demo-baseline DRAFT (wordPolicyConfig)']);
    await apply(empty, exported);
    assert.deepEqual((await plan(empty, exported)).changes, []);
  });

  it('stops at the first error with what was done, and a second apply continues', async () => {
    const bad = join(dir, 'partial.yaml');
    const base = readFileSync(exported, 'utf8');
    const extra = (pattern: string) =>
      `  - name: second\n    config:\n      blockedInputMessaging: No.\n      blockedOutputsMessaging: No.\n` +
      `      sensitiveInformationPolicyConfig:\n        regexesConfig:\n          - name: r\n            pattern: '${pattern}'\n            action: BLOCK\n` +
      `  - name: third\n    config:\n      blockedInputMessaging: No.\n      blockedOutputsMessaging: No.\n`;
    const withGuardrails = (pattern: string) => base.replace(/^organizationPolicies:/m, `${extra(pattern)}organizationPolicies:`);
    writeFileSync(bad, withGuardrails('(a)\\1'));
    const r = await sg(empty, 'apply', { file: bad });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /apply stopped at "create guardrail second": ValidationException/);
    assert.match(r.stderr, /0 of 2 change\(s\) were made before it/);
    writeFileSync(bad, withGuardrails('a+'));
    await apply(empty, bad);
    assert.deepEqual((await plan(empty, bad)).changes, []);
  });

  it('reports pitfalls and refuses to apply them; refuses a backup file and a bad field with its path', async () => {
    const noRp = join(dir, 'no-rp.yaml');
    writeFileSync(noRp, readFileSync(exported, 'utf8').replace(/ {4}resourcePolicy:\n(?: {6}.*\n)+/, ''));
    const p = await plan(empty, noRp, true);
    assert.ok(p.pitfalls.some((x) => x.code === 'MISSING_RESOURCE_POLICY' && x.severity === 'error'));
    const refused = await sg(empty, 'apply', { file: noRp, prune: true });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /MISSING_RESOURCE_POLICY[\s\S]*nothing was changed/);

    const backup = join(dir, 'backup.json');
    writeFileSync(backup, '{"format":"parapet-export","version":1}\n');
    const b = await sg(empty, 'plan', { file: backup });
    assert.equal(b.code, 1);
    assert.match(b.stderr, /is a backup written by `parapet export`.*parapet import/);

    const typo = join(dir, 'typo.yaml');
    writeFileSync(typo, 'apiVersion: parapet/safeguards-v1\nguardrails:\n  - name: x\n    config: { blockedInputMessaging: a, blockedOutputsMessaging: b }\n    pubish: true\n');
    const t = await sg(empty, 'plan', { file: typo });
    assert.equal(t.code, 1);
    assert.match(t.stderr, /guardrails\[0\]\.pubish: is not a known field here/);
  });

  it('keeps `apply` without -f and the plain `export` backup on their old paths', async () => {
    const program = buildProgram();
    await assert.rejects(program.parseAsync(['node', 'parapet', '--data-dir', empty.dataDir, 'apply', 'hello']), /--guardrail <id\|arn> is required \(or -f FILE/);
    await buildProgram().parseAsync(['node', 'parapet', '--data-dir', empty.dataDir, 'export', '--out', join(dir, 'b.json')]);
    assert.match(readFileSync(join(dir, 'b.json'), 'utf8'), /^\{"format":"parapet-export"/);
  });
});

const MULTI = `apiVersion: parapet/safeguards-v1
regions: [us-east-1, eu-west-1]
organization:
  units:
    - name: Engineering
  accounts:
    - { name: team-a, unit: Engineering }
    - { name: team-b }
guardrails:
  - name: baseline
    regions: [us-east-1, eu-west-1]
    publish: true
    resourcePolicy: { allow: organization }
    config:
      blockedInputMessaging: Blocked by the organization.
      blockedOutputsMessaging: Blocked by the organization.
      wordPolicyConfig:
        wordsConfig: [{ text: project nightingale }]
organizationPolicies:
  - name: baseline
    attach: [root]
    enforce:
      - { guardrail: baseline, exclude: [amazon.titan-embed-text-v2:0] }
accountEnforcement:
  - { account: team-a, guardrail: baseline, messages: SELECTIVE }
`;

/** MULTI and, to be pruned later: a guardrail, an attachment, an account-level configuration using that guardrail, an account. */
const MORE = MULTI.replace('    - { name: team-b }\n', '    - { name: team-b }\n    - { name: contractor }\n')
  .replace(
    'organizationPolicies:\n',
    `  - name: scratch
    regions: [eu-west-1]
    publish: true
    resourcePolicy: { allow: organization }
    config: { blockedInputMessaging: Scratch., blockedOutputsMessaging: Scratch. }
organizationPolicies:
`,
  )
  .replace('    attach: [root]\n', '    attach: [root, Engineering]\n')
  .concat('  - { account: team-b, guardrail: scratch }\n');

describe('safeguards as code across Regions, and --prune', () => {
  let t: TestServer;
  let dir: string;
  let multi: string;
  let more: string;
  const REGIONS = ['us-east-1', 'eu-west-1'] as const;
  const accountIds = async (): Promise<Map<string, string>> =>
    new Map(((await t.client(OrganizationsClient).send(new ListAccountsCommand({}))).Accounts ?? []).map((a) => [a.Name ?? '', a.Id ?? '']));

  before(async () => {
    t = await startTestServer({});
    dir = mkdtempSync(join(tmpdir(), 'parapet-safeguards-multi-'));
    multi = join(dir, 'multi.yaml');
    more = join(dir, 'more.yaml');
    writeFileSync(multi, MULTI);
    writeFileSync(more, MORE);
  });
  after(async () => {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('one file creates, publishes, shares and enforces the guardrail in both Regions; a second apply changes nothing', async () => {
    const p = await plan(t, multi);
    assert.deepEqual(p.pitfalls, []);
    for (const region of REGIONS) {
      const here = p.changes.filter((c) => c.region === region).map((c) => `${c.account}: ${c.summary}`);
      assert.deepEqual(here, [
        'management: create guardrail baseline',
        'management: publish baseline v1',
        'management: put the resource policy of baseline',
        'team-a: create the account-level configuration: baseline the version published now, system COMPREHENSIVE, messages SELECTIVE, include ALL',
      ]);
    }
    await apply(t, multi);

    const ids = await accountIds();
    const teamA = await assumeInto(t, ids.get('team-a') ?? '');
    const teamB = await assumeInto(t, ids.get('team-b') ?? '');
    const effective = JSON.parse(
      (await t.client(OrganizationsClient, teamB).send(new DescribeEffectivePolicyCommand({ PolicyType: 'BEDROCK_POLICY' }))).EffectivePolicy?.PolicyContent ?? '{}',
    ) as { bedrock: { guardrail_inference: Record<string, Record<string, { identifier: string | { '@@assign': string } }>> } };
    const identifier = (region: string): string | undefined => {
      const id = effective.bedrock.guardrail_inference[region]?.baseline?.identifier;
      return typeof id === 'string' ? id : id?.['@@assign'];
    };
    for (const region of REGIONS) {
      const bedrock = t.bedrock(region);
      const list = (await bedrock.send(new ListGuardrailsCommand({}))).guardrails ?? [];
      assert.deepEqual(list.map((g) => g.name), ['baseline'], `the guardrail exists in ${region}`);
      const g = list[0];
      assert.match(g?.arn ?? '', new RegExp(`^arn:aws:bedrock:${region}:${t.accountId}:guardrail/`));
      const versions = (await bedrock.send(new ListGuardrailsCommand({ guardrailIdentifier: g?.id }))).guardrails?.map((v) => v.version);
      assert.deepEqual(versions, ['DRAFT', '1'], `a published version in ${region}`);
      const rp = JSON.parse((await bedrock.send(new GetResourcePolicyCommand({ resourceArn: g?.arn }))).resourcePolicy ?? '{}') as {
        Statement: Array<{ Resource: string; Condition: { StringEquals: Record<string, string> } }>;
      };
      assert.equal(rp.Statement[0]?.Resource, g?.arn, `the resource policy of ${region} names the guardrail of ${region}`);
      assert.match(rp.Statement[0]?.Condition.StringEquals['aws:PrincipalOrgID'] ?? '', /^o-[a-z0-9]{10}$/);
      // Organization level: the member's effective policy enforces this Region's guardrail, v1.
      assert.equal(identifier(region), `${g?.arn}:1`);
      // Account level: team-a's own configuration in this Region.
      const enforced = (await t.client(BedrockClient, teamA, region).send(new ListEnforcedGuardrailsConfigurationCommand({}))).guardrailsConfig ?? [];
      assert.equal(enforced.length, 1);
      assert.equal(enforced[0]?.guardrailArn, g?.arn);
      assert.equal(enforced[0]?.guardrailVersion, '1');
      assert.equal(enforced[0]?.selectiveContentGuarding?.messages, 'SELECTIVE');
    }

    const again = await plan(t, multi);
    assert.deepEqual(again.changes, [], 'idempotent in both Regions');
    assert.equal(again.code, 0);
    assert.match((await apply(t, multi)).stdout, /^No changes/);
  });

  it('export gives the multi-Region one-liners back, and the export applies unchanged', async () => {
    const r = await sg(t, 'export', { regions: ['us-east-1,eu-west-1'] });
    assert.equal(r.code, 0, r.stderr);
    // Without --regions: the CLI's Region and those the organization policy names, the same file.
    assert.equal((await sg(t, 'export')).stdout, r.stdout);
    assert.equal(r.stderr, '', 'nothing that could not be carried over');
    const oneLiner = / {4}regions:\n {6}- us-east-1\n {6}- eu-west-1\n/;
    assert.match(r.stdout, new RegExp(`guardrails:\\n  - name: baseline\\n${oneLiner.source}`), 'one guardrail entry for both Regions');
    assert.match(r.stdout, /enforce:\n {6}- guardrail: baseline\n {8}regions:\n {10}- us-east-1\n {10}- eu-west-1\n {8}exclude:\n {10}- amazon\.titan-embed-text-v2:0\n/);
    assert.match(r.stdout, new RegExp(`accountEnforcement:\\n  - account: team-a\\n    guardrail: baseline\\n${oneLiner.source}    messages: SELECTIVE\\n`));
    assert.doesNotMatch(r.stdout, /version:/, 'versions are implied by publish: true');
    const file = join(dir, 'exported.yaml');
    writeFileSync(file, r.stdout);
    assert.deepEqual((await plan(t, file, true)).changes, []);
  });

  it('--prune: what the file no longer names is kept and listed without it, deleted in a safe order with it', async () => {
    await apply(t, more);
    assert.deepEqual((await plan(t, more)).changes, []);

    // Back to MULTI: the scratch guardrail, the Engineering attachment, team-b's configuration and the contractor account are no longer named.
    const kept = await plan(t, multi);
    assert.deepEqual(kept.changes, [], 'nothing is deleted without --prune');
    assert.equal(kept.code, 0);
    assert.deepEqual([...kept.unmanaged].sort(), [
      'account contractor (never removed by apply)',
      'account-level configuration of team-b in eu-west-1',
      'attachment of organization policy baseline to OU Engineering',
      'guardrail scratch in eu-west-1',
    ]);
    const human = await sg(t, 'plan', { file: multi });
    assert.match(human.stdout, /Not in the file \(kept; --prune deletes them\):\n(?: {2}· .*\n)*? {2}· guardrail scratch in eu-west-1/);

    const pruned = await plan(t, multi, true);
    assert.equal(pruned.code, 2);
    assert.deepEqual(
      pruned.changes.map((c) => `${c.region ?? '-'} ${c.account}: ${c.summary}`),
      [
        '- management: detach policy baseline from OU Engineering',
        'eu-west-1 team-b: delete the account-level configuration',
        'eu-west-1 management: delete guardrail scratch (every version)',
      ],
      'the configuration goes before the guardrail it uses; never an account',
    );
    assert.deepEqual(pruned.unmanaged, ['account contractor (never removed by apply)']);

    const applied = await apply(t, multi, true);
    assert.match(applied.stdout, /Applied 3 change\(s\)/);
    assert.deepEqual((await plan(t, multi, true)).changes, []);
    assert.deepEqual((await plan(t, multi)).changes, []);

    const ids = await accountIds();
    assert.ok(ids.has('contractor'), 'accounts are never removed');
    const euWest = (await t.bedrock('eu-west-1').send(new ListGuardrailsCommand({}))).guardrails ?? [];
    assert.deepEqual(euWest.map((g) => g.name), ['baseline']);
    const teamB = await assumeInto(t, ids.get('team-b') ?? '');
    assert.deepEqual((await t.client(BedrockClient, teamB, 'eu-west-1').send(new ListEnforcedGuardrailsConfigurationCommand({}))).guardrailsConfig, []);
    const orgs = t.client(OrganizationsClient);
    const policyId = (await orgs.send(new ListPoliciesCommand({ Filter: 'BEDROCK_POLICY' }))).Policies?.[0]?.Id;
    const targets = (await orgs.send(new ListTargetsForPolicyCommand({ PolicyId: policyId }))).Targets ?? [];
    assert.deepEqual(targets.map((x) => x.Type), ['ROOT']);
  });
});
