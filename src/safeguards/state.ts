/**
 * The state the planner compares: the desired one (from the file) and the actual one (read from a server), in the
 * same server-independent form. Ids that differ between servers (organization, OUs, accounts, guardrails,
 * versions to be published) are written as placeholders (symbols.ts), so `plan(x, x)` is empty on any server and
 * an exported file applies to another one. Types only, plus the keys.
 */
import type { GuardingMode, Json } from './file-types.ts';

/** The management account, whatever its name or id. */
export const MANAGEMENT = 'management';

export interface AccountState {
  name: string;
  email?: string;
  /** OU path of the parent; '' is the root. */
  unit: string;
}

export interface OrganizationState {
  /** OU paths, e.g. `Engineering`, `Engineering/Platform`. */
  units: string[];
  /** Member accounts (never the management account). */
  accounts: AccountState[];
  /** Whether BEDROCK_POLICY is enabled on the root. */
  policyTypeEnabled: boolean;
}

export interface GuardrailState {
  region: string;
  name: string;
  /** The DRAFT, canonical (guardrail-config.ts). */
  config: Json;
  /** Published version numbers, ascending (actual); desired: the pinned version, if any. */
  versions: number[];
  /** The canonical config of the highest published version (actual only). */
  latestConfig?: Json;
  /** Desired only: publish when the latest version differs from `config`. */
  publish?: boolean;
  /** The resource policy with placeholders, or undefined for none. */
  resourcePolicy?: Json;
}

export interface PolicyState {
  name: string;
  description: string;
  /** The BEDROCK_POLICY document with placeholders. */
  content: Json;
  /** `root`, `ou:<path>`, `account:<name>`; sorted. */
  targets: string[];
}

export interface EnforcementState {
  /** An account name, or MANAGEMENT. */
  account: string;
  region: string;
  /** `${guardrail:<region>/<name>}` or a literal ARN (a guardrail this file does not manage). */
  guardrail: string;
  /** A number, or `${version:<region>/<name>}`: the version apply will publish. */
  version: number | string;
  system: GuardingMode;
  messages: GuardingMode;
  include: string[];
  exclude: string[];
}

export interface SafeguardsState {
  /** Absent: no organization (actual), or the file does not manage one (desired). */
  organization?: OrganizationState;
  guardrails: GuardrailState[];
  policies: PolicyState[];
  enforcement: EnforcementState[];
}

export const guardrailKey = (g: { region: string; name: string }): string => `${g.region}/${g.name}`;
export const enforcementKey = (e: { account: string; region: string }): string => `${e.account}@${e.region}`;

/** The ids of a server behind the placeholders, and what apply learns as it creates things. */
export interface ServerIds {
  managementAccountId: string;
  orgId?: string;
  rootId?: string;
  /** OU path → ou-… */
  units: Map<string, string>;
  /** account name → 12-digit id (MANAGEMENT included) */
  accounts: Map<string, string>;
  /** `<region>/<name>` → guardrail id */
  guardrails: Map<string, string>;
  /** `<region>/<name>` → the version apply published */
  published: Map<string, number>;
  /** policy name → p-… */
  policies: Map<string, string>;
  /** enforcementKey → configId */
  enforcement: Map<string, string>;
}

export function emptyIds(managementAccountId: string): ServerIds {
  return {
    managementAccountId,
    units: new Map(),
    accounts: new Map([[MANAGEMENT, managementAccountId]]),
    guardrails: new Map(),
    published: new Map(),
    policies: new Map(),
    enforcement: new Map(),
  };
}
