/**
 * The route catalogue of the fuzz suite: one entry per operation the server registers (`allOperations`), each with
 * a valid example request built from the fixtures of a demo server. `fuzz.test.ts` checks that the catalogue and
 * the registered operations name exactly the same operations, so a new route cannot go unfuzzed.
 */
import type { Operation, Protocol } from '../../src/server/router.ts';

export type Family = 'bedrock' | 'bedrock-runtime' | 'openai' | 'organizations' | 'sts' | 'iam' | 'admin';

/** What the valid examples refer to: ids of a demo organization and of resources made for the fuzz run. */
export interface Fixtures {
  accountId: string;
  teamAId: string;
  teamBId: string;
  orgId: string;
  rootId: string;
  ouId: string;
  policyId: string;
  /** The demo organization's enforced guardrail (left alone: examples only read it). */
  demoGuardrailId: string;
  demoGuardrailArn: string;
  /** A guardrail of the fuzz run, which examples may update, version and tag. */
  fuzzGuardrailId: string;
  fuzzGuardrailArn: string;
  region: string;
}

export interface CatalogueEntry {
  name: string;
  family: Family;
  protocol: Protocol;
  method: string;
  /** The path template, as registered (`/guardrails/{guardrailIdentifier}`). */
  template: string;
  labels: Record<string, string>;
  query: Record<string, string>;
  /** JSON operations: the body object. awsQuery: the form parameters (Action and Version included). */
  body: Record<string, unknown>;
  /** InvokeModel: the body is model-native bytes (JSON here), not parsed by the router. */
  rawBody: boolean;
  /** awsJson1_1 only. */
  target?: string;
  signingName: string;
  auth: 'sigv4' | 'bearer';
  bodyLimitBytes: number;
  /** Extra headers of the valid request (runtime guardrail headers, the OpenAI region). */
  headers: Record<string, string>;
}

const ORG_TARGET = 'AWSOrganizationsV20161128';
const DEMO_MODEL = 'parapet.demo-v1';
/** Ids that are well-formed but name nothing, for the examples of destructive operations. */
const NO_GUARDRAIL = 'zzzzzzzzzz99';
const NO_ACCOUNT = '123456789012';
const NO_OU = 'ou-zzzz-zzzzzzzz';
const NO_POLICY = 'p-zzzzzzzz';
const NO_KEY = 'AKIAFUZZNOSUCHKEY000';

function guardrailBody(name: string): Record<string, unknown> {
  return {
    name,
    description: 'fuzz',
    blockedInputMessaging: 'blocked input',
    blockedOutputsMessaging: 'blocked output',
    contentPolicyConfig: { filtersConfig: [{ type: 'HATE', inputStrength: 'HIGH', outputStrength: 'HIGH' }] },
    wordPolicyConfig: { wordsConfig: [{ text: 'forbidden' }], managedWordListsConfig: [{ type: 'PROFANITY' }] },
    sensitiveInformationPolicyConfig: {
      piiEntitiesConfig: [{ type: 'EMAIL', action: 'ANONYMIZE' }],
      regexesConfig: [{ name: 'ids', pattern: 'ID-[0-9]{4}', action: 'BLOCK' }],
    },
    topicPolicyConfig: { topicsConfig: [{ name: 'gambling', definition: 'Betting money on outcomes.', examples: ['bet on it'], type: 'DENY' }] },
  };
}

