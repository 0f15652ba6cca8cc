import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { iamRootArn } from '../core/arn.ts';
import type { Caller } from '../core/caller.ts';
import { ServiceError } from '../core/errors.ts';
import { ACCOUNT_ARN_RE, ORG_ARN_RE, OU_ARN_RE, POLICY_ARN_RE, ROOT_ARN_RE } from '../core/org-ids.ts';
import { createServices } from '../server/serve.ts';
import { createAesGcmCipher } from '../store/crypto.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import type { Services } from './services.ts';
import { MAX_OU_DEPTH, MAX_POLICIES_PER_TARGET, type OrganizationService, type OrgRequestContext } from './organizations.ts';

const MGMT = '111111111111';
const OUTSIDER = '999999999999';
const cipher = createAesGcmCipher(randomBytes(32));

interface Env {
  s: Services;
  orgs: OrganizationService;
  ctx(accountId: string, principalArn?: string, region?: string): OrgRequestContext;
  mgmt: OrgRequestContext;
  close(): Promise<void>;
}

async function env(): Promise<Env> {
  const store = await openSqliteStore({ filename: ':memory:', cipher });
  let t = Date.parse('2026-05-01T00:00:00.000Z');
  const s = createServices(store, { now: () => (t += 1000) });
  for (const [accountId, name, role] of [
    [MGMT, 'management', 'management'],
    [OUTSIDER, 'outsider', 'member'],
  ] as const)
    await store.accounts.create({ accountId, name, role, createdAt: '2026-01-01T00:00:00.000Z' });
  const ctx = (accountId: string, principalArn = iamRootArn(accountId), region = 'us-east-1'): OrgRequestContext => {
    const caller: Caller = { accountId, principalArn, accessKeyId: 'AKIATESTTESTTESTTEST', region };
    return { caller, requestId: `req-${accountId}` };
  };
  return { s, orgs: s.organizations, ctx, mgmt: ctx(MGMT), close: () => store.close() };
}

async function rejects(p: Promise<unknown>, code: string, opts: { reason?: string; message?: RegExp } = {}) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ServiceError, `expected a ServiceError, got ${String(e)}`);
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    if (opts.reason) assert.equal(e.members.Reason, opts.reason, e.message);
    if (opts.message) assert.match(e.message, opts.message);
    return true;
  });
}

/** An organization with BEDROCK_POLICY enabled, one member account, and a helper to publish guardrails. */
async function withOrg(e: Env) {
  const { Organization } = await e.orgs.createOrganization(e.mgmt, {});
  const rootId = (await e.orgs.listRoots(e.mgmt)).Roots[0]?.Id as string;
  const created = await e.orgs.createAccount(e.mgmt, { Email: 'dev@example.com', AccountName: 'dev' });
  const member = created.CreateAccountStatus.AccountId as string;
  return { org: Organization, rootId, member };
}

async function publishGuardrail(e: Env, region = 'us-east-1', accountId = MGMT) {
  const c = e.ctx(accountId, iamRootArn(accountId), region);
  const g = await e.s.guardrails.create(c.caller, {
    name: `g-${Math.random().toString(36).slice(2, 10)}`,
    blockedInputMessaging: 'Blocked.',
    blockedOutputsMessaging: 'Blocked.',
  });
  await e.s.guardrails.createVersion(c.caller, g.guardrailId, {});
  return { id: g.guardrailId, arn: g.guardrailArn };
}

function bedrockPolicy(region: string, configs: Record<string, string | Record<string, unknown>>): string {
  const inner: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(configs))
    inner[name] = typeof v === 'string' ? { identifier: { '@@assign': v } } : v;
  return JSON.stringify({ bedrock: { guardrail_inference: { [region]: inner } } });
}

describe('OrganizationService: organization', () => {
  it('creates an organization in AWS formats, with the caller as management account, and audits it', async () => {
    const e = await env();
    try {
      const { Organization: o } = await e.orgs.createOrganization(e.mgmt, { FeatureSet: 'ALL' });
      assert.match(o.Id, /^o-[a-z0-9]{10}$/);
      assert.match(o.Arn, ORG_ARN_RE);
      assert.equal(o.Arn, `arn:aws:organizations::${MGMT}:organization/${o.Id}`);
      assert.equal(o.FeatureSet, 'ALL');
      assert.equal(o.MasterAccountId, MGMT);
      assert.equal(o.MasterAccountArn, `arn:aws:organizations::${MGMT}:account/${o.Id}/${MGMT}`);
      assert.deepEqual(o.AvailablePolicyTypes, []);
      const audit = await e.s.audit.list({ limit: 10, action: 'organizations:CreateOrganization' });
      assert.equal(audit.length, 1);
      assert.equal(audit[0]?.accountId, MGMT);
      assert.equal(audit[0]?.requestId, e.mgmt.requestId);
      assert.equal(audit[0]?.resourceArn, o.Arn);
      assert.deepEqual((await e.orgs.describeOrganization(e.mgmt)).Organization, o);
    } finally {
      await e.close();
    }
  });

  it('refuses a second organization, CONSOLIDATED_BILLING and bad enums', async () => {
    const e = await env();
    try {
      await rejects(e.orgs.createOrganization(e.mgmt, { FeatureSet: 'CONSOLIDATED_BILLING' }), 'InvalidInputException', {
        reason: 'INVALID_ENUM',
        message: /only FeatureSet ALL/,
      });
      await rejects(e.orgs.createOrganization(e.mgmt, { FeatureSet: 'SOME' }), 'InvalidInputException', { reason: 'INVALID_ENUM' });
      await rejects(e.orgs.createOrganization(e.mgmt, { FeatureSet: 7 } as never), 'SerializationException');
      await e.orgs.createOrganization(e.mgmt);
      await rejects(e.orgs.createOrganization(e.mgmt), 'AlreadyInOrganizationException');
    } finally {
      await e.close();
    }
  });

  it('a member account cannot create its own organization', async () => {
    const e = await env();
    try {
      const { member } = await withOrg(e);
      await rejects(e.orgs.createOrganization(e.ctx(member)), 'AlreadyInOrganizationException');
    } finally {
      await e.close();
    }
  });

  it('any member may describe the organization; an account in none gets AWSOrganizationsNotInUseException', async () => {
    const e = await env();
    try {
      const { org, member } = await withOrg(e);
      assert.equal((await e.orgs.describeOrganization(e.ctx(member))).Organization.Id, org.Id);
      await rejects(e.orgs.describeOrganization(e.ctx(OUTSIDER)), 'AWSOrganizationsNotInUseException');
    } finally {
      await e.close();
    }
  });

  it('deletes the organization only once it has no other member', async () => {
    const e = await env();
    try {
      const { member } = await withOrg(e);
      await e.orgs.createOrganizationalUnit(e.mgmt, { ParentId: (await e.orgs.listRoots(e.mgmt)).Roots[0]?.Id as string, Name: 'x' });
      await rejects(e.orgs.deleteOrganization(e.mgmt), 'OrganizationNotEmptyException');
      await rejects(e.orgs.deleteOrganization(e.ctx(member)), 'AccessDeniedException');
      await e.orgs.removeAccountFromOrganization(e.mgmt, { AccountId: member });
      assert.deepEqual(await e.orgs.deleteOrganization(e.mgmt), {});
      await rejects(e.orgs.describeOrganization(e.mgmt), 'AWSOrganizationsNotInUseException');
      // the management account is free to create a new one
      await e.orgs.createOrganization(e.mgmt);
      assert.equal((await e.s.audit.list({ limit: 10, action: 'organizations:DeleteOrganization' })).length, 1);
    } finally {
      await e.close();
    }
  });

  it('lists the root with its enabled policy types', async () => {
    const e = await env();
    try {
      const { org, rootId } = await withOrg(e);
      const root = (await e.orgs.listRoots(e.mgmt)).Roots[0];
      assert.ok(root);
      assert.match(root.Id, /^r-[a-z0-9]{4}$/);
      assert.equal(root.Arn, `arn:aws:organizations::${MGMT}:root/${org.Id}/${rootId}`);
      assert.match(root.Arn, ROOT_ARN_RE);
      assert.equal(root.Name, 'Root');
      assert.deepEqual(root.PolicyTypes, []);
      await e.orgs.enablePolicyType(e.mgmt, { RootId: rootId, PolicyType: 'BEDROCK_POLICY' });
      assert.deepEqual((await e.orgs.listRoots(e.mgmt)).Roots[0]?.PolicyTypes, [{ Type: 'BEDROCK_POLICY', Status: 'ENABLED' }]);
      assert.deepEqual((await e.orgs.describeOrganization(e.mgmt)).Organization.AvailablePolicyTypes, [
        { Type: 'BEDROCK_POLICY', Status: 'ENABLED' },
      ]);
    } finally {
      await e.close();
    }
  });
});

