/**
 * The seed's organization steps end to end through @aws-sdk/client-organizations (awsJson1_1), unmodified:
 * create the organization and OUs, create a member account, enable BEDROCK_POLICY, write a policy naming a
 * real published guardrail version, attach it to the root and an OU, and read the effective policy from the
 * member account — plus the mistakes the seed warns about.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateGuardrailCommand, CreateGuardrailVersionCommand } from '@aws-sdk/client-bedrock';
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  DescribeCreateAccountStatusCommand,
  DescribeEffectivePolicyCommand,
  DescribeOrganizationCommand,
  EnablePolicyTypeCommand,
  ListAccountsCommand,
  ListChildrenCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
  paginateListAccounts,
} from '@aws-sdk/client-organizations';
import { AccountService } from '../../src/control/accounts.ts';
import { systemClock } from '../../src/core/ports.ts';
import { type AwsCreds, startTestServer, type TestServer } from '../helpers/server.ts';

async function rejects(p: Promise<unknown>, name: string, check?: (err: Record<string, unknown>) => void) {
  await assert.rejects(p, (e: unknown) => {
    const err = e as { name: string; message: string; $metadata?: { requestId?: string } } & Record<string, unknown>;
    assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
    assert.ok(err.$metadata?.requestId, 'the error carries x-amzn-RequestId');
    check?.(err);
    return true;
  });
}

const policyDoc = (region: string, config: string, identifier: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    bedrock: { guardrail_inference: { [region]: { [config]: { identifier: { '@@assign': identifier }, ...extra } } } },
  });

describe('organizations through @aws-sdk/client-organizations', () => {
  let t: TestServer;
  let orgs: OrganizationsClient;
  let accounts: AccountService;
  let orgId: string;
  let rootId: string;
  let prodOu: string;
  let memberId: string;
  let member: OrganizationsClient;
  let guardrailArn: string;

  const keyFor = async (accountId: string): Promise<AwsCreds> => {
    const k = await accounts.createRootKey(accountId);
    return { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey };
  };

  before(async () => {
    t = await startTestServer();
    orgs = t.client(OrganizationsClient);
    accounts = new AccountService({ store: t.server.store, clock: systemClock, random: { bytes: (n) => randomBytes(n) } });
  });
  after(async () => t.stop());

  it('creates the organization; the caller is its management account', async () => {
    const { Organization: o } = await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    assert.match(o?.Id ?? '', /^o-[a-z0-9]{10}$/);
    assert.equal(o?.MasterAccountId, t.accountId);
    assert.equal(o?.FeatureSet, 'ALL');
    assert.equal(o?.Arn, `arn:aws:organizations::${t.accountId}:organization/${o?.Id}`);
    orgId = o?.Id as string;
    await rejects(orgs.send(new CreateOrganizationCommand({})), 'AlreadyInOrganizationException');
    const roots = await orgs.send(new ListRootsCommand({}));
    rootId = roots.Roots?.[0]?.Id as string;
    assert.match(rootId, /^r-[a-z0-9]{4}$/);
    assert.equal(roots.Roots?.[0]?.Name, 'Root');
  });

  it('creates OUs and a member account (synchronously SUCCEEDED)', async () => {
    const workloads = await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Workloads' }));
    const prod = await orgs.send(
      new CreateOrganizationalUnitCommand({ ParentId: workloads.OrganizationalUnit?.Id as string, Name: 'Prod' }),
    );
    prodOu = prod.OrganizationalUnit?.Id as string;
    assert.match(prodOu, new RegExp(`^ou-${rootId.slice(2)}-[a-z0-9]{8}$`));
    assert.equal(prod.OrganizationalUnit?.Arn, `arn:aws:organizations::${t.accountId}:ou/${orgId}/${prodOu}`);

    const created = await orgs.send(new CreateAccountCommand({ Email: 'prod@example.com', AccountName: 'prod' }));
    const status = created.CreateAccountStatus;
    assert.equal(status?.State, 'SUCCEEDED');
    assert.ok(status?.RequestedTimestamp instanceof Date, 'epoch-seconds timestamps deserialize to Dates');
    memberId = status?.AccountId as string;
    assert.match(memberId, /^\d{12}$/);
    const again = await orgs.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: status?.Id as string }));
    assert.equal(again.CreateAccountStatus?.AccountId, memberId);
    const dup = await orgs.send(new CreateAccountCommand({ Email: 'prod@example.com', AccountName: 'prod2' }));
    assert.equal(dup.CreateAccountStatus?.State, 'FAILED');
    assert.equal(dup.CreateAccountStatus?.FailureReason, 'EMAIL_ALREADY_EXISTS');
    member = t.client(OrganizationsClient, await keyFor(memberId));
  });

  it('moves the account into the OU and lists accounts with paging', async () => {
    await orgs.send(new MoveAccountCommand({ AccountId: memberId, SourceParentId: rootId, DestinationParentId: prodOu }));
    const children = await orgs.send(new ListChildrenCommand({ ParentId: prodOu, ChildType: 'ACCOUNT' }));
    assert.deepEqual(children.Children, [{ Id: memberId, Type: 'ACCOUNT' }]);
    const seen: string[] = [];
    for await (const page of paginateListAccounts({ client: orgs, pageSize: 1 }, {}))
      for (const a of page.Accounts ?? []) {
        assert.ok(a.JoinedTimestamp instanceof Date);
        assert.equal(a.Status, 'ACTIVE');
        seen.push(a.Id as string);
      }
    assert.deepEqual(seen.sort(), [t.accountId, memberId].sort());
    await rejects(orgs.send(new ListAccountsCommand({ NextToken: 'garbage' })), 'InvalidInputException', (err) =>
      assert.equal(err.Reason, 'INVALID_NEXT_TOKEN'),
    );
  });

  it('enables BEDROCK_POLICY and attaches policies naming a published guardrail version to the root and an OU', async () => {
    await rejects(
      orgs.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' })),
      'PolicyTypeNotAvailableForOrganizationException',
      (err) => assert.match(String(err.message), /only BEDROCK_POLICY is enforced by Parapet/),
    );
    const enabled = await orgs.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'BEDROCK_POLICY' }));
    assert.deepEqual(enabled.Root?.PolicyTypes, [{ Type: 'BEDROCK_POLICY', Status: 'ENABLED' }]);

    const bedrock = t.bedrock();
    const g = await bedrock.send(
      new CreateGuardrailCommand({ name: 'org-baseline', blockedInputMessaging: 'Blocked.', blockedOutputsMessaging: 'Blocked.' }),
    );
    await bedrock.send(new CreateGuardrailVersionCommand({ guardrailIdentifier: g.guardrailId }));
    guardrailArn = g.guardrailArn as string;

    const rootPolicy = await orgs.send(
      new CreatePolicyCommand({
        Name: 'baseline',
        Description: 'every account',
        Type: 'BEDROCK_POLICY',
        Content: policyDoc('us-east-1', 'baseline', `${guardrailArn}:1`),
      }),
    );
    const rootPolicyId = rootPolicy.Policy?.PolicySummary?.Id as string;
    assert.equal(
      rootPolicy.Policy?.PolicySummary?.Arn,
      `arn:aws:organizations::${t.accountId}:policy/${orgId}/bedrock_policy/${rootPolicyId}`,
    );
    const ouPolicy = await orgs.send(
      new CreatePolicyCommand({
        Name: 'prod-selective',
        Description: '',
        Type: 'BEDROCK_POLICY',
        Content: JSON.stringify({
          bedrock: {
            guardrail_inference: {
              'us-east-1': { baseline: { selective_content_guarding: { messages: { '@@assign': 'selective' } } } },
            },
          },
        }),
      }),
    );
    await orgs.send(new AttachPolicyCommand({ PolicyId: rootPolicyId, TargetId: rootId }));
    await orgs.send(new AttachPolicyCommand({ PolicyId: ouPolicy.Policy?.PolicySummary?.Id as string, TargetId: prodOu }));
    const onRoot = await orgs.send(new ListPoliciesForTargetCommand({ TargetId: rootId, Filter: 'BEDROCK_POLICY' }));
    assert.deepEqual(onRoot.Policies?.map((p) => p.Id), [rootPolicyId]);
  });

  it('the member account reads its effective policy (root + OU) and its organization', async () => {
    const { EffectivePolicy: eff } = await member.send(new DescribeEffectivePolicyCommand({ PolicyType: 'BEDROCK_POLICY' }));
    assert.equal(eff?.TargetId, memberId);
    assert.equal(eff?.PolicyType, 'BEDROCK_POLICY');
    assert.ok(eff?.LastUpdatedTimestamp instanceof Date);
    assert.deepEqual(JSON.parse(eff?.PolicyContent ?? '{}'), {
      bedrock: {
        guardrail_inference: {
          'us-east-1': { baseline: { identifier: `${guardrailArn}:1`, selective_content_guarding: { messages: 'selective' } } },
        },
      },
    });
    const { Organization } = await member.send(new DescribeOrganizationCommand({}));
    assert.equal(Organization?.Id, orgId);
    await rejects(member.send(new DescribeEffectivePolicyCommand({ PolicyType: 'BEDROCK_POLICY', TargetId: t.accountId })), 'AccessDeniedException');
  });

  it('refuses what the seed warns about: members writing policies, DRAFT versions, the wrong Region', async () => {
    const create = (client: OrganizationsClient, Content: string) =>
      client.send(new CreatePolicyCommand({ Name: `p-${Math.random()}`, Description: '', Type: 'BEDROCK_POLICY', Content }));
    await rejects(create(member, policyDoc('us-east-1', 'c', `${guardrailArn}:1`)), 'AccessDeniedException', (err) =>
      assert.equal(err.message, "You don't have permissions to access this resource."),
    );
    await rejects(create(orgs, policyDoc('us-east-1', 'c', `${guardrailArn}:DRAFT`)), 'MalformedPolicyDocumentException', (err) =>
      assert.match(String(err.message), /DRAFT/),
    );
    const westArn = guardrailArn.replace(':us-east-1:', ':us-west-2:');
    await rejects(create(orgs, policyDoc('us-west-2', 'c', `${westArn}:1`)), 'MalformedPolicyDocumentException', (err) =>
      assert.match(String(err.message), /Region-specific: create the guardrail in us-west-2 too/),
    );
    await rejects(
      orgs.send(new CreateOrganizationalUnitCommand({ ParentId: 'nope', Name: 'x' })),
      'InvalidInputException',
      (err) => assert.equal(err.Reason, 'INVALID_PATTERN'),
    );
  });

  it('an account in no organization gets AWSOrganizationsNotInUseException', async () => {
    const standalone = await accounts.createAccount({ name: 'standalone', managementAccountId: t.accountId });
    const client = t.client(OrganizationsClient, await keyFor(standalone.accountId));
    await rejects(client.send(new DescribeOrganizationCommand({})), 'AWSOrganizationsNotInUseException');
  });
});
