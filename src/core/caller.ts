/** Who is calling: the result of authentication, passed to every use case. */
export interface Caller {
  accountId: string;
  /** `arn:aws:iam::{account}:root` or `arn:aws:iam::{account}:user/{name}`. */
  principalArn: string;
  accessKeyId: string;
  /** The Region from the SigV4 credential scope: every resource lives in one. */
  region: string;
}
