/**
 * The restricted policy language of guardrail resource-based policies (API.md §4.5). IAM accepts far more
 * than Bedrock does here: a guardrail policy may only let the owning account, or the owner's organization
 * (or some of its OUs), apply or read the guardrail. `validateGuardrailResourcePolicy` enforces that on
 * PutResourcePolicy; `describeResourcePolicyGrant` answers "can members of org X use this guardrail?".
 */
import { ServiceError } from '../core/errors.ts';
import { globMatch } from './glob.ts';
import type { PolicyDocument, PrincipalSpec, Statement } from './types.ts';

export type GuardrailResourceKind = 'guardrail' | 'guardrail-profile';

export interface GuardrailPolicyResource {
  /** the unversioned ARN of the guardrail or guardrail profile the policy is attached to */
  arn: string;
  /** the account that owns it */
  accountId: string;
  kind: GuardrailResourceKind;
}

/** The only actions a guardrail resource policy may name, per resource kind. */
export const GUARDRAIL_POLICY_ACTIONS: Readonly<Record<GuardrailResourceKind, readonly string[]>> = {
  guardrail: ['bedrock:ApplyGuardrail', 'bedrock:GetGuardrail'],
  'guardrail-profile': ['bedrock:ApplyGuardrail'],
};

const ORG_ID_KEY = 'aws:principalorgid';
const ORG_PATHS_KEY = 'aws:principalorgpaths';
const ORG_ID_OPERATORS: readonly string[] = ['StringEquals'];
const ORG_PATHS_OPERATORS: readonly string[] = ['ForAnyValue:StringLike', 'ForAnyValue:StringEquals'];
const ORG_ID_RE = /^o-[a-z0-9]+$/;
const SHARE_HINT = 'to share with your organization use "Principal": "*" with ' +
  '"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-…"}} (optionally narrowed with ' +
  '"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-…/*/ou-…/*"]})';

type PrincipalKind =
  | { kind: 'public' }
  | { kind: 'account'; account: string }
  | { kind: 'principal'; account: string }
  | { kind: 'unsupported' };

/** Classifies one `AWS` principal entry. `arn:aws:iam::*:root` (the seed's example) counts as public, like `*`. */
function classifyPrincipal(entry: string): PrincipalKind {
  if (entry === '*' || /^arn:aws[a-z-]*:iam::\*:root$/.test(entry)) return { kind: 'public' };
  if (/^\d{12}$/.test(entry)) return { kind: 'account', account: entry };
  const root = /^arn:aws[a-z-]*:iam::(\d{12}):root$/.exec(entry);
  if (root) return { kind: 'account', account: root[1] ?? '' };
  const named = /^arn:aws[a-z-]*:(?:iam::(\d{12}):(?:user|role)\/|sts::(\d{12}):assumed-role\/).+$/.exec(entry);
  if (named) return { kind: 'principal', account: named[1] ?? named[2] ?? '' };
  return { kind: 'unsupported' };
}

const principalEntries = (spec: PrincipalSpec): { types: string[]; aws: readonly string[] } =>
  spec === '*' ? { types: [], aws: ['*'] } : { types: Object.keys(spec).filter((t) => t !== 'AWS'), aws: spec['AWS'] ?? [] };

interface OrgConditions {
  orgIds: string[];
  /** org path patterns with the operator that compares them */
  paths: Array<{ value: string; like: boolean }>;
  /** any condition other than the supported org ones */
  other: boolean;
}

function orgConditions(stmt: Statement): OrgConditions {
  const out: OrgConditions = { orgIds: [], paths: [], other: false };
  for (const [op, body] of Object.entries(stmt.Condition ?? {})) {
    for (const [key, values] of Object.entries(body)) {
      const k = key.toLowerCase();
      if (k === ORG_ID_KEY && ORG_ID_OPERATORS.includes(op)) out.orgIds.push(...values);
      else if (k === ORG_PATHS_KEY && ORG_PATHS_OPERATORS.includes(op)) {
        for (const value of values) out.paths.push({ value, like: op.endsWith('StringLike') });
      } else out.other = true;
    }
  }
  return out;
}

