/**
 * The safeguards file as TypeScript types: the shape schemas/safeguards.schema.json describes (the loader checks
 * the file against the schema before it is used as these types). Types only.
 */

export const API_VERSION = 'parapet/safeguards-v1';

export type GuardingMode = 'SELECTIVE' | 'COMPREHENSIVE';
export type Json = Record<string, unknown>;

export interface UnitSpec {
  name: string;
  units?: UnitSpec[];
}

export interface AccountSpec {
  name: string;
  email?: string;
  /** OU path of the parent; absent = the root. */
  unit?: string;
}

export interface ResourcePolicySpec {
  allow?: 'organization';
  units?: string[];
  actions?: Array<'apply' | 'get'>;
  document?: Json;
}

export interface GuardrailSpec {
  name: string;
  regions?: string[];
  /** The CreateGuardrail request without `name`. */
  config: Json;
  version?: number;
  publish?: boolean;
  resourcePolicy?: ResourcePolicySpec;
}

export interface EnforcementSpec {
  /** A guardrail name of this file, or a guardrail ARN. */
  guardrail: string;
  version?: number;
  regions?: string[];
  include?: string[];
  exclude?: string[];
  system?: GuardingMode;
  messages?: GuardingMode;
}

export interface OrganizationPolicySpec {
  name: string;
  description?: string;
  attach?: string[];
  enforce?: Array<EnforcementSpec & { config?: string }>;
  content?: Json;
}

export interface AccountEnforcementSpec extends EnforcementSpec {
  account: string;
}

export interface SafeguardsFile {
  $schema?: string;
  apiVersion: typeof API_VERSION;
  regions?: string[];
  organization?: { units?: UnitSpec[]; accounts?: AccountSpec[] };
  guardrails?: GuardrailSpec[];
  organizationPolicies?: OrganizationPolicySpec[];
  accountEnforcement?: AccountEnforcementSpec[];
}
