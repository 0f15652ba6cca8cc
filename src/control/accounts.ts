/**
 * Accounts and their credentials. Every account created in an organization gets, as on AWS, the role
 * `OrganizationAccountAccessRole` (full administrator, trusted by the management account), and Parapet gives
 * it a root access key through its own admin API (`parapet accounts create-key`), returned once.
 */
import { iamRootArn } from '../core/arn.ts';
import { type Clock, isoTimestamp, newAccessKey, newAccountId, type Random } from '../core/ports.ts';
import type { AccessKeyRecord, AccountRecord, Store } from '../store/types.ts';

export const ORG_ACCESS_ROLE = 'OrganizationAccountAccessRole';
/** Temporary credentials from AssumeRole last at most this long (AWS's default role maximum). */
export const DEFAULT_MAX_SESSION_SECONDS = 3600;
const ADMIN_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});

export function roleArn(accountId: string, roleName: string): string {
  return `arn:aws:iam::${accountId}:role/${roleName}`;
}

const UNIQUE_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** `AROA…`/`AIDA…` unique ids: the prefix plus 17 base32 characters. */
export function newUniqueId(random: Random, prefix: 'AROA' | 'AIDA'): string {
  let out = prefix;
  for (const b of random.bytes(17)) out += UNIQUE_ID_ALPHABET[b % 32];
  return out;
}

export class AccountService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #random: Random;

  constructor(deps: { store: Store; clock: Clock; random: Random }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#random = deps.random;
  }

  /** Creates an account (unique 12-digit id) with the OrganizationAccountAccessRole trusted by `managementAccountId`. */
  async createAccount(input: { name: string; email?: string; managementAccountId: string }): Promise<AccountRecord> {
    const createdAt = isoTimestamp(this.#clock.now());
    for (let attempt = 0; ; attempt++) {
      const accountId = newAccountId(this.#random);
      if (await this.#store.accounts.get(accountId)) {
        if (attempt > 20) throw new Error('could not allocate an account id');
        continue;
      }
      const rec: AccountRecord = {
        accountId,
        name: input.name,
        ...(input.email !== undefined ? { email: input.email } : {}),
        role: 'member',
        createdAt,
      };
      await this.#store.accounts.create(rec);
      await this.createOrgAccessRole(accountId, input.managementAccountId);
      return rec;
    }
  }

  async createOrgAccessRole(accountId: string, managementAccountId: string): Promise<void> {
    const arn = roleArn(accountId, ORG_ACCESS_ROLE);
    if (await this.#store.principals.get(arn)) return;
    const createdAt = isoTimestamp(this.#clock.now());
    await this.#store.principals.create({
      arn,
      accountId,
      kind: 'role',
      name: ORG_ACCESS_ROLE,
      uniqueId: newUniqueId(this.#random, 'AROA'),
      trustPolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: iamRootArn(managementAccountId) }, Action: 'sts:AssumeRole' },
        ],
      }),
      maxSessionSeconds: DEFAULT_MAX_SESSION_SECONDS,
      createdAt,
    });
    await this.#store.principals.putPolicy({ principalArn: arn, policyName: 'AdministratorAccess', document: ADMIN_POLICY, updatedAt: createdAt });
  }

  /** A new active root access key for the account (the secret is returned only here). */
  async createRootKey(accountId: string): Promise<AccessKeyRecord> {
    const key: AccessKeyRecord = {
      ...newAccessKey(this.#random),
      accountId,
      principalArn: iamRootArn(accountId),
      status: 'Active',
      createdAt: isoTimestamp(this.#clock.now()),
    };
    await this.#store.accessKeys.create(key);
    return key;
  }
}
