/**
 * Normalized IAM policy document types. `parsePolicy` always produces this shape: `Statement` is an array,
 * Action/Resource/Principal lists are arrays, condition values are arrays of strings. The normalized form is
 * itself valid policy JSON, so `parsePolicy(serializePolicy(p))` yields `p` again.
 */

export type PolicyKind = 'identity' | 'resource';
export type Effect = 'Allow' | 'Deny';

/** `"*"` or a map of principal type to a list of values (`AWS`: `*`, 12-digit account ids or ARNs). */
export type PrincipalSpec = '*' | { readonly [type: string]: readonly string[] };

/** operator (e.g. `ForAnyValue:StringLikeIfExists`) → condition key → policy values (ORed). */
export type ConditionBlock = { readonly [operator: string]: { readonly [key: string]: readonly string[] } };

export interface Statement {
  Sid?: string;
  Effect: Effect;
  Principal?: PrincipalSpec;
  NotPrincipal?: PrincipalSpec;
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version?: '2012-10-17' | '2008-10-17';
  Id?: string;
  Statement: Statement[];
}

export interface RequestContext {
  /** `arn:aws:iam::123456789012:root`, `…:user/x`, `arn:aws:sts::…:assumed-role/r/s` */
  principal: { arn: string; accountId: string };
  /** e.g. `bedrock:ApplyGuardrail` */
  action: string;
  /**
   * Other names of the same action. A statement's Action/NotAction is matched against `action` and each of
   * these. `evaluate` already adds the catalogue's aliases (`ACTION_ALIASES`), so this is only for extras.
   */
  actionAliases?: readonly string[];
  /** the resource ARN */
  resource: string;
  /** aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:SourceIp, aws:RequestedRegion, aws:CurrentTime (ISO) … Keys are case-insensitive. */
  conditionKeys: Readonly<Record<string, string | readonly string[]>>;
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface Evaluation {
  decision: Decision;
  /** which statements decided: `<policy label>:<Sid>` or `<policy label>:Statement[<index>]` */
  reasons: string[];
}

export interface LabelledPolicy {
  label: string;
  policy: PolicyDocument;
}
