/**
 * The AWS Organizations subset Parapet serves: the organization, its root and OUs, accounts (created here,
 * synchronously), and policies of the one type Parapet enforces, BEDROCK_POLICY. Also the read model the
 * enforcement code needs: the effective guardrail configurations of an account.
 *
 * Who may do what, in order:
 * 1. the caller's account must belong to an organization (else AWSOrganizationsNotInUseException);
 * 2. everything but DescribeOrganization and DescribeEffectivePolicy (own account) is for the management
 *    account only: a member gets AWS's "You don't have permissions to access this resource.";
 * 3. IAM: the caller needs `organizations:<Operation>` on the resource acted on (root and administrators pass).
 */
import { accessDenied, ServiceError, type ErrorCode } from '../core/errors.ts';
import type { Caller } from '../core/caller.ts';
import {
  CHILD_ID_RE,
  CREATE_ACCOUNT_REQUEST_ID_RE,
  newCreateAccountRequestId,
  newOrganizationId,
  newOuId,
  newPolicyId,
  newRootId,
  OU_ID_RE,
  ORG_ACCOUNT_ID_RE,
  orgAccountArn,
  orgEntityKind,
  organizationArn,
  orgPolicyArn,
  ouArn,
  PARENT_ID_RE,
  POLICY_ID_RE,
  POLICY_TARGET_ID_RE,
  ROOT_ID_RE,
  rootArn,
} from '../core/org-ids.ts';
import { isoTimestamp } from '../core/ports.ts';
import { AWS_REGIONS } from '../core/regions.ts';
import {
  effectiveBedrockPolicy,
  type EffectiveBedrockPolicy,
  type EffectiveGuardrailConfig,
  type EffectivePolicyLevelInput,
  MAX_BEDROCK_POLICY_CHARS,
  parseBedrockPolicy,
} from '../org/index.ts';
import type {
  CreateAccountStatusRecord,
  MembershipRecord,
  OrganizationRecord,
  OrgPolicyRecord,
  OrgUnitRecord,
} from '../store/types.ts';
import { ORG_ACCESS_ROLE } from './accounts.ts';
import {
  EFFECTIVE_POLICY_TYPES,
  invalidInput,
  pageOf,
  type PageInput,
  type PageParams,
  POLICY_TYPES,
  readPage,
  RequestReader,
} from './organizations-input.ts';
import {
  accountOut,
  createAccountStatusOut,
  epochSeconds,
  organizationOut,
  ouOut,
  policyOut,
  policySummaryOut,
  ROOT_NAME,
  rootOut,
  targetArn,
  type TargetType,
} from './organizations-output.ts';
import type { Services } from './services.ts';

/** The one policy type Parapet enforces. */
export const BEDROCK_POLICY = 'BEDROCK_POLICY';
/** AWS: OUs nest at most five levels below the root. */
export const MAX_OU_DEPTH = 5;
/** AWS: at most 10 management policies of one type attached directly to a root, OU or account. */
export const MAX_POLICIES_PER_TARGET = 10;
const NO_PERMISSION = "You don't have permissions to access this resource.";
const CREATE_ORG_RETRIES = 3;

export interface OrgRequestContext {
  caller: Caller;
  requestId: string;
}

// ---- requests (member names as in @aws-sdk/client-organizations) -------------------------------------

export interface CreateOrganizationRequest { FeatureSet?: string }
export interface OuRequest { OrganizationalUnitId: string }
export interface CreateOrganizationalUnitRequest { ParentId: string; Name: string; Tags?: unknown[] }
export interface UpdateOrganizationalUnitRequest { OrganizationalUnitId: string; Name?: string }
export interface ParentPageRequest extends PageInput { ParentId: string }
export interface ListParentsRequest extends PageInput { ChildId: string }
export interface ListChildrenRequest extends PageInput { ParentId: string; ChildType: string }
export interface CreateAccountRequest {
  Email: string;
  AccountName: string;
  RoleName?: string;
  IamUserAccessToBilling?: string;
  Tags?: unknown[];
}
export interface DescribeCreateAccountStatusRequest { CreateAccountRequestId: string }
export interface ListCreateAccountStatusRequest extends PageInput { States?: string[] }
export interface AccountRequest { AccountId: string }
export interface MoveAccountRequest { AccountId: string; SourceParentId: string; DestinationParentId: string }
export interface PolicyTypeRequest { RootId: string; PolicyType: string }
export interface CreatePolicyRequest { Content: string; Description: string; Name: string; Type: string; Tags?: unknown[] }
export interface UpdatePolicyRequest { PolicyId: string; Name?: string; Description?: string; Content?: string }
export interface PolicyRequest { PolicyId: string }
export interface ListPoliciesRequest extends PageInput { Filter: string }
export interface AttachmentRequest { PolicyId: string; TargetId: string }
export interface ListPoliciesForTargetRequest extends PageInput { TargetId: string; Filter: string }
export interface ListTargetsForPolicyRequest extends PageInput { PolicyId: string }
export interface DescribeEffectivePolicyRequest { PolicyType: string; TargetId?: string }

/** What the enforcement code needs about an account's organization policy. */
export interface OrgGuardrailEnforcement {
  orgId: string;
  managementAccountId: string;
  /** Sorted by Region, then configuration name. */
  configs: EffectiveGuardrailConfig[];
  warnings: string[];
  /** The effective document, as DescribeEffectivePolicy returns it. */
  content: string;
  /** Attached policies that no longer validate; AWS fails every Bedrock call of such an account. */
  invalidPolicies: EffectiveBedrockPolicy['invalidPolicies'];
}

// ---- id rules ----------------------------------------------------------------------------------------

const ROOT_ID = { required: true, pattern: ROOT_ID_RE, looksLike: 'a root ID like r-ab12' } as const;
const OU_ID = {
  required: true,
  pattern: OU_ID_RE,
  looksLike: 'an organizational unit ID like ou-ab12-cd34ef56',
} as const;
const PARENT_ID = {
  required: true,
  pattern: PARENT_ID_RE,
  looksLike: 'a root ID (r-ab12) or an organizational unit ID (ou-ab12-cd34ef56)',
} as const;
const CHILD_ID = {
  required: true,
  pattern: CHILD_ID_RE,
  looksLike: 'a 12-digit account ID or an organizational unit ID (ou-ab12-cd34ef56)',
} as const;
const ACCOUNT_ID = { required: true, pattern: ORG_ACCOUNT_ID_RE, looksLike: 'a 12-digit account ID' } as const;
const POLICY_ID = { required: true, pattern: POLICY_ID_RE, looksLike: 'a policy ID like p-ab12cd34' } as const;
const TARGET_ID = {
  required: true,
  pattern: POLICY_TARGET_ID_RE,
  patternReason: 'INVALID_PATTERN_TARGET_ID',
  looksLike: 'a root ID (r-ab12), an organizational unit ID (ou-ab12-cd34ef56) or a 12-digit account ID',
} as const;
const NAME_128 = { required: true, min: 1, max: 128 } as const;
/** `[\u0020-\u007E]+`: printable ASCII. */
const ACCOUNT_NAME_RE = /^[\u0020-\u007E]+$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ROLE_NAME_RE = /^[\w+=,.@-]{1,64}$/;

