/**
 * The cross-tenant matrix: a member account cannot read or change another account's guardrails, resource
 * policies or enforcement configurations, nor the organization; an account of another organization cannot
 * reach ours at all. Each row is one call that must fail with the listed error(s), and the victim's state is
 * checked unchanged afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BedrockClient,
  CreateGuardrailCommand,
  CreateGuardrailVersionCommand,
  DeleteEnforcedGuardrailConfigurationCommand,
  DeleteGuardrailCommand,
  DeleteResourcePolicyCommand,
  GetGuardrailCommand,
  GetResourcePolicyCommand,
  ListEnforcedGuardrailsConfigurationCommand,
  ListGuardrailsCommand,
  PutEnforcedGuardrailConfigurationCommand,
  PutResourcePolicyCommand,
  TagResourceCommand,
  UpdateGuardrailCommand,
} from '@aws-sdk/client-bedrock';
import { ApplyGuardrailCommand, BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  DescribeAccountCommand,
  DescribeEffectivePolicyCommand,
  EnablePolicyTypeCommand,
  ListAccountsCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { systemClock } from '../../src/core/ports.ts';
import { createServices } from '../../src/server/serve.ts';
import { type AwsCreds, startTestServer, type TestServer } from '../helpers/server.ts';
import { signedFetch } from '../helpers/signed-fetch.ts';

async function failsWith(p: Promise<unknown>, names: string[]): Promise<string> {
  try {
    await p;
  } catch (e) {
    const name = (e as Error).name;
    assert.ok(names.includes(name), `expected one of ${names.join(', ')}, got ${name}: ${(e as Error).message}`);
    return name;
  }
  assert.fail(`expected one of ${names.join(', ')}, the call succeeded`);
}

const DENIED = ['AccessDeniedException'];
const HIDDEN = ['AccessDeniedException', 'ResourceNotFoundException'];

describe('cross-tenant matrix', () => {
  let t: TestServer;
  let credsA: AwsCreds;
  let credsB: AwsCreds;
  let credsX: AwsCreds;
  let memberA: string;
  let rootId: string;
  let arnA: string;
  let mgmtArn: string;
  let configA: string;

  before(async () => {
    t = await startTestServer();
    const orgs = t.client(OrganizationsClient);
    const org = await orgs.send(new CreateOrganizationCommand({}));
    rootId = (await orgs.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    await orgs.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'BEDROCK_POLICY' }));
    const mk = async (name: string) =>
      (await orgs.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }))).CreateAccountStatus?.AccountId ?? '';
    memberA = await mk('a');
    const memberB = await mk('b');
    const sts = t.client(STSClient);
    const assume = async (id: string): Promise<AwsCreds> => {
      const c = (await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`, RoleSessionName: 'ss' })))
        .Credentials;
      return { accessKeyId: c?.AccessKeyId ?? '', secretAccessKey: c?.SecretAccessKey ?? '', sessionToken: c?.SessionToken ?? '' };
    };
    credsA = await assume(memberA);
    credsB = await assume(memberB);

    // An account of another organization: standalone, with its own root key, then its own organization.
    const services = createServices(t.server.store, systemClock);
    const x = await services.accounts.createAccount({ name: 'outsider', managementAccountId: '000000000000' });
    const keyX = await services.accounts.createRootKey(x.accountId);
    credsX = { accessKeyId: keyX.accessKeyId, secretAccessKey: keyX.secretAccessKey };
    await t.client(OrganizationsClient, credsX).send(new CreateOrganizationCommand({}));

    const make = async (creds: AwsCreds, name: string) => {
      const b = t.client(BedrockClient, creds);
      const g = await b.send(
        new CreateGuardrailCommand({ name, blockedInputMessaging: 'no', blockedOutputsMessaging: 'no', wordPolicyConfig: { wordsConfig: [{ text: 'secret' }] } }),
      );
      await b.send(new CreateGuardrailVersionCommand({ guardrailIdentifier: g.guardrailId }));
      return g.guardrailArn ?? '';
    };
    arnA = await make(credsA, 'team-a-private');
    mgmtArn = await make(t.credentials, 'org-shared');
    await t.bedrock().send(
      new PutResourcePolicyCommand({
        resourceArn: mgmtArn,
        resourcePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: '*', Action: 'bedrock:ApplyGuardrail', Resource: mgmtArn, Condition: { StringEquals: { 'aws:PrincipalOrgID': org.Organization?.Id } } },
          ],
        }),
      }),
    );
    const put = await t.client(BedrockClient, credsA).send(
      new PutEnforcedGuardrailConfigurationCommand({ guardrailInferenceConfig: { guardrailIdentifier: arnA, guardrailVersion: '1' } }),
    );
    configA = put.configId ?? '';
  });
  after(async () => t.stop());

  it('a member cannot read or change another member’s guardrail', async () => {
    const b = t.client(BedrockClient, credsB);
    await failsWith(b.send(new GetGuardrailCommand({ guardrailIdentifier: arnA })), HIDDEN);
    await failsWith(
      b.send(new UpdateGuardrailCommand({ guardrailIdentifier: arnA, name: 'pwned', blockedInputMessaging: 'x', blockedOutputsMessaging: 'x' })),
      HIDDEN,
    );
    await failsWith(b.send(new CreateGuardrailVersionCommand({ guardrailIdentifier: arnA })), HIDDEN);
    await failsWith(b.send(new DeleteGuardrailCommand({ guardrailIdentifier: arnA })), HIDDEN);
    await failsWith(b.send(new TagResourceCommand({ resourceARN: arnA, tags: [{ key: 'k', value: 'v' }] })), HIDDEN);
    await failsWith(
      t.client(BedrockRuntimeClient, credsB).send(
        new ApplyGuardrailCommand({ guardrailIdentifier: arnA, guardrailVersion: '1', source: 'INPUT', content: [{ text: { text: 'x' } }] }),
      ),
      DENIED,
    );
    const listed = await b.send(new ListGuardrailsCommand({}));
    assert.ok(!(listed.guardrails ?? []).some((g) => g.arn === arnA));
    const still = await t.client(BedrockClient, credsA).send(new GetGuardrailCommand({ guardrailIdentifier: arnA }));
    assert.equal(still.name, 'team-a-private');
  });

  it('a member cannot manage another account’s resource policy or enforcement configuration', async () => {
    const b = t.client(BedrockClient, credsB);
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'bedrock:ApplyGuardrail', Resource: mgmtArn }] });
    await failsWith(b.send(new PutResourcePolicyCommand({ resourceArn: mgmtArn, resourcePolicy: doc })), HIDDEN);
    await failsWith(b.send(new GetResourcePolicyCommand({ resourceArn: mgmtArn })), HIDDEN);
    await failsWith(b.send(new DeleteResourcePolicyCommand({ resourceArn: mgmtArn })), HIDDEN);
    await failsWith(b.send(new DeleteEnforcedGuardrailConfigurationCommand({ configId: configA })), ['ResourceNotFoundException']);
    assert.equal((await b.send(new ListEnforcedGuardrailsConfigurationCommand({}))).guardrailsConfig?.length, 0);
    const a = await t.client(BedrockClient, credsA).send(new ListEnforcedGuardrailsConfigurationCommand({}));
    assert.equal(a.guardrailsConfig?.[0]?.configId, configA);
    // B may not enforce A's private guardrail either (no resource policy shares it).
    await failsWith(
      b.send(new PutEnforcedGuardrailConfigurationCommand({ guardrailInferenceConfig: { guardrailIdentifier: arnA, guardrailVersion: '1' } })),
      DENIED,
    );
  });

  it('a member cannot change or list the organization, nor read another account’s effective policy', async () => {
    const o = t.client(OrganizationsClient, credsB);
    const content = JSON.stringify({ bedrock: { guardrail_inference: { 'us-east-1': { c: { identifier: { '@@assign': `${mgmtArn}:1` } } } } } });
    await failsWith(o.send(new CreatePolicyCommand({ Name: 'p', Description: '', Type: 'BEDROCK_POLICY', Content: content })), DENIED);
    await failsWith(o.send(new AttachPolicyCommand({ PolicyId: 'p-abcdefgh', TargetId: rootId })), DENIED);
    await failsWith(o.send(new ListAccountsCommand({})), DENIED);
    await failsWith(o.send(new CreateAccountCommand({ AccountName: 'evil', Email: 'evil@example.com' })), DENIED);
    await failsWith(o.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'BEDROCK_POLICY' })), DENIED);
    await failsWith(o.send(new DescribeEffectivePolicyCommand({ PolicyType: 'BEDROCK_POLICY', TargetId: memberA })), DENIED);
    await failsWith(
      t.client(STSClient, credsB).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${memberA}:role/OrganizationAccountAccessRole`, RoleSessionName: 'ss' })),
      ['AccessDenied'],
    );
    const v = await signedFetch(t.server.url, credsB, { path: '/admin/v1/verify', query: { account: memberA, model: 'anthropic.claude-v2' } });
    assert.equal(v.errorType, 'AccessDeniedException');
    const k = await signedFetch(t.server.url, credsB, { method: 'POST', path: `/admin/v1/accounts/${memberA}/access-keys` });
    assert.equal(k.errorType, 'AccessDeniedException');
  });

  it('another organization cannot reach ours', async () => {
    await failsWith(
      t.client(OrganizationsClient, credsX).send(new DescribeAccountCommand({ AccountId: memberA })),
      ['AccountNotFoundException', 'AccessDeniedException'],
    );
    await failsWith(
      t.client(STSClient, credsX).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${memberA}:role/OrganizationAccountAccessRole`, RoleSessionName: 'ss' })),
      ['AccessDenied'],
    );
    // The organization share does not extend outside the organization.
    await failsWith(
      t.client(BedrockRuntimeClient, credsX).send(
        new ApplyGuardrailCommand({ guardrailIdentifier: mgmtArn, guardrailVersion: '1', source: 'INPUT', content: [{ text: { text: 'x' } }] }),
      ),
      DENIED,
    );
    // …while a member of it may apply it.
    const ok = await t.client(BedrockRuntimeClient, credsB).send(
      new ApplyGuardrailCommand({ guardrailIdentifier: mgmtArn, guardrailVersion: '1', source: 'INPUT', content: [{ text: { text: 'a secret' } }] }),
    );
    assert.equal(ok.action, 'GUARDRAIL_INTERVENED');
    for (const path of ['/admin/v1/verify', '/admin/v1/audit']) {
      const r = await signedFetch(t.server.url, credsX, { path, query: { account: memberA, model: 'anthropic.claude-v2' } });
      assert.equal(r.errorType, 'AccessDeniedException', path);
    }
    const k = await signedFetch(t.server.url, credsX, { method: 'POST', path: `/admin/v1/accounts/${memberA}/access-keys` });
    assert.equal(k.errorType, 'AccessDeniedException');
  });
});
