/**
 * The global condition keys describing the caller, built from facts the caller of `evaluate` already has
 * (the authenticated principal and, when the account is in an organization, its org id and OU path).
 * Keys that do not apply are left out, never set to "": IAM treats a missing key differently from any value.
 */
import type { RequestContext } from './types.ts';

export interface PrincipalFacts {
  /** `arn:aws:iam::<acct>:root`, `…:user/<name>`, `arn:aws:sts::<acct>:assumed-role/<role>/<session>` */
  arn: string;
  accountId: string;
  /** the organization id (`o-…`) when the account belongs to one */
  orgId?: string | undefined;
  /** the account's path in the organization, `o-x/r-y/ou-z/` (root → … → parent OU, ending in `/`) */
  orgPath?: string | undefined;
  /** the Region the request is for */
  region: string;
  /** the guardrail named by the request (InvokeModel/Converse), as `bedrock:GuardrailIdentifier` expects it */
  guardrailIdentifier?: string | undefined;
}

export type PrincipalType = 'Account' | 'User' | 'AssumedRole' | 'FederatedUser';

/** `aws:PrincipalType` of a principal ARN; undefined for ARNs that are none of the known kinds. */
export function principalType(arn: string): PrincipalType | undefined {
  if (/^arn:[^:]+:iam::\d{12}:root$/.test(arn)) return 'Account';
  if (/^arn:[^:]+:iam::\d{12}:user\/.+$/.test(arn)) return 'User';
  if (/^arn:[^:]+:sts::\d{12}:assumed-role\/[^/]+\/.+$/.test(arn)) return 'AssumedRole';
  if (/^arn:[^:]+:sts::\d{12}:federated-user\/.+$/.test(arn)) return 'FederatedUser';
  return undefined;
}

/**
 * The conditionKeys record for a `RequestContext`: aws:PrincipalAccount, aws:PrincipalArn,
 * aws:PrincipalType, aws:RequestedRegion, and when known aws:PrincipalOrgID, aws:PrincipalOrgPaths (a
 * one-element list: an account has exactly one path), aws:username (IAM users) and bedrock:GuardrailIdentifier.
 */
export function principalConditionKeys(p: PrincipalFacts): RequestContext['conditionKeys'] {
  const keys: Record<string, string | readonly string[]> = {
    'aws:PrincipalAccount': p.accountId,
    'aws:PrincipalArn': p.arn,
    'aws:RequestedRegion': p.region,
  };
  const type = principalType(p.arn);
  if (type !== undefined) keys['aws:PrincipalType'] = type;
  if (type === 'User') {
    // the user's friendly name, for `${aws:username}` policy variables; the path is not part of it
    const name = p.arn.slice(p.arn.lastIndexOf('/') + 1);
    if (name !== '') keys['aws:username'] = name;
  }
  if (p.orgId !== undefined && p.orgId !== '') keys['aws:PrincipalOrgID'] = p.orgId;
  if (p.orgPath !== undefined && p.orgPath !== '') {
    // AWS paths always end in `/`; policies like `o-x/*/ou-y/*` rely on it
    keys['aws:PrincipalOrgPaths'] = [p.orgPath.endsWith('/') ? p.orgPath : `${p.orgPath}/`];
  }
  if (p.guardrailIdentifier !== undefined && p.guardrailIdentifier !== '') {
    keys['bedrock:GuardrailIdentifier'] = p.guardrailIdentifier;
  }
  return keys;
}