// ---- errors ------------------------------------------------------------------------------------------

const orgError = (code: ErrorCode, message: string, members?: Record<string, string>): ServiceError =>
  new ServiceError(code, message, members);

function notInUse(): ServiceError {
  return orgError(
    'AWSOrganizationsNotInUseException',
    'Your account is not a member of an organization. Create one with CreateOrganization from the account that is ' +
      'to manage it, or have an organization\'s management account create this account with CreateAccount.',
  );
}

const parentNotFound = (id: string): ServiceError =>
  orgError('ParentNotFoundException', `We can't find a root or OU with the ParentId ${id} in your organization. Check the ID (ListRoots, ListOrganizationalUnitsForParent).`);
const ouNotFound = (id: string): ServiceError =>
  orgError('OrganizationalUnitNotFoundException', `We can't find an OU with the OrganizationalUnitId ${id} in your organization. Check the ID (ListOrganizationalUnitsForParent).`);
const accountNotFound = (id: string): ServiceError =>
  orgError('AccountNotFoundException', `Account ${id} is not a member of your organization. Check the ID (ListAccounts).`);
const policyNotFound = (id: string): ServiceError =>
  orgError('PolicyNotFoundException', `We can't find a policy with the PolicyId ${id} in your organization. Check the ID (ListPolicies with Filter BEDROCK_POLICY).`);
const targetNotFound = (id: string): ServiceError =>
  orgError('TargetNotFoundException', `We can't find a root, OU or account with the TargetId ${id} in your organization. Check the ID.`);
const childNotFound = (id: string): ServiceError =>
  orgError('ChildNotFoundException', `We can't find an OU or account with the ChildId ${id} in your organization. Check the ID.`);
const rootNotFound = (id: string, org: OrganizationRecord): ServiceError =>
  orgError('RootNotFoundException', `We can't find a root with the ID ${id}; the root of your organization is ${org.rootId} (ListRoots).`);

function notAvailable(type: string): ServiceError {
  return orgError(
    'PolicyTypeNotAvailableForOrganizationException',
    `The policy type ${type} is not available in Parapet: only BEDROCK_POLICY is enforced by Parapet. ` +
      'Use BEDROCK_POLICY, or manage other policy types in AWS Organizations itself.',
  );
}

// ---- the service -------------------------------------------------------------------------------------

interface TargetInfo {
  type: TargetType;
  id: string;
  name: string;
  arn: string;
}

export class OrganizationService {
  readonly #s: Services;

  constructor(services: Services) {
    this.#s = services;
  }

