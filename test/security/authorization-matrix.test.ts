/**
 * Runs the authorization matrix (`authorization-matrix.ts`): one server, one fixture (two organizations), then
 * every cell — operation × caller kind × resource kind — through the AWS SDK clients (signed raw HTTP for the
 * admin API, the OpenAI-compatible endpoint's bearer key), compared with the table. Invariants checked on every
 * cell: nothing answered to a caller contains an identifier of the other organization's resources that the
 * caller did not send itself; a cell that is not an allowed write leaves the whole state (every table but the
 * audit log) unchanged; and no cell that reaches into another organization is allowed.
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
  ListTagsForResourceCommand,
  PutEnforcedGuardrailConfigurationCommand,
  PutResourcePolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateGuardrailCommand,
} from '@aws-sdk/client-bedrock';
import {
  ApplyGuardrailCommand,
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import {
  AttachPolicyCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  DeleteOrganizationalUnitCommand,
  DeleteOrganizationCommand,
  DeletePolicyCommand,
  DescribeAccountCommand,
  DescribeCreateAccountStatusCommand,
  DescribeEffectivePolicyCommand,
  DescribeOrganizationalUnitCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  DetachPolicyCommand,
  DisablePolicyTypeCommand,
  EnablePolicyTypeCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListCreateAccountStatusCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  MoveAccountCommand,
  OrganizationsClient,
  RemoveAccountFromOrganizationCommand,
  UpdateOrganizationalUnitCommand,
  UpdatePolicyCommand,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListRolesCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { allOperations } from '../../src/server/serve.ts';
import { type AwsCreds, startTestServer, type TestServer } from '../helpers/server.ts';
import { signedFetch } from '../helpers/signed-fetch.ts';
import {
  AUTHORIZATION_MATRIX,
  CALLER_KINDS,
  type CallerKind,
  isCrossOrganization,
  matrixCells,
  type MatrixCell,
  organizationOf,
  type Outcome,
  RESOURCE_KINDS,
  type ResourceKind,
  resourceOrganization,
} from './authorization-matrix.ts';

const REGION = 'us-east-1';
const MODEL = 'parapet.demo-v1';
const ROLE = 'OrganizationAccountAccessRole';

type AccountLabel = 'M' | 'A1' | 'A2' | 'B' | 'B1';
type OrgLabel = 'A' | 'B';

interface Guardrail {
  id: string;
  arn: string;
  name: string;
  /** The resource policy as stored by the fixture. */
  policy: string;
}

interface Account {
  label: AccountLabel;
  org: OrgLabel;
  id: string;
  root: AwsCreds;
  parentId: string;
  guardrail: Guardrail;
  configId: string;
  worker: { name: string; keyId: string };
}

interface Org {
  label: OrgLabel;
  id: string;
  rootId: string;
  ouId: string;
  ouName: string;
  policyId: string;
  policyName: string;
  createAccountRequestId: string;
  management: AccountLabel;
  shared: Guardrail;
}

interface Fixture {
  accounts: Record<AccountLabel, Account>;
  orgs: Record<OrgLabel, Org>;
  callers: Record<CallerKind, AwsCreds>;
}

const WORKER_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'bedrock:ListGuardrails', Resource: '*' }] });

const guardrailConfig = (name: string) => ({
  name,
  blockedInputMessaging: 'Blocked.',
  blockedOutputsMessaging: 'Blocked.',
  wordPolicyConfig: { wordsConfig: [{ text: 'forbiddenword' }] },
});

const bedrockPolicyContent = (guardrailArn: string) =>
  JSON.stringify({
    bedrock: {
      guardrail_inference: {
        [REGION]: { baseline: { identifier: { '@@assign': `${guardrailArn}:1` }, selective_content_guarding: { system: { '@@assign': 'selective' }, messages: { '@@assign': 'selective' } } } },
      },
    },
  });

/** The caller's own account. */
const CALLER_ACCOUNT: Record<CallerKind, AccountLabel> = {
  managementAdmin: 'M',
  memberAdmin: 'A1',
  memberUser: 'A1',
  otherOrganization: 'B',
  unauthenticated: 'A1',
};
const SIBLING: Record<AccountLabel, AccountLabel> = { M: 'A1', A1: 'A2', A2: 'A1', B: 'B1', B1: 'B' };

/** Where a cell's resource lives, as an account of the fixture. */
function resourceAccount(caller: CallerKind, resource: ResourceKind): AccountLabel {
  const own = CALLER_ACCOUNT[caller];
  if (resource === 'sibling') return SIBLING[own];
  if (resource === 'shared') return 'M';
  if (resource === 'foreign') return organizationOf(caller) === 'B' ? 'A1' : 'B';
  return own;
}

// ---------------------------------------------------------------------------------------------------------

/** One call of a cell: what was sent (the scan allows identifiers the caller sent), what came back. */
interface CellRun {
  cell: MatrixCell;
  fx: Fixture;
  creds: AwsCreds;
  sent: unknown[];
  n: number;
}

interface CallResult {
  outcome: Outcome;
  text: string;
  output?: unknown;
}

type Invoker = {
  call(r: CellRun): Promise<unknown>;
  /** Before the call (e.g. a member made for a removal); returns an undo run after the cell whatever happened. */
  prepare?(r: CellRun): Promise<(() => Promise<void>) | void>;
  /**
   * Replaces the identifier scan of an allowed answer with a precise check (the audit trail: see ListAuditRecords).
   * Returns the problems found.
   */
  check?(r: CellRun, output: unknown): Promise<string[]>;
  /** After an allowed call: undo it so the fixture stays as described. */
  restore?(r: CellRun, output: unknown): Promise<void>;
};

