import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { iamRootArn } from '../core/arn.ts';
import type { Caller } from '../core/caller.ts';
import { isServiceError } from '../core/errors.ts';
import { createServices } from '../server/serve.ts';
import { createAesGcmCipher } from '../store/crypto.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import type { Store } from '../store/types.ts';
import { ORG_ACCESS_ROLE, roleArn } from './accounts.ts';
import { IdentityService, MAX_USER_INLINE_POLICY_CHARS } from './identity.ts';
import type { Services } from './services.ts';

const cipher = createAesGcmCipher(randomBytes(32));
const MGMT = '111111111111';
const START = Date.parse('2026-01-01T00:00:00.000Z');
const SESSION_NAME_RE = /^[\w+=,.@-]{2,64}$/;

interface World {
  store: Store;
  services: Services;
  identity: IdentityService;
  clock: { now(): number; advance(ms: number): void };
  member: string;
  other: string;
  mgmtRoot: Caller;
  memberRoot: Caller;
}

async function world(): Promise<World> {
  const store = await openSqliteStore({ filename: ':memory:', cipher });
  let now = START;
  const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
  const services = createServices(store, clock);
  await store.accounts.create({ accountId: MGMT, name: 'management', role: 'management', createdAt: new Date(START).toISOString() });
  const member = (await services.accounts.createAccount({ name: 'member', managementAccountId: MGMT })).accountId;
  const other = (await services.accounts.createAccount({ name: 'other', managementAccountId: MGMT })).accountId;
  return {
    store,
    services,
    identity: new IdentityService(services),
    clock,
    member,
    other,
    mgmtRoot: rootCaller(MGMT),
    memberRoot: rootCaller(member),
  };
}

function rootCaller(accountId: string): Caller {
  return { accountId, principalArn: iamRootArn(accountId), accessKeyId: 'AKIAROOTROOTROOTROOT', region: 'us-east-1' };
}

function userCaller(accountId: string, name: string): Caller {
  return { accountId, principalArn: `arn:aws:iam::${accountId}:user/${name}`, accessKeyId: 'AKIAUSERUSERUSERUSER', region: 'us-east-1' };
}

/** The Caller the server would build for a session's access key. */
async function sessionCaller(store: Store, accessKeyId: string): Promise<Caller> {
  const s = await store.sessions.get(accessKeyId);
  assert.ok(s, 'session stored');
  return {
    accountId: s.accountId,
    principalArn: s.principalArn,
    accessKeyId,
    region: 'us-east-1',
    session: { roleArn: s.roleArn, sourcePrincipalArn: s.sourcePrincipalArn, expiresAt: s.expiresAt },
  };
}

async function rejectsWith(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isServiceError(e), `expected a ServiceError, got ${String(e)}`);
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return true;
  });
}

const allow = (action: string | string[], resource = '*'): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });

async function createRole(w: World, accountId: string, name: string, trust: unknown, maxSessionSeconds = 3600): Promise<string> {
  const arn = roleArn(accountId, name);
  await w.store.principals.create({
    arn,
    accountId,
    kind: 'role',
    name,
    uniqueId: `AROA${name.toUpperCase().replace(/[^A-Z]/g, 'X').padEnd(17, 'Q').slice(0, 17)}`,
    trustPolicy: JSON.stringify(trust),
    maxSessionSeconds,
    createdAt: new Date(START).toISOString(),
  });
  return arn;
}

const trusting = (principal: string, extra: Record<string, unknown> = {}) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole', ...extra }],
});