describe('OrganizationService: organizational units', () => {
  it('creates, renames, describes, lists and deletes OUs', async () => {
    const e = await env();
    try {
      const { org, rootId } = await withOrg(e);
      const { OrganizationalUnit: ou } = await e.orgs.createOrganizationalUnit(e.mgmt, { ParentId: rootId, Name: 'Prod' });
      assert.match(ou.Id, new RegExp(`^ou-${rootId.slice(2)}-[a-z0-9]{8}$`));
      assert.equal(ou.Arn, `arn:aws:organizations::${MGMT}:ou/${org.Id}/${ou.Id}`);
      assert.match(ou.Arn, OU_ARN_RE);
      assert.equal(ou.Name, 'Prod');
      await rejects(
        e.orgs.createOrganizationalUnit(e.mgmt, { ParentId: rootId, Name: 'Prod' }),
        'DuplicateOrganizationalUnitException',
      );
      const renamed = await e.orgs.updateOrganizationalUnit(e.mgmt, { OrganizationalUnitId: ou.Id, Name: 'Production' });
      assert.equal(renamed.OrganizationalUnit.Name, 'Production');
      assert.equal((await e.orgs.describeOrganizationalUnit(e.mgmt, { OrganizationalUnitId: ou.Id })).OrganizationalUnit.Name, 'Production');
      // Name omitted: nothing changes
      assert.equal((await e.orgs.updateOrganizationalUnit(e.mgmt, { OrganizationalUnitId: ou.Id })).OrganizationalUnit.Name, 'Production');
      const child = (await e.orgs.createOrganizationalUnit(e.mgmt, { ParentId: ou.Id, Name: 'Team' })).OrganizationalUnit;
      assert.deepEqual(
        (await e.orgs.listOrganizationalUnitsForParent(e.mgmt, { ParentId: rootId })).OrganizationalUnits.map((o) => o.Id),
        [ou.Id],
      );
      assert.deepEqual((await e.orgs.listParents(e.mgmt, { ChildId: child.Id })).Parents, [{ Id: ou.Id, Type: 'ORGANIZATIONAL_UNIT' }]);
      assert.deepEqual((await e.orgs.listParents(e.mgmt, { ChildId: ou.Id })).Parents, [{ Id: rootId, Type: 'ROOT' }]);
      assert.deepEqual((await e.orgs.listChildren(e.mgmt, { ParentId: ou.Id, ChildType: 'ORGANIZATIONAL_UNIT' })).Children, [
        { Id: child.Id, Type: 'ORGANIZATIONAL_UNIT' },
      ]);
      await rejects(e.orgs.deleteOrganizationalUnit(e.mgmt, { OrganizationalUnitId: ou.Id }), 'OrganizationalUnitNotEmptyException');
      await e.orgs.deleteOrganizationalUnit(e.mgmt, { OrganizationalUnitId: child.Id });
      await e.orgs.deleteOrganizationalUnit(e.mgmt, { OrganizationalUnitId: ou.Id });
      await rejects(e.orgs.describeOrganizationalUnit(e.mgmt, { OrganizationalUnitId: ou.Id }), 'OrganizationalUnitNotFoundException');
      await rejects(e.orgs.updateOrganizationalUnit(e.mgmt, { OrganizationalUnitId: ou.Id, Name: 'x' }), 'OrganizationalUnitNotFoundException');
      await rejects(e.orgs.deleteOrganizationalUnit(e.mgmt, { OrganizationalUnitId: ou.Id }), 'OrganizationalUnitNotFoundException');
      const actions = (await e.s.audit.list({ limit: 50 })).map((a) => a.action);
      for (const a of ['CreateOrganizationalUnit', 'UpdateOrganizationalUnit', 'DeleteOrganizationalUnit'])
        assert.ok(actions.includes(`organizations:${a}`), a);
    } finally {
      await e.close();
    }
  });

  it('nests at most five levels deep', async () => {
    const e = await env();
    try {
      const { rootId } = await withOrg(e);
      let parent = rootId;
      for (let level = 1; level <= MAX_OU_DEPTH; level++)
        parent = (await e.orgs.createOrganizationalUnit(e.mgmt, { ParentId: parent, Name: `L${level}` })).OrganizationalUnit.Id;
      await rejects(e.orgs.createOrganizationalUnit(e.mgmt, { ParentId: parent, Name: 'too deep' }), 'ConstraintViolationException', {
        reason: 'OU_DEPTH_LIMIT_EXCEEDED',
      });
    } finally {
      await e.close();
    }
  });

  it('checks input with InvalidInputException reasons and reports unknown parents', async () => {
    const e = await env();
    try {
      const { rootId } = await withOrg(e);
      await rejects(e.orgs.createOrganizationalUnit(e.mgmt, { ParentId: 'bad', Name: 'x' }), 'InvalidInputException', {
        reason: 'INVALID_PATTERN',
        message: /ParentId "bad"/,
      });
      await rejects(e.orgs.createOrganizationalUnit(e.mgmt, { ParentId: rootId } as never), 'InvalidInputException', {
        reason: 'INPUT_REQUIRED',
      });
      await rejects(e.orgs.createOrganizationalUnit(e.mgmt, { ParentId: rootId, Name: 'x'.repeat(129) }), 'InvalidInputException', {
        reason: 'MAX_LENGTH_EXCEEDED',
      });
      await rejects(e.orgs.createOrganizationalUnit(e.mgmt, { ParentId: rootId, Name: '' }), 'InvalidInputException', {
        reason: 'INPUT_REQUIRED',
      });
      await rejects(
        e.orgs.createOrganizationalUnit(e.mgmt, { ParentId: rootId, Name: 'x', Tags: [{ Key: 'a', Value: 'b' }] }),
        'InvalidInputException',
        { message: /tags/ },
      );
      await rejects(e.orgs.createOrganizationalUnit(e.mgmt, { ParentId: 'r-zzzz', Name: 'x' }), 'ParentNotFoundException');
      await rejects(e.orgs.createOrganizationalUnit(e.mgmt, { ParentId: 'ou-zzzz-zzzzzzzz', Name: 'x' }), 'ParentNotFoundException');
      await rejects(e.orgs.listOrganizationalUnitsForParent(e.mgmt, { ParentId: 'r-zzzz' }), 'ParentNotFoundException');
      await rejects(e.orgs.listChildren(e.mgmt, { ParentId: 'r-zzzz', ChildType: 'ACCOUNT' }), 'ParentNotFoundException');
      await rejects(e.orgs.listChildren(e.mgmt, { ParentId: rootId, ChildType: 'USER' }), 'InvalidInputException', { reason: 'INVALID_ENUM' });
      await rejects(e.orgs.listParents(e.mgmt, { ChildId: OUTSIDER }), 'ChildNotFoundException');
      await rejects(e.orgs.listParents(e.mgmt, { ChildId: 'ou-zzzz-zzzzzzzz' }), 'ChildNotFoundException');
      await rejects(e.orgs.describeOrganizationalUnit(e.mgmt, { OrganizationalUnitId: rootId }), 'InvalidInputException', {
        reason: 'INVALID_PATTERN',
      });
      await rejects(e.orgs.createOrganizationalUnit(e.mgmt, 'x' as never), 'SerializationException');
    } finally {
      await e.close();
    }
  });

  it('pages with MaxResults 1..20 and an opaque NextToken bound to the request', async () => {
    const e = await env();
    try {
      const { rootId } = await withOrg(e);
      const names = ['a', 'b', 'c', 'd', 'e'];
      for (const Name of names) await e.orgs.createOrganizationalUnit(e.mgmt, { ParentId: rootId, Name });
      const seen: string[] = [];
      let NextToken: string | undefined;
      let pages = 0;
      do {
        const out = await e.orgs.listOrganizationalUnitsForParent(e.mgmt, { ParentId: rootId, MaxResults: 2, ...(NextToken ? { NextToken } : {}) });
        seen.push(...out.OrganizationalUnits.map((o) => o.Name));
        NextToken = out.NextToken;
        pages++;
      } while (NextToken);
      assert.deepEqual(seen, names);
      assert.equal(pages, 3);
      const first = await e.orgs.listOrganizationalUnitsForParent(e.mgmt, { ParentId: rootId, MaxResults: 1 });
      assert.ok(first.NextToken);
      await rejects(e.orgs.listAccounts(e.mgmt, { NextToken: first.NextToken }), 'InvalidInputException', { reason: 'INVALID_NEXT_TOKEN' });
      await rejects(e.orgs.listAccounts(e.mgmt, { NextToken: 'not a token!' }), 'InvalidInputException', { reason: 'INVALID_NEXT_TOKEN' });
      await rejects(e.orgs.listAccounts(e.mgmt, { NextToken: Buffer.from('[1,2').toString('base64url') }), 'InvalidInputException', {
        reason: 'INVALID_NEXT_TOKEN',
      });
      await rejects(e.orgs.listAccounts(e.mgmt, { MaxResults: 0 }), 'InvalidInputException', { reason: 'MIN_VALUE_EXCEEDED' });
      await rejects(e.orgs.listAccounts(e.mgmt, { MaxResults: 21 }), 'InvalidInputException', { reason: 'MAX_VALUE_EXCEEDED' });
      await rejects(e.orgs.listAccounts(e.mgmt, { MaxResults: 1.5 }), 'SerializationException');
    } finally {
      await e.close();
    }
  });
});

