/**
 * The API calls of the Cross-account safeguards and Organization pages: AWS Organizations (awsJson1_1), the
 * guardrail list and versions, the account-level enforcement configuration and guardrail resource policies.
 * Every call goes through the console client, so errors are the server's own (ApiError).
 */
import type { EnforcementConfigRecord, GuardingMode } from '../../../../src/store/types.ts';
import { ApiError, call, callRaw, seg } from '../../api/client.ts';
import type { GuardrailSummary } from '../guardrails/api.ts';

const ORG_TARGET = 'AWSOrganizationsV20161128';

/** One AWS Organizations operation (`POST /` with `X-Amz-Target`). */
export function org<T>(operation: string, body: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
  return call<T>('POST', '/', { target: `${ORG_TARGET}.${operation}`, body, ...(signal ? { signal } : {}) });
}

/** Every page of an Organizations list (MaxResults is at most 20 there). */
export async function orgAll<T>(operation: string, body: Record<string, unknown>, key: string, signal?: AbortSignal): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  for (let page = 0; page < 500; page++) {
    const r = await org<Record<string, unknown>>(operation, { ...body, MaxResults: 20, ...(token ? { NextToken: token } : {}) }, signal);
    out.push(...((r[key] as T[] | undefined) ?? []));
    token = typeof r.NextToken === 'string' ? r.NextToken : undefined;
    if (!token) break;
  }
  return out;
}

export const BEDROCK_POLICY = 'BEDROCK_POLICY';

export interface Organization {
  Id: string;
  Arn: string;
  MasterAccountId: string;
  MasterAccountEmail?: string;
}

export interface Root {
  Id: string;
  Arn: string;
  Name: string;
  PolicyTypes: Array<{ Type: string; Status: string }>;
}

export interface OrgUnit {
  Id: string;
  Arn: string;
  Name: string;
}

export interface OrgAccount {
  Id: string;
  Arn: string;
  Name: string;
  Email?: string;
  Status?: string;
}

export interface PolicySummary {
  Id: string;
  Arn: string;
  Name: string;
  Description: string;
  Type: string;
}

export type TargetType = 'ROOT' | 'ORGANIZATIONAL_UNIT' | 'ACCOUNT';

export interface PolicyTarget {
  TargetId: string;
  Arn: string;
  Name: string;
  Type: TargetType;
}

/** One BEDROCK_POLICY policy (DescribePolicy: summary and document) and the targets it is attached to. */
export async function loadPolicy(policyId: string, signal?: AbortSignal): Promise<{ policy: { PolicySummary: PolicySummary; Content: string }; targets: PolicyTarget[] }> {
  const [d, targets] = await Promise.all([
    org<{ Policy: { PolicySummary: PolicySummary; Content: string } }>('DescribePolicy', { PolicyId: policyId }, signal),
    orgAll<PolicyTarget>('ListTargetsForPolicy', { PolicyId: policyId }, 'Targets', signal),
  ]);
  return { policy: d.Policy, targets };
}

export const describeOrganization = (signal?: AbortSignal) =>
  org<{ Organization: Organization }>('DescribeOrganization', {}, signal).then((r) => r.Organization);

export const policyTypeEnabled = (root: Root): boolean =>
  root.PolicyTypes.some((t) => t.Type === BEDROCK_POLICY && t.Status === 'ENABLED');

/** A node of the organization tree: the root, an OU or an account. */
export interface OrgNode {
  id: string;
  name: string;
  type: TargetType;
  /** Depth below the root (the root is 0). */
  depth: number;
  children: OrgNode[];
}

export interface OrgTree {
  organization: Organization;
  root: Root;
  tree: OrgNode;
  /** Every node, depth first (root, then each OU followed by its contents, then the root's accounts). */
  flat: OrgNode[];
  byId: Map<string, OrgNode>;
}

/** The whole tree: ListRoots, then ListOrganizationalUnitsForParent and ListAccountsForParent level by level. */
export async function loadOrgTree(signal?: AbortSignal): Promise<OrgTree> {
  const organization = await describeOrganization(signal);
  const roots = await orgAll<Root>('ListRoots', {}, 'Roots', signal);
  const root = roots[0];
  if (!root) throw new ApiError('AWSOrganizationsNotInUseException', 'The organization has no root.', 400);
  const children = async (parentId: string, depth: number): Promise<OrgNode[]> => {
    const [ous, accounts] = await Promise.all([
      orgAll<OrgUnit>('ListOrganizationalUnitsForParent', { ParentId: parentId }, 'OrganizationalUnits', signal),
      orgAll<OrgAccount>('ListAccountsForParent', { ParentId: parentId }, 'Accounts', signal),
    ]);
    const ouNodes = await Promise.all(
      ous
        .sort((a, b) => a.Name.localeCompare(b.Name))
        .map(async (ou): Promise<OrgNode> => ({ id: ou.Id, name: ou.Name, type: 'ORGANIZATIONAL_UNIT', depth, children: await children(ou.Id, depth + 1) })),
    );
    const accountNodes = accounts
      .sort((a, b) => a.Name.localeCompare(b.Name))
      .map((a): OrgNode => ({ id: a.Id, name: a.Name, type: 'ACCOUNT', depth, children: [] }));
    return [...ouNodes, ...accountNodes];
  };
  const tree: OrgNode = { id: root.Id, name: root.Name, type: 'ROOT', depth: 0, children: await children(root.Id, 1) };
  const flat: OrgNode[] = [];
  const walk = (n: OrgNode) => {
    flat.push(n);
    n.children.forEach(walk);
  };
  walk(tree);
  return { organization, root, tree, flat, byId: new Map(flat.map((n) => [n.id, n])) };
}

