/**
 * Store records → the output shapes of the Organizations API (member names exactly as in
 * @aws-sdk/client-organizations). Timestamps are epoch seconds: awsJson1_1's default timestamp format.
 */
import { orgAccountArn, ouArn } from '../core/org-ids.ts';
import type {
  AccountRecord,
  CreateAccountStatusRecord,
  MembershipRecord,
  OrganizationRecord,
  OrgPolicyRecord,
  OrgUnitRecord,
} from '../store/types.ts';

export const ROOT_NAME = 'Root';

export function epochSeconds(iso: string): number {
  return Date.parse(iso) / 1000;
}

export interface PolicyTypeSummaryOut {
  Type: string;
  Status: 'ENABLED';
}

export interface OrganizationOut {
  Id: string;
  Arn: string;
  FeatureSet: 'ALL';
  MasterAccountArn: string;
  MasterAccountId: string;
  MasterAccountEmail?: string;
  AvailablePolicyTypes: PolicyTypeSummaryOut[];
}

const enabledTypes = (org: OrganizationRecord): PolicyTypeSummaryOut[] =>
  org.enabledPolicyTypes.map((Type) => ({ Type, Status: 'ENABLED' as const }));

/**
 * `AvailablePolicyTypes` lists the policy types enabled on the root. AWS deprecated the member in favour of
 * ListRoots; Parapet reports the same list both places so neither misleads (no SCPs are served here).
 */
export function organizationOut(org: OrganizationRecord, management: AccountRecord | undefined): OrganizationOut {
  return {
    Id: org.orgId,
    Arn: org.arn,
    FeatureSet: org.featureSet,
    MasterAccountArn: orgAccountArn(org.managementAccountId, org.orgId, org.managementAccountId),
    MasterAccountId: org.managementAccountId,
    ...(management?.email !== undefined ? { MasterAccountEmail: management.email } : {}),
    AvailablePolicyTypes: enabledTypes(org),
  };
}

export function rootOut(org: OrganizationRecord) {
  return { Id: org.rootId, Arn: org.rootArn, Name: ROOT_NAME, PolicyTypes: enabledTypes(org) };
}

export function ouOut(ou: OrgUnitRecord) {
  return { Id: ou.ouId, Arn: ou.arn, Name: ou.name };
}

export function accountOut(org: OrganizationRecord, m: MembershipRecord, a: AccountRecord | undefined) {
  return {
    Id: m.accountId,
    Arn: orgAccountArn(org.managementAccountId, org.orgId, m.accountId),
    ...(a?.email !== undefined ? { Email: a.email } : {}),
    Name: a?.name ?? m.accountId,
    Status: 'ACTIVE' as const,
    State: 'ACTIVE' as const,
    JoinedMethod: m.joinedMethod,
    JoinedTimestamp: epochSeconds(m.joinedAt),
  };
}

export function policySummaryOut(p: OrgPolicyRecord) {
  return { Id: p.policyId, Arn: p.arn, Name: p.name, Description: p.description, Type: p.type, AwsManaged: false };
}

export function policyOut(p: OrgPolicyRecord) {
  return { PolicySummary: policySummaryOut(p), Content: p.content };
}

export function createAccountStatusOut(s: CreateAccountStatusRecord) {
  return {
    Id: s.id,
    AccountName: s.accountName,
    State: s.state,
    RequestedTimestamp: epochSeconds(s.requestedAt),
    ...(s.completedAt !== undefined ? { CompletedTimestamp: epochSeconds(s.completedAt) } : {}),
    ...(s.accountId !== undefined ? { AccountId: s.accountId } : {}),
    ...(s.failureReason !== undefined ? { FailureReason: s.failureReason } : {}),
  };
}

export type TargetType = 'ROOT' | 'ORGANIZATIONAL_UNIT' | 'ACCOUNT';

export function targetArn(org: OrganizationRecord, type: TargetType, id: string): string {
  if (type === 'ROOT') return org.rootArn;
  if (type === 'ORGANIZATIONAL_UNIT') return ouArn(org.managementAccountId, org.orgId, id);
  return orgAccountArn(org.managementAccountId, org.orgId, id);
}