describe('IdentityService.assumeRole', () => {
  it('issues AWS-shaped temporary credentials and stores only the token hash', async () => {
    const w = await world();
    const arn = roleArn(w.member, ORG_ACCESS_ROLE);
    const out = await w.identity.assumeRole(w.mgmtRoot, { roleArn: arn, roleSessionName: 'admin@ops', requestId: 'req-1' });
    const c = out.Credentials;
    assert.match(c.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(c.SecretAccessKey.length, 40);
    assert.ok(c.SessionToken.length >= 200, 'long session token');
    assert.match(c.SessionToken, /^[A-Za-z0-9+/]+=*$/);
    assert.equal(c.Expiration, new Date(START + 3600_000).toISOString());
    const role = await w.store.principals.get(arn);
    assert.equal(out.AssumedRoleUser.AssumedRoleId, `${role?.uniqueId}:admin@ops`);
    assert.match(out.AssumedRoleUser.AssumedRoleId, /^AROA[A-Z2-7]{17}:admin@ops$/);
    assert.equal(out.AssumedRoleUser.Arn, `arn:aws:sts::${w.member}:assumed-role/${ORG_ACCESS_ROLE}/admin@ops`);

    const s = await w.store.sessions.get(c.AccessKeyId);
    assert.ok(s);
    assert.equal(s.sessionTokenSha256, createHash('sha256').update(c.SessionToken).digest('hex'));
    assert.equal(s.secretAccessKey, c.SecretAccessKey);
    assert.equal(s.accountId, w.member);
    assert.equal(s.roleArn, arn);
    assert.equal(s.sourcePrincipalArn, iamRootArn(MGMT));
    assert.ok(!JSON.stringify(s).includes(c.SessionToken), 'the token itself is not stored');

    const [audit] = await w.services.audit.list({ action: 'sts:AssumeRole', limit: 10 });
    assert.ok(audit);
    assert.equal(audit.accountId, w.member);
    assert.equal(audit.principalArn, iamRootArn(MGMT));
    assert.equal(audit.resourceArn, arn);
    assert.equal(audit.requestId, 'req-1');
    const text = JSON.stringify(audit);
    assert.ok(!text.includes(c.SecretAccessKey) && !text.includes(c.SessionToken), 'no secrets in the audit trail');
  });

  it('honours DurationSeconds between 900 and the role maximum', async () => {
    const w = await world();
    const arn = roleArn(w.member, ORG_ACCESS_ROLE);
    const out = await w.identity.assumeRole(w.mgmtRoot, { roleArn: arn, roleSessionName: 'short', durationSeconds: 900 });
    assert.equal(out.Credentials.Expiration, new Date(START + 900_000).toISOString());
    await rejectsWith(
      w.identity.assumeRole(w.mgmtRoot, { roleArn: arn, roleSessionName: 'x1', durationSeconds: 899 }),
      'ValidationException',
      /Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900/,
    );
    await rejectsWith(
      w.identity.assumeRole(w.mgmtRoot, { roleArn: arn, roleSessionName: 'x1', durationSeconds: 3601 }),
      'ValidationException',
      /exceeds the MaxSessionDuration set for this role/,
    );
  });

  it('validates RoleSessionName and RoleArn like STS', async () => {
    const w = await world();
    const arn = roleArn(w.member, ORG_ACCESS_ROLE);
    await rejectsWith(
      w.identity.assumeRole(w.mgmtRoot, { roleArn: arn, roleSessionName: 'a' }),
      'ValidationException',
      /at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2/,
    );
    await rejectsWith(
      w.identity.assumeRole(w.mgmtRoot, { roleArn: arn, roleSessionName: 'has space' }),
      'ValidationException',
      /Member must satisfy regular expression pattern: \[\\w\+=,\.@-\]\*/,
    );
    await rejectsWith(
      w.identity.assumeRole(w.mgmtRoot, { roleArn: 'arn:aws:s3:::my-bucket/some/key', roleSessionName: 'ok' }),
      'ValidationException',
      /is invalid: RoleArn must be a role ARN/,
    );
  });

  it('accepts exactly the session names matching [\\w+=,.@-]{2,64} (property)', async () => {
    const w = await world();
    const arn = roleArn(w.member, ORG_ACCESS_ROLE);
    const nameChar = fc.constantFrom(...'abcXYZ019_+=,.@-', ' ', '/', ':', 'é', '*');
    await fc.assert(
      fc.asyncProperty(fc.array(nameChar, { minLength: 0, maxLength: 70 }).map((cs) => cs.join('')), async (name) => {
        const result = await w.identity.assumeRole(w.mgmtRoot, { roleArn: arn, roleSessionName: name }).then(
          () => 'ok',
          (e: unknown) => (isServiceError(e) ? e.code : 'crash'),
        );
        assert.equal(result, SESSION_NAME_RE.test(name) ? 'ok' : 'ValidationException', JSON.stringify(name));
      }),
      { numRuns: 60 },
    );
  });

  it('refuses session policies, saying they are not supported', async () => {
    const w = await world();
    const arn = roleArn(w.member, ORG_ACCESS_ROLE);
    await rejectsWith(
      w.identity.assumeRole(w.mgmtRoot, { roleArn: arn, roleSessionName: 'ok', policy: allow('*') }),
      'ValidationException',
      /Session policies \(Policy, PolicyArns\) are not supported/,
    );
    await rejectsWith(
      w.identity.assumeRole(w.mgmtRoot, {
        roleArn: arn,
        roleSessionName: 'ok',
        policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      }),
      'ValidationException',
      /not supported/,
    );
  });

  it('denies a missing role and an untrusting role with the same AWS message', async () => {
    const w = await world();
    const missing = roleArn(w.member, 'NoSuchRole');
    await rejectsWith(
      w.identity.assumeRole(w.mgmtRoot, { roleArn: missing, roleSessionName: 'ok' }),
      'AccessDeniedException',
      new RegExp(`^User: arn:aws:iam::${MGMT}:root is not authorized to perform: sts:AssumeRole on resource: ${missing}`),
    );
    // a member's root may not assume another member's OrganizationAccountAccessRole (trusted by management only)
    const foreign = roleArn(w.other, ORG_ACCESS_ROLE);
    await rejectsWith(
      w.identity.assumeRole(w.memberRoot, { roleArn: foreign, roleSessionName: 'ok' }),
      'AccessDeniedException',
      new RegExp(`^User: arn:aws:iam::${w.member}:root is not authorized to perform: sts:AssumeRole on resource: ${foreign}`),
    );
    // the same words for a role that exists but trusts someone else: roles cannot be probed for
    const untrusting = await createRole(w, w.member, 'TrustsOther', trusting(iamRootArn(w.other)));
    const messageOf = async (arn: string): Promise<string> =>
      w.identity.assumeRole(w.mgmtRoot, { roleArn: arn, roleSessionName: 'ok' }).then(
        () => 'allowed',
        (e: Error) => e.message.replace(arn, '<role>'),
      );
    assert.equal(await messageOf(untrusting), await messageOf(missing));
    assert.match(await messageOf(missing), /the role does not exist or its trust policy does not allow you to assume it$/);
    const denials = await w.services.audit.list({ action: 'sts:AssumeRole', limit: 10 });
    assert.ok(denials.length === 5 && denials.every((d) => d.outcome === 'AccessDenied'));
  });

  it('a member cannot assume a role of the management account', async () => {
    const w = await world();
    await w.services.accounts.createOrgAccessRole(MGMT, MGMT);
    const mgmtRole = roleArn(MGMT, ORG_ACCESS_ROLE);
    await rejectsWith(w.identity.assumeRole(w.memberRoot, { roleArn: mgmtRole, roleSessionName: 'ok' }), 'AccessDeniedException');
    const adminSession = await w.identity.assumeRole(w.mgmtRoot, { roleArn: roleArn(w.member, ORG_ACCESS_ROLE), roleSessionName: 'a1' });
    const asMemberAdmin = await sessionCaller(w.store, adminSession.Credentials.AccessKeyId);
    await rejectsWith(w.identity.assumeRole(asMemberAdmin, { roleArn: mgmtRole, roleSessionName: 'ok' }), 'AccessDeniedException');
  });

  it('needs the trust policy even where an identity policy allows (same account)', async () => {
    const w = await world();
    // a role in the member account trusted only by the management account
    const arn = await createRole(w, w.member, 'MgmtOnly', trusting(iamRootArn(MGMT)));
    await w.identity.createUser(w.memberRoot, { userName: 'alice' });
    await w.identity.putUserPolicy(w.memberRoot, { userName: 'alice', policyName: 'sts', policyDocument: allow('sts:AssumeRole') });
    await rejectsWith(w.identity.assumeRole(userCaller(w.member, 'alice'), { roleArn: arn, roleSessionName: 'ok' }), 'AccessDeniedException');
    await rejectsWith(w.identity.assumeRole(w.memberRoot, { roleArn: arn, roleSessionName: 'ok' }), 'AccessDeniedException');
  });

  it('a trust policy naming the account delegates to identity policies', async () => {
    const w = await world();
    const arn = await createRole(w, w.member, 'AccountTrusted', trusting(iamRootArn(w.member)));
    await w.identity.createUser(w.memberRoot, { userName: 'bob' });
    const bob = userCaller(w.member, 'bob');
    await rejectsWith(
      w.identity.assumeRole(bob, { roleArn: arn, roleSessionName: 'ok' }),
      'AccessDeniedException',
      /because no identity-based policy allows the sts:AssumeRole action/,
    );
    await w.identity.putUserPolicy(w.memberRoot, { userName: 'bob', policyName: 'sts', policyDocument: allow('sts:AssumeRole', arn) });
    const out = await w.identity.assumeRole(bob, { roleArn: arn, roleSessionName: 'bob-session' });
    assert.equal(out.AssumedRoleUser.Arn, `arn:aws:sts::${w.member}:assumed-role/AccountTrusted/bob-session`);
    const s = await w.store.sessions.get(out.Credentials.AccessKeyId);
    assert.equal(s?.sourcePrincipalArn, bob.principalArn);
  });

  it('a trust policy naming the user directly needs no identity policy', async () => {
    const w = await world();
    await w.identity.createUser(w.memberRoot, { userName: 'carol' });
    const arn = await createRole(w, w.member, 'CarolOnly', trusting(`arn:aws:iam::${w.member}:user/carol`));
    const out = await w.identity.assumeRole(userCaller(w.member, 'carol'), { roleArn: arn, roleSessionName: 'c1' });
    assert.match(out.Credentials.AccessKeyId, /^ASIA/);
  });

  it('checks sts:ExternalId conditions', async () => {
    const w = await world();
    const arn = await createRole(
      w,
      w.member,
      'Vendor',
      trusting(iamRootArn(MGMT), { Condition: { StringEquals: { 'sts:ExternalId': 'secret-handshake' } } }),
    );
    await rejectsWith(w.identity.assumeRole(w.mgmtRoot, { roleArn: arn, roleSessionName: 'v1' }), 'AccessDeniedException');
    await rejectsWith(
      w.identity.assumeRole(w.mgmtRoot, { roleArn: arn, roleSessionName: 'v1', externalId: 'wrong-one' }),
      'AccessDeniedException',
    );
    const ok = await w.identity.assumeRole(w.mgmtRoot, { roleArn: arn, roleSessionName: 'v1', externalId: 'secret-handshake' });
    assert.match(ok.Credentials.AccessKeyId, /^ASIA/);
  });

  it('role chaining: a session may assume another role for at most one hour', async () => {
    const w = await world();
    const first = await w.identity.assumeRole(w.mgmtRoot, { roleArn: roleArn(w.member, ORG_ACCESS_ROLE), roleSessionName: 'hop1' });
    const session = await sessionCaller(w.store, first.Credentials.AccessKeyId);
    const target = await createRole(w, w.other, 'Chained', trusting(roleArn(w.member, ORG_ACCESS_ROLE)), 43_200);
    await rejectsWith(
      w.identity.assumeRole(session, { roleArn: target, roleSessionName: 'hop2', durationSeconds: 7200 }),
      'ValidationException',
      /1 hour session limit for roles assumed by role chaining/,
    );
    const second = await w.identity.assumeRole(session, { roleArn: target, roleSessionName: 'hop2' });
    assert.equal(second.Credentials.Expiration, new Date(START + 3600_000).toISOString(), 'chained default is one hour');
    const s = await w.store.sessions.get(second.Credentials.AccessKeyId);
    assert.equal(s?.sourcePrincipalArn, first.AssumedRoleUser.Arn);
    // the management root (not a session) may ask the same role for longer
    const long = await createRole(w, w.other, 'Long', trusting(iamRootArn(MGMT)), 43_200);
    const direct = await w.identity.assumeRole(w.mgmtRoot, { roleArn: long, roleSessionName: 'long', durationSeconds: 7200 });
    assert.equal(direct.Credentials.Expiration, new Date(START + 7200_000).toISOString());
  });

  it('purges sessions long expired, keeping recently expired ones (they still answer ExpiredToken)', async () => {
    const w = await world();
    const arn = roleArn(w.member, ORG_ACCESS_ROLE);
    const old = await w.identity.assumeRole(w.mgmtRoot, { roleArn: arn, roleSessionName: 'old', durationSeconds: 900 });
    w.clock.advance(2 * 3600_000);
    await w.identity.assumeRole(w.mgmtRoot, { roleArn: arn, roleSessionName: 'mid' });
    assert.ok(await w.store.sessions.get(old.Credentials.AccessKeyId), 'expired 1h45m ago: kept');
    w.clock.advance(24 * 3600_000);
    await w.identity.assumeRole(w.mgmtRoot, { roleArn: arn, roleSessionName: 'new' });
    assert.equal(await w.store.sessions.get(old.Credentials.AccessKeyId), undefined, 'long expired: purged');
  });
});

describe('IdentityService.getCallerIdentity', () => {
  it('root, user and assumed-role session', async () => {
    const w = await world();
    assert.deepEqual(await w.identity.getCallerIdentity(w.mgmtRoot), { UserId: MGMT, Account: MGMT, Arn: iamRootArn(MGMT) });
    const { User } = await w.identity.createUser(w.memberRoot, { userName: 'dave' });
    assert.deepEqual(await w.identity.getCallerIdentity(userCaller(w.member, 'dave')), {
      UserId: User.UserId,
      Account: w.member,
      Arn: User.Arn,
    });
    assert.match(User.UserId, /^AIDA[A-Z2-7]{17}$/);
    const out = await w.identity.assumeRole(w.mgmtRoot, { roleArn: roleArn(w.member, ORG_ACCESS_ROLE), roleSessionName: 'who' });
    const id = await w.identity.getCallerIdentity(await sessionCaller(w.store, out.Credentials.AccessKeyId));
    assert.deepEqual(id, { UserId: out.AssumedRoleUser.AssumedRoleId, Account: w.member, Arn: out.AssumedRoleUser.Arn });
  });

  it('needs no permission', async () => {
    const w = await world();
    await w.identity.createUser(w.memberRoot, { userName: 'nopolicy' });
    const id = await w.identity.getCallerIdentity(userCaller(w.member, 'nopolicy'));
    assert.equal(id.Arn, `arn:aws:iam::${w.member}:user/nopolicy`);
  });
});

describe('IdentityService IAM users', () => {
  it('creates, gets, lists and deletes users in the caller account', async () => {
    const w = await world();
    const { User } = await w.identity.createUser(w.memberRoot, { userName: 'erin', requestId: 'r-1' });
    assert.deepEqual(
      { ...User, UserId: 'x' },
      { Path: '/', UserName: 'erin', UserId: 'x', Arn: `arn:aws:iam::${w.member}:user/erin`, CreateDate: new Date(START).toISOString() },
    );
    const pathed = (await w.identity.createUser(w.memberRoot, { userName: 'frank', path: '/ops/eu/' })).User;
    assert.equal(pathed.Arn, `arn:aws:iam::${w.member}:user/ops/eu/frank`);
    assert.equal(pathed.Path, '/ops/eu/');
    assert.deepEqual((await w.identity.getUser(w.memberRoot, { userName: 'frank' })).User, pathed);
    assert.deepEqual((await w.identity.getUser(w.memberRoot, { userName: 'FRANK' })).User, pathed, 'names are case-insensitive');

    assert.deepEqual((await w.identity.listUsers(w.memberRoot)).Users.map((u) => u.UserName), ['erin', 'frank']);
    assert.deepEqual((await w.identity.listUsers(w.memberRoot, { pathPrefix: '/ops/' })).Users.map((u) => u.UserName), ['frank']);
    assert.deepEqual((await w.identity.listUsers(w.mgmtRoot)).Users, [], 'account-scoped');
    await rejectsWith(w.identity.getUser(w.mgmtRoot, { userName: 'erin' }), 'NoSuchEntity', /The user with name erin cannot be found/);

    await w.identity.deleteUser(w.memberRoot, { userName: 'erin' });
    await rejectsWith(w.identity.getUser(w.memberRoot, { userName: 'erin' }), 'NoSuchEntity');
    await rejectsWith(w.identity.deleteUser(w.memberRoot, { userName: 'erin' }), 'NoSuchEntity');

    const audit = await w.services.audit.list({ accountIds: [w.member], limit: 10 });
    assert.deepEqual(audit.map((a) => a.action).reverse(), ['iam:CreateUser', 'iam:CreateUser', 'iam:DeleteUser']);
    assert.equal(audit.at(-1)?.requestId, 'r-1');
  });

  it('refuses duplicates (regardless of case) and invalid names or paths', async () => {
    const w = await world();
    await w.identity.createUser(w.memberRoot, { userName: 'gina' });
    await rejectsWith(w.identity.createUser(w.memberRoot, { userName: 'Gina' }), 'EntityAlreadyExists', /User with name Gina already exists/);
    await rejectsWith(
      w.identity.createUser(w.memberRoot, { userName: 'bad/name' }),
      'ValidationException',
      /Value 'bad\/name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern/,
    );
    await rejectsWith(w.identity.createUser(w.memberRoot, { userName: 'x'.repeat(65) }), 'ValidationException', /length less than or equal to 64/);
    await rejectsWith(w.identity.createUser(w.memberRoot, { userName: 'ok', path: 'no-slash' }), 'ValidationException', /at 'path'/);
  });

  it('GetUser without a name: the calling user, the root user, or a validation error for sessions', async () => {
    const w = await world();
    const { User } = await w.identity.createUser(w.memberRoot, { userName: 'hank' });
    await w.identity.putUserPolicy(w.memberRoot, { userName: 'hank', policyName: 'self', policyDocument: allow('iam:GetUser') });
    assert.deepEqual((await w.identity.getUser(userCaller(w.member, 'hank'))).User, User);
    const root = (await w.identity.getUser(w.memberRoot)).User;
    assert.equal(root.UserId, w.member);
    assert.equal(root.Arn, iamRootArn(w.member));
    assert.equal(root.UserName, undefined);
    assert.equal(root.Path, undefined);
    const out = await w.identity.assumeRole(w.mgmtRoot, { roleArn: roleArn(w.member, ORG_ACCESS_ROLE), roleSessionName: 'ss' });
    await rejectsWith(
      w.identity.getUser(await sessionCaller(w.store, out.Credentials.AccessKeyId)),
      'ValidationException',
      /Must specify userName when calling with non-User credentials/,
    );
  });

  it('pages users with Marker and MaxItems (property: the pages concatenate to the full list)', async () => {
    const w = await world();
    const names = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'];
    for (const n of names) await w.identity.createUser(w.memberRoot, { userName: n });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 9 }), async (maxItems) => {
        const seen: string[] = [];
        let marker: string | undefined;
        for (let i = 0; i < 10; i++) {
          const page = await w.identity.listUsers(w.memberRoot, { maxItems, marker });
          seen.push(...page.Users.map((u) => u.UserName ?? ''));
          assert.ok(page.Users.length <= maxItems);
          assert.equal(page.IsTruncated, page.Marker !== undefined);
          if (!page.IsTruncated) break;
          marker = page.Marker;
        }
        assert.deepEqual(seen, names);
      }),
      { numRuns: 15 },
    );
    await rejectsWith(w.identity.listUsers(w.memberRoot, { marker: 'not a marker!' }), 'ValidationException', /Invalid Marker/);
    await rejectsWith(w.identity.listUsers(w.memberRoot, { maxItems: 0 }), 'ValidationException', /at 'maxItems'/);
  });
});