  get #orgs() {
    return this.#s.store.organizations;
  }

  #now(): string {
    return isoTimestamp(this.#s.clock.now());
  }

  async #orgOf(caller: Caller): Promise<OrganizationRecord> {
    const org = await this.#orgs.getForAccount(caller.accountId);
    if (!org) throw notInUse();
    return org;
  }

  /** Management-only operations: the caller's organization, checked to be its management account, then IAM. */
  async #asManagement(
    ctx: OrgRequestContext,
    operation: string,
    resources: (org: OrganizationRecord) => string[],
  ): Promise<OrganizationRecord> {
    const org = await this.#orgOf(ctx.caller);
    if (ctx.caller.accountId !== org.managementAccountId) throw accessDenied(NO_PERMISSION);
    for (const resource of resources(org))
      await this.#s.authz.require({
        caller: ctx.caller,
        action: `organizations:${operation}`,
        resource,
        resourceAccountId: org.managementAccountId,
      });
    return org;
  }

  async #audit(
    ctx: OrgRequestContext,
    org: OrganizationRecord,
    operation: string,
    resourceArn: string,
    change: { before?: unknown; after?: unknown; outcome?: string; detail?: unknown },
  ): Promise<void> {
    await this.#s.audit.record({
      accountId: org.managementAccountId,
      principalArn: ctx.caller.principalArn,
      action: `organizations:${operation}`,
      resourceArn,
      requestId: ctx.requestId,
      ...change,
    });
  }

  /** The ARN of a root, OU or account id of `org`, computed from the id alone (for IAM, before any lookup). */
  #arnOf(org: OrganizationRecord, id: string): string {
    const kind = orgEntityKind(id);
    if (kind === 'root') return rootArn(org.managementAccountId, org.orgId, id);
    if (kind === 'ou') return ouArn(org.managementAccountId, org.orgId, id);
    return orgAccountArn(org.managementAccountId, org.orgId, id);
  }

  #policyArn(org: OrganizationRecord, policyId: string): string {
    // Parapet holds BEDROCK_POLICY policies only, so the ARN of any policy id follows from the id.
    return orgPolicyArn(org.managementAccountId, org.orgId, BEDROCK_POLICY, policyId);
  }

  async #ou(org: OrganizationRecord, ouId: string): Promise<OrgUnitRecord | undefined> {
    if (!OU_ID_RE.test(ouId)) return undefined;
    const ou = await this.#orgs.getOu(ouId);
    return ou?.orgId === org.orgId ? ou : undefined;
  }

  async #member(org: OrganizationRecord, accountId: string): Promise<MembershipRecord | undefined> {
    const m = await this.#orgs.getMembership(accountId);
    return m?.orgId === org.orgId ? m : undefined;
  }

  async #policy(org: OrganizationRecord, policyId: string): Promise<OrgPolicyRecord | undefined> {
    const p = await this.#orgs.getPolicy(policyId);
    return p?.orgId === org.orgId ? p : undefined;
  }

  /** The root or an OU of `org`; undefined when the id names neither there. */
  async #parent(org: OrganizationRecord, id: string): Promise<TargetInfo | undefined> {
    if (id === org.rootId) return { type: 'ROOT', id, name: ROOT_NAME, arn: org.rootArn };
    const ou = await this.#ou(org, id);
    return ou ? { type: 'ORGANIZATIONAL_UNIT', id, name: ou.name, arn: ou.arn } : undefined;
  }

  /** A root, OU or account of `org`. */
  async #target(org: OrganizationRecord, id: string): Promise<TargetInfo | undefined> {
    if (orgEntityKind(id) !== 'account') return this.#parent(org, id);
    if (!(await this.#member(org, id))) return undefined;
    const a = await this.#s.store.accounts.get(id);
    return { type: 'ACCOUNT', id, name: a?.name ?? id, arn: targetArn(org, 'ACCOUNT', id) };
  }

  /** 0 for the root, 1 for an OU directly under it… */
  async #depth(org: OrganizationRecord, parentId: string): Promise<number> {
    let depth = 0;
    let id: string | undefined = parentId;
    // Bounded: a corrupt cycle must not hang the request.
    while (id !== undefined && id !== org.rootId && depth <= MAX_OU_DEPTH + 1) {
      depth++;
      id = (await this.#ou(org, id))?.parentId;
    }
    return depth;
  }

  // ---- organization ----------------------------------------------------------------------------------

  async createOrganization(ctx: OrgRequestContext, input: CreateOrganizationRequest = {}) {
    const r = new RequestReader(input);
    const featureSet = r.enumOf('FeatureSet', ['ALL', 'CONSOLIDATED_BILLING']) ?? 'ALL';
    if (featureSet !== 'ALL')
      throw invalidInput(
        'INVALID_ENUM',
        'Parapet supports only FeatureSet ALL: organization policies such as BEDROCK_POLICY need all features. Omit FeatureSet or pass ALL.',
      );
    const { caller } = ctx;
    await this.#s.authz.require({
      caller,
      action: 'organizations:CreateOrganization',
      resource: '*',
      resourceAccountId: caller.accountId,
    });
    const existing = await this.#orgs.getForAccount(caller.accountId);
    if (existing)
      throw orgError(
        'AlreadyInOrganizationException',
        `This account is already a member of organization ${existing.orgId}, and an account belongs to at most one. ` +
          'Delete that organization (from its management account) or leave it first.',
      );
    const mgmt = caller.accountId;
    for (let attempt = 1; ; attempt++) {
      const now = this.#now();
      const orgId = newOrganizationId(this.#s.random);
      const rootId = newRootId(this.#s.random);
      const org: OrganizationRecord = {
        orgId,
        arn: organizationArn(mgmt, orgId),
        managementAccountId: mgmt,
        rootId,
        rootArn: rootArn(mgmt, orgId, rootId),
        featureSet: 'ALL',
        enabledPolicyTypes: [],
        createdAt: now,
      };
      try {
        await this.#orgs.create(org, now);
      } catch (e) {
        // A generated id that clashes with another organization's: draw new ones.
        if (e instanceof ServiceError && e.code === 'ConflictException' && attempt < CREATE_ORG_RETRIES) continue;
        throw e;
      }
      const out = organizationOut(org, await this.#s.store.accounts.get(mgmt));
      await this.#audit(ctx, org, 'CreateOrganization', org.arn, { after: out });
      return { Organization: out };
    }
  }

  /** Any account of the organization may describe it. */
  async describeOrganization(ctx: OrgRequestContext) {
    const org = await this.#orgOf(ctx.caller);
    // A member reads its own organization: only its identity policies decide (no cross-account resource policy).
    await this.#s.authz.require({
      caller: ctx.caller,
      action: 'organizations:DescribeOrganization',
      resource: org.arn,
      resourceAccountId: ctx.caller.accountId,
    });
    return { Organization: organizationOut(org, await this.#s.store.accounts.get(org.managementAccountId)) };
  }

  async deleteOrganization(ctx: OrgRequestContext) {
    const org = await this.#asManagement(ctx, 'DeleteOrganization', (o) => [o.arn]);
    const before = organizationOut(org, await this.#s.store.accounts.get(org.managementAccountId));
    await this.#orgs.delete(org.orgId);
    await this.#audit(ctx, org, 'DeleteOrganization', org.arn, { before });
    return {};
  }

  async listRoots(ctx: OrgRequestContext, input: PageInput = {}) {
    const page = readPage(new RequestReader(input));
    const org = await this.#asManagement(ctx, 'ListRoots', (o) => [o.arn]);
    const { items, nextToken } = pageOf([rootOut(org)], page, 'ListRoots');
    return { Roots: items, ...(nextToken ? { NextToken: nextToken } : {}) };
  }

  // ---- organizational units --------------------------------------------------------------------------

  async createOrganizationalUnit(ctx: OrgRequestContext, input: CreateOrganizationalUnitRequest) {
    const r = new RequestReader(input);
    const parentId = r.string('ParentId', PARENT_ID);
    const name = r.string('Name', NAME_128);
    rejectTags(r);
    const org = await this.#asManagement(ctx, 'CreateOrganizationalUnit', (o) => [this.#arnOf(o, parentId)]);
    if (!(await this.#parent(org, parentId))) throw parentNotFound(parentId);
    if ((await this.#depth(org, parentId)) + 1 > MAX_OU_DEPTH)
      throw orgError(
        'ConstraintViolationException',
        `An organizational unit can be nested at most ${MAX_OU_DEPTH} levels below the root; ${parentId} is already at level ${MAX_OU_DEPTH}. Create the OU higher in the tree.`,
        { Reason: 'OU_DEPTH_LIMIT_EXCEEDED' },
      );
    const ouId = newOuId(this.#s.random, org.rootId);
    const ou: OrgUnitRecord = {
      ouId,
      orgId: org.orgId,
      arn: ouArn(org.managementAccountId, org.orgId, ouId),
      parentId,
      name,
      createdAt: this.#now(),
    };
    await this.#orgs.createOu(ou);
    await this.#audit(ctx, org, 'CreateOrganizationalUnit', ou.arn, { after: { ...ouOut(ou), ParentId: parentId } });
    return { OrganizationalUnit: ouOut(ou) };
  }

  async updateOrganizationalUnit(ctx: OrgRequestContext, input: UpdateOrganizationalUnitRequest) {
    const r = new RequestReader(input);
    const ouId = r.string('OrganizationalUnitId', OU_ID);
    const name = r.string('Name', { min: 1, max: 128 });
    const org = await this.#asManagement(ctx, 'UpdateOrganizationalUnit', (o) => [this.#arnOf(o, ouId)]);
    const ou = await this.#ou(org, ouId);
    if (!ou) throw ouNotFound(ouId);
    if (name === undefined || name === ou.name) return { OrganizationalUnit: ouOut(ou) };
    await this.#orgs.renameOu(ouId, name);
    const after = { ...ou, name };
    await this.#audit(ctx, org, 'UpdateOrganizationalUnit', ou.arn, { before: ouOut(ou), after: ouOut(after) });
    return { OrganizationalUnit: ouOut(after) };
  }

  async deleteOrganizationalUnit(ctx: OrgRequestContext, input: OuRequest) {
    const ouId = new RequestReader(input).string('OrganizationalUnitId', OU_ID);
    const org = await this.#asManagement(ctx, 'DeleteOrganizationalUnit', (o) => [this.#arnOf(o, ouId)]);
    const ou = await this.#ou(org, ouId);
    if (!ou || !(await this.#orgs.deleteOu(ouId))) throw ouNotFound(ouId);
    await this.#audit(ctx, org, 'DeleteOrganizationalUnit', ou.arn, { before: { ...ouOut(ou), ParentId: ou.parentId } });
    return {};
  }

  async describeOrganizationalUnit(ctx: OrgRequestContext, input: OuRequest) {
    const ouId = new RequestReader(input).string('OrganizationalUnitId', OU_ID);
    const org = await this.#asManagement(ctx, 'DescribeOrganizationalUnit', (o) => [this.#arnOf(o, ouId)]);
    const ou = await this.#ou(org, ouId);
    if (!ou) throw ouNotFound(ouId);
    return { OrganizationalUnit: ouOut(ou) };
  }

  async listOrganizationalUnitsForParent(ctx: OrgRequestContext, input: ParentPageRequest) {
    const r = new RequestReader(input);
    const parentId = r.string('ParentId', PARENT_ID);
    const page = readPage(r);
    const org = await this.#asManagement(ctx, 'ListOrganizationalUnitsForParent', (o) => [this.#arnOf(o, parentId)]);
    if (!(await this.#parent(org, parentId))) throw parentNotFound(parentId);
    const ous = await this.#orgs.listOus(org.orgId, parentId);
    const { items, nextToken } = pageOf(ous.map(ouOut), page, `ListOrganizationalUnitsForParent:${parentId}`);
    return { OrganizationalUnits: items, ...(nextToken ? { NextToken: nextToken } : {}) };
  }

  async listParents(ctx: OrgRequestContext, input: ListParentsRequest) {
    const r = new RequestReader(input);
    const childId = r.string('ChildId', CHILD_ID);
    const page = readPage(r);
    const org = await this.#asManagement(ctx, 'ListParents', (o) => [this.#arnOf(o, childId)]);
    let parentId: string | undefined;
    if (orgEntityKind(childId) === 'account') parentId = (await this.#member(org, childId))?.parentId;
    else parentId = (await this.#ou(org, childId))?.parentId;
    if (parentId === undefined) throw childNotFound(childId);
    const parents = [{ Id: parentId, Type: parentId === org.rootId ? 'ROOT' : 'ORGANIZATIONAL_UNIT' }];
    const { items, nextToken } = pageOf(parents, page, `ListParents:${childId}`);
    return { Parents: items, ...(nextToken ? { NextToken: nextToken } : {}) };
  }

  async listChildren(ctx: OrgRequestContext, input: ListChildrenRequest) {
    const r = new RequestReader(input);
    const parentId = r.string('ParentId', PARENT_ID);
    const childType = r.enumOf('ChildType', ['ACCOUNT', 'ORGANIZATIONAL_UNIT'], { required: true });
    const page = readPage(r);
    const org = await this.#asManagement(ctx, 'ListChildren', (o) => [this.#arnOf(o, parentId)]);
    if (!(await this.#parent(org, parentId))) throw parentNotFound(parentId);
    const ids =
      childType === 'ACCOUNT'
        ? (await this.#orgs.listMembers(org.orgId, parentId)).map((m) => m.accountId)
        : (await this.#orgs.listOus(org.orgId, parentId)).map((ou) => ou.ouId);
    const { items, nextToken } = pageOf(
      ids.map((Id) => ({ Id, Type: childType })),
      page,
      `ListChildren:${parentId}:${childType}`,
    );
    return { Children: items, ...(nextToken ? { NextToken: nextToken } : {}) };
  }

  // ---- accounts --------------------------------------------------------------------------------------

  /**
   * Creates the account at once (AWS does it asynchronously): the returned status is already SUCCEEDED with
   * the new AccountId, or FAILED with AWS's reason (EMAIL_ALREADY_EXISTS) as AWS would report it later.
   */
  async createAccount(ctx: OrgRequestContext, input: CreateAccountRequest) {
    const r = new RequestReader(input);
    const email = r.string('Email', {
      required: true,
      min: 6,
      max: 64,
      pattern: EMAIL_RE,
      looksLike: 'an email address like name@example.com',
    });
    const accountName = r.string('AccountName', {
      required: true,
      min: 1,
      max: 50,
      pattern: ACCOUNT_NAME_RE,
      looksLike: 'printable ASCII characters',
    });
    const roleName = r.string('RoleName', { pattern: ROLE_NAME_RE, looksLike: 'an IAM role name' });
    if (roleName !== undefined && roleName !== ORG_ACCESS_ROLE)
      throw invalidInput(
        'INVALID_ROLE_NAME',
        `Parapet always creates the role ${ORG_ACCESS_ROLE} in new accounts; omit RoleName or pass ${ORG_ACCESS_ROLE}.`,
      );
    r.enumOf('IamUserAccessToBilling', ['ALLOW', 'DENY']);
    rejectTags(r);
    const org = await this.#asManagement(ctx, 'CreateAccount', (o) => [o.arn]);
    const requestedAt = this.#now();
    const id = newCreateAccountRequestId(this.#s.random);
    const taken = (await this.#s.store.accounts.list()).some((a) => a.email?.toLowerCase() === email.toLowerCase());
    let status: CreateAccountStatusRecord;
    if (taken) {
      status = {
        id,
        orgId: org.orgId,
        accountName,
        state: 'FAILED',
        failureReason: 'EMAIL_ALREADY_EXISTS',
        requestedAt,
        completedAt: requestedAt,
      };
    } else {
      const account = await this.#s.accounts.createAccount({
        name: accountName,
        email,
        managementAccountId: org.managementAccountId,
      });
      const completedAt = this.#now();
      await this.#orgs.addMember({
        accountId: account.accountId,
        orgId: org.orgId,
        parentId: org.rootId,
        joinedMethod: 'CREATED',
        joinedAt: completedAt,
      });
      status = { id, orgId: org.orgId, accountName, state: 'SUCCEEDED', accountId: account.accountId, requestedAt, completedAt };
    }
    await this.#orgs.putCreateAccountStatus(status);
    const out = createAccountStatusOut(status);
    await this.#audit(
      ctx,
      org,
      'CreateAccount',
      status.accountId ? orgAccountArn(org.managementAccountId, org.orgId, status.accountId) : org.arn,
      status.state === 'SUCCEEDED'
        ? { after: { ...out, Email: email } }
        : { outcome: 'Failed', detail: { ...out, Email: email } },
    );
    return { CreateAccountStatus: out };
  }

  async describeCreateAccountStatus(ctx: OrgRequestContext, input: DescribeCreateAccountStatusRequest) {
    const id = new RequestReader(input).string('CreateAccountRequestId', {
      required: true,
      pattern: CREATE_ACCOUNT_REQUEST_ID_RE,
      looksLike: 'a request ID like car-0123456789abcdef0123456789abcdef',
    });
    const org = await this.#asManagement(ctx, 'DescribeCreateAccountStatus', (o) => [o.arn]);
    const s = await this.#orgs.getCreateAccountStatus(id);
    if (s?.orgId !== org.orgId)
      throw orgError(
        'CreateAccountStatusNotFoundException',
        `We can't find a create account request with the ID ${id}. Check the ID (ListCreateAccountStatus).`,
      );
    return { CreateAccountStatus: createAccountStatusOut(s) };
  }

  async listCreateAccountStatus(ctx: OrgRequestContext, input: ListCreateAccountStatusRequest = {}) {
    const r = new RequestReader(input);
    const states = r.enumList('States', ['IN_PROGRESS', 'SUCCEEDED', 'FAILED']);
    const page = readPage(r);
    const org = await this.#asManagement(ctx, 'ListCreateAccountStatus', (o) => [o.arn]);
    const all = await this.#orgs.listCreateAccountStatus(org.orgId);
    const kept = states && states.length > 0 ? all.filter((s) => states.includes(s.state)) : all;
    const { items, nextToken } = pageOf(
      kept.map(createAccountStatusOut),
      page,
      `ListCreateAccountStatus:${[...new Set(states ?? [])].sort().join(',')}`,
    );
    return { CreateAccountStatuses: items, ...(nextToken ? { NextToken: nextToken } : {}) };
  }

  async #accountsPage(org: OrganizationRecord, members: MembershipRecord[], page: PageParams, scope: string) {
    const { items, nextToken } = pageOf(members, page, scope);
    const Accounts = [];
    for (const m of items) Accounts.push(accountOut(org, m, await this.#s.store.accounts.get(m.accountId)));
    return { Accounts, ...(nextToken ? { NextToken: nextToken } : {}) };
  }

  async listAccounts(ctx: OrgRequestContext, input: PageInput = {}) {
    const page = readPage(new RequestReader(input));
    const org = await this.#asManagement(ctx, 'ListAccounts', (o) => [o.arn]);
    return this.#accountsPage(org, await this.#orgs.listMembers(org.orgId), page, 'ListAccounts');
  }

  async listAccountsForParent(ctx: OrgRequestContext, input: ParentPageRequest) {
    const r = new RequestReader(input);
    const parentId = r.string('ParentId', PARENT_ID);
    const page = readPage(r);
    const org = await this.#asManagement(ctx, 'ListAccountsForParent', (o) => [this.#arnOf(o, parentId)]);
    if (!(await this.#parent(org, parentId))) throw parentNotFound(parentId);
    const members = await this.#orgs.listMembers(org.orgId, parentId);
    return this.#accountsPage(org, members, page, `ListAccountsForParent:${parentId}`);
  }

  async describeAccount(ctx: OrgRequestContext, input: AccountRequest) {
    const accountId = new RequestReader(input).string('AccountId', ACCOUNT_ID);
    const org = await this.#asManagement(ctx, 'DescribeAccount', (o) => [this.#arnOf(o, accountId)]);
    const m = await this.#member(org, accountId);
    if (!m) throw accountNotFound(accountId);
    return { Account: accountOut(org, m, await this.#s.store.accounts.get(accountId)) };
  }

  async moveAccount(ctx: OrgRequestContext, input: MoveAccountRequest) {
    const r = new RequestReader(input);
    const accountId = r.string('AccountId', ACCOUNT_ID);
    const sourceId = r.string('SourceParentId', PARENT_ID);
    const destinationId = r.string('DestinationParentId', PARENT_ID);
    const org = await this.#asManagement(ctx, 'MoveAccount', (o) => [
      this.#arnOf(o, accountId),
      this.#arnOf(o, destinationId),
    ]);
    const m = await this.#member(org, accountId);
    if (!m) throw accountNotFound(accountId);
    if (!(await this.#parent(org, sourceId)))
      throw orgError('SourceParentNotFoundException', `We can't find a root or OU with the SourceParentId ${sourceId} in your organization. Check the ID (ListParents).`);
    if (!(await this.#parent(org, destinationId)))
      throw orgError('DestinationParentNotFoundException', `We can't find a root or OU with the DestinationParentId ${destinationId} in your organization. Check the ID.`);
    if (m.parentId !== sourceId)
      throw orgError(
        'AccountNotFoundException',
        `Account ${accountId} is not in ${sourceId}: its parent is ${m.parentId}. Pass that as SourceParentId (ListParents).`,
      );
    if (destinationId === sourceId)
      throw orgError('DuplicateAccountException', `Account ${accountId} is already in ${destinationId}.`);
    if (!(await this.#orgs.moveMember(accountId, sourceId, destinationId)))
      throw orgError('AccountNotFoundException', `Account ${accountId} was moved or removed meanwhile; check ListParents and retry.`);
    await this.#audit(ctx, org, 'MoveAccount', this.#arnOf(org, accountId), {
      before: { ParentId: sourceId },
      after: { ParentId: destinationId },
    });
    return {};
  }

  async removeAccountFromOrganization(ctx: OrgRequestContext, input: AccountRequest) {
    const accountId = new RequestReader(input).string('AccountId', ACCOUNT_ID);
    const org = await this.#asManagement(ctx, 'RemoveAccountFromOrganization', (o) => [this.#arnOf(o, accountId)]);
    if (accountId === org.managementAccountId)
      throw orgError(
        'MasterCannotLeaveOrganizationException',
        'You can\'t remove the management account from its organization. Remove the other accounts and delete the organization instead (DeleteOrganization).',
      );
    const m = await this.#member(org, accountId);
    if (!m || !(await this.#orgs.removeMember(accountId))) throw accountNotFound(accountId);
    await this.#audit(ctx, org, 'RemoveAccountFromOrganization', this.#arnOf(org, accountId), {
      before: { ParentId: m.parentId, JoinedMethod: m.joinedMethod },
    });
    return {};
  }

  // ---- policy types ----------------------------------------------------------------------------------

  async enablePolicyType(ctx: OrgRequestContext, input: PolicyTypeRequest) {
    const r = new RequestReader(input);
    const rootId = r.string('RootId', ROOT_ID);
    const type = r.enumOf('PolicyType', POLICY_TYPES, { required: true, reason: 'INVALID_ENUM_POLICY_TYPE' });
    const org = await this.#asManagement(ctx, 'EnablePolicyType', (o) => [this.#arnOf(o, rootId)]);
    if (rootId !== org.rootId) throw rootNotFound(rootId, org);
    if (type !== BEDROCK_POLICY) throw notAvailable(type);
    if (org.enabledPolicyTypes.includes(type))
      throw orgError('PolicyTypeAlreadyEnabledException', `The policy type ${type} is already enabled on root ${rootId}.`);
    const types = [...org.enabledPolicyTypes, type].sort();
    await this.#orgs.setEnabledPolicyTypes(org.orgId, types);
    const after = { ...org, enabledPolicyTypes: types };
    await this.#audit(ctx, org, 'EnablePolicyType', org.rootArn, { before: rootOut(org), after: rootOut(after) });
    return { Root: rootOut(after) };
  }

  /** Disabling a type detaches every policy of it, as AWS does; the policies themselves remain. */
  async disablePolicyType(ctx: OrgRequestContext, input: PolicyTypeRequest) {
    const r = new RequestReader(input);
    const rootId = r.string('RootId', ROOT_ID);
    const type = r.enumOf('PolicyType', POLICY_TYPES, { required: true, reason: 'INVALID_ENUM_POLICY_TYPE' });
    const org = await this.#asManagement(ctx, 'DisablePolicyType', (o) => [this.#arnOf(o, rootId)]);
    if (rootId !== org.rootId) throw rootNotFound(rootId, org);
    if (type !== BEDROCK_POLICY) throw notAvailable(type);
    if (!org.enabledPolicyTypes.includes(type))
      throw orgError('PolicyTypeNotEnabledException', `The policy type ${type} is not enabled on root ${rootId}.`);
    const detached: Array<{ PolicyId: string; TargetId: string }> = [];
    for (const p of await this.#orgs.listPolicies(org.orgId, type))
      for (const targetId of await this.#orgs.listTargetsForPolicy(p.policyId))
        if (await this.#orgs.detach(p.policyId, targetId)) detached.push({ PolicyId: p.policyId, TargetId: targetId });
    const types = org.enabledPolicyTypes.filter((t) => t !== type);
    await this.#orgs.setEnabledPolicyTypes(org.orgId, types);
    const after = { ...org, enabledPolicyTypes: types };
    await this.#audit(ctx, org, 'DisablePolicyType', org.rootArn, {
      before: rootOut(org),
      after: rootOut(after),
      detail: { detached },
    });
    return { Root: rootOut(after) };
  }

  // ---- policies --------------------------------------------------------------------------------------

  /**
   * A BEDROCK_POLICY document must be valid and every guardrail it names enforceable: owned by the
   * management account, present in the Region it is listed under, and the version published. The guardrail's
   * resource-based policy is not checked here (AWS accepts the policy without one; `verify` reports it).
   */
  async #checkBedrockContent(org: OrganizationRecord, content: string): Promise<void> {
    const chars = content.length > MAX_BEDROCK_POLICY_CHARS ? [...content].length : content.length;
    if (chars > MAX_BEDROCK_POLICY_CHARS)
      throw orgError(
        'ConstraintViolationException',
        `The policy content has ${chars} characters; a BEDROCK_POLICY may have at most ` +
          `${MAX_BEDROCK_POLICY_CHARS.toLocaleString('en-US')}. Split it into several policies attached to the same target.`,
        { Reason: 'POLICY_CONTENT_LIMIT_EXCEEDED' },
      );
    const doc = parseBedrockPolicy(content);
    const mgmt = org.managementAccountId;
    const problems: string[] = [];
    for (const id of doc.identifiers) {
      if (id.ownerAccountId !== mgmt) {
        problems.push(
          `${id.path}: guardrail ${id.guardrailArn} belongs to account ${id.ownerAccountId}, but a BEDROCK_POLICY may ` +
            `only use guardrails of the management account ${mgmt}; create the guardrail in ${mgmt} and reference its ARN`,
        );
        continue;
      }
      const g = await this.#s.store.guardrails.get(mgmt, id.region, id.guardrailId);
      if (!g) {
        const elsewhere = await this.#regionsHolding(mgmt, id.guardrailId, id.region);
        problems.push(
          elsewhere.length > 0
            ? `${id.path}: guardrail ${id.guardrailId} exists in ${elsewhere.join(', ')} but not in ${id.region}. ` +
                `Cross-account safeguards are Region-specific: create the guardrail in ${id.region} too, publish a ` +
                `version there and reference that guardrail's ARN under "${id.region}"`
            : `${id.path}: guardrail ${id.guardrailArn} does not exist in the management account ${mgmt}, Region ` +
                `${id.region}; check the guardrail ID and Region (ListGuardrails in ${id.region})`,
        );
        continue;
      }
      if (!(await this.#s.store.guardrails.getVersion(mgmt, id.region, id.guardrailId, id.version)))
        problems.push(
          `${id.path}: guardrail ${id.guardrailArn} has no version ${id.version}; publish a version with ` +
            `CreateGuardrailVersion and reference its number (${id.guardrailArn}:<version>)`,
        );
    }
    if (problems.length > 0) {
      const shown = problems.slice(0, 10);
      const more = problems.length > shown.length ? ` (and ${problems.length - shown.length} more)` : '';
      throw orgError(
        'MalformedPolicyDocumentException',
        `The BEDROCK_POLICY names guardrails that cannot be enforced: ${shown.join('; ')}${more}.`,
      );
    }
  }

  /** Other Regions where the management account has a guardrail with this id (for the Region pitfall). */
  async #regionsHolding(accountId: string, guardrailId: string, except: string): Promise<string[]> {
    const found: string[] = [];
    for (const region of AWS_REGIONS)
      if (region !== except && (await this.#s.store.guardrails.get(accountId, region, guardrailId))) found.push(region);
    return found;
  }

  async createPolicy(ctx: OrgRequestContext, input: CreatePolicyRequest) {
    const r = new RequestReader(input);
    const content = r.string('Content', { required: true, min: 1, max: 1_000_000 });
    const description = r.string('Description', { required: true, max: 512 });
    const name = r.string('Name', NAME_128);
    const type = r.enumOf('Type', POLICY_TYPES, { required: true, reason: 'INVALID_ENUM_POLICY_TYPE' });
    rejectTags(r);
    const org = await this.#asManagement(ctx, 'CreatePolicy', (o) => [o.arn]);
    if (type !== BEDROCK_POLICY) throw notAvailable(type);
    await this.#checkBedrockContent(org, content);
    const now = this.#now();
    const policyId = newPolicyId(this.#s.random);
    const p: OrgPolicyRecord = {
      policyId,
      orgId: org.orgId,
      arn: this.#policyArn(org, policyId),
      type,
      name,
      description,
      content,
      createdAt: now,
      updatedAt: now,
    };
    await this.#orgs.createPolicy(p);
    await this.#audit(ctx, org, 'CreatePolicy', p.arn, { after: policyOut(p) });
    return { Policy: policyOut(p) };
  }

  async updatePolicy(ctx: OrgRequestContext, input: UpdatePolicyRequest) {
    const r = new RequestReader(input);
    const policyId = r.string('PolicyId', POLICY_ID);
    const name = r.string('Name', { min: 1, max: 128 });
    const description = r.string('Description', { max: 512 });
    const content = r.string('Content', { min: 1, max: 1_000_000 });
    const org = await this.#asManagement(ctx, 'UpdatePolicy', (o) => [this.#policyArn(o, policyId)]);
    const before = await this.#policy(org, policyId);
    if (!before) throw policyNotFound(policyId);
    if (content !== undefined) await this.#checkBedrockContent(org, content);
    const after: OrgPolicyRecord = {
      ...before,
      name: name ?? before.name,
      description: description ?? before.description,
      content: content ?? before.content,
      updatedAt: this.#now(),
    };
    if (!(await this.#orgs.updatePolicy(after))) throw policyNotFound(policyId);
    await this.#audit(ctx, org, 'UpdatePolicy', after.arn, { before: policyOut(before), after: policyOut(after) });
    return { Policy: policyOut(after) };
  }

  async describePolicy(ctx: OrgRequestContext, input: PolicyRequest) {
    const policyId = new RequestReader(input).string('PolicyId', POLICY_ID);
    const org = await this.#asManagement(ctx, 'DescribePolicy', (o) => [this.#policyArn(o, policyId)]);
    const p = await this.#policy(org, policyId);
    if (!p) throw policyNotFound(policyId);
    return { Policy: policyOut(p) };
  }

  async listPolicies(ctx: OrgRequestContext, input: ListPoliciesRequest) {
    const r = new RequestReader(input);
    const type = r.enumOf('Filter', POLICY_TYPES, { required: true, reason: 'INVALID_ENUM_POLICY_TYPE' });
    const page = readPage(r);
    const org = await this.#asManagement(ctx, 'ListPolicies', (o) => [o.arn]);
    const policies = await this.#orgs.listPolicies(org.orgId, type);
    const { items, nextToken } = pageOf(policies.map(policySummaryOut), page, `ListPolicies:${type}`);
    return { Policies: items, ...(nextToken ? { NextToken: nextToken } : {}) };
  }

  async deletePolicy(ctx: OrgRequestContext, input: PolicyRequest) {
    const policyId = new RequestReader(input).string('PolicyId', POLICY_ID);
    const org = await this.#asManagement(ctx, 'DeletePolicy', (o) => [this.#policyArn(o, policyId)]);
    const p = await this.#policy(org, policyId);
    if (!p || !(await this.#orgs.deletePolicy(policyId))) throw policyNotFound(policyId);
    await this.#audit(ctx, org, 'DeletePolicy', p.arn, { before: policyOut(p) });
    return {};
  }

  async attachPolicy(ctx: OrgRequestContext, input: AttachmentRequest) {
    const r = new RequestReader(input);
    const policyId = r.string('PolicyId', POLICY_ID);
    const targetId = r.string('TargetId', TARGET_ID);
    const org = await this.#asManagement(ctx, 'AttachPolicy', (o) => [this.#policyArn(o, policyId), this.#arnOf(o, targetId)]);
    const p = await this.#policy(org, policyId);
    if (!p) throw policyNotFound(policyId);
    const target = await this.#target(org, targetId);
    if (!target) throw targetNotFound(targetId);
    if (!org.enabledPolicyTypes.includes(p.type))
      throw orgError(
        'PolicyTypeNotEnabledException',
        `The policy type ${p.type} is not enabled on the root. Enable it first: EnablePolicyType with RootId ${org.rootId} and PolicyType ${p.type}.`,
      );
    const attached = await this.#orgs.listAttachmentsForTarget(targetId);
    if (attached.includes(policyId))
      throw orgError('DuplicatePolicyAttachmentException', `Policy ${policyId} is already attached to ${targetId}.`);
    let sameType = 0;
    for (const id of attached) if ((await this.#orgs.getPolicy(id))?.type === p.type) sameType++;
    if (sameType >= MAX_POLICIES_PER_TARGET)
      throw orgError(
        'ConstraintViolationException',
        `${targetId} already has ${sameType} ${p.type} policies attached, the most allowed. Merge policies or attach higher in the tree.`,
        { Reason: 'MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED' },
      );
    await this.#orgs.attach(policyId, targetId, this.#now());
    await this.#audit(ctx, org, 'AttachPolicy', p.arn, { after: { PolicyId: policyId, TargetId: targetId, TargetArn: target.arn } });
    return {};
  }

  async detachPolicy(ctx: OrgRequestContext, input: AttachmentRequest) {
    const r = new RequestReader(input);
    const policyId = r.string('PolicyId', POLICY_ID);
    const targetId = r.string('TargetId', TARGET_ID);
    const org = await this.#asManagement(ctx, 'DetachPolicy', (o) => [this.#policyArn(o, policyId), this.#arnOf(o, targetId)]);
    const p = await this.#policy(org, policyId);
    if (!p) throw policyNotFound(policyId);
    const target = await this.#target(org, targetId);
    if (!target) throw targetNotFound(targetId);
    if (!(await this.#orgs.detach(policyId, targetId)))
      throw orgError('PolicyNotAttachedException', `Policy ${policyId} is not attached to ${targetId} (ListPoliciesForTarget).`);
    await this.#audit(ctx, org, 'DetachPolicy', p.arn, { before: { PolicyId: policyId, TargetId: targetId, TargetArn: target.arn } });
    return {};
  }

  async listPoliciesForTarget(ctx: OrgRequestContext, input: ListPoliciesForTargetRequest) {
    const r = new RequestReader(input);
    const targetId = r.string('TargetId', TARGET_ID);
    const type = r.enumOf('Filter', POLICY_TYPES, { required: true, reason: 'INVALID_ENUM_POLICY_TYPE' });
    const page = readPage(r);
    const org = await this.#asManagement(ctx, 'ListPoliciesForTarget', (o) => [this.#arnOf(o, targetId)]);
    if (!(await this.#target(org, targetId))) throw targetNotFound(targetId);
    const policies: OrgPolicyRecord[] = [];
    for (const id of await this.#orgs.listAttachmentsForTarget(targetId)) {
      const p = await this.#policy(org, id);
      if (p?.type === type) policies.push(p);
    }
    const { items, nextToken } = pageOf(policies.map(policySummaryOut), page, `ListPoliciesForTarget:${targetId}:${type}`);
    return { Policies: items, ...(nextToken ? { NextToken: nextToken } : {}) };
  }

  async listTargetsForPolicy(ctx: OrgRequestContext, input: ListTargetsForPolicyRequest) {
    const r = new RequestReader(input);
    const policyId = r.string('PolicyId', POLICY_ID);
    const page = readPage(r);
    const org = await this.#asManagement(ctx, 'ListTargetsForPolicy', (o) => [this.#policyArn(o, policyId)]);
    if (!(await this.#policy(org, policyId))) throw policyNotFound(policyId);
    const targetIds = await this.#orgs.listTargetsForPolicy(policyId);
    const { items, nextToken } = pageOf(targetIds, page, `ListTargetsForPolicy:${policyId}`);
    const Targets = [];
    for (const id of items) {
      const t = await this.#target(org, id);
      if (t) Targets.push({ TargetId: t.id, Arn: t.arn, Name: t.name, Type: t.type });
    }
    return { Targets, ...(nextToken ? { NextToken: nextToken } : {}) };
  }

  // ---- effective policy ------------------------------------------------------------------------------

  /** The BEDROCK_POLICY policies attached root → OUs → account, and when the newest of them changed. */
  async #levels(org: OrganizationRecord, accountId: string): Promise<{ levels: EffectivePolicyLevelInput[]; count: number; updatedAt?: string }> {
    const pos = await this.#s.authz.orgPosition(accountId);
    const targets = [...(pos && pos.org.orgId === org.orgId ? pos.ancestors : [org.rootId]), accountId];
    const levels: EffectivePolicyLevelInput[] = [];
    let count = 0;
    let updatedAt: string | undefined;
    for (const targetId of targets) {
      const policies = [];
      for (const id of await this.#orgs.listAttachmentsForTarget(targetId)) {
        const p = await this.#policy(org, id);
        if (p?.type !== BEDROCK_POLICY) continue;
        policies.push({ policyId: p.policyId, name: p.name, content: p.content });
        if (updatedAt === undefined || p.updatedAt > updatedAt) updatedAt = p.updatedAt;
      }
      count += policies.length;
      levels.push({ targetId, policies });
    }
    return { levels, count, ...(updatedAt !== undefined ? { updatedAt } : {}) };
  }

  /**
   * The effective policy of an account. The management account may ask for any account of its organization;
   * a member only for itself (TargetId omitted or its own id). Roots and OUs have no effective policy.
   */
  async describeEffectivePolicy(ctx: OrgRequestContext, input: DescribeEffectivePolicyRequest) {
    const r = new RequestReader(input);
    const type = r.enumOf('PolicyType', EFFECTIVE_POLICY_TYPES, { required: true, reason: 'INVALID_ENUM_POLICY_TYPE' });
    const targetId = r.string('TargetId', { ...TARGET_ID, required: false }) ?? ctx.caller.accountId;
    if (orgEntityKind(targetId) !== 'account')
      throw invalidInput(
        'TARGET_NOT_SUPPORTED',
        `Effective policies are computed for accounts only; ${targetId} is a root or OU. Pass an account ID as TargetId (or omit it for your own account).`,
      );
    const org = await this.#orgOf(ctx.caller);
    if (ctx.caller.accountId !== org.managementAccountId && targetId !== ctx.caller.accountId)
      throw accessDenied(NO_PERMISSION);
    // Like DescribeOrganization: a member asks about itself, so only its identity policies decide.
    await this.#s.authz.require({
      caller: ctx.caller,
      action: 'organizations:DescribeEffectivePolicy',
      resource: this.#arnOf(org, targetId),
      resourceAccountId: ctx.caller.accountId,
    });
    if (!(await this.#member(org, targetId))) throw targetNotFound(targetId);
    const notFound = (why: string): ServiceError =>
      orgError('EffectivePolicyNotFoundException', `No effective ${type} for account ${targetId}: ${why}.`);
    if (type !== BEDROCK_POLICY) throw notFound('Parapet enforces only BEDROCK_POLICY');
    const { levels, count, updatedAt } = await this.#levels(org, targetId);
    if (count === 0)
      throw notFound(
        'no BEDROCK_POLICY is attached to the root, to an OU above the account or to the account itself. ' +
          'Attach one with AttachPolicy',
      );
    const effective = effectiveBedrockPolicy(levels);
    return {
      EffectivePolicy: {
        PolicyContent: effective.content,
        LastUpdatedTimestamp: epochSeconds(updatedAt ?? org.createdAt),
        TargetId: targetId,
        PolicyType: type,
      },
    };
  }

  /**
   * For the enforcement code: the organization guardrail configurations that apply to `accountId`.
   * undefined when the account is in no organization, BEDROCK_POLICY is not enabled, or no attached policy
   * applies. Attached policies that no longer validate are returned in `invalidPolicies` (even with no
   * config left) so the caller can fail closed as AWS does.
   */
  async effectiveGuardrailConfigs(accountId: string): Promise<OrgGuardrailEnforcement | undefined> {
    const m = await this.#orgs.getMembership(accountId);
    if (!m) return undefined;
    const org = await this.#orgs.get(m.orgId);
    if (!org || !org.enabledPolicyTypes.includes(BEDROCK_POLICY)) return undefined;
    const { levels, count } = await this.#levels(org, accountId);
    if (count === 0) return undefined;
    const effective = effectiveBedrockPolicy(levels);
    if (effective.configs.length === 0 && effective.invalidPolicies.length === 0) return undefined;
    return {
      orgId: org.orgId,
      managementAccountId: org.managementAccountId,
      configs: effective.configs,
      warnings: effective.warnings,
      content: effective.content,
      invalidPolicies: effective.invalidPolicies,
    };
  }
}

/** Parapet keeps no tags on organization resources; refusing them beats dropping them silently. */
function rejectTags(r: RequestReader): void {
  if (r.listLength('Tags') > 0)
    throw invalidInput(
      'INVALID_LIST_MEMBER',
      'Parapet does not support tags on organization resources; send the request without Tags.',
    );
}
