/**
 * Identity: STS (AssumeRole, GetCallerIdentity) and the IAM subset Parapet serves — users, their inline
 * policies and access keys, and read-only roles. Results use the AWS member names (`UserName`, `AccessKeyId`…)
 * so the awsQuery operations can render them as they are.
 *
 * Secrets: a user's secret access key leaves only through CreateAccessKey, a session's secret only through
 * AssumeRole; a session token is stored as its SHA-256 only. Keys of another account are NoSuchEntity, never
 * "access denied", so key ids of other accounts cannot be probed.
 */
import { createHash } from 'node:crypto';
import { iamRootArn } from '../core/arn.ts';
import { type Caller, principalKindOf } from '../core/caller.ts';
import { accessDenied, ServiceError, validation } from '../core/errors.ts';
import { isoTimestamp, newAccessKey } from '../core/ports.ts';
import { enumOf, int, pattern, req, str, struct, validateShape } from '../core/shapes.ts';
import { type Evaluation, evaluate, parsePolicy, principalConditionKeys } from '../iam/index.ts';
import type { AccessKeyRecord, AccessKeyStatus, PrincipalRecord, SessionRecord } from '../store/types.ts';
import { DEFAULT_MAX_SESSION_SECONDS, newUniqueId } from './accounts.ts';
import { type AccessRequest, denialMessage } from './authorization.ts';
import type { Services } from './services.ts';

/** AWS caps a session obtained with another session's credentials (role chaining) at one hour. */
export const ROLE_CHAINING_MAX_SECONDS = 3600;
export const MIN_SESSION_SECONDS = 900;
/** IAM: access keys per user (and per root user). */
export const MAX_ACCESS_KEYS_PER_USER = 2;
/** IAM: aggregate size of a user's inline policies, in non-whitespace characters. */
export const MAX_USER_INLINE_POLICY_CHARS = 2048;
/**
 * Expired sessions are kept this long before the purge, so a client using one still hears ExpiredToken
 * (which SDKs understand as "refresh") rather than InvalidClientTokenId.
 */
const EXPIRED_SESSION_GRACE_MS = 12 * 3600 * 1000;
const SESSION_TOKEN_BYTES = 240;

const NAME_CHARS = '[\\w+=,.@-]+';
const SESSION_NAME = pattern('[\\w+=,.@-]*', { min: 2, max: 64 });
const EXTERNAL_ID = pattern('[\\w+=,.@:\\/-]*', { min: 2, max: 1224 });
const USER_NAME = pattern(NAME_CHARS, { min: 1, max: 64 });
const ROLE_NAME = pattern(NAME_CHARS, { min: 1, max: 64 });
const POLICY_NAME = pattern(NAME_CHARS, { min: 1, max: 128 });
const IAM_PATH = pattern('(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)', { min: 1, max: 512 });
const PATH_PREFIX = pattern('\\u002F[\\u0021-\\u007F]*', { min: 1, max: 512 });
const POLICY_DOCUMENT = pattern('[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+', { min: 1, max: 131072 });
const ACCESS_KEY_ID = pattern('[\\w]+', { min: 16, max: 128 });
const KEY_STATUS = enumOf(['Active', 'Inactive']);
const MARKER = pattern('[\\u0020-\\u00FF]+', { min: 1, max: 320 });
const MAX_ITEMS = int(1, 1000);
const DEFAULT_MAX_ITEMS = 100;

const assumeRoleShape = struct({
  roleArn: req(str({ min: 20, max: 2048 })),
  roleSessionName: req(SESSION_NAME),
  durationSeconds: int(MIN_SESSION_SECONDS, 43_200),
  externalId: EXTERNAL_ID,
});
const pageShape = { marker: MARKER, maxItems: MAX_ITEMS };

const ROLE_ARN_RE = /^arn:aws:iam::(\d{12}):role\/(?:[\u0021-\u007E]*\/)?([\w+=,.@-]{1,64})$/;

// ---------------------------------------------------------------------------------------------------------
// Results, in the member names of the STS and IAM APIs.

