/**
 * The dry-run report of `GET /admin/v1/verify` as the API returns it: what `parapet verify` and the console's
 * Organization page read. (The server builds it in control/verify.ts.) Types only.
 */

export interface VerifyGuardrail {
  guardrailArn: string;
  guardrailId: string;
  version: number | 'DRAFT';
  ownerAccountId: string;
  origins: Array<'REQUEST' | 'ACCOUNT_ENFORCED' | 'ORGANIZATION_ENFORCED'>;
  ownership: 'SELF' | 'CROSS_ACCOUNT';
  /** How the guardrail reads system prompts and messages. */
  system: 'SELECTIVE' | 'COMPREHENSIVE';
  messages: 'SELECTIVE' | 'COMPREHENSIVE';
  permitted: boolean;
  reasons: string[];
  permissionReasons: string[];
}

export interface VerifyFinding {
  severity: 'error' | 'warning';
  code: string;
  where: string;
  message: string;
}

export interface VerifyReport {
  accountId: string;
  region: string;
  modelId: string;
  principalArn: string;
  organization?: { orgId: string; managementAccountId: string };
  guardrails: VerifyGuardrail[];
  skipped: Array<{ origin: string; guardrailArn: string; version: number | 'DRAFT'; reason: string; source?: string }>;
  findings: VerifyFinding[];
  ok: boolean;
}