/** The organization segment of an org path pattern (`o-abc/r-x/ou-y/*` → `o-abc`). */
const pathOrg = (path: string): string => path.slice(0, path.indexOf('/') < 0 ? path.length : path.indexOf('/'));

function checkConditions(stmt: Statement, where: string, problems: string[]): { restrictsToOrg: boolean } {
  let restrictsToOrg = false;
  for (const [op, body] of Object.entries(stmt.Condition ?? {})) {
    for (const [key, values] of Object.entries(body)) {
      const k = key.toLowerCase();
      if (k === ORG_ID_KEY && ORG_ID_OPERATORS.includes(op)) {
        for (const v of values) {
          if (!ORG_ID_RE.test(v)) problems.push(`${where}: aws:PrincipalOrgID value '${v}' is not an organization id; use the id shown by DescribeOrganization (o-…).`);
        }
        restrictsToOrg = true;
      } else if (k === ORG_PATHS_KEY && ORG_PATHS_OPERATORS.includes(op)) {
        for (const v of values) {
          // the organization must be spelled out, or a pattern like `*` would reach every organization
          if (!ORG_ID_RE.test(pathOrg(v)) || !v.includes('/')) {
            problems.push(`${where}: aws:PrincipalOrgPaths value '${v}' must start with your organization id, e.g. 'o-abc123/*/ou-ab12-11111111/*'.`);
          }
        }
        restrictsToOrg = true;
      } else if (k === ORG_ID_KEY || k === ORG_PATHS_KEY) {
        const want = k === ORG_ID_KEY ? ORG_ID_OPERATORS.join(' or ') : ORG_PATHS_OPERATORS.join(' or ');
        problems.push(`${where}: condition operator '${op}' is not supported for ${key}; use ${want}.`);
      } else {
        problems.push(`${where}: condition key '${key}' (${op}) is not supported; guardrail resource policies accept only ` +
          `aws:PrincipalOrgID (StringEquals) and aws:PrincipalOrgPaths (${ORG_PATHS_OPERATORS.join(' or ')}).`);
      }
    }
  }
  return { restrictsToOrg };
}

function checkActions(stmt: Statement, where: string, kind: GuardrailResourceKind, problems: string[]): void {
  const allowed = GUARDRAIL_POLICY_ACTIONS[kind];
  const list = allowed.join(', ');
  for (const a of stmt.Action ?? []) {
    if (allowed.some((x) => x.toLowerCase() === a.toLowerCase())) continue;
    if (a.includes('*') || a.includes('?')) {
      problems.push(`${where}: Action '${a}' is not supported: wildcards are not accepted in a ${kind} resource policy; list the actions explicitly (allowed: ${list}).`);
    } else if (kind === 'guardrail-profile' && a.toLowerCase() === 'bedrock:getguardrail') {
      problems.push(`${where}: Action '${a}' is not supported on a guardrail profile; a guardrail profile policy can only grant bedrock:ApplyGuardrail.`);
    } else {
      problems.push(`${where}: Action '${a}' is not supported; a ${kind} resource policy can only grant ${list}.`);
    }
  }
}

function checkResources(stmt: Statement, where: string, arn: string, problems: string[]): void {
  for (const r of stmt.Resource ?? []) {
    if (r === '*' || r === arn || r === `${arn}:*`) continue;
    if (r.startsWith(`${arn}:`) && /^[1-9][0-9]{0,7}$/.test(r.slice(arn.length + 1))) continue;
    const slash = r.startsWith(`${arn}/`) ? r.slice(arn.length + 1) : undefined;
    const hint = slash !== undefined && /^[1-9][0-9]{0,7}$/.test(slash) ? ` To name version ${slash}, write '${arn}:${slash}'.` : '';
    problems.push(`${where}: Resource '${r}' is not supported; the policy can only name the resource it is attached to: ` +
      `'${arn}', '${arn}:<version>', '${arn}:*' or '*'.${hint}`);
  }
}