describe('OrganizationService: accounts', () => {
  it('creates an account synchronously with its OrganizationAccountAccessRole', async () => {
    const e = await env();
    try {
      const { org, rootId } = await withOrg(e);
      const { CreateAccountStatus: s } = await e.orgs.createAccount(e.mgmt, {
        Email: 'team@example.com',
        AccountName: 'team',
        RoleName: 'OrganizationAccountAccessRole',
        IamUserAccessToBilling: 'DENY',
      });
      assert.equal(s.State, 'SUCCEEDED');
      assert.match(s.Id, /^car-[a-z0-9]{32}$/);
      assert.match(s.AccountId ?? '', /^\d{12}$/);
      assert.equal(s.AccountName, 'team');
      assert.equal(typeof s.RequestedTimestamp, 'number');
      assert.equal(typeof s.CompletedTimestamp, 'number');
      const id = s.AccountId as string;
      const role = await e.s.store.principals.get(`arn:aws:iam::${id}:role/OrganizationAccountAccessRole`);
      assert.match(role?.trustPolicy ?? '', new RegExp(`arn:aws:iam::${MGMT}:root`));
      assert.deepEqual((await e.orgs.describeCreateAccountStatus(e.mgmt, { CreateAccountRequestId: s.Id })).CreateAccountStatus, s);
      const { Account: a } = await e.orgs.describeAccount(e.mgmt, { AccountId: id });
      assert.equal(a.Arn, `arn:aws:organizations::${MGMT}:account/${org.Id}/${id}`);
      assert.match(a.Arn, ACCOUNT_ARN_RE);
      assert.equal(a.Email, 'team@example.com');
      assert.equal(a.Name, 'team');
      assert.equal(a.Status, 'ACTIVE');
      assert.equal(a.State, 'ACTIVE');
      assert.equal(a.JoinedMethod, 'CREATED');
      assert.ok(Number.isFinite(a.JoinedTimestamp) && a.JoinedTimestamp > 1.7e9 && a.JoinedTimestamp < 2e9, 'epoch seconds');
      assert.deepEqual((await e.orgs.listParents(e.mgmt, { ChildId: id })).Parents, [{ Id: rootId, Type: 'ROOT' }]);
    } finally {
      await e.close();
    }
  });

  it('reports a taken email as a FAILED status with EMAIL_ALREADY_EXISTS, and lists statuses by state', async () => {
    const e = await env();
    try {
      await withOrg(e);
      const { CreateAccountStatus: failed } = await e.orgs.createAccount(e.mgmt, { Email: 'DEV@example.com', AccountName: 'again' });
      assert.equal(failed.State, 'FAILED');
      assert.equal(failed.FailureReason, 'EMAIL_ALREADY_EXISTS');
      assert.equal(failed.AccountId, undefined);
      const all = (await e.orgs.listCreateAccountStatus(e.mgmt)).CreateAccountStatuses;
      assert.equal(all.length, 2);
      assert.equal(all[0]?.Id, failed.Id, 'newest first');
      const onlyFailed = (await e.orgs.listCreateAccountStatus(e.mgmt, { States: ['FAILED'] })).CreateAccountStatuses;
      assert.deepEqual(onlyFailed.map((s) => s.Id), [failed.Id]);
      await rejects(e.orgs.listCreateAccountStatus(e.mgmt, { States: ['DONE'] }), 'InvalidInputException', { reason: 'INVALID_LIST_MEMBER' });
      const audit = await e.s.audit.list({ limit: 5, action: 'organizations:CreateAccount' });
      assert.equal(audit[0]?.outcome, 'Failed');
    } finally {
      await e.close();
    }
  });

  it('validates CreateAccount input', async () => {
    const e = await env();
    try {
      await withOrg(e);
      await rejects(e.orgs.createAccount(e.mgmt, { Email: 'not-an-email', AccountName: 'x' }), 'InvalidInputException', {
        reason: 'INVALID_PATTERN',
      });
      await rejects(e.orgs.createAccount(e.mgmt, { Email: 'a@b.c', AccountName: 'x' }), 'InvalidInputException', {
        reason: 'MIN_LENGTH_EXCEEDED',
      });
      await rejects(e.orgs.createAccount(e.mgmt, { Email: 'x@example.com', AccountName: 'n'.repeat(51) }), 'InvalidInputException', {
        reason: 'MAX_LENGTH_EXCEEDED',
      });
      await rejects(e.orgs.createAccount(e.mgmt, { Email: 'x@example.com', AccountName: 'caf\u00e9' }), 'InvalidInputException', {
        reason: 'INVALID_PATTERN',
      });
      await rejects(e.orgs.createAccount(e.mgmt, { Email: 'x@example.com' } as never), 'InvalidInputException', { reason: 'INPUT_REQUIRED' });
      await rejects(e.orgs.createAccount(e.mgmt, { Email: 'x@example.com', AccountName: 'x', RoleName: 'Admin' }), 'InvalidInputException', {
        reason: 'INVALID_ROLE_NAME',
      });
      await rejects(e.orgs.createAccount(e.mgmt, { Email: 'x@example.com', AccountName: 'x', IamUserAccessToBilling: 'MAYBE' }), 'InvalidInputException', {
        reason: 'INVALID_ENUM',
      });
      await rejects(
        e.orgs.describeCreateAccountStatus(e.mgmt, { CreateAccountRequestId: `car-${'0'.repeat(32)}` }),
        'CreateAccountStatusNotFoundException',
      );
      await rejects(e.orgs.describeCreateAccountStatus(e.mgmt, { CreateAccountRequestId: 'x' }), 'InvalidInputException', {
        reason: 'INVALID_PATTERN',
      });
    } finally {
      await e.close();
    }
  });

  it('lists accounts (the management account included) and the accounts of a parent', async () => {
    const e = await env();
    try {
      const { rootId, member } = await withOrg(e);
      const ids = (await e.orgs.listAccounts(e.mgmt)).Accounts.map((a) => a.Id);
      assert.deepEqual(ids.sort(), [MGMT, member].sort());
      const ou = (await e.orgs.createOrganizationalUnit(e.mgmt, { ParentId: rootId, Name: 'Dev' })).OrganizationalUnit;
      await e.orgs.moveAccount(e.mgmt, { AccountId: member, SourceParentId: rootId, DestinationParentId: ou.Id });
      assert.deepEqual((await e.orgs.listAccountsForParent(e.mgmt, { ParentId: ou.Id })).Accounts.map((a) => a.Id), [member]);
      assert.deepEqual((await e.orgs.listAccountsForParent(e.mgmt, { ParentId: rootId })).Accounts.map((a) => a.Id), [MGMT]);
      assert.deepEqual((await e.orgs.listChildren(e.mgmt, { ParentId: ou.Id, ChildType: 'ACCOUNT' })).Children, [{ Id: member, Type: 'ACCOUNT' }]);
      const page = await e.orgs.listAccounts(e.mgmt, { MaxResults: 1 });
      assert.equal(page.Accounts.length, 1);
      const rest = await e.orgs.listAccounts(e.mgmt, { MaxResults: 1, NextToken: page.NextToken as string });
      assert.equal(rest.Accounts.length, 1);
      assert.equal(rest.NextToken, undefined);
      await rejects(e.orgs.describeAccount(e.mgmt, { AccountId: OUTSIDER }), 'AccountNotFoundException');
      await rejects(e.orgs.describeAccount(e.mgmt, { AccountId: '12' }), 'InvalidInputException', { reason: 'INVALID_PATTERN' });
    } finally {
      await e.close();
    }
  });

  it('moves accounts and reports each wrong parent precisely', async () => {
    const e = await env();
    try {
      const { rootId, member } = await withOrg(e);
      const a = (await e.orgs.createOrganizationalUnit(e.mgmt, { ParentId: rootId, Name: 'A' })).OrganizationalUnit.Id;
      const b = (await e.orgs.createOrganizationalUnit(e.mgmt, { ParentId: rootId, Name: 'B' })).OrganizationalUnit.Id;
      await rejects(e.orgs.moveAccount(e.mgmt, { AccountId: member, SourceParentId: a, DestinationParentId: b }), 'AccountNotFoundException', {
        message: new RegExp(`its parent is ${rootId}`),
      });
      await rejects(
        e.orgs.moveAccount(e.mgmt, { AccountId: member, SourceParentId: 'ou-zzzz-zzzzzzzz', DestinationParentId: b }),
        'SourceParentNotFoundException',
      );
      await rejects(
        e.orgs.moveAccount(e.mgmt, { AccountId: member, SourceParentId: rootId, DestinationParentId: 'ou-zzzz-zzzzzzzz' }),
        'DestinationParentNotFoundException',
      );
      await rejects(e.orgs.moveAccount(e.mgmt, { AccountId: OUTSIDER, SourceParentId: rootId, DestinationParentId: a }), 'AccountNotFoundException');
      await rejects(e.orgs.moveAccount(e.mgmt, { AccountId: member, SourceParentId: rootId, DestinationParentId: rootId }), 'DuplicateAccountException');
      await e.orgs.moveAccount(e.mgmt, { AccountId: member, SourceParentId: rootId, DestinationParentId: a });
      await e.orgs.moveAccount(e.mgmt, { AccountId: member, SourceParentId: a, DestinationParentId: b });
      assert.deepEqual((await e.orgs.listParents(e.mgmt, { ChildId: member })).Parents, [{ Id: b, Type: 'ORGANIZATIONAL_UNIT' }]);
      // the management account may be moved too
      await e.orgs.moveAccount(e.mgmt, { AccountId: MGMT, SourceParentId: rootId, DestinationParentId: a });
      const audit = await e.s.audit.list({ limit: 10, action: 'organizations:MoveAccount' });
      assert.equal(audit.length, 3);
      assert.deepEqual(audit[1]?.after, { ParentId: b });
    } finally {
      await e.close();
    }
  });

  it('removes a member (which becomes standalone) but never the management account', async () => {
    const e = await env();
    try {
      const { member } = await withOrg(e);
      await rejects(e.orgs.removeAccountFromOrganization(e.mgmt, { AccountId: MGMT }), 'MasterCannotLeaveOrganizationException');
      await rejects(e.orgs.removeAccountFromOrganization(e.mgmt, { AccountId: OUTSIDER }), 'AccountNotFoundException');
      await e.orgs.removeAccountFromOrganization(e.mgmt, { AccountId: member });
      await rejects(e.orgs.describeOrganization(e.ctx(member)), 'AWSOrganizationsNotInUseException');
      await rejects(e.orgs.describeAccount(e.mgmt, { AccountId: member }), 'AccountNotFoundException');
      assert.ok(await e.s.store.accounts.get(member), 'the account itself remains');
    } finally {
      await e.close();
    }
  });
});