let t: TestServer;
let fx: Fixture;
let seq = 0;

function clientFor<C extends { destroy(): void }>(Ctor: new (config: { region: string; endpoint: string; credentials: AwsCreds; maxAttempts: number }) => C, creds: AwsCreds): C {
  return t.client(Ctor, creds, REGION);
}

/** Records a command's input (the identifier scan allows what the caller sent) and returns the command. */
function rec<C extends { input: unknown }>(r: CellRun, command: C): C {
  r.sent.push(command.input);
  return command;
}

/** Sends an SDK command and records its input. */
async function sdk<O>(r: CellRun, client: { send(c: never): Promise<O> }, command: { input: unknown }): Promise<O> {
  r.sent.push(command.input);
  return client.send(command as never);
}

const bedrock = (r: CellRun) => clientFor(BedrockClient, r.creds);
const runtime = (r: CellRun) => clientFor(BedrockRuntimeClient, r.creds);
const orgs = (r: CellRun, creds = r.creds) => clientFor(OrganizationsClient, creds);
const iam = (r: CellRun, creds = r.creds) => clientFor(IAMClient, creds);
const sts = (r: CellRun) => clientFor(STSClient, r.creds);

const acct = (r: CellRun, label = resourceAccount(r.cell.caller, r.cell.resource)) => r.fx.accounts[label];
const callerAcct = (r: CellRun) => r.fx.accounts[CALLER_ACCOUNT[r.cell.caller]];
const resOrg = (r: CellRun) => r.fx.orgs[resourceOrganization(r.cell.caller, r.cell.resource) ?? 'A'];
/** The guardrail a cell targets: the shared one, or the resource account's private one. */
const guardrailOf = (r: CellRun): Guardrail => (r.cell.resource === 'shared' ? r.fx.orgs.A.shared : acct(r).guardrail);
const ownerOfGuardrail = (r: CellRun): Account => (r.cell.resource === 'shared' ? r.fx.accounts.M : acct(r));

async function restoreResourcePolicy(r: CellRun): Promise<void> {
  const g = guardrailOf(r);
  await clientFor(BedrockClient, ownerOfGuardrail(r).root).send(new PutResourcePolicyCommand({ resourceArn: g.arn, resourcePolicy: g.policy }));
}

async function restoreAccountConfig(r: CellRun): Promise<void> {
  const a = callerAcct(r);
  const out = await clientFor(BedrockClient, a.root).send(
    new PutEnforcedGuardrailConfigurationCommand({
      ...(a.configId ? { configId: a.configId } : {}),
      guardrailInferenceConfig: { guardrailIdentifier: a.guardrail.arn, guardrailVersion: '1' },
    }),
  );
  a.configId = out.configId ?? '';
}

async function drain(stream: AsyncIterable<unknown> | undefined): Promise<unknown[]> {
  const events: unknown[] = [];
  for await (const ev of stream ?? []) events.push(ev);
  return events;
}

const decodeBody = (b: unknown): unknown => (b instanceof Uint8Array ? Buffer.from(b).toString('utf8') : b);

const modelRequest = (r: CellRun) => (r.cell.resource === 'none' ? undefined : guardrailOf(r));
const conversation = [{ role: 'user' as const, content: [{ text: 'hello there' }] }];
const anthropicBody = JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 50, messages: [{ role: 'user', content: 'hello there' }] });

async function adminCall(r: CellRun, o: { method?: string; path: string; query?: Record<string, string> }): Promise<unknown> {
  r.sent.push(o);
  const res = await signedFetch(t.server.url, r.creds, { ...o, service: 'parapet', region: REGION });
  if (res.errorType) throw Object.assign(new Error(JSON.stringify(res.body)), { name: res.errorType });
  return res.body;
}

