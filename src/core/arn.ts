/** Guardrail ARNs and identifiers, in the formats of the Bedrock service model. */

export const GUARDRAIL_ID_RE = /^[a-z0-9]+$/;
export const GUARDRAIL_ARN_RE = /^arn:aws(-[^:]+)?:bedrock:([a-z0-9-]{1,20}):([0-9]{12}):guardrail\/([a-z0-9]+)$/;
export const ACCOUNT_ID_RE = /^[0-9]{12}$/;
export const REGION_RE = /^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$/;

export interface GuardrailRef {
  guardrailId: string;
  /** Present when the identifier was an ARN. */
  region?: string;
  accountId?: string;
  partition?: string;
}

export function guardrailArn(region: string, accountId: string, guardrailId: string, partition = 'aws'): string {
  return `arn:${partition}:bedrock:${region}:${accountId}:guardrail/${guardrailId}`;
}

/** Parse a guardrail identifier (an id or an ARN); undefined when it is neither. */
export function parseGuardrailIdentifier(identifier: string): GuardrailRef | undefined {
  if (GUARDRAIL_ID_RE.test(identifier)) return { guardrailId: identifier };
  const m = GUARDRAIL_ARN_RE.exec(identifier);
  if (!m || m[2] === undefined || m[3] === undefined || m[4] === undefined) return undefined;
  return { guardrailId: m[4], region: m[2], accountId: m[3], partition: `aws${m[1] ?? ''}` };
}

export function iamRootArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:root`;
}