describe('OrganizationService: policy types and policies', () => {
  it('enables and disables only BEDROCK_POLICY; disabling detaches every policy of the type', async () => {
    const e = await env();
    try {
      const { rootId, member } = await withOrg(e);
      await rejects(e.orgs.enablePolicyType(e.mgmt, { RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }), 'PolicyTypeNotAvailableForOrganizationException', {
        message: /only BEDROCK_POLICY is enforced by Parapet/,
      });
      await rejects(e.orgs.enablePolicyType(e.mgmt, { RootId: rootId, PolicyType: 'NOPE' }), 'InvalidInputException', {
        reason: 'INVALID_ENUM_POLICY_TYPE',
      });
      await rejects(e.orgs.enablePolicyType(e.mgmt, { RootId: 'r-zzzz', PolicyType: 'BEDROCK_POLICY' }), 'RootNotFoundException');
      await rejects(e.orgs.disablePolicyType(e.mgmt, { RootId: rootId, PolicyType: 'BEDROCK_POLICY' }), 'PolicyTypeNotEnabledException');
      const g = await publishGuardrail(e);
      const p = (await e.orgs.createPolicy(e.mgmt, {
        Name: 'base',
        Description: '',
        Type: 'BEDROCK_POLICY',
        Content: bedrockPolicy('us-east-1', { c1: `${g.arn}:1` }),
      })).Policy.PolicySummary;
      await rejects(e.orgs.attachPolicy(e.mgmt, { PolicyId: p.Id, TargetId: rootId }), 'PolicyTypeNotEnabledException', {
        message: /EnablePolicyType/,
      });
      const enabled = await e.orgs.enablePolicyType(e.mgmt, { RootId: rootId, PolicyType: 'BEDROCK_POLICY' });
      assert.deepEqual(enabled.Root.PolicyTypes, [{ Type: 'BEDROCK_POLICY', Status: 'ENABLED' }]);
      await rejects(e.orgs.enablePolicyType(e.mgmt, { RootId: rootId, PolicyType: 'BEDROCK_POLICY' }), 'PolicyTypeAlreadyEnabledException');
      await e.orgs.attachPolicy(e.mgmt, { PolicyId: p.Id, TargetId: rootId });
      await e.orgs.attachPolicy(e.mgmt, { PolicyId: p.Id, TargetId: member });
      const disabled = await e.orgs.disablePolicyType(e.mgmt, { RootId: rootId, PolicyType: 'BEDROCK_POLICY' });
      assert.deepEqual(disabled.Root.PolicyTypes, []);
      assert.deepEqual((await e.orgs.listTargetsForPolicy(e.mgmt, { PolicyId: p.Id })).Targets, []);
      assert.equal((await e.orgs.describePolicy(e.mgmt, { PolicyId: p.Id })).Policy.PolicySummary.Id, p.Id, 'the policy remains');
      const audit = await e.s.audit.list({ limit: 1, action: 'organizations:DisablePolicyType' });
      assert.equal((audit[0]?.detail as { detached: unknown[] }).detached.length, 2);
    } finally {
      await e.close();
    }
  });

  it('creates, describes, lists, updates and deletes a BEDROCK_POLICY', async () => {
    const e = await env();
    try {
      const { org, rootId } = await withOrg(e);
      await e.orgs.enablePolicyType(e.mgmt, { RootId: rootId, PolicyType: 'BEDROCK_POLICY' });
      const g = await publishGuardrail(e);
      const content = bedrockPolicy('us-east-1', { c1: `${g.arn}:1` });
      const { Policy } = await e.orgs.createPolicy(e.mgmt, { Name: 'base', Description: 'org baseline', Type: 'BEDROCK_POLICY', Content: content });
      const sum = Policy.PolicySummary;
      assert.match(sum.Id, /^p-[a-z0-9]{8}$/);
      assert.equal(sum.Arn, `arn:aws:organizations::${MGMT}:policy/${org.Id}/bedrock_policy/${sum.Id}`);
      assert.match(sum.Arn, POLICY_ARN_RE);
      assert.deepEqual(sum, { Id: sum.Id, Arn: sum.Arn, Name: 'base', Description: 'org baseline', Type: 'BEDROCK_POLICY', AwsManaged: false });
      assert.equal(Policy.Content, content);
      assert.deepEqual((await e.orgs.describePolicy(e.mgmt, { PolicyId: sum.Id })).Policy, Policy);
      assert.deepEqual((await e.orgs.listPolicies(e.mgmt, { Filter: 'BEDROCK_POLICY' })).Policies, [sum]);
      assert.deepEqual((await e.orgs.listPolicies(e.mgmt, { Filter: 'TAG_POLICY' })).Policies, []);
      await rejects(e.orgs.createPolicy(e.mgmt, { Name: 'base', Description: '', Type: 'BEDROCK_POLICY', Content: content }), 'DuplicatePolicyException');

      const v2 = await e.s.guardrails.createVersion(e.mgmt.caller, g.id, {});
      assert.equal(v2.version, '2');
      const newContent = bedrockPolicy('us-east-1', { c1: `${g.arn}:2` });
      const updated = await e.orgs.updatePolicy(e.mgmt, { PolicyId: sum.Id, Name: 'baseline', Content: newContent });
      assert.equal(updated.Policy.PolicySummary.Name, 'baseline');
      assert.equal(updated.Policy.PolicySummary.Description, 'org baseline');
      assert.equal(updated.Policy.Content, newContent);
      const audit = await e.s.audit.list({ limit: 1, action: 'organizations:UpdatePolicy' });
      assert.equal((audit[0]?.before as { Content: string }).Content, content);
      assert.equal((audit[0]?.after as { Content: string }).Content, newContent);
      await rejects(e.orgs.updatePolicy(e.mgmt, { PolicyId: sum.Id, Content: bedrockPolicy('us-east-1', { c1: `${g.arn}:9` }) }), 'MalformedPolicyDocumentException');

      await e.orgs.attachPolicy(e.mgmt, { PolicyId: sum.Id, TargetId: rootId });
      await rejects(e.orgs.deletePolicy(e.mgmt, { PolicyId: sum.Id }), 'PolicyInUseException');
      await e.orgs.detachPolicy(e.mgmt, { PolicyId: sum.Id, TargetId: rootId });
      await e.orgs.deletePolicy(e.mgmt, { PolicyId: sum.Id });
      await rejects(e.orgs.describePolicy(e.mgmt, { PolicyId: sum.Id }), 'PolicyNotFoundException');
      await rejects(e.orgs.updatePolicy(e.mgmt, { PolicyId: sum.Id, Name: 'x' }), 'PolicyNotFoundException');
      await rejects(e.orgs.deletePolicy(e.mgmt, { PolicyId: sum.Id }), 'PolicyNotFoundException');
      await rejects(e.orgs.describePolicy(e.mgmt, { PolicyId: 'p-1' }), 'InvalidInputException', { reason: 'INVALID_PATTERN' });
    } finally {
      await e.close();
    }
  });

  it('refuses other policy types, oversized and malformed content', async () => {
    const e = await env();
    try {
      await withOrg(e);
      const base = { Name: 'p', Description: '' };
      await rejects(e.orgs.createPolicy(e.mgmt, { ...base, Type: 'SERVICE_CONTROL_POLICY', Content: '{}' }), 'PolicyTypeNotAvailableForOrganizationException');
      await rejects(e.orgs.createPolicy(e.mgmt, { ...base, Type: 'X', Content: '{}' }), 'InvalidInputException', { reason: 'INVALID_ENUM_POLICY_TYPE' });
      await rejects(e.orgs.createPolicy(e.mgmt, { Name: 'p', Type: 'BEDROCK_POLICY', Content: '{}' } as never), 'InvalidInputException', {
        reason: 'INPUT_REQUIRED',
      });
      await rejects(e.orgs.createPolicy(e.mgmt, { ...base, Description: 'd'.repeat(513), Type: 'BEDROCK_POLICY', Content: '{}' }), 'InvalidInputException', {
        reason: 'MAX_LENGTH_EXCEEDED',
      });
      const huge = JSON.stringify({ bedrock: { guardrail_inference: {} }, pad: 'x'.repeat(10_000) });
      await rejects(e.orgs.createPolicy(e.mgmt, { ...base, Type: 'BEDROCK_POLICY', Content: huge }), 'ConstraintViolationException', {
        reason: 'POLICY_CONTENT_LIMIT_EXCEEDED',
      });
      await rejects(e.orgs.createPolicy(e.mgmt, { ...base, Type: 'BEDROCK_POLICY', Content: '{not json' }), 'MalformedPolicyDocumentException');
    } finally {
      await e.close();
    }
  });

  it('checks every guardrail a BEDROCK_POLICY names: DRAFT, owner, existence, Region and version', async () => {
    const e = await env();
    try {
      const { member } = await withOrg(e);
      const g = await publishGuardrail(e, 'us-east-1');
      const create = (Content: string) => e.orgs.createPolicy(e.mgmt, { Name: 'p', Description: '', Type: 'BEDROCK_POLICY', Content });
      await rejects(create(bedrockPolicy('us-east-1', { c: `${g.arn}:DRAFT` })), 'MalformedPolicyDocumentException', {
        message: /DRAFT.*publish/s,
      });
      await rejects(create(bedrockPolicy('us-east-1', { c: g.arn })), 'MalformedPolicyDocumentException', { message: /CreateGuardrailVersion/ });
      await rejects(create(bedrockPolicy('us-east-1', { c: `${g.arn}:7` })), 'MalformedPolicyDocumentException', {
        message: /has no version 7.*CreateGuardrailVersion/,
      });
      // the guardrail exists, but in another Region than the key it is listed under
      const westArn = g.arn.replace('us-east-1', 'us-west-2');
      await rejects(create(bedrockPolicy('us-west-2', { c: `${westArn}:1` })), 'MalformedPolicyDocumentException', {
        message: /cross-account safeguards are Region-specific: create the guardrail in us-west-2 too/i,
      });
      await rejects(create(bedrockPolicy('us-east-1', { c: `${g.arn.replace(g.id, 'zzzzzzzzzzzz')}:1` })), 'MalformedPolicyDocumentException', {
        message: /does not exist in the management account/,
      });
      const foreign = await publishGuardrail(e, 'us-east-1', member);
      await rejects(create(bedrockPolicy('us-east-1', { c: `${foreign.arn}:1` })), 'MalformedPolicyDocumentException', {
        message: new RegExp(`belongs to account ${member}.*management account ${MGMT}`),
      });
      // a resource-based policy is not required at CreatePolicy (AWS accepts it; `verify` flags it)
      assert.equal((await create(bedrockPolicy('us-east-1', { c: `${g.arn}:1` }))).Policy.PolicySummary.Name, 'p');
    } finally {
      await e.close();
    }
  });

  it('attaches and detaches policies, with every error AWS reports', async () => {
    const e = await env();
    try {
      const { rootId, member } = await withOrg(e);
      await e.orgs.enablePolicyType(e.mgmt, { RootId: rootId, PolicyType: 'BEDROCK_POLICY' });
      const g = await publishGuardrail(e);
      const ou = (await e.orgs.createOrganizationalUnit(e.mgmt, { ParentId: rootId, Name: 'OU' })).OrganizationalUnit;
      const p = (await e.orgs.createPolicy(e.mgmt, { Name: 'p', Description: '', Type: 'BEDROCK_POLICY', Content: bedrockPolicy('us-east-1', { c: `${g.arn}:1` }) }))
        .Policy.PolicySummary;
      for (const TargetId of [rootId, ou.Id, member]) await e.orgs.attachPolicy(e.mgmt, { PolicyId: p.Id, TargetId });
      await rejects(e.orgs.attachPolicy(e.mgmt, { PolicyId: p.Id, TargetId: ou.Id }), 'DuplicatePolicyAttachmentException');
      await rejects(e.orgs.attachPolicy(e.mgmt, { PolicyId: p.Id, TargetId: OUTSIDER }), 'TargetNotFoundException');
      await rejects(e.orgs.attachPolicy(e.mgmt, { PolicyId: 'p-zzzzzzzz', TargetId: rootId }), 'PolicyNotFoundException');
      await rejects(e.orgs.attachPolicy(e.mgmt, { PolicyId: p.Id, TargetId: 'x-1' }), 'InvalidInputException', {
        reason: 'INVALID_PATTERN_TARGET_ID',
      });
      const targets = (await e.orgs.listTargetsForPolicy(e.mgmt, { PolicyId: p.Id })).Targets;
      assert.deepEqual(
        targets.map((t) => [t.TargetId, t.Type, t.Name]),
        [
          [rootId, 'ROOT', 'Root'],
          [ou.Id, 'ORGANIZATIONAL_UNIT', 'OU'],
          [member, 'ACCOUNT', 'dev'],
        ],
      );
      assert.equal(targets[1]?.Arn, ou.Arn);
      assert.deepEqual((await e.orgs.listPoliciesForTarget(e.mgmt, { TargetId: ou.Id, Filter: 'BEDROCK_POLICY' })).Policies.map((x) => x.Id), [p.Id]);
      assert.deepEqual((await e.orgs.listPoliciesForTarget(e.mgmt, { TargetId: ou.Id, Filter: 'TAG_POLICY' })).Policies, []);
      await rejects(e.orgs.listPoliciesForTarget(e.mgmt, { TargetId: OUTSIDER, Filter: 'BEDROCK_POLICY' }), 'TargetNotFoundException');
      await rejects(e.orgs.listTargetsForPolicy(e.mgmt, { PolicyId: 'p-zzzzzzzz' }), 'PolicyNotFoundException');
      await e.orgs.detachPolicy(e.mgmt, { PolicyId: p.Id, TargetId: ou.Id });
      await rejects(e.orgs.detachPolicy(e.mgmt, { PolicyId: p.Id, TargetId: ou.Id }), 'PolicyNotAttachedException');
      await rejects(e.orgs.detachPolicy(e.mgmt, { PolicyId: p.Id, TargetId: 'ou-zzzz-zzzzzzzz' }), 'TargetNotFoundException');
      const audit = await e.s.audit.list({ limit: 10, action: 'organizations:AttachPolicy' });
      assert.equal(audit.length, 3);
      assert.equal(audit[0]?.resourceArn, p.Arn);
    } finally {
      await e.close();
    }
  });

  it(`allows at most ${MAX_POLICIES_PER_TARGET} BEDROCK_POLICY policies on one target`, async () => {
    const e = await env();
    try {
      const { rootId } = await withOrg(e);
      await e.orgs.enablePolicyType(e.mgmt, { RootId: rootId, PolicyType: 'BEDROCK_POLICY' });
      const g = await publishGuardrail(e);
      for (let i = 0; i <= MAX_POLICIES_PER_TARGET; i++) {
        const p = (await e.orgs.createPolicy(e.mgmt, { Name: `p${i}`, Description: '', Type: 'BEDROCK_POLICY', Content: bedrockPolicy('us-east-1', { [`c${i}`]: `${g.arn}:1` }) }))
          .Policy.PolicySummary;
        const attach = e.orgs.attachPolicy(e.mgmt, { PolicyId: p.Id, TargetId: rootId });
        if (i < MAX_POLICIES_PER_TARGET) await attach;
        else await rejects(attach, 'ConstraintViolationException', { reason: 'MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED' });
      }
    } finally {
      await e.close();
    }
  });
});