export interface AssumeRoleInput {
  roleArn: string;
  roleSessionName: string;
  durationSeconds?: number | undefined;
  externalId?: string | undefined;
  requestId?: string | undefined;
  /** Session policies are not supported: any value → ValidationError. */
  policy?: string | undefined;
  policyArns?: readonly string[] | undefined;
}

export interface StsCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  /** ISO-8601 */
  Expiration: string;
}

export interface AssumeRoleResult {
  Credentials: StsCredentials;
  AssumedRoleUser: { AssumedRoleId: string; Arn: string };
}

export interface CallerIdentity {
  UserId: string;
  Account: string;
  Arn: string;
}

/** The root "user" has neither Path nor UserName, as IAM returns it. */
export interface IamUser {
  Path?: string;
  UserName?: string;
  UserId: string;
  Arn: string;
  CreateDate: string;
}

export interface IamAccessKeyMetadata {
  /** Absent for the root user's keys. */
  UserName?: string;
  AccessKeyId: string;
  Status: AccessKeyStatus;
  CreateDate: string;
}

export interface IamAccessKey extends IamAccessKeyMetadata {
  SecretAccessKey: string;
}

export interface IamRole {
  Path: string;
  RoleName: string;
  RoleId: string;
  Arn: string;
  CreateDate: string;
  /** URL-encoded JSON, as IAM returns it. */
  AssumeRolePolicyDocument: string;
  MaxSessionDuration: number;
  RoleLastUsed?: Record<string, never>;
}

export interface PageInput {
  marker?: string | undefined;
  maxItems?: number | undefined;
}

export interface Paged {
  IsTruncated: boolean;
  Marker?: string;
}

/** Every mutating IAM call may carry the request id for the audit trail. */
interface Traced {
  requestId?: string | undefined;
}

// ---------------------------------------------------------------------------------------------------------

const noSuchEntity = (message: string): ServiceError => new ServiceError('NoSuchEntity', message);

export function userArn(accountId: string, path: string, name: string): string {
  return `arn:aws:iam::${accountId}:user${path}${name}`;
}

/** `/` or `/a/b/` from `arn:aws:iam::<acct>:user/a/b/name` (also for roles). */
function pathOf(arn: string): string {
  const rest = arn.slice(arn.indexOf(':', arn.indexOf('::') + 2) + 1);
  const slash = rest.indexOf('/');
  const last = rest.lastIndexOf('/');
  return slash < 0 ? '/' : rest.slice(slash, last + 1);
}

const nonWhitespaceLength = (s: string): number => s.replace(/\s/g, '').length;

function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/**
 * Pages over items sorted by a unique key. The marker is the key of the next page's first item
 * (base64url), so a page stays correct when items before it are added or removed.
 */