function checkPrincipals(stmt: Statement, where: string, ownAccount: string, problems: string[]): { isPublic: boolean } {
  let isPublic = false;
  if (stmt.Principal === undefined) {
    problems.push(`${where}: Principal is required.`);
    return { isPublic };
  }
  const { types, aws } = principalEntries(stmt.Principal);
  for (const t of types) problems.push(`${where}: principal type '${t}' is not supported; name AWS principals only ("Principal": {"AWS": …}).`);
  for (const entry of aws) {
    const p = classifyPrincipal(entry);
    if (p.kind === 'public') isPublic = true;
    else if (p.kind === 'unsupported') {
      problems.push(`${where}: principal '${entry}' is not supported; name your own account (arn:aws:iam::${ownAccount}:root, ` +
        `${ownAccount}, or one of its users or roles), or ${SHARE_HINT}.`);
    } else if (p.account !== ownAccount && stmt.Effect === 'Allow') {
      // a Deny naming another account only takes rights away, so only Allow statements are checked
      problems.push(`${where}: principal '${entry}' belongs to account ${p.account}, not to the owner ${ownAccount}: ` +
        `naming other accounts (sharing outside the organization) is not supported; ${SHARE_HINT}.`);
    }
  }
  return { isPublic };
}

/** Every reason the policy is not a supported guardrail resource policy (empty when it is). */
export function guardrailResourcePolicyProblems(doc: PolicyDocument, resource: GuardrailPolicyResource): string[] {
  const problems: string[] = [];
  doc.Statement.forEach((stmt, idx) => {
    const where = `Statement[${idx}]${stmt.Sid ? ` (Sid "${stmt.Sid}")` : ''}`;
    if (stmt.NotPrincipal !== undefined) problems.push(`${where}: NotPrincipal is not supported in a ${resource.kind} resource policy; list the principals in Principal.`);
    if (stmt.NotAction !== undefined) problems.push(`${where}: NotAction is not supported in a ${resource.kind} resource policy; list the actions in Action (${GUARDRAIL_POLICY_ACTIONS[resource.kind].join(', ')}).`);
    if (stmt.NotResource !== undefined) problems.push(`${where}: NotResource is not supported in a ${resource.kind} resource policy; set Resource to '${resource.arn}'.`);
    checkActions(stmt, where, resource.kind, problems);
    checkResources(stmt, where, resource.arn, problems);
    const { restrictsToOrg } = checkConditions(stmt, where, problems);
    if (stmt.NotPrincipal === undefined) {
      const { isPublic } = checkPrincipals(stmt, where, resource.accountId, problems);
      if (isPublic && stmt.Effect === 'Allow' && !restrictsToOrg) {
        problems.push(`${where}: a public principal ("*" or arn:aws:iam::*:root) without an organization condition would share ` +
          `the ${resource.kind} with every AWS account, which is not supported; ${SHARE_HINT}.`);
      }
    }
  });
  return problems;
}

/**
 * Throws `ValidationException` listing every problem when `doc` is not a supported resource policy for the
 * guardrail (or guardrail profile). `doc` must already be a parsed, valid IAM policy (`parsePolicy(…, 'resource')`).
 */
export function validateGuardrailResourcePolicy(doc: PolicyDocument, resource: GuardrailPolicyResource): void {
  const problems = guardrailResourcePolicyProblems(doc, resource);
  if (problems.length > 0) {
    throw new ServiceError('ValidationException', `The resource policy is not supported for ${resource.kind} ${resource.arn}: ${problems.join(' ')}`);
  }
}