const INVOKERS: Record<string, Invoker> = {
  // ---- bedrock control plane ----
  CreateGuardrail: { call: (r) => sdk(r, bedrock(r), new CreateGuardrailCommand(guardrailConfig(`matrix-${r.n}`))) },
  UpdateGuardrail: {
    call: (r) => sdk(r, bedrock(r), new UpdateGuardrailCommand({ guardrailIdentifier: guardrailOf(r).arn, ...guardrailConfig(guardrailOf(r).name), description: 'updated by the matrix' })),
  },
  GetGuardrail: { call: (r) => sdk(r, bedrock(r), new GetGuardrailCommand({ guardrailIdentifier: guardrailOf(r).arn })) },
  ListGuardrails: {
    call: (r) => sdk(r, bedrock(r), new ListGuardrailsCommand(r.cell.resource === 'none' ? {} : { guardrailIdentifier: guardrailOf(r).arn })),
  },
  DeleteGuardrail: { call: (r) => sdk(r, bedrock(r), new DeleteGuardrailCommand({ guardrailIdentifier: guardrailOf(r).arn })) },
  CreateGuardrailVersion: { call: (r) => sdk(r, bedrock(r), new CreateGuardrailVersionCommand({ guardrailIdentifier: guardrailOf(r).arn })) },
  TagResource: { call: (r) => sdk(r, bedrock(r), new TagResourceCommand({ resourceARN: guardrailOf(r).arn, tags: [{ key: 'matrix', value: 'x' }] })) },
  UntagResource: {
    call: (r) => sdk(r, bedrock(r), new UntagResourceCommand({ resourceARN: guardrailOf(r).arn, tagKeys: ['team'] })),
    restore: async (r) => {
      await clientFor(BedrockClient, ownerOfGuardrail(r).root).send(new TagResourceCommand({ resourceARN: guardrailOf(r).arn, tags: [{ key: 'team', value: 'matrix' }] }));
    },
  },
  ListTagsForResource: { call: (r) => sdk(r, bedrock(r), new ListTagsForResourceCommand({ resourceARN: guardrailOf(r).arn })) },
  PutResourcePolicy: {
    call: (r) => {
      const g = guardrailOf(r);
      // The owner re-puts its own document; anyone else tries to open the guardrail to its own organization.
      const own = ownerOfGuardrail(r).id === callerAcct(r).id;
      const orgId = r.fx.orgs[organizationOf(r.cell.caller) ?? 'A'].id;
      const attack = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: '*', Action: ['bedrock:ApplyGuardrail', 'bedrock:GetGuardrail'], Resource: g.arn, Condition: { StringEquals: { 'aws:PrincipalOrgID': orgId } } }],
      });
      return sdk(r, bedrock(r), new PutResourcePolicyCommand({ resourceArn: g.arn, resourcePolicy: own ? g.policy : attack }));
    },
  },
  GetResourcePolicy: { call: (r) => sdk(r, bedrock(r), new GetResourcePolicyCommand({ resourceArn: guardrailOf(r).arn })) },
  DeleteResourcePolicy: {
    call: (r) => sdk(r, bedrock(r), new DeleteResourcePolicyCommand({ resourceArn: guardrailOf(r).arn })),
    restore: restoreResourcePolicy,
  },
  PutEnforcedGuardrailConfiguration: {
    call: (r) =>
      sdk(
        r,
        bedrock(r),
        new PutEnforcedGuardrailConfigurationCommand({
          configId: callerAcct(r).configId,
          guardrailInferenceConfig: { guardrailIdentifier: guardrailOf(r).arn, guardrailVersion: '1' },
        }),
      ),
    restore: restoreAccountConfig,
  },
  ListEnforcedGuardrailsConfiguration: { call: (r) => sdk(r, bedrock(r), new ListEnforcedGuardrailsConfigurationCommand({})) },
  DeleteEnforcedGuardrailConfiguration: {
    call: (r) => sdk(r, bedrock(r), new DeleteEnforcedGuardrailConfigurationCommand({ configId: acct(r).configId })),
    restore: async (r) => {
      callerAcct(r).configId = '';
      await restoreAccountConfig(r);
    },
  },
  // ---- bedrock-runtime ----
  ApplyGuardrail: {
    call: (r) =>
      sdk(
        r,
        runtime(r),
        new ApplyGuardrailCommand({ guardrailIdentifier: guardrailOf(r).arn, guardrailVersion: '1', source: 'INPUT', content: [{ text: { text: 'hello there' } }] }),
      ),
  },
  Converse: {
    call: (r) => {
      const g = modelRequest(r);
      return sdk(r, runtime(r), new ConverseCommand({ modelId: MODEL, messages: conversation, ...(g ? { guardrailConfig: { guardrailIdentifier: g.arn, guardrailVersion: '1' } } : {}) }));
    },
  },
  ConverseStream: {
    call: async (r) => {
      const g = modelRequest(r);
      const out = await runtime(r).send(
        rec(r, new ConverseStreamCommand({ modelId: MODEL, messages: conversation, ...(g ? { guardrailConfig: { guardrailIdentifier: g.arn, guardrailVersion: '1' } } : {}) })),
      );
      return { ...out, stream: await drain(out.stream) };
    },
  },
  InvokeModel: {
    call: async (r) => {
      const g = modelRequest(r);
      const out = await runtime(r).send(
        rec(r, new InvokeModelCommand({ modelId: MODEL, contentType: 'application/json', body: anthropicBody, ...(g ? { guardrailIdentifier: g.arn, guardrailVersion: '1' } : {}) })),
      );
      return { ...out, body: decodeBody(out.body) };
    },
  },
  InvokeModelWithResponseStream: {
    call: async (r) => {
      const g = modelRequest(r);
      const out = await runtime(r).send(
        rec(
          r,
          new InvokeModelWithResponseStreamCommand({ modelId: MODEL, contentType: 'application/json', body: anthropicBody, ...(g ? { guardrailIdentifier: g.arn, guardrailVersion: '1' } : {}) }),
        ),
      );
      const events = await drain(out.body);
      return { ...out, body: events.map((e) => decodeBody((e as { chunk?: { bytes?: Uint8Array } }).chunk?.bytes) ?? e) };
    },
  },
  ChatCompletions: {
    call: async (r) => {
      const g = modelRequest(r);
      const headers: Record<string, string> = {
        authorization: `Bearer ${r.creds.accessKeyId}:${r.creds.secretAccessKey}`,
        'content-type': 'application/json',
        ...(g ? { 'x-amzn-bedrock-guardrailidentifier': g.arn, 'x-amzn-bedrock-guardrailversion': '1' } : {}),
      };
      const body = { model: MODEL, messages: [{ role: 'user', content: 'hello there' }] };
      r.sent.push({ headers: { ...headers, authorization: '' }, body });
      const res = await fetch(`${t.server.url}/v1/chat/completions`, { method: 'POST', headers, body: JSON.stringify(body) });
      const text = await res.text();
      const errorType = res.headers.get('x-amzn-errortype');
      if (res.status !== 200 || errorType) throw Object.assign(new Error(text), { name: errorType ?? `HTTP ${res.status}` });
      return JSON.parse(text) as unknown;
    },
  },
  // ---- organizations ----
  CreateOrganization: { call: (r) => sdk(r, orgs(r), new CreateOrganizationCommand({})) },
  DescribeOrganization: { call: (r) => sdk(r, orgs(r), new DescribeOrganizationCommand({})) },
  DeleteOrganization: { call: (r) => sdk(r, orgs(r), new DeleteOrganizationCommand({})) },
  ListRoots: { call: (r) => sdk(r, orgs(r), new ListRootsCommand({})) },
  CreateOrganizationalUnit: { call: (r) => sdk(r, orgs(r), new CreateOrganizationalUnitCommand({ ParentId: resOrg(r).rootId, Name: `matrix-${r.n}` })) },
  UpdateOrganizationalUnit: {
    call: (r) => sdk(r, orgs(r), new UpdateOrganizationalUnitCommand({ OrganizationalUnitId: resOrg(r).ouId, Name: resOrg(r).ouName })),
  },
  DeleteOrganizationalUnit: { call: (r) => sdk(r, orgs(r), new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: resOrg(r).ouId })) },
  DescribeOrganizationalUnit: { call: (r) => sdk(r, orgs(r), new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: resOrg(r).ouId })) },
  ListOrganizationalUnitsForParent: { call: (r) => sdk(r, orgs(r), new ListOrganizationalUnitsForParentCommand({ ParentId: resOrg(r).rootId })) },
  ListParents: { call: (r) => sdk(r, orgs(r), new ListParentsCommand({ ChildId: acct(r).id })) },
  ListChildren: { call: (r) => sdk(r, orgs(r), new ListChildrenCommand({ ParentId: resOrg(r).rootId, ChildType: 'ACCOUNT' })) },
  CreateAccount: { call: (r) => sdk(r, orgs(r), new CreateAccountCommand({ AccountName: `matrix-${r.n}`, Email: `matrix-${r.n}@example.com` })) },
  DescribeCreateAccountStatus: {
    call: (r) => sdk(r, orgs(r), new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: resOrg(r).createAccountRequestId })),
  },
  ListCreateAccountStatus: { call: (r) => sdk(r, orgs(r), new ListCreateAccountStatusCommand({})) },
  ListAccounts: { call: (r) => sdk(r, orgs(r), new ListAccountsCommand({})) },
  ListAccountsForParent: { call: (r) => sdk(r, orgs(r), new ListAccountsForParentCommand({ ParentId: resOrg(r).rootId })) },
  DescribeAccount: { call: (r) => sdk(r, orgs(r), new DescribeAccountCommand({ AccountId: acct(r).id })) },
  MoveAccount: {
    call: (r) => sdk(r, orgs(r), new MoveAccountCommand({ AccountId: acct(r).id, SourceParentId: acct(r).parentId, DestinationParentId: acct(r).parentId })),
  },
  RemoveAccountFromOrganization: {
    // The sibling is a member made for this cell by its organization's management account.
    prepare: async (r) => {
      if (r.cell.resource !== 'sibling') return;
      const org = resOrg(r);
      const out = await orgs(r, r.fx.accounts[org.management].root).send(
        new CreateAccountCommand({ AccountName: `disposable-${r.n}`, Email: `disposable-${r.n}@example.com` }),
      );
      removable.set(r, out.CreateAccountStatus?.AccountId ?? '');
    },
    call: (r) => sdk(r, orgs(r), new RemoveAccountFromOrganizationCommand({ AccountId: removable.get(r) ?? acct(r).id })),
  },
  EnablePolicyType: { call: (r) => sdk(r, orgs(r), new EnablePolicyTypeCommand({ RootId: resOrg(r).rootId, PolicyType: 'BEDROCK_POLICY' })) },
  DisablePolicyType: {
    call: (r) => sdk(r, orgs(r), new DisablePolicyTypeCommand({ RootId: resOrg(r).rootId, PolicyType: 'BEDROCK_POLICY' })),
    restore: async (r) => {
      const org = resOrg(r);
      const c = orgs(r, r.fx.accounts[org.management].root);
      await c.send(new EnablePolicyTypeCommand({ RootId: org.rootId, PolicyType: 'BEDROCK_POLICY' }));
      await c.send(new AttachPolicyCommand({ PolicyId: org.policyId, TargetId: org.rootId }));
    },
  },
  CreatePolicy: {
    call: (r) =>
      sdk(r, orgs(r), new CreatePolicyCommand({ Name: `matrix-${r.n}`, Description: '', Type: 'BEDROCK_POLICY', Content: bedrockPolicyContent(resOrg(r).shared.arn) })),
  },
  UpdatePolicy: { call: (r) => sdk(r, orgs(r), new UpdatePolicyCommand({ PolicyId: resOrg(r).policyId, Name: resOrg(r).policyName })) },
  DescribePolicy: { call: (r) => sdk(r, orgs(r), new DescribePolicyCommand({ PolicyId: resOrg(r).policyId })) },
  ListPolicies: { call: (r) => sdk(r, orgs(r), new ListPoliciesCommand({ Filter: 'BEDROCK_POLICY' })) },
  DeletePolicy: { call: (r) => sdk(r, orgs(r), new DeletePolicyCommand({ PolicyId: resOrg(r).policyId })) },
  AttachPolicy: { call: (r) => sdk(r, orgs(r), new AttachPolicyCommand({ PolicyId: resOrg(r).policyId, TargetId: resOrg(r).rootId })) },
  DetachPolicy: {
    call: (r) => sdk(r, orgs(r), new DetachPolicyCommand({ PolicyId: resOrg(r).policyId, TargetId: resOrg(r).rootId })),
    restore: async (r) => {
      const org = resOrg(r);
      await orgs(r, r.fx.accounts[org.management].root).send(new AttachPolicyCommand({ PolicyId: org.policyId, TargetId: org.rootId }));
    },
  },
  ListPoliciesForTarget: { call: (r) => sdk(r, orgs(r), new ListPoliciesForTargetCommand({ TargetId: acct(r).id, Filter: 'BEDROCK_POLICY' })) },
  ListTargetsForPolicy: { call: (r) => sdk(r, orgs(r), new ListTargetsForPolicyCommand({ PolicyId: resOrg(r).policyId })) },
  DescribeEffectivePolicy: {
    call: (r) => sdk(r, orgs(r), new DescribeEffectivePolicyCommand({ PolicyType: 'BEDROCK_POLICY', TargetId: acct(r).id })),
  },
  // ---- sts ----
  AssumeRole: {
    call: (r) => sdk(r, sts(r), new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${acct(r).id}:role/${ROLE}`, RoleSessionName: `matrix-${r.n}` })),
  },
  GetCallerIdentity: { call: (r) => sdk(r, sts(r), new GetCallerIdentityCommand({})) },
  // ---- iam ----
  CreateUser: { call: (r) => sdk(r, iam(r), new CreateUserCommand({ UserName: `matrix-${r.n}` })) },
  GetUser: { call: (r) => sdk(r, iam(r), new GetUserCommand({ UserName: acct(r).worker.name })) },
  ListUsers: { call: (r) => sdk(r, iam(r), new ListUsersCommand({})) },
  DeleteUser: { call: (r) => sdk(r, iam(r), new DeleteUserCommand({ UserName: acct(r).worker.name })) },
  PutUserPolicy: {
    call: (r) => sdk(r, iam(r), new PutUserPolicyCommand({ UserName: acct(r).worker.name, PolicyName: 'worker', PolicyDocument: WORKER_POLICY })),
  },
  GetUserPolicy: { call: (r) => sdk(r, iam(r), new GetUserPolicyCommand({ UserName: acct(r).worker.name, PolicyName: 'worker' })) },
  ListUserPolicies: { call: (r) => sdk(r, iam(r), new ListUserPoliciesCommand({ UserName: acct(r).worker.name })) },
  DeleteUserPolicy: {
    call: (r) => sdk(r, iam(r), new DeleteUserPolicyCommand({ UserName: acct(r).worker.name, PolicyName: 'worker' })),
    restore: async (r) => {
      await iam(r, acct(r).root).send(new PutUserPolicyCommand({ UserName: acct(r).worker.name, PolicyName: 'worker', PolicyDocument: WORKER_POLICY }));
    },
  },
  CreateAccessKey: {
    call: (r) => sdk(r, iam(r), new CreateAccessKeyCommand({ UserName: acct(r).worker.name })),
    restore: async (r, output) => {
      const id = (output as { AccessKey?: { AccessKeyId?: string } }).AccessKey?.AccessKeyId;
      await iam(r, acct(r).root).send(new DeleteAccessKeyCommand({ UserName: acct(r).worker.name, AccessKeyId: id }));
    },
  },
  ListAccessKeys: { call: (r) => sdk(r, iam(r), new ListAccessKeysCommand({ UserName: acct(r).worker.name })) },
  UpdateAccessKey: {
    call: (r) => sdk(r, iam(r), new UpdateAccessKeyCommand({ UserName: callerAcct(r).worker.name, AccessKeyId: acct(r).worker.keyId, Status: 'Active' })),
  },
  DeleteAccessKey: {
    // own: a key made for this cell (the worker's own key stays); otherwise the resource account's worker key.
    prepare: async (r) => {
      if (r.cell.resource !== 'own') return;
      const a = acct(r);
      const out = await iam(r, a.root).send(new CreateAccessKeyCommand({ UserName: a.worker.name }));
      const id = out.AccessKey?.AccessKeyId ?? '';
      disposableKeys.set(r, id);
      return async () => {
        await iam(r, a.root)
          .send(new DeleteAccessKeyCommand({ UserName: a.worker.name, AccessKeyId: id }))
          .catch(() => undefined);
      };
    },
    call: (r) =>
      sdk(r, iam(r), new DeleteAccessKeyCommand({ UserName: callerAcct(r).worker.name, AccessKeyId: disposableKeys.get(r) ?? acct(r).worker.keyId })),
  },
  GetRole: { call: (r) => sdk(r, iam(r), new GetRoleCommand({ RoleName: ROLE })) },
  ListRoles: { call: (r) => sdk(r, iam(r), new ListRolesCommand({})) },
  // ---- Parapet's admin API ----
  Verify: { call: (r) => adminCall(r, { path: '/admin/v1/verify', query: { model: MODEL, account: acct(r).id } }) },
  ListAuditRecords: {
    call: (r) => adminCall(r, { path: '/admin/v1/audit', query: { limit: '1000', ...(r.cell.resource === 'none' ? {} : { account: acct(r).id }) } }),
    // The trail of an account holds what its principals sent (naming whatever they named) and, as CloudTrail does
    // for the resource owner, who else tried to use its resources: the identifier scan does not apply. What must
    // hold is that every record belongs to an account the caller may read — its own, or, for a management
    // account, one of its organization's members.
    check: async (r, output) => {
      const caller = callerAcct(r);
      const org = r.fx.orgs[caller.org];
      const visible =
        org.management === caller.label
          ? (await t.server.store.organizations.listMembers(org.id)).map((m) => m.accountId)
          : [caller.id];
      const records = (output as { records?: Array<{ accountId: string; seq: number; action: string }> }).records ?? [];
      const outside = records.filter((x) => !visible.includes(x.accountId));
      return [
        ...(records.length === 0 ? ['no audit records were returned'] : []),
        ...outside.slice(0, 5).map((x) => `audit record ${x.seq} (${x.action}) of account ${x.accountId} is not the caller's to read`),
      ];
    },
  },
  VerifyAuditTrail: { call: (r) => adminCall(r, { path: '/admin/v1/audit/verify' }) },
  CreateAccountAccessKey: { call: (r) => adminCall(r, { method: 'POST', path: `/admin/v1/accounts/${acct(r).id}/access-keys` }) },
};