function paginate<T>(items: readonly T[], keyOf: (t: T) => string, page: PageInput): { items: T[] } & Paged {
  validateShape(struct(pageShape), page);
  const sorted = [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  let start = 0;
  if (page.marker !== undefined) {
    const key = Buffer.from(page.marker, 'base64url').toString('utf8');
    if (Buffer.from(key, 'utf8').toString('base64url') !== page.marker)
      throw validation('Invalid Marker: pass the Marker value returned by the previous call, unchanged.');
    start = sorted.findIndex((t) => keyOf(t) >= key);
    if (start < 0) start = sorted.length;
  }
  const max = page.maxItems ?? DEFAULT_MAX_ITEMS;
  const slice = sorted.slice(start, start + max);
  const next = sorted[start + max];
  return next === undefined
    ? { items: slice, IsTruncated: false }
    : { items: slice, IsTruncated: true, Marker: Buffer.from(keyOf(next), 'utf8').toString('base64url') };
}

/**
 * A trust policy has no Resource element (it is about the role itself); the policy parser knows only
 * identity and resource policies, so each statement gets `Resource: <role ARN>`. Text that is not a JSON
 * object is returned unchanged and then trusts nobody (the parser refuses it: fail closed).
 */
export function trustAsResourcePolicy(trustPolicy: string, roleArn: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(trustPolicy);
  } catch {
    return trustPolicy;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return trustPolicy;
  const statements = (doc as { Statement?: unknown }).Statement;
  const withResource = (st: unknown): unknown =>
    typeof st === 'object' && st !== null && !Array.isArray(st) && !('Resource' in st) && !('NotResource' in st)
      ? { ...st, Resource: roleArn }
      : st;
  return JSON.stringify({
    ...doc,
    Statement: Array.isArray(statements) ? statements.map(withResource) : withResource(statements),
  });
}

function userOf(p: PrincipalRecord): IamUser {
  return { Path: pathOf(p.arn), UserName: p.name, UserId: p.uniqueId, Arn: p.arn, CreateDate: p.createdAt };
}

function roleOf(p: PrincipalRecord): IamRole {
  return {
    Path: pathOf(p.arn),
    RoleName: p.name,
    RoleId: p.uniqueId,
    Arn: p.arn,
    CreateDate: p.createdAt,
    AssumeRolePolicyDocument: encodeURIComponent(p.trustPolicy ?? ''),
    MaxSessionDuration: p.maxSessionSeconds ?? DEFAULT_MAX_SESSION_SECONDS,
  };
}

/** Whose access keys an IAM key operation is about: a user, or the root user of the caller's account. */
interface KeyOwner {
  arn: string;
  /** undefined for the root user. */
  userName?: string;
}

export class IdentityService {
  readonly #s: Services;

  constructor(services: Services) {
    this.#s = services;
  }

  // -------------------------------------------------------------------------------------------------------
  // STS

  /**
   * AssumeRole. The role's trust policy must allow the caller, and so must the caller's identity policies
   * unless the trust policy names the caller itself (IAM's rule for resource-based policies). A role that
   * does not exist is denied with the same message as one whose trust policy refuses.
   */
  async assumeRole(caller: Caller, input: AssumeRoleInput): Promise<AssumeRoleResult> {
    if (input.policy !== undefined || (input.policyArns !== undefined && input.policyArns.length > 0))
      throw validation(
        'Session policies (Policy, PolicyArns) are not supported by Parapet: omit them; the session gets the permissions of the role.',
      );
    validateShape(assumeRoleShape, {
      roleArn: input.roleArn,
      roleSessionName: input.roleSessionName,
      durationSeconds: input.durationSeconds,
      externalId: input.externalId,
    });
    const m = ROLE_ARN_RE.exec(input.roleArn);
    if (!m)
      throw validation(
        `${input.roleArn.slice(0, 256)} is invalid: RoleArn must be a role ARN, arn:aws:iam::<12-digit account id>:role/<role name>.`,
      );
    const roleArn = input.roleArn;
    const request: AccessRequest = {
      caller,
      action: 'sts:AssumeRole',
      resource: roleArn,
      resourceAccountId: m[1] ?? '',
      extraKeys: {
        'sts:RoleSessionName': input.roleSessionName,
        ...(input.externalId !== undefined ? { 'sts:ExternalId': input.externalId } : {}),
      },
    };
    const found = await this.#s.store.principals.get(roleArn);
    const role = found?.kind === 'role' ? found : undefined;
    const deny = async (message: string): Promise<never> => {
      await this.#s.audit.record({
        accountId: role?.accountId ?? caller.accountId,
        principalArn: caller.principalArn,
        action: 'sts:AssumeRole',
        resourceArn: roleArn,
        requestId: input.requestId,
        outcome: 'AccessDenied',
      });
      throw accessDenied(message);
    };
    // A missing role and a role that does not trust the caller read the same, so roles of other
    // accounts cannot be probed for.
    const untrusted =
      `User: ${caller.principalArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}: ` +
      'the role does not exist or its trust policy does not allow you to assume it';
    if (!role) return deny(untrusted);
    request.resourcePolicy = trustAsResourcePolicy(role.trustPolicy ?? '', role.arn);
    // Within one account IAM lets an identity policy alone grant access to a resource; a role, though,
    // is assumable only by principals its trust policy names.
    if ((await this.#trustEvaluation(request)).decision !== 'Allow') return deny(untrusted);
    const combined = await this.#s.authz.evaluate(request);
    if (combined.decision !== 'Allow') return deny(denialMessage(request, combined));

    const roleMax = role.maxSessionSeconds ?? DEFAULT_MAX_SESSION_SECONDS;
    const chained = caller.session !== undefined;
    const duration = input.durationSeconds ?? Math.min(roleMax, ROLE_CHAINING_MAX_SECONDS);
    if (chained && duration > ROLE_CHAINING_MAX_SECONDS)
      throw validation(
        'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining: ask for 3600 seconds or fewer.',
      );
    if (duration > roleMax)
      throw validation(
        `The requested DurationSeconds exceeds the MaxSessionDuration set for this role (${roleMax} seconds): ask for fewer seconds.`,
      );

    const now = this.#s.clock.now();
    const key = newAccessKey(this.#s.random);
    const sessionToken = Buffer.from(this.#s.random.bytes(SESSION_TOKEN_BYTES)).toString('base64');
    const assumedRoleArn = `arn:aws:sts::${role.accountId}:assumed-role/${role.name}/${input.roleSessionName}`;
    const record: SessionRecord = {
      accessKeyId: `ASIA${key.accessKeyId.slice(4)}`,
      secretAccessKey: key.secretAccessKey,
      sessionTokenSha256: sha256Hex(sessionToken),
      accountId: role.accountId,
      principalArn: assumedRoleArn,
      roleArn: role.arn,
      sourcePrincipalArn: caller.principalArn,
      createdAt: isoTimestamp(now),
      expiresAt: isoTimestamp(now + duration * 1000),
    };
    await this.#s.store.sessions.deleteExpired(isoTimestamp(now - EXPIRED_SESSION_GRACE_MS));
    await this.#s.store.sessions.create(record);
    await this.#s.audit.record({
      accountId: role.accountId,
      principalArn: caller.principalArn,
      action: 'sts:AssumeRole',
      resourceArn: role.arn,
      requestId: input.requestId,
      after: { assumedRoleArn, accessKeyId: record.accessKeyId, expiresAt: record.expiresAt },
      detail: { roleSessionName: input.roleSessionName, durationSeconds: duration, chained },
    });
    return {
      Credentials: {
        AccessKeyId: record.accessKeyId,
        SecretAccessKey: record.secretAccessKey,
        SessionToken: sessionToken,
        Expiration: record.expiresAt,
      },
      AssumedRoleUser: { AssumedRoleId: `${role.uniqueId}:${input.roleSessionName}`, Arn: assumedRoleArn },
    };
  }

  /** The trust policy on its own, with the same request context the Authorizer builds. */
  async #trustEvaluation(request: AccessRequest): Promise<Evaluation> {
    const parsed = parsePolicy(request.resourcePolicy ?? '', 'resource');
    // A trust policy that no longer parses trusts nobody (fail closed).
    if (!('policy' in parsed)) return { decision: 'ImplicitDeny', reasons: [] };
    const { caller } = request;
    const pos = await this.#s.authz.orgPosition(caller.accountId);
    return evaluate([{ label: `trust-policy(${request.resource})`, policy: parsed.policy }], {
      principal: { arn: caller.principalArn, accountId: caller.accountId },
      action: request.action,
      resource: request.resource,
      conditionKeys: {
        ...principalConditionKeys({
          arn: caller.principalArn,
          accountId: caller.accountId,
          ...(pos ? { orgId: pos.org.orgId, orgPath: pos.path } : {}),
          region: caller.region,
        }),
        'aws:CurrentTime': isoTimestamp(this.#s.clock.now()),
        ...request.extraKeys,
      },
    });
  }

  /** Who the caller is. Needs no permission, as on AWS. */
  async getCallerIdentity(caller: Caller): Promise<CallerIdentity> {
    const kind = principalKindOf(caller.principalArn);
    if (kind === 'root') return { UserId: caller.accountId, Account: caller.accountId, Arn: caller.principalArn };
    const holderArn = kind === 'assumed-role' ? caller.session?.roleArn : caller.principalArn;
    const holder = holderArn === undefined ? undefined : await this.#s.store.principals.get(holderArn);
    // The user or role is gone (its key is still in the server's short key cache): the key is as good as revoked.
    if (!holder) throw new ServiceError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    const userId =
      kind === 'assumed-role'
        ? `${holder.uniqueId}:${caller.principalArn.slice(caller.principalArn.lastIndexOf('/') + 1)}`
        : holder.uniqueId;
    return { UserId: userId, Account: caller.accountId, Arn: caller.principalArn };
  }

  // -------------------------------------------------------------------------------------------------------
  // IAM users

  async createUser(caller: Caller, input: { userName: string; path?: string | undefined } & Traced): Promise<{ User: IamUser }> {
    validateShape(struct({ userName: req(USER_NAME), path: IAM_PATH }), { userName: input.userName, path: input.path });
    const arn = userArn(caller.accountId, input.path ?? '/', input.userName);
    await this.#authorize(caller, 'iam:CreateUser', arn);
    if (await this.#findUser(caller.accountId, input.userName))
      throw new ServiceError('EntityAlreadyExists', `User with name ${input.userName} already exists.`);
    const rec: PrincipalRecord = {
      arn,
      accountId: caller.accountId,
      kind: 'user',
      name: input.userName,
      uniqueId: newUniqueId(this.#s.random, 'AIDA'),
      createdAt: isoTimestamp(this.#s.clock.now()),
    };
    await this.#s.store.principals.create(rec);
    const User = userOf(rec);
    await this.#audit(caller, 'iam:CreateUser', arn, input, { after: User });
    return { User };
  }

  /** No userName: the calling user itself, or the root "user" for root credentials. */
  async getUser(caller: Caller, input: { userName?: string | undefined } = {}): Promise<{ User: IamUser }> {
    if (input.userName === undefined) {
      const kind = principalKindOf(caller.principalArn);
      if (kind === 'assumed-role')
        throw validation('Must specify userName when calling with non-User credentials: pass UserName.');
      await this.#authorize(caller, 'iam:GetUser', caller.principalArn);
      if (kind === 'root') {
        const account = await this.#s.store.accounts.get(caller.accountId);
        return {
          User: {
            UserId: caller.accountId,
            Arn: caller.principalArn,
            CreateDate: account?.createdAt ?? isoTimestamp(this.#s.clock.now()),
          },
        };
      }
      const self = await this.#s.store.principals.get(caller.principalArn);
      if (!self) throw noSuchEntity(`The user with name ${caller.principalArn.slice(caller.principalArn.lastIndexOf('/') + 1)} cannot be found.`);
      return { User: userOf(self) };
    }
    const user = await this.#authorizedUser(caller, 'iam:GetUser', input.userName);
    return { User: userOf(user) };
  }

  async listUsers(caller: Caller, input: { pathPrefix?: string | undefined } & PageInput = {}): Promise<{ Users: IamUser[] } & Paged> {
    validateShape(struct({ pathPrefix: PATH_PREFIX }), { pathPrefix: input.pathPrefix });
    await this.#authorize(caller, 'iam:ListUsers', '*');
    const prefix = input.pathPrefix ?? '/';
    const users = (await this.#s.store.principals.listForAccount(caller.accountId, 'user')).filter((u) =>
      pathOf(u.arn).startsWith(prefix),
    );
    const { items, ...page } = paginate(users, (u) => u.name, input);
    return { Users: items.map(userOf), ...page };
  }

  /** A user with access keys or inline policies → DeleteConflict (delete those first, as on AWS). */
  async deleteUser(caller: Caller, input: { userName: string } & Traced): Promise<void> {
    const user = await this.#authorizedUser(caller, 'iam:DeleteUser', input.userName);
    if ((await this.#keysOf(caller.accountId, user.arn)).length > 0)
      throw new ServiceError('DeleteConflict', 'Cannot delete entity, must delete access keys first.');
    if ((await this.#s.store.principals.listPolicies(user.arn)).length > 0)
      throw new ServiceError('DeleteConflict', 'Cannot delete entity, must delete policies first.');
    await this.#s.store.principals.delete(user.arn);
    await this.#audit(caller, 'iam:DeleteUser', user.arn, input, { before: userOf(user) });
  }

  // -------------------------------------------------------------------------------------------------------
  // Inline user policies

  async putUserPolicy(
    caller: Caller,
    input: { userName: string; policyName: string; policyDocument: string } & Traced,
  ): Promise<void> {
    validateShape(struct({ userName: req(USER_NAME), policyName: req(POLICY_NAME), policyDocument: req(POLICY_DOCUMENT) }), {
      userName: input.userName,
      policyName: input.policyName,
      policyDocument: input.policyDocument,
    });
    const user = await this.#authorizedUser(caller, 'iam:PutUserPolicy', input.userName);
    const parsed = parsePolicy(input.policyDocument, 'identity');
    if ('errors' in parsed)
      throw new ServiceError('MalformedPolicyDocument', `The policy document is not valid: ${parsed.errors.join('; ')}.`);
    const existing = await this.#s.store.principals.listPolicies(user.arn);
    const others = existing.filter((p) => p.policyName !== input.policyName);
    const total = others.reduce((n, p) => n + nonWhitespaceLength(p.document), 0) + nonWhitespaceLength(input.policyDocument);
    if (total > MAX_USER_INLINE_POLICY_CHARS)
      throw new ServiceError(
        'LimitExceeded',
        `Maximum policy size of ${MAX_USER_INLINE_POLICY_CHARS} bytes exceeded for user ${user.name}: ` +
          `its inline policies would total ${total} non-whitespace characters; shorten or delete some.`,
      );
    const before = existing.find((p) => p.policyName === input.policyName);
    await this.#s.store.principals.putPolicy({
      principalArn: user.arn,
      policyName: input.policyName,
      document: input.policyDocument,
      updatedAt: isoTimestamp(this.#s.clock.now()),
    });
    await this.#audit(caller, 'iam:PutUserPolicy', user.arn, input, {
      ...(before ? { before: { policyName: before.policyName, document: before.document } } : {}),
      after: { policyName: input.policyName, document: input.policyDocument },
    });
  }

  /** The document comes back URL-encoded, as IAM returns it. */
  async getUserPolicy(
    caller: Caller,
    input: { userName: string; policyName: string },
  ): Promise<{ UserName: string; PolicyName: string; PolicyDocument: string }> {
    validateShape(struct({ policyName: req(POLICY_NAME) }), { policyName: input.policyName });
    const user = await this.#authorizedUser(caller, 'iam:GetUserPolicy', input.userName);
    const p = await this.#s.store.principals.getPolicy(user.arn, input.policyName);
    if (!p) throw noSuchEntity(`The user policy with name ${input.policyName} cannot be found.`);
    return { UserName: user.name, PolicyName: p.policyName, PolicyDocument: encodeURIComponent(p.document) };
  }

  async listUserPolicies(caller: Caller, input: { userName: string } & PageInput): Promise<{ PolicyNames: string[] } & Paged> {
    const user = await this.#authorizedUser(caller, 'iam:ListUserPolicies', input.userName);
    const names = (await this.#s.store.principals.listPolicies(user.arn)).map((p) => p.policyName);
    const { items, ...page } = paginate(names, (n) => n, input);
    return { PolicyNames: items, ...page };
  }

  async deleteUserPolicy(caller: Caller, input: { userName: string; policyName: string } & Traced): Promise<void> {
    validateShape(struct({ policyName: req(POLICY_NAME) }), { policyName: input.policyName });
    const user = await this.#authorizedUser(caller, 'iam:DeleteUserPolicy', input.userName);
    const before = await this.#s.store.principals.getPolicy(user.arn, input.policyName);
    if (!before || !(await this.#s.store.principals.deletePolicy(user.arn, input.policyName)))
      throw noSuchEntity(`The user policy with name ${input.policyName} cannot be found.`);
    await this.#audit(caller, 'iam:DeleteUserPolicy', user.arn, input, {
      before: { policyName: before.policyName, document: before.document },
    });
  }

  // -------------------------------------------------------------------------------------------------------
  // Access keys (no userName: the caller's own — a user's, or the root user's)

  /** The secret is returned only here. */
  async createAccessKey(caller: Caller, input: { userName?: string | undefined } & Traced = {}): Promise<{ AccessKey: IamAccessKey }> {
    const owner = await this.#authorizedKeyOwner(caller, 'iam:CreateAccessKey', input.userName);
    if ((await this.#keysOf(caller.accountId, owner.arn)).length >= MAX_ACCESS_KEYS_PER_USER)
      throw new ServiceError(
        'LimitExceeded',
        `Cannot exceed quota for AccessKeysPerUser: ${MAX_ACCESS_KEYS_PER_USER}. Delete an access key you no longer use first.`,
      );
    const rec: AccessKeyRecord = {
      ...newAccessKey(this.#s.random),
      accountId: caller.accountId,
      principalArn: owner.arn,
      status: 'Active',
      createdAt: isoTimestamp(this.#s.clock.now()),
    };
    await this.#s.store.accessKeys.create(rec);
    const metadata = keyMetadata(rec, owner);
    await this.#audit(caller, 'iam:CreateAccessKey', owner.arn, input, { after: metadata });
    return { AccessKey: { ...metadata, SecretAccessKey: rec.secretAccessKey } };
  }

  async listAccessKeys(
    caller: Caller,
    input: { userName?: string | undefined } & PageInput = {},
  ): Promise<{ AccessKeyMetadata: IamAccessKeyMetadata[] } & Paged> {
    const owner = await this.#authorizedKeyOwner(caller, 'iam:ListAccessKeys', input.userName);
    const keys = await this.#keysOf(caller.accountId, owner.arn);
    const { items, ...page } = paginate(keys, (k) => k.accessKeyId, input);
    return { AccessKeyMetadata: items.map((k) => keyMetadata(k, owner)), ...page };
  }

  /**
   * The server caches looked-up keys for a few seconds: the server that makes the change forgets them at once,
   * and on PostgreSQL every other replica drops the key as soon as the change commits (the change feed). Other
   * processes sharing a SQLite file see it once their cached lookup expires (5 s).
   */
  async updateAccessKey(
    caller: Caller,
    input: { accessKeyId: string; status: string; userName?: string | undefined } & Traced,
  ): Promise<void> {
    validateShape(struct({ accessKeyId: req(ACCESS_KEY_ID), status: req(KEY_STATUS) }), {
      accessKeyId: input.accessKeyId,
      status: input.status,
    });
    const owner = await this.#authorizedKeyOwner(caller, 'iam:UpdateAccessKey', input.userName);
    const key = await this.#ownedKey(caller.accountId, owner, input.accessKeyId);
    const status = input.status as AccessKeyStatus;
    await this.#s.store.accessKeys.setStatus(key.accessKeyId, status);
    await this.#audit(caller, 'iam:UpdateAccessKey', owner.arn, input, {
      before: keyMetadata(key, owner),
      after: { ...keyMetadata(key, owner), Status: status },
    });
  }

  /** See updateAccessKey about the key cache. */
  async deleteAccessKey(caller: Caller, input: { accessKeyId: string; userName?: string | undefined } & Traced): Promise<void> {
    validateShape(struct({ accessKeyId: req(ACCESS_KEY_ID) }), { accessKeyId: input.accessKeyId });
    const owner = await this.#authorizedKeyOwner(caller, 'iam:DeleteAccessKey', input.userName);
    const key = await this.#ownedKey(caller.accountId, owner, input.accessKeyId);
    await this.#s.store.accessKeys.delete(key.accessKeyId);
    await this.#audit(caller, 'iam:DeleteAccessKey', owner.arn, input, { before: keyMetadata(key, owner) });
  }

  // -------------------------------------------------------------------------------------------------------
  // Roles (read-only)

  async getRole(caller: Caller, input: { roleName: string }): Promise<{ Role: IamRole }> {
    validateShape(struct({ roleName: req(ROLE_NAME) }), { roleName: input.roleName });
    const roles = await this.#s.store.principals.listForAccount(caller.accountId, 'role');
    const role = roles.find((r) => r.name.toLowerCase() === input.roleName.toLowerCase());
    await this.#authorize(caller, 'iam:GetRole', role?.arn ?? `arn:aws:iam::${caller.accountId}:role/${input.roleName}`);
    if (!role) throw noSuchEntity(`The role with name ${input.roleName} cannot be found.`);
    return { Role: { ...roleOf(role), RoleLastUsed: {} } };
  }

  async listRoles(caller: Caller, input: { pathPrefix?: string | undefined } & PageInput = {}): Promise<{ Roles: IamRole[] } & Paged> {
    validateShape(struct({ pathPrefix: PATH_PREFIX }), { pathPrefix: input.pathPrefix });
    await this.#authorize(caller, 'iam:ListRoles', '*');
    const prefix = input.pathPrefix ?? '/';
    const roles = (await this.#s.store.principals.listForAccount(caller.accountId, 'role')).filter((r) =>
      pathOf(r.arn).startsWith(prefix),
    );
    const { items, ...page } = paginate(roles, (r) => r.name, input);
    return { Roles: items.map(roleOf), ...page };
  }

  // -------------------------------------------------------------------------------------------------------

  async #authorize(caller: Caller, action: string, resource: string): Promise<void> {
    await this.#s.authz.require({ caller, action, resource, resourceAccountId: caller.accountId });
  }

  /** IAM names are unique regardless of case within an account, and looked up the same way. */
  async #findUser(accountId: string, name: string): Promise<PrincipalRecord | undefined> {
    const wanted = name.toLowerCase();
    return (await this.#s.store.principals.listForAccount(accountId, 'user')).find((u) => u.name.toLowerCase() === wanted);
  }

  /** Validates the name, authorizes on the user's ARN (the path-less ARN when unknown), then NoSuchEntity. */
  async #authorizedUser(caller: Caller, action: string, userName: string): Promise<PrincipalRecord> {
    validateShape(struct({ userName: req(USER_NAME) }), { userName });
    const user = await this.#findUser(caller.accountId, userName);
    await this.#authorize(caller, action, user?.arn ?? userArn(caller.accountId, '/', userName));
    if (!user) throw noSuchEntity(`The user with name ${userName} cannot be found.`);
    return user;
  }

  async #authorizedKeyOwner(caller: Caller, action: string, userName: string | undefined): Promise<KeyOwner> {
    if (userName !== undefined) {
      const user = await this.#authorizedUser(caller, action, userName);
      return { arn: user.arn, userName: user.name };
    }
    const kind = principalKindOf(caller.principalArn);
    if (kind === 'assumed-role')
      throw validation('Must specify userName when calling with non-User credentials: pass UserName.');
    await this.#authorize(caller, action, caller.principalArn);
    if (kind === 'root') return { arn: iamRootArn(caller.accountId) };
    const self = await this.#s.store.principals.get(caller.principalArn);
    if (!self) throw noSuchEntity(`The user with name ${caller.principalArn.slice(caller.principalArn.lastIndexOf('/') + 1)} cannot be found.`);
    return { arn: self.arn, userName: self.name };
  }

  async #keysOf(accountId: string, ownerArn: string): Promise<AccessKeyRecord[]> {
    return (await this.#s.store.accessKeys.listForAccount(accountId)).filter((k) => k.principalArn === ownerArn);
  }

  /** A key of another owner, another account, or a session key is simply not found. */
  async #ownedKey(accountId: string, owner: KeyOwner, accessKeyId: string): Promise<AccessKeyRecord> {
    const key = accessKeyId.startsWith('AKIA') ? await this.#s.store.accessKeys.get(accessKeyId) : undefined;
    if (!key || key.accountId !== accountId || key.principalArn !== owner.arn)
      throw noSuchEntity(`The Access Key with id ${accessKeyId} cannot be found.`);
    return key;
  }

  async #audit(
    caller: Caller,
    action: string,
    resourceArn: string,
    input: Traced,
    change: { before?: unknown; after?: unknown },
  ): Promise<void> {
    await this.#s.audit.record({
      accountId: caller.accountId,
      principalArn: caller.principalArn,
      action,
      resourceArn,
      ...(input.requestId !== undefined ? { requestId: input.requestId } : {}),
      ...change,
    });
  }
}

function keyMetadata(k: AccessKeyRecord, owner: KeyOwner): IamAccessKeyMetadata {
  return {
    ...(owner.userName !== undefined ? { UserName: owner.userName } : {}),
    AccessKeyId: k.accessKeyId,
    Status: k.status,
    CreateDate: k.createdAt,
  };
}