export interface ResourcePolicyGrant {
  /** every account of the organization (or everyone) is granted */
  orgWide: boolean;
  /** the granted org path patterns of this organization (`o-abc/*\/ou-x/*`), when not org-wide */
  orgPaths: string[];
  /** accounts granted as a whole (`arn:aws:iam::<acct>:root` or the id); single users/roles are not listed */
  accounts: string[];
  /** the guardrail actions granted by the statements counted above */
  actions: string[];
}

const KNOWN_ACTIONS = GUARDRAIL_POLICY_ACTIONS.guardrail;

function statementActions(stmt: Statement): string[] {
  if (stmt.Action) return KNOWN_ACTIONS.filter((a) => stmt.Action?.some((p) => globMatch(p, a, true)));
  if (stmt.NotAction) return KNOWN_ACTIONS.filter((a) => !stmt.NotAction?.some((p) => globMatch(p, a, true)));
  return [];
}

/** How far a public statement reaches into organization `orgId`: everyone, some OU paths, or nobody. */
function orgReach(cond: OrgConditions, orgId: string): { orgWide: boolean; paths: string[] } | undefined {
  if (cond.other) return undefined; // conditioned on something else: not a dependable grant
  if (cond.orgIds.length > 0 && !cond.orgIds.includes(orgId)) return undefined;
  if (cond.paths.length === 0) return { orgWide: true, paths: [] };
  const paths = cond.paths.filter((p) => (p.like ? globMatch(pathOrg(p.value), orgId) : pathOrg(p.value) === orgId)).map((p) => p.value);
  return paths.length > 0 ? { orgWide: false, paths } : undefined;
}

const isPublicStatement = (stmt: Statement): boolean =>
  stmt.NotPrincipal !== undefined || (stmt.Principal !== undefined && principalEntries(stmt.Principal).aws.some((e) => classifyPrincipal(e).kind === 'public'));

/**
 * Summarizes whom a guardrail resource policy lets in from organization `orgId` (for the "missing resource
 * policy" check). Give `action` (e.g. `bedrock:ApplyGuardrail`) to count only statements granting it.
 * Deny statements are taken into account only when they deny the whole organization an action; Resource
 * (version) restrictions are not considered.
 */
export function describeResourcePolicyGrant(doc: PolicyDocument, orgId: string, action?: string): ResourcePolicyGrant {
  const denied = new Set<string>();
  for (const stmt of doc.Statement) {
    if (stmt.Effect !== 'Deny' || !isPublicStatement(stmt)) continue;
    const reach = orgReach(orgConditions(stmt), orgId);
    if (reach?.orgWide) for (const a of statementActions(stmt)) denied.add(a);
  }
  const grant: ResourcePolicyGrant = { orgWide: false, orgPaths: [], accounts: [], actions: [] };
  const add = (list: string[], v: string): void => {
    if (!list.includes(v)) list.push(v);
  };
  for (const stmt of doc.Statement) {
    if (stmt.Effect !== 'Allow') continue;
    const actions = statementActions(stmt).filter((a) => !denied.has(a) && (action === undefined || a.toLowerCase() === action.toLowerCase()));
    if (actions.length === 0) continue;
    const cond = orgConditions(stmt);
    let counted = false;
    if (isPublicStatement(stmt)) {
      const reach = orgReach(cond, orgId);
      if (reach) {
        counted = true;
        if (reach.orgWide) grant.orgWide = true;
        for (const p of reach.paths) add(grant.orgPaths, p);
      }
    }
    if (stmt.Principal !== undefined && !cond.other && (cond.orgIds.length === 0 || cond.orgIds.includes(orgId))) {
      for (const e of principalEntries(stmt.Principal).aws) {
        const p = classifyPrincipal(e);
        if (p.kind === 'account') {
          add(grant.accounts, p.account);
          counted = true;
        }
      }
    }
    if (counted) for (const a of actions) add(grant.actions, a);
  }
  if (grant.orgWide) grant.orgPaths = [];
  grant.actions.sort((a, b) => KNOWN_ACTIONS.indexOf(a) - KNOWN_ACTIONS.indexOf(b));
  return grant;
}
