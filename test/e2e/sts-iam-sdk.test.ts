/**
 * STS and IAM end to end through the official, unmodified `@aws-sdk/client-sts` and `@aws-sdk/client-iam`
 * (awsQuery): the management root assumes a member's OrganizationAccountAccessRole and the session
 * credentials work with the bedrock client; IAM users with narrow policies; token tampering and expiry.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BedrockClient, CreateGuardrailCommand, ListGuardrailsCommand } from '@aws-sdk/client-bedrock';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListRolesCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, type AssumeRoleCommandInput, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ORG_ACCESS_ROLE, roleArn } from '../../src/control/accounts.ts';
import { IdentityService } from '../../src/control/identity.ts';
import type { Services } from '../../src/control/services.ts';
import { iamRootArn } from '../../src/core/arn.ts';
import type { Caller } from '../../src/core/caller.ts';
import { systemClock } from '../../src/core/ports.ts';
import { createServices } from '../../src/server/serve.ts';
import { type AwsCreds, startTestServer, type TestServer } from '../helpers/server.ts';

async function rejects(p: Promise<unknown>, name: string, status: number, messagePart?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
    assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
    assert.equal(err.$metadata?.httpStatusCode, status);
    if (messagePart) assert.match(err.message, messagePart);
    return true;
  });
}

const guardrail = (name: string) => ({ name, blockedInputMessaging: 'Blocked.', blockedOutputsMessaging: 'Blocked.' });
const allow = (action: string | string[], resource = '*'): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });

describe('STS and IAM through @aws-sdk/client-sts and @aws-sdk/client-iam', () => {
  let t: TestServer;
  /** The server's own Services are not exposed: these share its store (accounts, keys, sessions live there). */
  let services: Services;
  let member: string;
  let memberRoot: AwsCreds;
  let session: AwsCreds;
  let assumedArn: string;

  before(async () => {
    t = await startTestServer();
    services = createServices(t.server.store, systemClock);
    member = (await services.accounts.createAccount({ name: 'member', managementAccountId: t.accountId })).accountId;
    const key = await services.accounts.createRootKey(member);
    memberRoot = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
    await t.client(BedrockClient, memberRoot).send(new CreateGuardrailCommand(guardrail('member-guardrail')));
    await t.client(BedrockClient).send(new CreateGuardrailCommand(guardrail('management-guardrail')));
  });
  after(async () => t.stop());

  it('GetCallerIdentity of the management root', async () => {
    const id = await t.client(STSClient).send(new GetCallerIdentityCommand({}));
    assert.equal(id.Account, t.accountId);
    assert.equal(id.UserId, t.accountId);
    assert.equal(id.Arn, iamRootArn(t.accountId));
    assert.ok(id.$metadata.requestId);
  });

  it('the management root assumes the member OrganizationAccountAccessRole', async () => {
    const out = await t.client(STSClient).send(
      new AssumeRoleCommand({ RoleArn: roleArn(member, ORG_ACCESS_ROLE), RoleSessionName: 'ops-admin', DurationSeconds: 1800 }),
    );
    const c = out.Credentials;
    assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken && c.Expiration);
    assert.match(c.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(c.SecretAccessKey.length, 40);
    assert.ok(c.SessionToken.length >= 200);
    assert.ok(c.Expiration instanceof Date);
    const ttl = c.Expiration.getTime() - Date.now();
    assert.ok(ttl > 1700_000 && ttl <= 1800_000, `expires in about 30 minutes (${ttl} ms)`);
    assumedArn = `arn:aws:sts::${member}:assumed-role/${ORG_ACCESS_ROLE}/ops-admin`;
    assert.equal(out.AssumedRoleUser?.Arn, assumedArn);
    assert.match(out.AssumedRoleUser?.AssumedRoleId ?? '', /^AROA[A-Z2-7]{17}:ops-admin$/);
    session = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };

    const id = await t.client(STSClient, session).send(new GetCallerIdentityCommand({}));
    assert.equal(id.Arn, assumedArn);
    assert.equal(id.Account, member);
    assert.equal(id.UserId, out.AssumedRoleUser?.AssumedRoleId);
  });

  it('the session credentials work with the bedrock client and see the member account', async () => {
    const listed = await t.client(BedrockClient, session).send(new ListGuardrailsCommand({}));
    assert.deepEqual(listed.guardrails?.map((g) => g.name), ['member-guardrail']);
    assert.match(listed.guardrails?.[0]?.arn ?? '', new RegExp(`^arn:aws:bedrock:us-east-1:${member}:guardrail/`));
  });

  it('a missing or tampered session token is refused', async () => {
    const { sessionToken, ...noToken } = session;
    assert.ok(sessionToken);
    const tampered = { ...session, sessionToken: `${sessionToken.slice(0, -4)}${sessionToken.endsWith('AAAA') ? 'BBBB' : 'AAAA'}` };
    await rejects(t.client(STSClient, noToken).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
    await rejects(t.client(STSClient, tampered).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
    await rejects(t.client(BedrockClient, noToken).send(new ListGuardrailsCommand({})), 'UnrecognizedClientException', 403);
    await rejects(t.client(BedrockClient, tampered).send(new ListGuardrailsCommand({})), 'UnrecognizedClientException', 403);
    // a long-term key must not carry a token
    await rejects(
      t.client(STSClient, { ...t.credentials, sessionToken }).send(new GetCallerIdentityCommand({})),
      'InvalidClientTokenId',
      403,
    );
  });

  it('an expired session answers ExpiredToken', async () => {
    // The session is issued by a service whose clock runs two hours behind: it expired 1h45m ago.
    const past = createServices(t.server.store, { now: () => Date.now() - 2 * 3600_000 });
    const mgmtRoot: Caller = {
      accountId: t.accountId,
      principalArn: iamRootArn(t.accountId),
      accessKeyId: t.credentials.accessKeyId,
      region: 'us-east-1',
    };
    const out = await new IdentityService(past).assumeRole(mgmtRoot, {
      roleArn: roleArn(member, ORG_ACCESS_ROLE),
      roleSessionName: 'stale',
      durationSeconds: 900,
    });
    const creds = {
      accessKeyId: out.Credentials.AccessKeyId,
      secretAccessKey: out.Credentials.SecretAccessKey,
      sessionToken: out.Credentials.SessionToken,
    };
    await rejects(t.client(STSClient, creds).send(new GetCallerIdentityCommand({})), 'ExpiredToken', 403, /expired/);
    await rejects(t.client(BedrockClient, creds).send(new ListGuardrailsCommand({})), 'ExpiredTokenException', 403);
  });

  it('a member cannot assume a role of the management account', async () => {
    await services.accounts.createOrgAccessRole(t.accountId, t.accountId);
    const target = roleArn(t.accountId, ORG_ACCESS_ROLE);
    await rejects(
      t.client(STSClient, memberRoot).send(new AssumeRoleCommand({ RoleArn: target, RoleSessionName: 'escalate' })),
      'AccessDenied',
      403,
      new RegExp(`User: arn:aws:iam::${member}:root is not authorized to perform: sts:AssumeRole on resource: ${target}`),
    );
    await rejects(
      t.client(STSClient, session).send(new AssumeRoleCommand({ RoleArn: target, RoleSessionName: 'escalate' })),
      'AccessDenied',
      403,
    );
  });

  it('AssumeRole validates its parameters as STS does', async () => {
    const sts = t.client(STSClient);
    const arn = roleArn(member, ORG_ACCESS_ROLE);
    await rejects(
      sts.send(new AssumeRoleCommand({ RoleArn: arn } as AssumeRoleCommandInput)),
      'ValidationError',
      400,
      /Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null/,
    );
    await rejects(
      sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'bad name' })),
      'ValidationError',
      400,
      /at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern/,
    );
    await rejects(
      sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'ok', DurationSeconds: 60 })),
      'ValidationError',
      400,
      /greater than or equal to 900/,
    );
    await rejects(
      sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'ok', DurationSeconds: 7200 })),
      'ValidationError',
      400,
      /MaxSessionDuration/,
    );
    await rejects(
      sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'ok', Policy: allow('bedrock:*') })),
      'ValidationError',
      400,
      /Session policies \(Policy, PolicyArns\) are not supported/,
    );
    await rejects(
      sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'ok', PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] })),
      'ValidationError',
      400,
      /not supported/,
    );
    await rejects(
      sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'ok', Tags: [{ Key: 'team', Value: 'ml' }] })),
      'ValidationError',
      400,
      /Tags is not supported/,
    );
  });

  it('IAM users, inline policies and access keys through the member admin session', async () => {
    const iam = t.client(IAMClient, session);
    const created = await iam.send(new CreateUserCommand({ UserName: 'reader', Path: '/apps/' }));
    assert.equal(created.User?.UserName, 'reader');
    assert.equal(created.User?.Path, '/apps/');
    assert.equal(created.User?.Arn, `arn:aws:iam::${member}:user/apps/reader`);
    assert.match(created.User?.UserId ?? '', /^AIDA[A-Z2-7]{17}$/);
    assert.ok(created.User?.CreateDate instanceof Date);
    await rejects(iam.send(new CreateUserCommand({ UserName: 'READER' })), 'EntityAlreadyExistsException', 409, /already exists/);
    await rejects(iam.send(new CreateUserCommand({ UserName: 'bad name' })), 'ValidationError', 400, /at 'userName'/);

    const got = await iam.send(new GetUserCommand({ UserName: 'reader' }));
    assert.deepEqual(got.User, created.User);
    await rejects(iam.send(new GetUserCommand({ UserName: 'ghost' })), 'NoSuchEntityException', 404, /ghost cannot be found/);
    await rejects(iam.send(new GetUserCommand({})), 'ValidationError', 400, /Must specify userName/);

    const users = await iam.send(new ListUsersCommand({}));
    assert.deepEqual(users.Users?.map((u) => u.UserName), ['reader']);
    assert.equal(users.IsTruncated, false);
    assert.deepEqual((await t.client(IAMClient).send(new ListUsersCommand({}))).Users ?? [], [], 'users are per account');

    const doc = allow('bedrock:ListGuardrails');
    await iam.send(new PutUserPolicyCommand({ UserName: 'reader', PolicyName: 'list-only', PolicyDocument: doc }));
    const policy = await iam.send(new GetUserPolicyCommand({ UserName: 'reader', PolicyName: 'list-only' }));
    assert.equal(decodeURIComponent(policy.PolicyDocument ?? ''), doc);
    assert.deepEqual((await iam.send(new ListUserPoliciesCommand({ UserName: 'reader' }))).PolicyNames, ['list-only']);
    await rejects(
      iam.send(new PutUserPolicyCommand({ UserName: 'reader', PolicyName: 'broken', PolicyDocument: '{"Statement":[{"Effect":"Maybe"}]}' })),
      'MalformedPolicyDocumentException',
      400,
      /Effect must be "Allow" or "Deny"/,
    );
    await rejects(
      iam.send(
        new PutUserPolicyCommand({
          UserName: 'reader',
          PolicyName: 'huge',
          PolicyDocument: allow('bedrock:ListGuardrails', `arn:aws:bedrock:us-east-1:${member}:guardrail/${'x'.repeat(2100)}`),
        }),
      ),
      'LimitExceededException',
      409,
      /Maximum policy size of 2048 bytes exceeded for user reader/,
    );

    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'reader' }));
    assert.ok(AccessKey?.AccessKeyId && AccessKey.SecretAccessKey);
    assert.equal(AccessKey.UserName, 'reader');
    assert.equal(AccessKey.Status, 'Active');
    const keys = await iam.send(new ListAccessKeysCommand({ UserName: 'reader' }));
    assert.deepEqual(keys.AccessKeyMetadata?.map((k) => [k.UserName, k.AccessKeyId, k.Status]), [['reader', AccessKey.AccessKeyId, 'Active']]);
    await rejects(iam.send(new DeleteUserCommand({ UserName: 'reader' })), 'DeleteConflictException', 409, /access keys/);

    // The reader: bedrock:ListGuardrails only.
    const reader = { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
    const readerId = await t.client(STSClient, reader).send(new GetCallerIdentityCommand({}));
    assert.equal(readerId.Arn, `arn:aws:iam::${member}:user/apps/reader`);
    assert.equal(readerId.UserId, created.User?.UserId);
    const listed = await t.client(BedrockClient, reader).send(new ListGuardrailsCommand({}));
    assert.deepEqual(listed.guardrails?.map((g) => g.name), ['member-guardrail']);
    await rejects(
      t.client(BedrockClient, reader).send(new CreateGuardrailCommand(guardrail('not-allowed'))),
      'AccessDeniedException',
      403,
      /bedrock:CreateGuardrail/,
    );
    await rejects(
      t.client(IAMClient, reader).send(new CreateUserCommand({ UserName: 'escalated' })),
      'AccessDenied',
      403,
      /is not authorized to perform: iam:CreateUser/,
    );

    // A second key, deactivated before it was ever used, is refused at once.
    const second = (await iam.send(new CreateAccessKeyCommand({ UserName: 'reader' }))).AccessKey;
    assert.ok(second?.AccessKeyId && second.SecretAccessKey);
    await rejects(iam.send(new CreateAccessKeyCommand({ UserName: 'reader' })), 'LimitExceededException', 409, /AccessKeysPerUser: 2/);
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'reader', AccessKeyId: second.AccessKeyId, Status: 'Inactive' }));
    assert.equal(
      (await iam.send(new ListAccessKeysCommand({ UserName: 'reader' }))).AccessKeyMetadata?.find((k) => k.AccessKeyId === second.AccessKeyId)
        ?.Status,
      'Inactive',
    );
    await rejects(
      t.client(STSClient, { accessKeyId: second.AccessKeyId, secretAccessKey: second.SecretAccessKey }).send(new GetCallerIdentityCommand({})),
      'InvalidClientTokenId',
      403,
    );

    // Keys of another account are not found, never revealed.
    await rejects(
      iam.send(new DeleteAccessKeyCommand({ AccessKeyId: t.credentials.accessKeyId, UserName: 'reader' })),
      'NoSuchEntityException',
      404,
    );
    await rejects(
      t.client(IAMClient, memberRoot).send(new UpdateAccessKeyCommand({ AccessKeyId: t.credentials.accessKeyId, Status: 'Inactive' })),
      'NoSuchEntityException',
      404,
    );

    for (const id of [AccessKey.AccessKeyId, second.AccessKeyId])
      await iam.send(new DeleteAccessKeyCommand({ UserName: 'reader', AccessKeyId: id }));
    await rejects(iam.send(new DeleteUserCommand({ UserName: 'reader' })), 'DeleteConflictException', 409, /policies/);
    await iam.send(new DeleteUserPolicyCommand({ UserName: 'reader', PolicyName: 'list-only' }));
    await iam.send(new DeleteUserCommand({ UserName: 'reader' }));
    assert.deepEqual((await iam.send(new ListUsersCommand({}))).Users ?? [], []);
  });

  it('GetUser of the root user, root access keys, and the read-only roles', async () => {
    const iam = t.client(IAMClient, memberRoot);
    const root = await iam.send(new GetUserCommand({}));
    assert.equal(root.User?.UserId, member);
    assert.equal(root.User?.Arn, iamRootArn(member));
    assert.equal(root.User?.UserName, undefined);

    const keys = await iam.send(new ListAccessKeysCommand({}));
    assert.deepEqual(keys.AccessKeyMetadata?.map((k) => k.AccessKeyId), [memberRoot.accessKeyId]);
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({}));
    assert.ok(AccessKey?.AccessKeyId);
    const id = await t
      .client(STSClient, { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey ?? '' })
      .send(new GetCallerIdentityCommand({}));
    assert.equal(id.Arn, iamRootArn(member));
    await iam.send(new DeleteAccessKeyCommand({ AccessKeyId: AccessKey.AccessKeyId }));

    const { Role } = await iam.send(new GetRoleCommand({ RoleName: ORG_ACCESS_ROLE }));
    assert.equal(Role?.Arn, roleArn(member, ORG_ACCESS_ROLE));
    assert.equal(Role?.MaxSessionDuration, 3600);
    assert.ok(Role?.CreateDate instanceof Date);
    const trust = JSON.parse(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? '')) as { Statement: Array<{ Principal: { AWS: string } }> };
    assert.equal(trust.Statement[0]?.Principal.AWS, iamRootArn(t.accountId));
    const roles = await iam.send(new ListRolesCommand({}));
    assert.deepEqual(roles.Roles?.map((r) => r.RoleName), [ORG_ACCESS_ROLE]);
    await rejects(iam.send(new GetRoleCommand({ RoleName: 'Nope' })), 'NoSuchEntityException', 404);
  });
});