const removable = new WeakMap<CellRun, string>();
const disposableKeys = new WeakMap<CellRun, string>();

// ---------------------------------------------------------------------------------------------------------

/** Every table of the state except the audit log, as JSON: a denied call must not change any of it. */
async function snapshot(): Promise<string> {
  const { state } = t.server.store;
  if (!state) throw new Error('the store cannot be read whole (no state transfer)');
  return state.read(async (s) => {
    const out: Record<string, unknown[]> = {};
    for (const table of state.tables) {
      if (table.name.includes('audit')) continue;
      const rows: unknown[] = [];
      for await (const batch of s.rows(table.name)) rows.push(...batch);
      out[table.name] = rows;
    }
    return JSON.stringify(out);
  });
}

/** Identifiers of everything an organization holds (its accounts, their resources, its organization entities). */
function identifiersOf(org: OrgLabel): string[] {
  const o = fx.orgs[org];
  const out = [o.id, o.rootId, o.ouId, o.ouName, o.policyId, o.policyName, o.createAccountRequestId, o.shared.id, o.shared.name];
  for (const a of Object.values(fx.accounts))
    if (a.org === org) out.push(a.id, a.guardrail.id, a.guardrail.name, a.configId, a.worker.name, a.worker.keyId, a.root.accessKeyId);
  return out.filter((s) => s.length >= 6);
}

