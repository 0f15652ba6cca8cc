/**
 * AWS Organizations identifiers and ARNs, in AWS's formats. Parapet generates the short forms AWS issues
 * (`o-` + 10, `r-` + 4, `ou-<root suffix>-` + 8, `p-` + 8, `car-` + 32) and accepts the wider patterns of
 * the service model on input, so ids copied from real AWS tooling validate the same way.
 */
import type { Random } from './ports.ts';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomChars(random: Random, length: number): string {
  // Rejection sampling keeps the distribution uniform over the 36 characters.
  const limit = 256 - (256 % ALPHABET.length);
  let out = '';
  while (out.length < length) {
    for (const b of random.bytes(length * 2)) {
      if (b < limit) out += ALPHABET[b % ALPHABET.length];
      if (out.length === length) break;
    }
  }
  return out;
}

// ---- generated forms (what Parapet issues) ------------------------------------------------------------

export const newOrganizationId = (random: Random): string => `o-${randomChars(random, 10)}`;
export const newRootId = (random: Random): string => `r-${randomChars(random, 4)}`;
/** OUs carry their root's suffix, as on AWS (`r-ab12` → `ou-ab12-xxxxxxxx`). */
export function newOuId(random: Random, rootId: string): string {
  return `ou-${rootId.replace(/^r-/, '')}-${randomChars(random, 8)}`;
}
export const newPolicyId = (random: Random): string => `p-${randomChars(random, 8)}`;
export const newCreateAccountRequestId = (random: Random): string => `car-${randomChars(random, 32)}`;

// ---- accepted forms (the service model's patterns) ----------------------------------------------------

export const ORG_ID_RE = /^o-[a-z0-9]{10,32}$/;
export const ROOT_ID_RE = /^r-[0-9a-z]{4,32}$/;
export const OU_ID_RE = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
export const POLICY_ID_RE = /^p-[0-9a-zA-Z_]{8,128}$/;
export const CREATE_ACCOUNT_REQUEST_ID_RE = /^car-[a-z0-9]{8,32}$/;
export const ORG_ACCOUNT_ID_RE = /^\d{12}$/;
/** A root or an OU. */
export const PARENT_ID_RE = /^(?:r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
/** An account or an OU. */
export const CHILD_ID_RE = /^(?:\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
/** A root, an OU or an account. */
export const POLICY_TARGET_ID_RE = /^(?:r-[0-9a-z]{4,32}|\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;

export const ORG_ARN_RE = /^arn:aws:organizations::\d{12}:organization\/o-[a-z0-9]{10,32}$/;
export const ROOT_ARN_RE = /^arn:aws:organizations::\d{12}:root\/o-[a-z0-9]{10,32}\/r-[0-9a-z]{4,32}$/;
export const OU_ARN_RE = /^arn:aws:organizations::\d{12}:ou\/o-[a-z0-9]{10,32}\/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
export const ACCOUNT_ARN_RE = /^arn:aws:organizations::\d{12}:account\/o-[a-z0-9]{10,32}\/\d{12}$/;
export const POLICY_ARN_RE = /^arn:aws:organizations::\d{12}:policy\/o-[a-z0-9]{10,32}\/[0-9a-z_]+\/p-[0-9a-zA-Z_]{8,128}$/;

export type OrgEntityKind = 'root' | 'ou' | 'account';

/** What a target/parent/child id names, from its shape alone; undefined when it names none of them. */
export function orgEntityKind(id: string): OrgEntityKind | undefined {
  if (ROOT_ID_RE.test(id)) return 'root';
  if (OU_ID_RE.test(id)) return 'ou';
  if (ORG_ACCOUNT_ID_RE.test(id)) return 'account';
  return undefined;
}

// ---- ARNs (all carry the management account, as on AWS) ----------------------------------------------

export const organizationArn = (mgmt: string, orgId: string): string =>
  `arn:aws:organizations::${mgmt}:organization/${orgId}`;
export const rootArn = (mgmt: string, orgId: string, rootId: string): string =>
  `arn:aws:organizations::${mgmt}:root/${orgId}/${rootId}`;
export const ouArn = (mgmt: string, orgId: string, ouId: string): string =>
  `arn:aws:organizations::${mgmt}:ou/${orgId}/${ouId}`;
export const orgAccountArn = (mgmt: string, orgId: string, accountId: string): string =>
  `arn:aws:organizations::${mgmt}:account/${orgId}/${accountId}`;
/** AWS spells the policy type in lower case in policy ARNs (`…/bedrock_policy/p-…`). */
export const orgPolicyArn = (mgmt: string, orgId: string, policyType: string, policyId: string): string =>
  `arn:aws:organizations::${mgmt}:policy/${orgId}/${policyType.toLowerCase()}/${policyId}`;
