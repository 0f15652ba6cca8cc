/**
 * The seed's walkthrough end to end, through the official AWS SDK clients: an organization with member accounts,
 * a guardrail with a published version, its resource policy, organization-level and account-level enforcement,
 * each of the four pitfalls caught where it happens, and `verify` telling why a call is or is not guarded.
 * Until the invocation gateway lands, enforcement is observed through ApplyGuardrail and verify.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ApplyGuardrailCommand,
  BedrockRuntimeClient,
} from '@aws-sdk/client-bedrock-runtime';
import {
  BedrockClient,
  CreateGuardrailCommand,
  CreateGuardrailVersionCommand,
  DeleteGuardrailCommand,
  GetGuardrailCommand,
  GetResourcePolicyCommand,
  ListEnforcedGuardrailsConfigurationCommand,
  PutEnforcedGuardrailConfigurationCommand,
  PutResourcePolicyCommand,
} from '@aws-sdk/client-bedrock';
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  DescribeEffectivePolicyCommand,
  EnablePolicyTypeCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsCreds, startTestServer, type TestServer } from '../helpers/server.ts';
import { signedFetch } from '../helpers/signed-fetch.ts';

async function rejects(p: Promise<unknown>, name: string, match?: RegExp): Promise<Error> {
  try {
    await p;
  } catch (e) {
    const err = e as Error;
    assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
    if (match) assert.match(err.message, match);
    return err;
  }
  assert.fail(`expected ${name}, the call succeeded`);
}

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';

function bedrockPolicy(identifier: string, region = 'us-east-1', extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    bedrock: { guardrail_inference: { [region]: { baseline: { identifier: { '@@assign': identifier }, ...extra } } } },
  });
}

describe('cross-account safeguards: the seed walkthrough', () => {
  let t: TestServer;
  let orgs: OrganizationsClient;
  let orgId: string;
  let rootId: string;
  let ouId: string;
  let memberA: string;
  let memberB: string;
  let credsA: AwsCreds;
  let credsB: AwsCreds;
  let guardrailArn: string;
  let guardrailId: string;

  const bedrockAs = (c: AwsCreds, region = 'us-east-1'): BedrockClient => t.client(BedrockClient, c, region);
  const runtimeAs = (c: AwsCreds): BedrockRuntimeClient => t.client(BedrockRuntimeClient, c);
  const orgsAs = (c: AwsCreds): OrganizationsClient => t.client(OrganizationsClient, c);

  async function assumeInto(accountId: string): Promise<AwsCreds> {
    const sts = t.client(STSClient);
    const r = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`, RoleSessionName: 'walkthrough' }),
    );
    const c = r.Credentials;
    assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken);
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  }

  async function createAccount(name: string): Promise<string> {
    const r = await orgs.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }));
    const id = r.CreateAccountStatus?.AccountId;
    assert.equal(r.CreateAccountStatus?.State, 'SUCCEEDED');
    assert.ok(id);
    return id;
  }

  const verify = (creds: AwsCreds, query: Record<string, string>) =>
    signedFetch(t.server.url, creds, { path: '/admin/v1/verify', query });

  before(async () => {
    t = await startTestServer();
    orgs = t.client(OrganizationsClient);
    const org = await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    orgId = org.Organization?.Id ?? '';
    assert.match(orgId, /^o-[a-z0-9]{10}$/);
    rootId = (await orgs.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    ouId = (await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Engineering' }))).OrganizationalUnit?.Id ?? '';
    memberA = await createAccount('team-a');
    memberB = await createAccount('team-b');
    await orgs.send(new MoveAccountCommand({ AccountId: memberA, SourceParentId: rootId, DestinationParentId: ouId }));
    credsA = await assumeInto(memberA);
    credsB = await assumeInto(memberB);

    const bedrock = t.bedrock();
    const g = await bedrock.send(
      new CreateGuardrailCommand({
        name: 'org-baseline',
        blockedInputMessaging: 'Blocked by the organization.',
        blockedOutputsMessaging: 'Blocked by the organization.',
        wordPolicyConfig: { wordsConfig: [{ text: 'project nightingale' }] },
      }),
    );
    guardrailArn = g.guardrailArn ?? '';
    guardrailId = g.guardrailId ?? '';
    await bedrock.send(new CreateGuardrailVersionCommand({ guardrailIdentifier: guardrailId }));
  });
  after(async () => t.stop());

  it('pitfall 1: a DRAFT version is refused in organization policies and account configurations', async () => {
    await orgs.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'BEDROCK_POLICY' }));
    await rejects(
      orgs.send(
        new CreatePolicyCommand({
          Name: 'draft',
          Description: '',
          Type: 'BEDROCK_POLICY',
          Content: bedrockPolicy(`${guardrailArn}:DRAFT`),
        }),
      ),
      'MalformedPolicyDocumentException',
      /publish/i,
    );
    await rejects(
      bedrockAs(credsA).send(
        new PutEnforcedGuardrailConfigurationCommand({
          guardrailInferenceConfig: { guardrailIdentifier: guardrailArn, guardrailVersion: 'DRAFT' },
        }),
      ),
      'ValidationException',
      /DRAFT.*Publish a version/s,
    );
  });

  it('pitfall 3: a guardrail from another Region is refused', async () => {
    await rejects(
      orgs.send(
        new CreatePolicyCommand({
          Name: 'wrong-region',
          Description: '',
          Type: 'BEDROCK_POLICY',
          Content: bedrockPolicy(`${guardrailArn}:1`, 'us-west-2'),
        }),
      ),
      'MalformedPolicyDocumentException',
      /Region/,
    );
    await rejects(
      bedrockAs(t.credentials, 'us-west-2').send(
        new PutEnforcedGuardrailConfigurationCommand({
          guardrailInferenceConfig: { guardrailIdentifier: guardrailArn, guardrailVersion: '1' },
        }),
      ),
      'ValidationException',
      /Region-specific/,
    );
  });

  it('pitfall 2: the organization policy is accepted without a resource policy, but verify flags it and members are denied', async () => {
    const p = await orgs.send(
      new CreatePolicyCommand({
        Name: 'baseline',
        Description: 'org-wide guardrail',
        Type: 'BEDROCK_POLICY',
        Content: bedrockPolicy(`${guardrailArn}:1`, 'us-east-1', {
          selective_content_guarding: { messages: { '@@assign': 'selective' } },
          model_enforcement: {
            included_models: { '@@assign': ['ALL'] },
            excluded_models: { '@@assign': ['amazon.titan-embed-text-v2:0'] },
          },
        }),
      }),
    );
    await orgs.send(new AttachPolicyCommand({ PolicyId: p.Policy?.PolicySummary?.Id, TargetId: rootId }));

    const eff = await orgsAs(credsA).send(new DescribeEffectivePolicyCommand({ PolicyType: 'BEDROCK_POLICY' }));
    assert.match(eff.EffectivePolicy?.PolicyContent ?? '', new RegExp(`${guardrailId}:1`));

    const report = await verify(t.credentials, { account: memberA, model: MODEL });
    assert.equal(report.status, 200, JSON.stringify(report.body));
    assert.equal(report.body.ok, false);
    const findings = report.body.findings as Array<{ code: string; message: string }>;
    assert.ok(findings.some((f) => f.code === 'MISSING_RESOURCE_POLICY' && f.message.includes('PutResourcePolicy')));

    await rejects(
      runtimeAs(credsA).send(
        new ApplyGuardrailCommand({ guardrailIdentifier: guardrailArn, guardrailVersion: '1', source: 'INPUT', content: [{ text: { text: 'hi' } }] }),
      ),
      'AccessDeniedException',
      new RegExp(guardrailId),
    );
  });

  it('with the resource policy, members apply the enforced guardrail and verify is clean', async () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'OrgMembersApply',
          Effect: 'Allow',
          Principal: '*',
          Action: ['bedrock:ApplyGuardrail', 'bedrock:GetGuardrail'],
          Resource: guardrailArn,
          Condition: { StringEquals: { 'aws:PrincipalOrgID': orgId } },
        },
      ],
    };
    const put = await t.bedrock().send(new PutResourcePolicyCommand({ resourceArn: guardrailArn, resourcePolicy: JSON.stringify(policy) }));
    assert.equal(put.resourceArn, guardrailArn);
    const got = await t.bedrock().send(new GetResourcePolicyCommand({ resourceArn: guardrailArn }));
    assert.deepEqual(JSON.parse(got.resourcePolicy ?? '{}'), policy);

    const r = await runtimeAs(credsA).send(
      new ApplyGuardrailCommand({
        guardrailIdentifier: guardrailArn,
        guardrailVersion: '1',
        source: 'INPUT',
        content: [{ text: { text: 'Tell me about Project Nightingale.' } }],
      }),
    );
    assert.equal(r.action, 'GUARDRAIL_INTERVENED');
    assert.equal(r.assessments?.[0]?.appliedGuardrailDetails?.guardrailOwnership, 'CROSS_ACCOUNT');
    const g = await bedrockAs(credsB).send(new GetGuardrailCommand({ guardrailIdentifier: guardrailArn, guardrailVersion: '1' }));
    assert.equal(g.name, 'org-baseline');

    const report = await verify(t.credentials, { account: memberA, model: MODEL });
    assert.equal(report.body.ok, true, JSON.stringify(report.body.findings));
    const applied = report.body.guardrails as Array<{ guardrailArn: string; origins: string[]; permitted: boolean; messages: string }>;
    assert.equal(applied.length, 1);
    assert.deepEqual(applied[0]?.origins, ['ORGANIZATION_ENFORCED']);
    assert.equal(applied[0]?.permitted, true);
    assert.equal(applied[0]?.messages, 'SELECTIVE');

    const excluded = await verify(t.credentials, { account: memberA, model: 'amazon.titan-embed-text-v2:0' });
    assert.deepEqual(excluded.body.guardrails, []);
    assert.ok((excluded.body.skipped as Array<{ reason: string }>).some((s) => /exclude/i.test(s.reason)));
  });

  it('a resource policy outside the allowed patterns is refused with the reason', async () => {
    const open = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 'bedrock:ApplyGuardrail', Resource: guardrailArn }],
    });
    await rejects(
      t.bedrock().send(new PutResourcePolicyCommand({ resourceArn: guardrailArn, resourcePolicy: open })),
      'ValidationException',
      /PrincipalOrgID/,
    );
  });

  it('account level: the management account selects the member (assumed role) and enforces there; pitfall 4 warns', async () => {
    const put = await bedrockAs(credsA).send(
      new PutEnforcedGuardrailConfigurationCommand({
        guardrailInferenceConfig: {
          guardrailIdentifier: guardrailArn,
          guardrailVersion: '1',
          selectiveContentGuarding: { system: 'COMPREHENSIVE', messages: 'COMPREHENSIVE' },
          modelEnforcement: { includedModels: ['anthropic.claude-typo-v9'], excludedModels: [] },
        },
      }),
    );
    assert.match(put.configId ?? '', /^[a-z0-9]+$/);
    assert.match(put.updatedBy ?? '', /assumed-role\/OrganizationAccountAccessRole/);
    const list = await bedrockAs(credsA).send(new ListEnforcedGuardrailsConfigurationCommand({}));
    assert.equal(list.guardrailsConfig?.length, 1);
    assert.equal(list.guardrailsConfig?.[0]?.owner, 'ACCOUNT');
    assert.equal(list.guardrailsConfig?.[0]?.guardrailArn, guardrailArn);

    const report = await verify(t.credentials, { account: memberA, model: MODEL });
    const findings = report.body.findings as Array<{ code: string; severity: string }>;
    assert.ok(findings.some((f) => f.code === 'MODEL_SCOPE' && f.severity === 'warning'), JSON.stringify(findings));

    // Fix the include list: the same guardrail + version from both levels is applied once, with both origins.
    await bedrockAs(credsA).send(
      new PutEnforcedGuardrailConfigurationCommand({
        configId: put.configId,
        guardrailInferenceConfig: {
          guardrailIdentifier: guardrailArn,
          guardrailVersion: '1',
          modelEnforcement: { includedModels: ['ALL'], excludedModels: [] },
        },
      }),
    );
    const merged = await verify(t.credentials, { account: memberA, model: MODEL });
    const applied = merged.body.guardrails as Array<{ origins: string[]; messages: string }>;
    assert.equal(applied.length, 1);
    assert.deepEqual(applied[0]?.origins, ['ACCOUNT_ENFORCED', 'ORGANIZATION_ENFORCED']);
    assert.equal(applied[0]?.messages, 'COMPREHENSIVE', 'the most restrictive mode wins');
  });

  it('a guardrail used by an enforcement cannot be deleted', async () => {
    await rejects(t.bedrock().send(new DeleteGuardrailCommand({ guardrailIdentifier: guardrailId })), 'ResourceInUseException', /enforced by/);
    await rejects(
      t.bedrock().send(new DeleteGuardrailCommand({ guardrailIdentifier: guardrailId, guardrailVersion: '1' })),
      'ResourceInUseException',
    );
  });

  it('every change is in the audit trail, readable by the management account', async () => {
    const r = await signedFetch(t.server.url, t.credentials, { path: '/admin/v1/audit', query: { limit: '200' } });
    assert.equal(r.status, 200);
    const actions = new Set((r.body.records as Array<{ action: string }>).map((x) => x.action));
    for (const a of [
      'organizations:CreateOrganization',
      'organizations:CreatePolicy',
      'organizations:AttachPolicy',
      'bedrock:PutResourcePolicy',
      'bedrock:PutEnforcedGuardrailConfiguration',
      'sts:AssumeRole',
    ])
      assert.ok(actions.has(a), `missing ${a} in ${[...actions].join(', ')}`);
    const chain = await signedFetch(t.server.url, t.credentials, { path: '/admin/v1/audit/verify' });
    assert.equal(chain.body.ok, true);
    const mine = await signedFetch(t.server.url, credsB, { path: '/admin/v1/audit', query: { account: memberA } });
    assert.equal(mine.errorType, 'AccessDeniedException');
  });
});