/** Tokens a cell's answer must not contain: the other organization's (both, when unauthenticated), unless sent. */
function leaks(cell: MatrixCell, sent: unknown[], text: string): string[] {
  const home = organizationOf(cell.caller);
  const foreign: OrgLabel[] = home === undefined ? ['A', 'B'] : [home === 'A' ? 'B' : 'A'];
  const sentText = JSON.stringify(sent);
  return foreign.flatMap(identifiersOf).filter((id) => text.includes(id) && !sentText.includes(id));
}

function errorText(e: unknown): string {
  const err = e as Error & Record<string, unknown>;
  let extra = '';
  try {
    extra = JSON.stringify(err);
  } catch {
    extra = '';
  }
  return `${err.name} ${err.message} ${extra}`;
}

async function runCell(cell: MatrixCell): Promise<{ actual: Outcome; problems: string[] }> {
  const invoker = INVOKERS[cell.row.operation];
  if (!invoker) return { actual: '(no invoker)', problems: [`no invoker for ${cell.row.operation}`] };
  const r: CellRun = { cell, fx, creds: fx.callers[cell.caller], sent: [], n: ++seq };
  const undo = await invoker.prepare?.(r);
  const checkState = !(cell.row.write && cell.expected === 'allow');
  const before = checkState ? await snapshot() : '';
  let result: CallResult;
  try {
    const output = await invoker.call(r);
    result = { outcome: 'allow', text: JSON.stringify(output), output };
  } catch (e) {
    result = { outcome: (e as Error).name, text: errorText(e) };
  }
  const problems: string[] = [];
  if (checkState && (await snapshot()) !== before) problems.push('the state changed');
  const leaked = result.outcome === 'allow' && invoker.check ? [] : leaks(cell, r.sent, result.text);
  if (leaked.length) problems.push(`the answer holds identifiers of the other organization: ${leaked.join(', ')}`);
  if (result.outcome === 'allow' && invoker.check) problems.push(...(await invoker.check(r, result.output)));
  if (isCrossOrganization(cell.caller, cell.resource) && result.outcome === 'allow') problems.push('a call into another organization was allowed');
  if (result.outcome === 'allow') await invoker.restore?.(r, result.output);
  if (undo) await undo();
  if (result.outcome !== cell.expected && result.outcome !== 'allow') problems.push(`(${result.text.slice(0, 160)})`);
  return { actual: result.outcome, problems };
}