describe('IdentityService inline user policies', () => {
  it('puts, gets (URL-encoded), lists and deletes', async () => {
    const w = await world();
    await w.identity.createUser(w.memberRoot, { userName: 'ivy' });
    const doc = allow(['bedrock:ListGuardrails', 'bedrock:GetGuardrail']);
    await w.identity.putUserPolicy(w.memberRoot, { userName: 'ivy', policyName: 'read', policyDocument: doc });
    const got = await w.identity.getUserPolicy(w.memberRoot, { userName: 'ivy', policyName: 'read' });
    assert.equal(got.UserName, 'ivy');
    assert.equal(got.PolicyName, 'read');
    assert.equal(got.PolicyDocument, encodeURIComponent(doc));
    assert.equal(decodeURIComponent(got.PolicyDocument), doc);
    await w.identity.putUserPolicy(w.memberRoot, { userName: 'ivy', policyName: 'another', policyDocument: allow('bedrock:*') });
    assert.deepEqual((await w.identity.listUserPolicies(w.memberRoot, { userName: 'ivy' })).PolicyNames, ['another', 'read']);
    await w.identity.deleteUserPolicy(w.memberRoot, { userName: 'ivy', policyName: 'another' });
    assert.deepEqual((await w.identity.listUserPolicies(w.memberRoot, { userName: 'ivy' })).PolicyNames, ['read']);
    await rejectsWith(
      w.identity.getUserPolicy(w.memberRoot, { userName: 'ivy', policyName: 'another' }),
      'NoSuchEntity',
      /The user policy with name another cannot be found/,
    );
    await rejectsWith(w.identity.deleteUserPolicy(w.memberRoot, { userName: 'ivy', policyName: 'another' }), 'NoSuchEntity');
    await rejectsWith(
      w.identity.putUserPolicy(w.memberRoot, { userName: 'nobody', policyName: 'p', policyDocument: doc }),
      'NoSuchEntity',
    );
  });

  it('refuses malformed documents with the parser message', async () => {
    const w = await world();
    await w.identity.createUser(w.memberRoot, { userName: 'jack' });
    await rejectsWith(
      w.identity.putUserPolicy(w.memberRoot, {
        userName: 'jack',
        policyName: 'bad',
        policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'bedrock:X', Resource: '*', Principal: '*' }] }),
      }),
      'MalformedPolicyDocument',
      /Principal is not allowed in an identity-based policy/,
    );
    await rejectsWith(
      w.identity.putUserPolicy(w.memberRoot, { userName: 'jack', policyName: 'bad', policyDocument: '{"Statement": [' }),
      'MalformedPolicyDocument',
    );
  });

  it('limits the aggregate inline policy size per user to 2,048 non-whitespace characters', async () => {
    const w = await world();
    await w.identity.createUser(w.memberRoot, { userName: 'kim' });
    const sized = (n: number): string => {
      const base = allow('bedrock:ListGuardrails', 'arn:aws:bedrock:us-east-1:123456789012:guardrail/');
      const pad = n - base.length;
      return allow('bedrock:ListGuardrails', `arn:aws:bedrock:us-east-1:123456789012:guardrail/${'a'.repeat(pad)}`);
    };
    const half = sized(MAX_USER_INLINE_POLICY_CHARS / 2);
    assert.equal(half.length, MAX_USER_INLINE_POLICY_CHARS / 2);
    await w.identity.putUserPolicy(w.memberRoot, { userName: 'kim', policyName: 'a', policyDocument: half });
    await w.identity.putUserPolicy(w.memberRoot, { userName: 'kim', policyName: 'b', policyDocument: half });
    // replacing a policy does not count it twice; whitespace does not count
    await w.identity.putUserPolicy(w.memberRoot, { userName: 'kim', policyName: 'b', policyDocument: `  ${half}\n\n` });
    await rejectsWith(
      w.identity.putUserPolicy(w.memberRoot, { userName: 'kim', policyName: 'c', policyDocument: allow('bedrock:GetGuardrail') }),
      'LimitExceeded',
      /Maximum policy size of 2048 bytes exceeded for user kim/,
    );
  });
});

