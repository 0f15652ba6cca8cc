/**
 * The action catalogue: for every operation Parapet serves, the IAM action a caller needs, plus the action
 * aliases Parapet accepts. Aliases exist because the product seed names the resource-policy permissions
 * `bedrock:PutGuardrailPolicy` / `GetGuardrailPolicy` while AWS names them `bedrock:PutResourcePolicy` / …;
 * a policy written either way must behave the same.
 */
import { globMatch } from './glob.ts';
import type { PolicyDocument } from './types.ts';

/** The IAM service prefixes of the APIs Parapet serves (bedrock-runtime signs and authorizes as `bedrock`). */
export type ServicePrefix = 'bedrock' | 'organizations' | 'sts' | 'iam';

export interface CatalogueEntry {
  readonly service: ServicePrefix;
  /** the API that serves the operation */
  readonly api: 'bedrock' | 'bedrock-runtime' | 'organizations' | 'sts' | 'iam';
  /** the operation name, e.g. `ConverseStream` */
  readonly operation: string;
  /** the IAM action checked for it, e.g. `bedrock:InvokeModelWithResponseStream` */
  readonly action: string;
}

const same = (service: ServicePrefix, api: CatalogueEntry['api'], ops: readonly string[]): CatalogueEntry[] =>
  ops.map((operation) => ({ service, api, operation, action: `${service}:${operation}` }));

export const ACTION_CATALOGUE: readonly CatalogueEntry[] = [
  ...same('bedrock', 'bedrock', [
    'CreateGuardrail', 'UpdateGuardrail', 'GetGuardrail', 'ListGuardrails', 'DeleteGuardrail', 'CreateGuardrailVersion',
    'TagResource', 'UntagResource', 'ListTagsForResource',
    'PutEnforcedGuardrailConfiguration', 'ListEnforcedGuardrailsConfiguration', 'DeleteEnforcedGuardrailConfiguration',
    'PutResourcePolicy', 'GetResourcePolicy', 'DeleteResourcePolicy',
  ]),
  ...same('bedrock', 'bedrock-runtime', ['ApplyGuardrail', 'InvokeModel', 'InvokeModelWithResponseStream']),
  // As on AWS, Converse has no action of its own: it is authorized as the InvokeModel action it performs.
  { service: 'bedrock', api: 'bedrock-runtime', operation: 'Converse', action: 'bedrock:InvokeModel' },
  { service: 'bedrock', api: 'bedrock-runtime', operation: 'ConverseStream', action: 'bedrock:InvokeModelWithResponseStream' },
  ...same('organizations', 'organizations', [
    'CreateOrganization', 'DescribeOrganization', 'DeleteOrganization', 'ListRoots',
    'CreateOrganizationalUnit', 'UpdateOrganizationalUnit', 'DeleteOrganizationalUnit', 'DescribeOrganizationalUnit',
    'ListOrganizationalUnitsForParent', 'ListParents', 'ListChildren',
    'CreateAccount', 'DescribeCreateAccountStatus', 'ListCreateAccountStatus', 'ListAccounts', 'ListAccountsForParent',
    'DescribeAccount', 'MoveAccount', 'RemoveAccountFromOrganization',
    'EnablePolicyType', 'DisablePolicyType', 'CreatePolicy', 'UpdatePolicy', 'DescribePolicy', 'ListPolicies', 'DeletePolicy',
    'AttachPolicy', 'DetachPolicy', 'ListPoliciesForTarget', 'ListTargetsForPolicy', 'DescribeEffectivePolicy',
  ]),
  ...same('sts', 'sts', ['AssumeRole', 'GetCallerIdentity']),
  ...same('iam', 'iam', [
    'CreateUser', 'GetUser', 'ListUsers', 'DeleteUser', 'PutUserPolicy', 'GetUserPolicy', 'ListUserPolicies', 'DeleteUserPolicy',
    'CreateAccessKey', 'ListAccessKeys', 'UpdateAccessKey', 'DeleteAccessKey',
  ]),
];

/** Real action → the other names a policy may use for it. Lookups are case-insensitive (IAM action names are). */
export type ActionAliases = ReadonlyMap<string, readonly string[]>;