// ---------------------------------------------------------------------------------------------------------

async function buildFixture(): Promise<Fixture> {
  const services = t.server.services;
  const mgmt: AwsCreds = t.credentials;
  const rootKey = async (accountId: string): Promise<AwsCreds> => {
    const k = await services.accounts.createRootKey(accountId);
    return { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey };
  };
  const o = (creds: AwsCreds) => clientFor(OrganizationsClient, creds);
  const b = (creds: AwsCreds) => clientFor(BedrockClient, creds);
  const i = (creds: AwsCreds) => clientFor(IAMClient, creds);

  /** An organization: root, BEDROCK_POLICY enabled, an OU, one (A: two) members, the first in the OU. */
  async function organization(label: OrgLabel, management: AccountLabel, mgmtCreds: AwsCreds, memberLabels: AccountLabel[]) {
    const org = await o(mgmtCreds).send(new CreateOrganizationCommand({}));
    const rootId = (await o(mgmtCreds).send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    await o(mgmtCreds).send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'BEDROCK_POLICY' }));
    const ouName = `ou-of-${label}-${org.Organization?.Id ?? ''}`.slice(0, 60);
    const ou = await o(mgmtCreds).send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: ouName }));
    const ouId = ou.OrganizationalUnit?.Id ?? '';
    const members: Array<{ label: AccountLabel; id: string; parentId: string; creds: AwsCreds }> = [];
    let createAccountRequestId = '';
    for (const [n, m] of memberLabels.entries()) {
      const s = await o(mgmtCreds).send(new CreateAccountCommand({ AccountName: `member-${m}`, Email: `member-${m}@example.com` }));
      const id = s.CreateAccountStatus?.AccountId ?? '';
      if (n === 0) {
        createAccountRequestId = s.CreateAccountStatus?.Id ?? '';
        await o(mgmtCreds).send(new MoveAccountCommand({ AccountId: id, SourceParentId: rootId, DestinationParentId: ouId }));
      }
      members.push({ label: m, id, parentId: n === 0 ? ouId : rootId, creds: await rootKey(id) });
    }
    return { label, management, id: org.Organization?.Id ?? '', rootId, ouId, ouName, createAccountRequestId, members };
  }

  async function guardrail(creds: AwsCreds, name: string, policyFor: (arn: string) => string): Promise<Guardrail> {
    const g = await b(creds).send(new CreateGuardrailCommand({ ...guardrailConfig(name), tags: [{ key: 'team', value: 'matrix' }] }));
    await b(creds).send(new CreateGuardrailVersionCommand({ guardrailIdentifier: g.guardrailId }));
    const arn = g.guardrailArn ?? '';
    const policy = policyFor(arn);
    await b(creds).send(new PutResourcePolicyCommand({ resourceArn: arn, resourcePolicy: policy }));
    return { id: g.guardrailId ?? '', arn, name, policy };
  }
  const ownAccountOnly = (accountId: string) => (arn: string) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: ['bedrock:ApplyGuardrail', 'bedrock:GetGuardrail'], Resource: arn }],
    });
  const wholeOrg = (orgId: string) => (arn: string) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: ['bedrock:ApplyGuardrail', 'bedrock:GetGuardrail'], Resource: arn, Condition: { StringEquals: { 'aws:PrincipalOrgID': orgId } } },
      ],
    });

  async function account(label: AccountLabel, org: OrgLabel, id: string, root: AwsCreds, parentId: string): Promise<Account> {
    const g = await guardrail(root, `private-${label}-${id}`, ownAccountOnly(id));
    const cfg = await b(root).send(
      new PutEnforcedGuardrailConfigurationCommand({ guardrailInferenceConfig: { guardrailIdentifier: g.arn, guardrailVersion: '1' } }),
    );
    const workerName = `worker-${label}-${id}`;
    await i(root).send(new CreateUserCommand({ UserName: workerName }));
    await i(root).send(new PutUserPolicyCommand({ UserName: workerName, PolicyName: 'worker', PolicyDocument: WORKER_POLICY }));
    const key = await i(root).send(new CreateAccessKeyCommand({ UserName: workerName }));
    return { label, org, id, root, parentId, guardrail: g, configId: cfg.configId ?? '', worker: { name: workerName, keyId: key.AccessKey?.AccessKeyId ?? '' } };
  }

  /** The management account's shared guardrail, enforced on the organization by a BEDROCK_POLICY on the root. */
  async function share(mgmtCreds: AwsCreds, mgmtId: string, org: Awaited<ReturnType<typeof organization>>) {
    const shared = await guardrail(mgmtCreds, `shared-${org.label}-${mgmtId}`, wholeOrg(org.id));
    const policyName = `baseline-${org.label}-${org.id}`.slice(0, 100);
    const p = await o(mgmtCreds).send(
      new CreatePolicyCommand({ Name: policyName, Description: 'matrix', Type: 'BEDROCK_POLICY', Content: bedrockPolicyContent(shared.arn) }),
    );
    const policyId = p.Policy?.PolicySummary?.Id ?? '';
    await o(mgmtCreds).send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: org.rootId }));
    return { shared, policyId, policyName };
  }

  // Organization A: M (the installation's management account), members A1 (in the OU) and A2.
  const orgA = await organization('A', 'M', mgmt, ['A1', 'A2']);
  // Organization B: a standalone account that made its own organization, with member B1 (in its OU).
  const bRec = await services.accounts.createAccount({ name: 'outsider', managementAccountId: '000000000000' });
  const bRoot = await rootKey(bRec.accountId);
  const orgB = await organization('B', 'B', bRoot, ['B1']);

  const accounts = {} as Record<AccountLabel, Account>;
  accounts.M = await account('M', 'A', t.accountId, mgmt, orgA.rootId);
  accounts.B = await account('B', 'B', bRec.accountId, bRoot, orgB.rootId);
  for (const [org, o2] of [['A', orgA], ['B', orgB]] as const)
    for (const m of o2.members) accounts[m.label] = await account(m.label, org, m.id, m.creds, m.parentId);
  const sharedA = await share(mgmt, t.accountId, orgA);
  const sharedB = await share(bRoot, bRec.accountId, orgB);

  // The narrow user of A1: only bedrock:ApplyGuardrail on A1's private guardrail.
  const a1 = accounts.A1;
  await i(a1.root).send(new CreateUserCommand({ UserName: 'narrow' }));
  await i(a1.root).send(
    new PutUserPolicyCommand({
      UserName: 'narrow',
      PolicyName: 'apply-one-guardrail',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'bedrock:ApplyGuardrail', Resource: a1.guardrail.arn }] }),
    }),
  );
  const narrowKey = (await i(a1.root).send(new CreateAccessKeyCommand({ UserName: 'narrow' }))).AccessKey;

  const orgRecord = (o2: typeof orgA, s: typeof sharedA): Org => ({
    label: o2.label,
    id: o2.id,
    rootId: o2.rootId,
    ouId: o2.ouId,
    ouName: o2.ouName,
    policyId: s.policyId,
    policyName: s.policyName,
    createAccountRequestId: o2.createAccountRequestId,
    management: o2.management,
    shared: s.shared,
  });
  return {
    accounts,
    orgs: { A: orgRecord(orgA, sharedA), B: orgRecord(orgB, sharedB) },
    callers: {
      managementAdmin: mgmt,
      memberAdmin: a1.root,
      memberUser: { accessKeyId: narrowKey?.AccessKeyId ?? '', secretAccessKey: narrowKey?.SecretAccessKey ?? '' },
      otherOrganization: bRoot,
      // Well-formed, but no such key.
      unauthenticated: { accessKeyId: 'AKIAZZZZZZZZZZZZZZZZ', secretAccessKey: 'x'.repeat(40) },
    },
  };
}