/** Valid example requests of the operations by name (without the per-entry protocol details). */
function examples(f: Fixtures): Record<string, Partial<CatalogueEntry> & { body?: Record<string, unknown> }> {
  const tag = { key: 'team', value: 'fuzz' };
  const orgs = (body: Record<string, unknown> = {}) => ({ body });
  const q = (params: Record<string, string>) => ({ body: params });
  return {
    // bedrock control plane
    CreateGuardrail: { body: { ...guardrailBody('fuzz-created'), tags: [tag], clientRequestToken: 'fuzz-token-1' } },
    UpdateGuardrail: { labels: { guardrailIdentifier: f.fuzzGuardrailId }, body: guardrailBody('fuzz-updated') },
    GetGuardrail: { labels: { guardrailIdentifier: f.demoGuardrailArn }, query: { guardrailVersion: '1' } },
    ListGuardrails: { query: { maxResults: '10' } },
    DeleteGuardrail: { labels: { guardrailIdentifier: NO_GUARDRAIL }, query: { guardrailVersion: '3' } },
    CreateGuardrailVersion: { labels: { guardrailIdentifier: f.fuzzGuardrailId }, body: { description: 'fuzz version' } },
    PutEnforcedGuardrailConfiguration: {
      body: {
        guardrailInferenceConfig: {
          guardrailIdentifier: f.fuzzGuardrailArn,
          guardrailVersion: '1',
          selectiveContentGuarding: { system: 'SELECTIVE', messages: 'COMPREHENSIVE' },
          modelEnforcement: { includedModels: ['ALL'], excludedModels: [] },
        },
      },
    },
    ListEnforcedGuardrailsConfiguration: {},
    DeleteEnforcedGuardrailConfiguration: { labels: { configId: 'nosuchconfig' } },
    PutResourcePolicy: {
      body: {
        resourceArn: f.fuzzGuardrailArn,
        resourcePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${f.teamAId}:root` }, Action: 'bedrock:ApplyGuardrail', Resource: f.fuzzGuardrailArn }],
        }),
      },
    },
    GetResourcePolicy: { labels: { resourceArn: f.demoGuardrailArn } },
    DeleteResourcePolicy: { labels: { resourceArn: `arn:aws:bedrock:${f.region}:${f.accountId}:guardrail/${NO_GUARDRAIL}` } },
    TagResource: { body: { resourceARN: f.fuzzGuardrailArn, tags: [tag] } },
    UntagResource: { body: { resourceARN: f.fuzzGuardrailArn, tagKeys: ['other'] } },
    ListTagsForResource: { body: { resourceARN: f.fuzzGuardrailArn } },
    // bedrock-runtime
    ApplyGuardrail: {
      labels: { guardrailIdentifier: f.demoGuardrailId, guardrailVersion: '1' },
      body: { source: 'INPUT', content: [{ text: { text: 'my e-mail is a@example.com', qualifiers: ['guard_content'] } }], outputScope: 'FULL' },
    },
    Converse: {
      labels: { modelId: DEMO_MODEL },
      body: {
        messages: [{ role: 'user', content: [{ text: 'hello there' }] }],
        system: [{ text: 'be brief' }],
        inferenceConfig: { maxTokens: 50, temperature: 0.5 },
        guardrailConfig: { guardrailIdentifier: f.demoGuardrailId, guardrailVersion: '1', trace: 'enabled' },
      },
    },
    ConverseStream: {
      labels: { modelId: DEMO_MODEL },
      body: { messages: [{ role: 'user', content: [{ text: 'stream please' }] }], inferenceConfig: { maxTokens: 20 } },
    },
    InvokeModel: {
      labels: { modelId: DEMO_MODEL },
      headers: { accept: 'application/json' },
      body: { anthropic_version: 'bedrock-2023-05-31', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] },
    },
    InvokeModelWithResponseStream: {
      labels: { modelId: DEMO_MODEL },
      headers: { 'x-amzn-bedrock-accept': 'application/json', 'x-amzn-bedrock-guardrailidentifier': f.demoGuardrailId, 'x-amzn-bedrock-guardrailversion': '1' },
      body: { anthropic_version: 'bedrock-2023-05-31', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] },
    },
    // OpenAI-compatible
    ChatCompletions: {
      headers: { 'x-parapet-region': f.region },
      body: { model: DEMO_MODEL, messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello' }], max_tokens: 30, temperature: 0.2 },
    },
    // Organizations
    CreateOrganization: orgs({ FeatureSet: 'ALL' }),
    DescribeOrganization: orgs(),
    DeleteOrganization: orgs(),
    ListRoots: orgs({ MaxResults: 5 }),
    CreateOrganizationalUnit: orgs({ ParentId: f.rootId, Name: 'fuzz-ou' }),
    UpdateOrganizationalUnit: orgs({ OrganizationalUnitId: f.ouId, Name: 'Engineering' }),
    DeleteOrganizationalUnit: orgs({ OrganizationalUnitId: NO_OU }),
    DescribeOrganizationalUnit: orgs({ OrganizationalUnitId: f.ouId }),
    ListOrganizationalUnitsForParent: orgs({ ParentId: f.rootId, MaxResults: 10 }),
    ListParents: orgs({ ChildId: f.teamAId }),
    ListChildren: orgs({ ParentId: f.rootId, ChildType: 'ACCOUNT' }),
    CreateAccount: orgs({ AccountName: 'fuzz-account', Email: 'fuzz@example.invalid' }),
    DescribeCreateAccountStatus: orgs({ CreateAccountRequestId: 'car-0123456789abcdef0123456789abcdef' }),
    ListCreateAccountStatus: orgs({ States: ['SUCCEEDED'], MaxResults: 5 }),
    ListAccounts: orgs({ MaxResults: 20 }),
    ListAccountsForParent: orgs({ ParentId: f.ouId }),
    DescribeAccount: orgs({ AccountId: f.teamBId }),
    MoveAccount: orgs({ AccountId: f.teamAId, SourceParentId: f.ouId, DestinationParentId: f.ouId }),
    RemoveAccountFromOrganization: orgs({ AccountId: NO_ACCOUNT }),
    EnablePolicyType: orgs({ RootId: f.rootId, PolicyType: 'BEDROCK_POLICY' }),
    DisablePolicyType: orgs({ RootId: f.rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }),
    CreatePolicy: orgs({
      Name: 'fuzz-policy',
      Description: 'fuzz',
      Type: 'BEDROCK_POLICY',
      Content: JSON.stringify({ bedrock: { guardrail_inference: { [f.region]: { fuzz: { identifier: { '@@assign': `${f.fuzzGuardrailArn}:1` } } } } } }),
    }),
    UpdatePolicy: orgs({ PolicyId: NO_POLICY, Description: 'fuzz' }),
    DescribePolicy: orgs({ PolicyId: f.policyId }),
    ListPolicies: orgs({ Filter: 'BEDROCK_POLICY' }),
    DeletePolicy: orgs({ PolicyId: NO_POLICY }),
    AttachPolicy: orgs({ PolicyId: f.policyId, TargetId: f.rootId }),
    DetachPolicy: orgs({ PolicyId: NO_POLICY, TargetId: f.ouId }),
    ListPoliciesForTarget: orgs({ TargetId: f.rootId, Filter: 'BEDROCK_POLICY' }),
    ListTargetsForPolicy: orgs({ PolicyId: f.policyId }),
    DescribeEffectivePolicy: orgs({ PolicyType: 'BEDROCK_POLICY', TargetId: f.teamAId }),
    // STS
    AssumeRole: q({ RoleArn: `arn:aws:iam::${f.teamAId}:role/OrganizationAccountAccessRole`, RoleSessionName: 'fuzz', DurationSeconds: '900' }),
    GetCallerIdentity: q({}),
    // IAM
    CreateUser: q({ UserName: 'fuzz-user', Path: '/fuzz/' }),
    GetUser: q({ UserName: 'fuzz-user' }),
    ListUsers: q({ PathPrefix: '/', MaxItems: '10' }),
    DeleteUser: q({ UserName: 'fuzz-nobody' }),
    PutUserPolicy: q({
      UserName: 'fuzz-user',
      PolicyName: 'apply',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'bedrock:ApplyGuardrail', Resource: '*' }] }),
    }),
    GetUserPolicy: q({ UserName: 'fuzz-user', PolicyName: 'apply' }),
    ListUserPolicies: q({ UserName: 'fuzz-user' }),
    DeleteUserPolicy: q({ UserName: 'fuzz-user', PolicyName: 'nosuchpolicy' }),
    CreateAccessKey: q({ UserName: 'fuzz-user' }),
    ListAccessKeys: q({ UserName: 'fuzz-user' }),
    UpdateAccessKey: q({ AccessKeyId: NO_KEY, Status: 'Inactive', UserName: 'fuzz-user' }),
    DeleteAccessKey: q({ AccessKeyId: NO_KEY, UserName: 'fuzz-user' }),
    GetRole: q({ RoleName: 'OrganizationAccountAccessRole' }),
    ListRoles: q({ MaxItems: '5' }),
    // admin
    Verify: { query: { model: DEMO_MODEL, account: f.teamAId, region: f.region } },
    ListAuditRecords: { query: { limit: '5', action: 'bedrock:CreateGuardrail' } },
    VerifyAuditTrail: {},
    CreateAccountAccessKey: { labels: { accountId: NO_ACCOUNT } },
  };
}

function familyOf(op: Operation): Family {
  if (op.auth === 'bearer') return 'openai';
  if (op.signingName === 'parapet') return 'admin';
  if (op.protocol === 'awsJson1_1') return 'organizations';
  if (op.protocol === 'awsQuery') return op.signingName === 'iam' ? 'iam' : 'sts';
  return op.path.startsWith('/model/') || op.path.startsWith('/guardrail/') ? 'bedrock-runtime' : 'bedrock';
}

/**
 * One entry per registered operation. Throws if an operation has no example here (or an example names no
 * operation), so the catalogue cannot silently fall behind the router.
 */
export function buildCatalogue(operations: readonly Operation[], f: Fixtures): CatalogueEntry[] {
  const ex = examples(f);
  const missing = operations.filter((op) => !(op.name in ex)).map((op) => op.name);
  const extra = Object.keys(ex).filter((name) => !operations.some((op) => op.name === name));
  if (missing.length || extra.length)
    throw new Error(`fuzz catalogue out of date: no example for [${missing.join(', ')}], example of no operation [${extra.join(', ')}]`);
  return operations.map((op) => {
    const e = ex[op.name] ?? {};
    const protocol = op.protocol ?? 'restJson1';
    const body =
      protocol === 'awsQuery'
        ? { Action: op.name, Version: op.signingName === 'iam' ? '2010-05-08' : '2011-06-15', ...(e.body ?? {}) }
        : (e.body ?? {});
    return {
      name: op.name,
      family: familyOf(op),
      protocol,
      method: op.method,
      template: op.path,
      labels: e.labels ?? {},
      query: e.query ?? {},
      body,
      rawBody: op.rawBody === true,
      ...(protocol === 'awsJson1_1' ? { target: op.target ?? `${ORG_TARGET}.${op.name}` } : {}),
      signingName: op.signingName,
      auth: op.auth ?? 'sigv4',
      bodyLimitBytes: op.bodyLimitBytes,
      headers: e.headers ?? {},
    };
  });
}

/** The path of an entry with its labels filled in (percent-encoded as an SDK would). */
export function fillPath(template: string, labels: Record<string, string>, encode: (s: string) => string = encodeURIComponent): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => encode(labels[name] ?? ''));
}