/** The seed's wording for the resource-policy permissions. */
export const ACTION_ALIASES: ActionAliases = new Map([
  ['bedrock:PutResourcePolicy', ['bedrock:PutGuardrailPolicy']],
  ['bedrock:GetResourcePolicy', ['bedrock:GetGuardrailPolicy']],
  ['bedrock:DeleteResourcePolicy', ['bedrock:DeleteGuardrailPolicy']],
]);

/** lower-cased name → every name of that action group (the real action first), symmetric. */
function aliasIndex(aliases: ActionAliases): Map<string, readonly string[]> {
  const index = new Map<string, readonly string[]>();
  for (const [real, others] of aliases) {
    const group = [real, ...others];
    for (const name of group) index.set(name.toLowerCase(), group);
  }
  return index;
}
const DEFAULT_INDEX = aliasIndex(ACTION_ALIASES);

/**
 * The other names of `action`: for a real action its aliases, for an alias the real action (and any sibling
 * aliases). Empty when the action has none. Used by `evaluate`, so a statement naming either matches both.
 */
export function aliasesOf(action: string, aliases: ActionAliases = ACTION_ALIASES): readonly string[] {
  const index = aliases === ACTION_ALIASES ? DEFAULT_INDEX : aliasIndex(aliases);
  const group = index.get(action.toLowerCase());
  if (!group) return [];
  return group.filter((n) => n.toLowerCase() !== action.toLowerCase());
}

const BY_OPERATION = new Map(ACTION_CATALOGUE.map((e) => [`${e.service}:${e.operation}`, e]));

/** The IAM action for an operation (`actionForOperation('bedrock', 'Converse')` → `bedrock:InvokeModel`). */
export function actionForOperation(service: ServicePrefix, operation: string): string | undefined {
  return BY_OPERATION.get(`${service}:${operation}`)?.action;
}

/** Every action name Parapet checks, plus the aliases (the real spelling). */
export const KNOWN_ACTIONS: readonly string[] = [
  ...new Set([...ACTION_CATALOGUE.map((e) => e.action), ...[...ACTION_ALIASES.values()].flat()]),
];
const KNOWN_LOWER = new Set(KNOWN_ACTIONS.map((a) => a.toLowerCase()));

/** Is `name` (no wildcards; case-insensitive) an action Parapet checks or one of its aliases? */
export function isKnownAction(name: string): boolean {
  return KNOWN_LOWER.has(name.toLowerCase());
}

const LINTED_SERVICES: ReadonlySet<string> = new Set<ServicePrefix>(['bedrock', 'organizations', 'sts', 'iam']);

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min(sub, (prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

function suggestion(name: string): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const known of KNOWN_ACTIONS) {
    const d = editDistance(lower, known.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = known;
    }
  }
  // beyond a few edits the "suggestion" is noise
  return bestD <= Math.max(2, Math.floor(lower.length / 8)) ? best : undefined;
}

/**
 * Warnings (not errors: IAM accepts unknown actions) for actions of the services Parapet serves that match
 * no catalogue action or alias, typically typos such as `bedrock:ApplyGuardrails`. Wildcard patterns are
 * flagged only when they match nothing at all.
 */
export function lintPolicy(doc: PolicyDocument): string[] {
  const warnings: string[] = [];
  doc.Statement.forEach((stmt, idx) => {
    const where = `Statement[${idx}]${stmt.Sid ? ` (Sid "${stmt.Sid}")` : ''}`;
    for (const [element, list] of [['Action', stmt.Action], ['NotAction', stmt.NotAction]] as const) {
      for (const entry of list ?? []) {
        const colon = entry.indexOf(':');
        if (colon < 0) continue;
        const service = entry.slice(0, colon).toLowerCase();
        if (!LINTED_SERVICES.has(service)) continue;
        const wild = entry.includes('*') || entry.includes('?');
        if (wild ? KNOWN_ACTIONS.some((k) => globMatch(entry, k, true)) : isKnownAction(entry)) continue;
        const hint = wild ? undefined : suggestion(entry);
        warnings.push(
          `${where}.${element}: '${entry}' ${wild ? 'matches no action' : 'is not an action'} that Parapet serves for ${service}, ` +
            `so it has no effect here${hint ? `; did you mean '${hint}'?` : '.'}`,
        );
      }
    }
  });
  return warnings;
}
