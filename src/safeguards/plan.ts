/**
 * The planner: desired state vs actual state → the ordered list of changes that turns one into the other. Pure
 * (no I/O): apply.ts carries the changes out, format.ts prints them. The order is the one the API needs —
 * organization, OUs and accounts → guardrails → versions → resource policies → organization policies and their
 * attachments → account-level configurations → deletions (in reverse dependency order) — and each change is one
 * API write. Deletions (and detachments) of what the file does not name are planned only with `prune`; otherwise
 * they are listed as `unmanaged`. Accounts are never removed.
 */
import type { Json } from './file-types.ts';
import { changedMembers } from './guardrail-config.ts';
import {
  type AccountState,
  type EnforcementState,
  type GuardrailState,
  type PolicyState,
  type SafeguardsState,
  enforcementKey,
  guardrailKey,
} from './state.ts';
import { sameJson } from './symbols.ts';

export type Change =
  | { kind: 'create-organization' }
  | { kind: 'enable-policy-type' }
  | { kind: 'create-unit'; path: string }
  | { kind: 'create-account'; account: AccountState }
  | { kind: 'move-account'; name: string; from: string; to: string }
  | { kind: 'create-guardrail'; region: string; name: string; config: Json }
  | { kind: 'update-guardrail'; region: string; name: string; config: Json; members: string[] }
  | { kind: 'publish-version'; region: string; name: string; predicted: number }
  | { kind: 'put-resource-policy'; region: string; name: string; document: Json; replaces: boolean }
  | { kind: 'create-policy'; policy: PolicyState }
  | { kind: 'update-policy'; policy: PolicyState; members: string[] }
  | { kind: 'attach-policy'; policy: string; target: string }
  | { kind: 'detach-policy'; policy: string; target: string }
  | { kind: 'put-enforcement'; enforcement: EnforcementState; replaces?: EnforcementState }
  | { kind: 'delete-enforcement'; account: string; region: string }
  | { kind: 'delete-policy'; policy: string }
  | { kind: 'delete-resource-policy'; region: string; name: string }
  | { kind: 'delete-guardrail'; region: string; name: string }
  | { kind: 'delete-unit'; path: string };

export type ChangeKind = Change['kind'];

/** The apply order: a change may depend on any change of an earlier phase, never on a later one. */
export const PHASE: Record<ChangeKind, number> = {
  'create-organization': 0,
  'enable-policy-type': 1,
  'create-unit': 2,
  'create-account': 3,
  'move-account': 4,
  'create-guardrail': 5,
  'update-guardrail': 5,
  'publish-version': 6,
  'put-resource-policy': 7,
  'create-policy': 8,
  'update-policy': 8,
  'attach-policy': 9,
  'put-enforcement': 10,
  // Deletions last (only with --prune), each after whatever could still use the thing deleted. Detaching comes
  // after every attachment and configuration is in place, so moving a policy never leaves a gap in enforcement.
  'detach-policy': 11,
  'delete-enforcement': 12,
  'delete-policy': 13,
  'delete-resource-policy': 14,
  'delete-guardrail': 15,
  'delete-unit': 16,
};

export interface PlanOptions {
  prune: boolean;
}

export interface Plan {
  changes: Change[];
  /** What exists but the file does not name (kept; `--prune` deletes it). */
  unmanaged: string[];
}

const depth = (path: string): number => path.split('/').length;

/** A policy target as people read it: root, OU <path>, account <name>. */
export const targetName = (t: string): string =>
  t === 'root' ? 'root' : t.startsWith('ou:') ? `OU ${t.slice(3)}` : t.startsWith('account:') ? `account ${t.slice(8)}` : t;