describe('OrganizationService: effective policy', () => {
  async function hierarchy(e: Env) {
    const { rootId, member } = await withOrg(e);
    await e.orgs.enablePolicyType(e.mgmt, { RootId: rootId, PolicyType: 'BEDROCK_POLICY' });
    const ga = await publishGuardrail(e);
    const gb = await publishGuardrail(e);
    const ou = (await e.orgs.createOrganizationalUnit(e.mgmt, { ParentId: rootId, Name: 'Prod' })).OrganizationalUnit;
    await e.orgs.moveAccount(e.mgmt, { AccountId: member, SourceParentId: rootId, DestinationParentId: ou.Id });
    const mk = async (Name: string, Content: string) =>
      (await e.orgs.createPolicy(e.mgmt, { Name, Description: '', Type: 'BEDROCK_POLICY', Content })).Policy.PolicySummary.Id;
    const rootPolicy = await mk(
      'root',
      bedrockPolicy('us-east-1', {
        baseline: {
          identifier: { '@@assign': `${ga.arn}:1` },
          model_enforcement: { included_models: { '@@assign': ['ALL'] }, excluded_models: { '@@assign': ['amazon.titan-embed-text-v2:0'] } },
        },
      }),
    );
    const ouPolicy = await mk(
      'ou',
      bedrockPolicy('us-east-1', {
        baseline: {
          selective_content_guarding: { messages: { '@@assign': 'selective' } },
          model_enforcement: {
            included_models: { '@@assign': ['ALL'] },
            excluded_models: { '@@append': ['cohere.embed-english-v3'] },
          },
        },
      }),
    );
    const accountPolicy = await mk('account', bedrockPolicy('us-east-1', { extra: `${gb.arn}:1` }));
    await e.orgs.attachPolicy(e.mgmt, { PolicyId: rootPolicy, TargetId: rootId });
    await e.orgs.attachPolicy(e.mgmt, { PolicyId: ouPolicy, TargetId: ou.Id });
    await e.orgs.attachPolicy(e.mgmt, { PolicyId: accountPolicy, TargetId: member });
    return { rootId, member, ou, ga, gb, rootPolicy, ouPolicy, accountPolicy };
  }

  it('inherits root → OU → account, for the member itself and for the management account', async () => {
    const e = await env();
    try {
      const h = await hierarchy(e);
      const own = await e.orgs.describeEffectivePolicy(e.ctx(h.member), { PolicyType: 'BEDROCK_POLICY' });
      assert.equal(own.EffectivePolicy.TargetId, h.member);
      assert.equal(own.EffectivePolicy.PolicyType, 'BEDROCK_POLICY');
      assert.equal(typeof own.EffectivePolicy.LastUpdatedTimestamp, 'number');
      assert.deepEqual(JSON.parse(own.EffectivePolicy.PolicyContent), {
        bedrock: {
          guardrail_inference: {
            'us-east-1': {
              baseline: {
                identifier: `${h.ga.arn}:1`,
                model_enforcement: {
                  included_models: ['ALL'],
                  excluded_models: ['amazon.titan-embed-text-v2:0', 'cohere.embed-english-v3'],
                },
                selective_content_guarding: { messages: 'selective' },
              },
              extra: { identifier: `${h.gb.arn}:1` },
            },
          },
        },
      });
      const byMgmt = await e.orgs.describeEffectivePolicy(e.mgmt, { PolicyType: 'BEDROCK_POLICY', TargetId: h.member });
      assert.deepEqual(byMgmt, own);
      // the management account itself sits under the root only
      const mgmtOwn = await e.orgs.describeEffectivePolicy(e.mgmt, { PolicyType: 'BEDROCK_POLICY' });
      assert.deepEqual(Object.keys(JSON.parse(mgmtOwn.EffectivePolicy.PolicyContent).bedrock.guardrail_inference['us-east-1']), ['baseline']);

      const eff = await e.orgs.effectiveGuardrailConfigs(h.member);
      assert.ok(eff);
      assert.equal(eff.managementAccountId, MGMT);
      assert.deepEqual(eff.invalidPolicies, []);
      assert.deepEqual(
        eff.configs.map((c) => [c.configName, c.guardrailId, c.version, c.messages, c.system, c.source.policyId, c.source.targetId]),
        [
          ['baseline', h.ga.id, 1, 'SELECTIVE', 'COMPREHENSIVE', h.rootPolicy, h.rootId],
          ['extra', h.gb.id, 1, 'COMPREHENSIVE', 'COMPREHENSIVE', h.accountPolicy, h.member],
        ],
      );
      assert.equal(eff.content, own.EffectivePolicy.PolicyContent);
    } finally {
      await e.close();
    }
  });

  it('members see only their own account; roots and OUs have no effective policy', async () => {
    const e = await env();
    try {
      const h = await hierarchy(e);
      await rejects(e.orgs.describeEffectivePolicy(e.ctx(h.member), { PolicyType: 'BEDROCK_POLICY', TargetId: MGMT }), 'AccessDeniedException', {
        message: /^You don't have permissions to access this resource\.$/,
      });
      await rejects(e.orgs.describeEffectivePolicy(e.mgmt, { PolicyType: 'BEDROCK_POLICY', TargetId: h.rootId }), 'InvalidInputException', {
        reason: 'TARGET_NOT_SUPPORTED',
      });
      await rejects(e.orgs.describeEffectivePolicy(e.mgmt, { PolicyType: 'BEDROCK_POLICY', TargetId: h.ou.Id }), 'InvalidInputException', {
        reason: 'TARGET_NOT_SUPPORTED',
      });
      await rejects(e.orgs.describeEffectivePolicy(e.mgmt, { PolicyType: 'BEDROCK_POLICY', TargetId: OUTSIDER }), 'TargetNotFoundException');
      await rejects(e.orgs.describeEffectivePolicy(e.mgmt, { PolicyType: 'TAG_POLICY' }), 'EffectivePolicyNotFoundException');
      await rejects(e.orgs.describeEffectivePolicy(e.mgmt, { PolicyType: 'SERVICE_CONTROL_POLICY' }), 'InvalidInputException', {
        reason: 'INVALID_ENUM_POLICY_TYPE',
      });
      await rejects(e.orgs.describeEffectivePolicy(e.ctx(OUTSIDER), { PolicyType: 'BEDROCK_POLICY' }), 'AWSOrganizationsNotInUseException');
    } finally {
      await e.close();
    }
  });

  it('reports EffectivePolicyNotFoundException, and no enforcement, when nothing applies', async () => {
    const e = await env();
    try {
      const { rootId, member } = await withOrg(e);
      await rejects(e.orgs.describeEffectivePolicy(e.ctx(member), { PolicyType: 'BEDROCK_POLICY' }), 'EffectivePolicyNotFoundException', {
        message: /AttachPolicy/,
      });
      assert.equal(await e.orgs.effectiveGuardrailConfigs(member), undefined, 'type not enabled');
      await e.orgs.enablePolicyType(e.mgmt, { RootId: rootId, PolicyType: 'BEDROCK_POLICY' });
      assert.equal(await e.orgs.effectiveGuardrailConfigs(member), undefined, 'nothing attached');
      assert.equal(await e.orgs.effectiveGuardrailConfigs(OUTSIDER), undefined, 'in no organization');
      const g = await publishGuardrail(e);
      const p = (await e.orgs.createPolicy(e.mgmt, { Name: 'p', Description: '', Type: 'BEDROCK_POLICY', Content: bedrockPolicy('us-east-1', { c: `${g.arn}:1` }) }))
        .Policy.PolicySummary;
      await e.orgs.attachPolicy(e.mgmt, { PolicyId: p.Id, TargetId: rootId });
      assert.equal((await e.orgs.effectiveGuardrailConfigs(member))?.configs.length, 1);
      await e.orgs.disablePolicyType(e.mgmt, { RootId: rootId, PolicyType: 'BEDROCK_POLICY' });
      assert.equal(await e.orgs.effectiveGuardrailConfigs(member), undefined, 'disabled again');
    } finally {
      await e.close();
    }
  });
});

