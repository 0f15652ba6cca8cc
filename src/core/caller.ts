/** Who is calling: the result of authentication, passed to every use case. */
export type PrincipalKind = 'root' | 'user' | 'assumed-role';

export interface Caller {
  accountId: string;
  /**
   * `arn:aws:iam::{account}:root`, `arn:aws:iam::{account}:user/{name}` or, for STS temporary credentials,
   * `arn:aws:sts::{account}:assumed-role/{role}/{session}`.
   */
  principalArn: string;
  accessKeyId: string;
  /** The Region from the SigV4 credential scope: every resource lives in one. */
  region: string;
  /** Temporary credentials: the role assumed and who assumed it. */
  session?: { roleArn: string; sourcePrincipalArn: string; expiresAt: string };
}

export function principalKindOf(arn: string): PrincipalKind {
  if (/^arn:[^:]+:iam::\d{12}:root$/.test(arn)) return 'root';
  if (/^arn:[^:]+:sts::\d{12}:assumed-role\//.test(arn)) return 'assumed-role';
  return 'user';
}