export function describeNode(n: OrgNode | undefined, id: string): string {
  if (!n) return id;
  if (n.type === 'ROOT') return `Root (${id})`;
  if (n.type === 'ORGANIZATIONAL_UNIT') return `OU ${n.name} (${id})`;
  return `account ${n.name} (${id})`;
}

// ---- guardrails ---------------------------------------------------------------------------------

export type { GuardrailSummary };

async function listPages(query: Record<string, string>, signal?: AbortSignal): Promise<GuardrailSummary[]> {
  const out: GuardrailSummary[] = [];
  let token: string | undefined;
  for (let page = 0; page < 200; page++) {
    const r = await call<{ guardrails: GuardrailSummary[]; nextToken?: string }>('GET', '/guardrails', {
      query: { ...query, maxResults: 100, nextToken: token },
      ...(signal ? { signal } : {}),
    });
    out.push(...(r.guardrails ?? []));
    token = r.nextToken;
    if (!token) break;
  }
  return out;
}

/** The guardrails of the signed-in account in the console's Region (their DRAFTs). */
export const listGuardrails = (signal?: AbortSignal) => listPages({}, signal);

/** The published (numeric) versions of one guardrail, newest first. */
export async function listVersions(guardrailId: string, signal?: AbortSignal): Promise<GuardrailSummary[]> {
  const all = await listPages({ guardrailIdentifier: guardrailId }, signal);
  return all.filter((v) => v.version !== 'DRAFT').sort((a, b) => Number(b.version) - Number(a.version));
}

/** CreateGuardrailVersion: snapshots the DRAFT into the next numbered version. */
export const publishVersion = (guardrailId: string, description?: string) =>
  call<{ guardrailId: string; version: string }>('POST', `/guardrails/${seg(guardrailId)}`, {
    body: description ? { description } : {},
  });

// ---- account-level enforcement --------------------------------------------------------------------

export type { GuardingMode };

/**
 * A configuration as ListEnforcedGuardrailsConfiguration returns it: the server's record (its own type, imported
 * as a type only) without the account and Region the call implies, its version as a string, and its owner.
 */
export type EnforcedConfig = Omit<EnforcementConfigRecord, 'accountId' | 'region' | 'guardrailVersion'> & { guardrailVersion: string; owner?: string };

export const ENFORCEMENT_PATH = '/enforcedGuardrailsConfiguration';

export const listEnforcedConfigs = (signal?: AbortSignal) =>
  call<{ guardrailsConfig: EnforcedConfig[] }>('GET', ENFORCEMENT_PATH, signal ? { signal } : {}).then((r) => r.guardrailsConfig);

/** PutEnforcedGuardrailConfiguration; the server's warnings come in the x-parapet-warnings header ('; '-joined). */
export async function putEnforcedConfig(body: unknown): Promise<{ configId: string; updatedAt: string; warnings: string[] }> {
  const res = await callRaw('PUT', ENFORCEMENT_PATH, { body });
  const out = (await res.json()) as { configId: string; updatedAt: string };
  const header = res.headers.get('x-parapet-warnings');
  const warnings = header
    ? header
        .split('; ')
        .map((w) => w.trim())
        .filter(Boolean)
    : [];
  return { ...out, warnings };
}

export const deleteEnforcedConfig = (configId: string) => call<unknown>('DELETE', `${ENFORCEMENT_PATH}/${seg(configId)}`);

// ---- resource-based policies ---------------------------------------------------------------------

/** The guardrail's resource-based policy, or undefined when it has none (the API answers 404). */
export async function getResourcePolicy(arn: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    const r = await call<{ resourcePolicy: string }>('GET', `/resource-policy/${seg(arn)}`, signal ? { signal } : {});
    return r.resourcePolicy;
  } catch (e) {
    if (e instanceof ApiError && e.type === 'ResourceNotFoundException' && /has no resource-based policy/.test(e.message)) return undefined;
    throw e;
  }
}

export const putResourcePolicy = (resourceArn: string, resourcePolicy: string) =>
  call<{ resourceArn: string }>('POST', '/resource-policy', { body: { resourceArn, resourcePolicy } });

export const deleteResourcePolicy = (arn: string) => call<unknown>('DELETE', `/resource-policy/${seg(arn)}`);

// ---- verify (the dry run behind `parapet verify`) ---------------------------------------------------

import type { VerifyReport } from '../../../../src/core/verify-report.ts';

export type { VerifyFinding, VerifyGuardrail, VerifyReport } from '../../../../src/core/verify-report.ts';

export const verify = (q: { account: string; region: string; model: string }, signal?: AbortSignal) =>
  call<VerifyReport>('GET', '/admin/v1/verify', { query: q, ...(signal ? { signal } : {}) });