describe('OrganizationService: who may call what', () => {
  const managementOnly = (orgs: OrganizationService, c: OrgRequestContext, ids: { rootId: string; member: string }): Array<() => Promise<unknown>> => [
    () => orgs.deleteOrganization(c),
    () => orgs.listRoots(c),
    () => orgs.createOrganizationalUnit(c, { ParentId: ids.rootId, Name: 'x' }),
    () => orgs.updateOrganizationalUnit(c, { OrganizationalUnitId: 'ou-abcd-abcdefgh', Name: 'x' }),
    () => orgs.deleteOrganizationalUnit(c, { OrganizationalUnitId: 'ou-abcd-abcdefgh' }),
    () => orgs.describeOrganizationalUnit(c, { OrganizationalUnitId: 'ou-abcd-abcdefgh' }),
    () => orgs.listOrganizationalUnitsForParent(c, { ParentId: ids.rootId }),
    () => orgs.listParents(c, { ChildId: ids.member }),
    () => orgs.listChildren(c, { ParentId: ids.rootId, ChildType: 'ACCOUNT' }),
    () => orgs.createAccount(c, { Email: 'new@example.com', AccountName: 'new' }),
    () => orgs.describeCreateAccountStatus(c, { CreateAccountRequestId: `car-${'a'.repeat(32)}` }),
    () => orgs.listCreateAccountStatus(c),
    () => orgs.listAccounts(c),
    () => orgs.listAccountsForParent(c, { ParentId: ids.rootId }),
    () => orgs.describeAccount(c, { AccountId: ids.member }),
    () => orgs.moveAccount(c, { AccountId: ids.member, SourceParentId: ids.rootId, DestinationParentId: ids.rootId }),
    () => orgs.removeAccountFromOrganization(c, { AccountId: ids.member }),
    () => orgs.enablePolicyType(c, { RootId: ids.rootId, PolicyType: 'BEDROCK_POLICY' }),
    () => orgs.disablePolicyType(c, { RootId: ids.rootId, PolicyType: 'BEDROCK_POLICY' }),
    () => orgs.createPolicy(c, { Name: 'p', Description: '', Type: 'BEDROCK_POLICY', Content: '{}' }),
    () => orgs.updatePolicy(c, { PolicyId: 'p-abcdefgh', Name: 'x' }),
    () => orgs.describePolicy(c, { PolicyId: 'p-abcdefgh' }),
    () => orgs.listPolicies(c, { Filter: 'BEDROCK_POLICY' }),
    () => orgs.deletePolicy(c, { PolicyId: 'p-abcdefgh' }),
    () => orgs.attachPolicy(c, { PolicyId: 'p-abcdefgh', TargetId: ids.rootId }),
    () => orgs.detachPolicy(c, { PolicyId: 'p-abcdefgh', TargetId: ids.rootId }),
    () => orgs.listPoliciesForTarget(c, { TargetId: ids.rootId, Filter: 'BEDROCK_POLICY' }),
    () => orgs.listTargetsForPolicy(c, { PolicyId: 'p-abcdefgh' }),
  ];

  it('a member account gets AWS\'s AccessDeniedException on every management-only operation', async () => {
    const e = await env();
    try {
      const ids = await withOrg(e);
      // even the member's administrator role is no management account
      const admin = e.ctx(ids.member, `arn:aws:sts::${ids.member}:assumed-role/OrganizationAccountAccessRole/s`);
      for (const c of [e.ctx(ids.member), admin])
        for (const call of managementOnly(e.orgs, c, ids))
          await rejects(call(), 'AccessDeniedException', { message: /^You don't have permissions to access this resource\.$/ });
    } finally {
      await e.close();
    }
  });

  it('an account in no organization gets AWSOrganizationsNotInUseException everywhere', async () => {
    const e = await env();
    try {
      const ids = await withOrg(e);
      const c = e.ctx(OUTSIDER);
      for (const call of [...managementOnly(e.orgs, c, ids), () => e.orgs.describeOrganization(c)])
        await rejects(call(), 'AWSOrganizationsNotInUseException');
    } finally {
      await e.close();
    }
  });

  it('management-account users need organizations:<Operation> permissions; an explicit deny wins', async () => {
    const e = await env();
    try {
      const { rootId, member } = await withOrg(e);
      const userArn = `arn:aws:iam::${MGMT}:user/ops`;
      await e.s.store.principals.create({
        arn: userArn,
        accountId: MGMT,
        kind: 'user',
        name: 'ops',
        uniqueId: 'AIDAAAAAAAAAAAAAAAAAA',
        createdAt: '2026-01-01T00:00:00.000Z',
      });
      const user = e.ctx(MGMT, userArn);
      await rejects(e.orgs.listAccounts(user), 'AccessDeniedException', {
        message: /not authorized to perform: organizations:ListAccounts on resource: arn:aws:organizations::/,
      });
      await rejects(e.orgs.describeOrganization(user), 'AccessDeniedException', { message: /organizations:DescribeOrganization/ });
      const put = (statements: unknown[]) =>
        e.s.store.principals.putPolicy({
          principalArn: userArn,
          policyName: 'orgs',
          document: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
          updatedAt: '2026-01-01T00:00:00.000Z',
        });
      await put([{ Effect: 'Allow', Action: ['organizations:List*', 'organizations:Describe*'], Resource: '*' }]);
      assert.equal((await e.orgs.listAccounts(user)).Accounts.length, 2);
      assert.ok((await e.orgs.describeOrganization(user)).Organization.Id);
      await rejects(e.orgs.createOrganizationalUnit(user, { ParentId: rootId, Name: 'x' }), 'AccessDeniedException', {
        message: new RegExp(`organizations:CreateOrganizationalUnit on resource: .*:root/o-[a-z0-9]+/${rootId}`),
      });
      // resource-scoped: the user may create OUs under the root only
      await put([{ Effect: 'Allow', Action: 'organizations:CreateOrganizationalUnit', Resource: 'arn:aws:organizations::*:root/*' }]);
      const top = (await e.orgs.createOrganizationalUnit(user, { ParentId: rootId, Name: 'x' })).OrganizationalUnit;
      await rejects(e.orgs.createOrganizationalUnit(user, { ParentId: top.Id, Name: 'y' }), 'AccessDeniedException', {
        message: new RegExp(`on resource: .*:ou/o-[a-z0-9]+/${top.Id}`),
      });
      await put([
        { Effect: 'Allow', Action: 'organizations:*', Resource: '*' },
        { Effect: 'Deny', Action: 'organizations:RemoveAccountFromOrganization', Resource: '*' },
      ]);
      await e.orgs.createOrganizationalUnit(user, { ParentId: top.Id, Name: 'y' });
      await rejects(e.orgs.removeAccountFromOrganization(user, { AccountId: member }), 'AccessDeniedException', { message: /explicit deny/ });
      const audit = await e.s.audit.list({ limit: 1, action: 'organizations:CreateOrganizationalUnit' });
      assert.equal(audit[0]?.principalArn, userArn);
    } finally {
      await e.close();
    }
  });

  it('a member user needs organizations:DescribeEffectivePolicy for its own account', async () => {
    const e = await env();
    try {
      const { member } = await withOrg(e);
      const userArn = `arn:aws:iam::${member}:user/dev`;
      await e.s.store.principals.create({
        arn: userArn,
        accountId: member,
        kind: 'user',
        name: 'dev',
        uniqueId: 'AIDABBBBBBBBBBBBBBBBB',
        createdAt: '2026-01-01T00:00:00.000Z',
      });
      await rejects(e.orgs.describeEffectivePolicy(e.ctx(member, userArn), { PolicyType: 'BEDROCK_POLICY' }), 'AccessDeniedException', {
        message: /organizations:DescribeEffectivePolicy/,
      });
      await e.s.store.principals.putPolicy({
        principalArn: userArn,
        policyName: 'read',
        document: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'organizations:DescribeEffectivePolicy', Resource: '*' }],
        }),
        updatedAt: '2026-01-01T00:00:00.000Z',
      });
      await rejects(e.orgs.describeEffectivePolicy(e.ctx(member, userArn), { PolicyType: 'BEDROCK_POLICY' }), 'EffectivePolicyNotFoundException');
    } finally {
      await e.close();
    }
  });
});