describe('IdentityService access keys', () => {
  it('creates (secret only once), lists, deactivates and deletes a user key', async () => {
    const w = await world();
    await w.identity.createUser(w.memberRoot, { userName: 'lee' });
    const { AccessKey } = await w.identity.createAccessKey(w.memberRoot, { userName: 'lee' });
    assert.match(AccessKey.AccessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(AccessKey.SecretAccessKey.length, 40);
    assert.equal(AccessKey.UserName, 'lee');
    assert.equal(AccessKey.Status, 'Active');
    const stored = await w.store.accessKeys.get(AccessKey.AccessKeyId);
    assert.equal(stored?.principalArn, `arn:aws:iam::${w.member}:user/lee`);
    assert.equal(stored?.secretAccessKey, AccessKey.SecretAccessKey);

    const listed = await w.identity.listAccessKeys(w.memberRoot, { userName: 'lee' });
    assert.deepEqual(listed.AccessKeyMetadata, [
      { UserName: 'lee', AccessKeyId: AccessKey.AccessKeyId, Status: 'Active', CreateDate: AccessKey.CreateDate },
    ]);
    assert.ok(!JSON.stringify(listed).includes(AccessKey.SecretAccessKey));

    await w.identity.updateAccessKey(w.memberRoot, { userName: 'lee', accessKeyId: AccessKey.AccessKeyId, status: 'Inactive' });
    assert.equal((await w.store.accessKeys.get(AccessKey.AccessKeyId))?.status, 'Inactive');
    await rejectsWith(
      w.identity.updateAccessKey(w.memberRoot, { userName: 'lee', accessKeyId: AccessKey.AccessKeyId, status: 'Disabled' }),
      'ValidationException',
      /Member must satisfy enum value set: \[Active, Inactive\]/,
    );
    await w.identity.deleteAccessKey(w.memberRoot, { userName: 'lee', accessKeyId: AccessKey.AccessKeyId });
    assert.equal(await w.store.accessKeys.get(AccessKey.AccessKeyId), undefined);

    const audit = JSON.stringify(await w.services.audit.list({ accountIds: [w.member], limit: 20 }));
    assert.ok(!audit.includes(AccessKey.SecretAccessKey), 'no secrets in the audit trail');
    assert.ok(audit.includes('iam:CreateAccessKey') && audit.includes('iam:UpdateAccessKey') && audit.includes('iam:DeleteAccessKey'));
  });

  it('allows at most two keys per user', async () => {
    const w = await world();
    await w.identity.createUser(w.memberRoot, { userName: 'max' });
    await w.identity.createAccessKey(w.memberRoot, { userName: 'max' });
    await w.identity.createAccessKey(w.memberRoot, { userName: 'max' });
    await rejectsWith(
      w.identity.createAccessKey(w.memberRoot, { userName: 'max' }),
      'LimitExceeded',
      /Cannot exceed quota for AccessKeysPerUser: 2/,
    );
  });

  it('without UserName: the root user gets a root key; a user manages its own keys', async () => {
    const w = await world();
    const { AccessKey } = await w.identity.createAccessKey(w.memberRoot);
    assert.equal(AccessKey.UserName, undefined);
    assert.equal((await w.store.accessKeys.get(AccessKey.AccessKeyId))?.principalArn, iamRootArn(w.member));
    assert.deepEqual(
      (await w.identity.listAccessKeys(w.memberRoot)).AccessKeyMetadata.map((k) => k.AccessKeyId),
      [AccessKey.AccessKeyId],
    );

    await w.identity.createUser(w.memberRoot, { userName: 'nina' });
    await w.identity.putUserPolicy(w.memberRoot, {
      userName: 'nina',
      policyName: 'own-keys',
      policyDocument: allow(['iam:CreateAccessKey', 'iam:ListAccessKeys'], `arn:aws:iam::${w.member}:user/\${aws:username}`),
    });
    const nina = userCaller(w.member, 'nina');
    const own = (await w.identity.createAccessKey(nina)).AccessKey;
    assert.equal(own.UserName, 'nina');
    assert.deepEqual((await w.identity.listAccessKeys(nina)).AccessKeyMetadata.map((k) => k.AccessKeyId), [own.AccessKeyId]);
    await rejectsWith(w.identity.createUser(nina, { userName: 'sneaky' }), 'AccessDeniedException', /iam:CreateUser/);
  });

  it('keys of another user or another account are NoSuchEntity', async () => {
    const w = await world();
    await w.identity.createUser(w.memberRoot, { userName: 'olga' });
    await w.identity.createUser(w.memberRoot, { userName: 'pete' });
    const olgas = (await w.identity.createAccessKey(w.memberRoot, { userName: 'olga' })).AccessKey;
    await rejectsWith(
      w.identity.deleteAccessKey(w.memberRoot, { userName: 'pete', accessKeyId: olgas.AccessKeyId }),
      'NoSuchEntity',
      new RegExp(`The Access Key with id ${olgas.AccessKeyId} cannot be found`),
    );
    await rejectsWith(w.identity.deleteAccessKey(w.memberRoot, { accessKeyId: olgas.AccessKeyId }), 'NoSuchEntity');
    const otherRootKey = await w.services.accounts.createRootKey(w.other);
    await rejectsWith(w.identity.updateAccessKey(w.memberRoot, { accessKeyId: otherRootKey.accessKeyId, status: 'Inactive' }), 'NoSuchEntity');
    await rejectsWith(w.identity.deleteAccessKey(w.memberRoot, { accessKeyId: otherRootKey.accessKeyId }), 'NoSuchEntity');
    assert.equal((await w.store.accessKeys.get(otherRootKey.accessKeyId))?.status, 'Active');
    await rejectsWith(w.identity.deleteAccessKey(w.memberRoot, { accessKeyId: 'AKIANOTAKEYATALL0000' }), 'NoSuchEntity');
  });

  it('DeleteUser with access keys or inline policies is a DeleteConflict', async () => {
    const w = await world();
    await w.identity.createUser(w.memberRoot, { userName: 'quinn' });
    const key = (await w.identity.createAccessKey(w.memberRoot, { userName: 'quinn' })).AccessKey;
    await w.identity.putUserPolicy(w.memberRoot, { userName: 'quinn', policyName: 'p', policyDocument: allow('bedrock:ListGuardrails') });
    await rejectsWith(w.identity.deleteUser(w.memberRoot, { userName: 'quinn' }), 'DeleteConflict', /must delete access keys first/);
    await w.identity.deleteAccessKey(w.memberRoot, { userName: 'quinn', accessKeyId: key.AccessKeyId });
    await rejectsWith(w.identity.deleteUser(w.memberRoot, { userName: 'quinn' }), 'DeleteConflict', /must delete policies first/);
    await w.identity.deleteUserPolicy(w.memberRoot, { userName: 'quinn', policyName: 'p' });
    await w.identity.deleteUser(w.memberRoot, { userName: 'quinn' });
  });
});

describe('IdentityService roles and authorization', () => {
  it('GetRole and ListRoles show the OrganizationAccountAccessRole', async () => {
    const w = await world();
    const { Role } = await w.identity.getRole(w.memberRoot, { roleName: ORG_ACCESS_ROLE });
    assert.equal(Role.Arn, roleArn(w.member, ORG_ACCESS_ROLE));
    assert.equal(Role.Path, '/');
    assert.equal(Role.MaxSessionDuration, 3600);
    assert.match(Role.RoleId, /^AROA/);
    const trust = JSON.parse(decodeURIComponent(Role.AssumeRolePolicyDocument)) as { Statement: Array<{ Principal: { AWS: string } }> };
    assert.equal(trust.Statement[0]?.Principal.AWS, iamRootArn(MGMT));
    assert.deepEqual((await w.identity.listRoles(w.memberRoot)).Roles.map((r) => r.RoleName), [ORG_ACCESS_ROLE]);
    await rejectsWith(w.identity.getRole(w.memberRoot, { roleName: 'Nope' }), 'NoSuchEntity', /The role with name Nope cannot be found/);
  });

  it('every IAM operation is authorized: a user with only bedrock:ListGuardrails can list guardrails, nothing else', async () => {
    const w = await world();
    await w.identity.createUser(w.memberRoot, { userName: 'reader' });
    await w.identity.putUserPolicy(w.memberRoot, { userName: 'reader', policyName: 'list', policyDocument: allow('bedrock:ListGuardrails') });
    const reader = userCaller(w.member, 'reader');
    await rejectsWith(w.identity.listUsers(reader), 'AccessDeniedException', /iam:ListUsers/);
    await rejectsWith(w.identity.getUser(reader, { userName: 'reader' }), 'AccessDeniedException', /iam:GetUser/);
    await rejectsWith(w.identity.createAccessKey(reader), 'AccessDeniedException', /iam:CreateAccessKey/);
    await rejectsWith(w.identity.getRole(reader, { roleName: ORG_ACCESS_ROLE }), 'AccessDeniedException', /iam:GetRole/);
    // unknown users are denied before they are looked up: no probing for names
    await rejectsWith(w.identity.deleteUser(reader, { userName: 'ghost' }), 'AccessDeniedException');

    await w.services.guardrails.create(w.memberRoot, { name: 'member-guardrail', blockedInputMessaging: 'no', blockedOutputsMessaging: 'no' });
    const listed = (await w.services.guardrails.list(reader, {})) as { guardrails: Array<{ name: string }> };
    assert.deepEqual(listed.guardrails.map((g) => g.name), ['member-guardrail']);
    await rejectsWith(
      w.services.guardrails.create(reader, { name: 'nope', blockedInputMessaging: 'no', blockedOutputsMessaging: 'no' }),
      'AccessDeniedException',
      /bedrock:CreateGuardrail/,
    );
  });

  it('an assumed OrganizationAccountAccessRole session administers the member account', async () => {
    const w = await world();
    const out = await w.identity.assumeRole(w.mgmtRoot, { roleArn: roleArn(w.member, ORG_ACCESS_ROLE), roleSessionName: 'admin' });
    const admin = await sessionCaller(w.store, out.Credentials.AccessKeyId);
    const { User } = await w.identity.createUser(admin, { userName: 'made-by-session' });
    assert.equal(User.Arn, `arn:aws:iam::${w.member}:user/made-by-session`);
    await rejectsWith(w.identity.createAccessKey(admin), 'ValidationException', /Must specify userName/);
    const [audit] = await w.services.audit.list({ action: 'iam:CreateUser', limit: 1 });
    assert.equal(audit?.principalArn, out.AssumedRoleUser.Arn);
    assert.equal(audit?.accountId, w.member);
  });
});