export function plan(desired: SafeguardsState, actual: SafeguardsState, opts: PlanOptions): Plan {
  const changes: Change[] = [];
  const unmanaged: string[] = [];
  const drop = (what: string, change: Change): void => {
    if (opts.prune) changes.push(change);
    else unmanaged.push(what);
  };

  // ---- organization, OUs, accounts (only when the file manages the organization)
  const dOrg = desired.organization;
  const aOrg = actual.organization;
  if (dOrg) {
    if (!aOrg) changes.push({ kind: 'create-organization' });
    if (dOrg.policyTypeEnabled && !aOrg?.policyTypeEnabled) changes.push({ kind: 'enable-policy-type' });
    const aUnits = new Set(aOrg?.units ?? []);
    for (const u of [...dOrg.units].sort((a, b) => depth(a) - depth(b) || a.localeCompare(b)))
      if (!aUnits.has(u)) changes.push({ kind: 'create-unit', path: u });
    const aAccounts = new Map((aOrg?.accounts ?? []).map((a) => [a.name, a]));
    for (const a of dOrg.accounts) {
      const now = aAccounts.get(a.name);
      if (!now) {
        changes.push({ kind: 'create-account', account: { ...a, unit: '' } });
        if (a.unit !== '') changes.push({ kind: 'move-account', name: a.name, from: '', to: a.unit });
      } else if (now.unit !== a.unit) changes.push({ kind: 'move-account', name: a.name, from: now.unit, to: a.unit });
    }
    const dUnits = new Set(dOrg.units);
    for (const u of [...aUnits].sort((a, b) => depth(b) - depth(a) || a.localeCompare(b)))
      if (!dUnits.has(u)) drop(`OU ${u}`, { kind: 'delete-unit', path: u });
    const dAccounts = new Set(dOrg.accounts.map((a) => a.name));
    // Accounts are never removed from the organization by apply: that is not a safeguard change.
    for (const a of aOrg?.accounts ?? []) if (!dAccounts.has(a.name)) unmanaged.push(`account ${a.name} (never removed by apply)`);
  } else if (desired.policies.length && aOrg && !aOrg.policyTypeEnabled) changes.push({ kind: 'enable-policy-type' });

  // ---- guardrails, versions, resource policies
  const aGuardrails = new Map(actual.guardrails.map((g) => [guardrailKey(g), g]));
  const dKeys = new Set(desired.guardrails.map(guardrailKey));
  for (const g of desired.guardrails) changes.push(...guardrailChanges(g, aGuardrails.get(guardrailKey(g)), opts, unmanaged));
  for (const a of actual.guardrails) if (!dKeys.has(guardrailKey(a))) drop(`guardrail ${a.name} in ${a.region}`, { kind: 'delete-guardrail', region: a.region, name: a.name });

  // ---- organization policies and attachments
  const aPolicies = new Map(actual.policies.map((p) => [p.name, p]));
  const dPolicies = new Set(desired.policies.map((p) => p.name));
  for (const p of desired.policies) {
    const now = aPolicies.get(p.name);
    if (!now) changes.push({ kind: 'create-policy', policy: p });
    else {
      const members = [
        ...(now.description !== p.description ? ['description'] : []),
        ...(!sameJson(now.content, p.content) ? ['content'] : []),
      ];
      if (members.length) changes.push({ kind: 'update-policy', policy: p, members });
    }
    const had = new Set(now?.targets ?? []);
    for (const t of p.targets) if (!had.has(t)) changes.push({ kind: 'attach-policy', policy: p.name, target: t });
    // An attachment the file does not list is kept unless --prune: detaching removes enforcement from accounts,
    // which is a deletion like any other (an attachment made by hand is not undone by a plain apply).
    for (const t of now?.targets ?? [])
      if (!p.targets.includes(t)) drop(`attachment of organization policy ${p.name} to ${targetName(t)}`, { kind: 'detach-policy', policy: p.name, target: t });
  }
  for (const a of actual.policies)
    if (!dPolicies.has(a.name)) {
      if (opts.prune) {
        for (const t of a.targets) changes.push({ kind: 'detach-policy', policy: a.name, target: t });
        changes.push({ kind: 'delete-policy', policy: a.name });
      } else unmanaged.push(`organization policy ${a.name}`);
    }

  // ---- account-level configurations
  const aEnf = new Map(actual.enforcement.map((e) => [enforcementKey(e), e]));
  const dEnf = new Set(desired.enforcement.map(enforcementKey));
  for (const e of desired.enforcement) {
    const now = aEnf.get(enforcementKey(e));
    if (!now || !sameJson(now, e)) changes.push({ kind: 'put-enforcement', enforcement: e, ...(now ? { replaces: now } : {}) });
  }
  for (const a of actual.enforcement)
    if (!dEnf.has(enforcementKey(a)))
      drop(`account-level configuration of ${a.account} in ${a.region}`, { kind: 'delete-enforcement', account: a.account, region: a.region });

  return { changes: orderChanges(changes), unmanaged };
}

function guardrailChanges(g: GuardrailState, now: GuardrailState | undefined, opts: PlanOptions, unmanaged: string[]): Change[] {
  const out: Change[] = [];
  const { region, name } = g;
  if (!now) out.push({ kind: 'create-guardrail', region, name, config: g.config });
  else {
    const members = changedMembers(now.config, g.config);
    if (members.length) out.push({ kind: 'update-guardrail', region, name, config: g.config, members });
  }
  const latest = now?.versions.at(-1);
  if (g.publish && (latest === undefined || !now?.latestConfig || !sameJson(now.latestConfig, g.config)))
    out.push({ kind: 'publish-version', region, name, predicted: (latest ?? 0) + 1 });
  if (g.resourcePolicy !== undefined) {
    if (!now?.resourcePolicy || !sameJson(now.resourcePolicy, g.resourcePolicy))
      out.push({ kind: 'put-resource-policy', region, name, document: g.resourcePolicy, replaces: now?.resourcePolicy !== undefined });
  } else if (now?.resourcePolicy !== undefined) {
    if (opts.prune) out.push({ kind: 'delete-resource-policy', region, name });
    else unmanaged.push(`resource policy of guardrail ${name} in ${region}`);
  }
  return out;
}

/** Stable sort by phase: within a phase the planner's order (parents before children, file order) is kept. */
export function orderChanges(changes: readonly Change[]): Change[] {
  return changes
    .map((c, i) => ({ c, i }))
    .sort((a, b) => PHASE[a.c.kind] - PHASE[b.c.kind] || a.i - b.i)
    .map((x) => x.c);
}