// ---------------------------------------------------------------------------------------------------------

describe('authorization matrix', () => {
  const results: Array<{ cell: MatrixCell; actual: Outcome; problems: string[] }> = [];

  before(async () => {
    t = await startTestServer();
    fx = await buildFixture();
  });
  after(async () => t?.stop());

  it('has a row for every routed operation, and no row for an operation that is not routed', () => {
    const routed = allOperations(t.server.services, t.server.gateway).map((op) => op.name);
    assert.equal(new Set(routed).size, routed.length, 'operation names are unique');
    const rows = AUTHORIZATION_MATRIX.map((r) => r.operation);
    assert.equal(new Set(rows).size, rows.length, 'one row per operation');
    assert.deepEqual(routed.filter((n) => !rows.includes(n)), [], 'routed operations without a row in the matrix');
    assert.deepEqual(rows.filter((n) => !routed.includes(n)), [], 'rows for operations the server does not route');
    assert.deepEqual(rows.filter((n) => !INVOKERS[n]), [], 'rows without an invoker in the test');
  });

  it('the table is complete and never allows a call into another organization', () => {
    for (const row of AUTHORIZATION_MATRIX) {
      assert.ok(row.resources.length > 0, row.operation);
      for (const resource of row.resources) assert.ok(RESOURCE_KINDS.includes(resource));
      for (const caller of CALLER_KINDS) {
        for (const resource of row.resources) {
          const cell = matrixCells([row]).find((c) => c.caller === caller && c.resource === resource);
          assert.ok(cell, `${row.operation} ${caller} ${resource}`);
          if (isCrossOrganization(caller, resource)) assert.notEqual(cell.expected, 'allow', `${row.operation}: ${caller} on ${resource}`);
        }
        if (caller === 'unauthenticated') assert.equal(typeof row.expect[caller], 'string');
      }
    }
  });

  for (const row of AUTHORIZATION_MATRIX) {
    it(`${row.service} ${row.operation}`, async () => {
      const mismatches: string[] = [];
      for (const cell of matrixCells([row])) {
        const r = await runCell(cell);
        results.push({ cell, ...r });
        if (r.actual !== cell.expected || r.problems.length)
          mismatches.push(`${cell.caller} on ${cell.resource}: expected ${cell.expected}, got ${r.actual}${r.problems.length ? ` — ${r.problems.join('; ')}` : ''}`);
      }
      assert.deepEqual(mismatches, [], `${row.operation}:\n${mismatches.join('\n')}`);
    });
  }

  it('an unsigned request to any operation is refused before it runs', async () => {
    const problems: string[] = [];
    for (const op of allOperations(t.server.services, t.server.gateway)) {
      const protocol = op.protocol ?? 'restJson1';
      const path = protocol === 'restJson1' ? op.path.replace(/\{[^}]+\}/g, 'x') : '/';
      const headers: Record<string, string> = {};
      let body: string | undefined = '{}';
      if (protocol === 'awsJson1_1') Object.assign(headers, { 'x-amz-target': op.target ?? '', 'content-type': 'application/x-amz-json-1.1' });
      else if (protocol === 'awsQuery') {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = `Action=${op.name}&Version=x`;
      } else headers['content-type'] = 'application/json';
      if (op.method === 'GET' || op.method === 'DELETE') body = undefined;
      const res = await fetch(`${t.server.url}${path}`, { method: op.method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      const type = res.headers.get('x-amzn-errortype') ?? (/<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? null);
      const expected = op.auth === 'bearer' ? 'UnrecognizedClientException' : 'MissingAuthenticationTokenException';
      if (type !== expected || res.status < 400) problems.push(`${op.name}: ${res.status} ${type ?? ''} ${text.slice(0, 120)}`);
    }
    assert.deepEqual(problems, []);
  });

  it('summary: every cell ran and matched', () => {
    const cells = matrixCells();
    const failed = results.filter((r) => r.actual !== r.cell.expected || r.problems.length);
    const allowed = results.filter((r) => r.actual === 'allow').length;
    console.log(
      `# authorization matrix: ${AUTHORIZATION_MATRIX.length} operations × ${CALLER_KINDS.length} caller kinds × their resource kinds = ` +
        `${cells.length} cells; ${results.length} ran, ${allowed} allowed, ${results.length - allowed} refused, ${failed.length} mismatches`,
    );
    assert.equal(results.length, cells.length);
    assert.equal(failed.length, 0);
  });
});
