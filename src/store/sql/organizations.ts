import { conflict, ServiceError, type ErrorCode } from '../../core/errors.ts';
import type {
  CreateAccountStatusRecord,
  MembershipRecord,
  OrganizationRecord,
  OrganizationRepo,
  OrgPolicyRecord,
  OrgUnitRecord,
} from '../types.ts';
import { mapConstraintErrors } from './constraint-errors.ts';
import { lockKeys, type Db, type SqlRuntime } from './runtime.ts';
import type {
  OrgCreateAccountStatusTable,
  OrganizationsTable,
  OrgMembersTable,
  OrgPoliciesTable,
  OrgUnitsTable,
} from './schema.ts';

const orgError = (code: ErrorCode, message: string): ServiceError => new ServiceError(code, message);

const notInUse = (orgId: string): ServiceError =>
  orgError('AWSOrganizationsNotInUseException', `Organization ${orgId} does not exist. Create an organization first.`);

const alreadyInOrg = (accountId: string): ServiceError =>
  orgError(
    'AlreadyInOrganizationException',
    `Account ${accountId} is already a member of an organization. Remove it from that organization first.`,
  );

/**
 * AWS Organizations: the organization with its root, OUs, memberships, policies and their attachments.
 * Every structural write takes the one `organizations` lock key (see `lockKeys`); one-account-one-organization,
 * OU and policy names, attachments and "policy still attached" are enforced by the database's constraints.
 */
export function createOrganizationRepo(rt: SqlRuntime): OrganizationRepo {
  const writeTx = <T>(fn: (tx: Db) => Promise<T>): Promise<T> => rt.writeTx([lockKeys.organizations()], fn);

  return {
    async create(org, joinedAt) {
      await writeTx(async (tx) => {
        const clash = await tx
          .selectFrom('organizations')
          .select('org_id')
          .where((eb) => eb.or([eb('org_id', '=', org.orgId), eb('root_id', '=', org.rootId)]))
          .executeTakeFirst();
        if (clash) throw conflict(`Organization ${org.orgId} or root ${org.rootId} already exists. Retry the request.`);
        const inOrg = () => alreadyInOrg(org.managementAccountId);
        await mapConstraintErrors(
          () =>
            tx
              .insertInto('organizations')
              .values({
                org_id: org.orgId,
                arn: org.arn,
                management_account_id: org.managementAccountId,
                root_id: org.rootId,
                root_arn: org.rootArn,
                feature_set: org.featureSet,
                enabled_policy_types: JSON.stringify(sortedTypes(org.enabledPolicyTypes)),
                created_at: org.createdAt,
              })
              .execute(),
          { unique: inOrg },
        );
        await mapConstraintErrors(
          () =>
            tx
              .insertInto('org_members')
              .values({
                account_id: org.managementAccountId,
                org_id: org.orgId,
                parent_id: org.rootId,
                joined_method: 'CREATED',
                joined_at: joinedAt,
              })
              .execute(),
          { 'primary-key': inOrg },
        );
      });
    },

    get: (orgId) => selectOrganization(rt.db, orgId),

    async getForAccount(accountId) {
      const row = await rt.db
        .selectFrom('org_members')
        .innerJoin('organizations', 'organizations.org_id', 'org_members.org_id')
        .selectAll('organizations')
        .where('org_members.account_id', '=', accountId)
        .executeTakeFirst();
      return row && toOrganization(row);
    },

    async setEnabledPolicyTypes(orgId, types) {
      const result = await rt.db
        .updateTable('organizations')
        .set({ enabled_policy_types: JSON.stringify(sortedTypes(types)) })
        .where('org_id', '=', orgId)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) throw notInUse(orgId);
    },

    async delete(orgId) {
      await writeTx(async (tx) => {
        const org = await selectOrganization(tx, orgId);
        if (!org) throw notInUse(orgId);
        const notEmpty = () =>
          orgError(
            'OrganizationNotEmptyException',
            `Organization ${orgId} still has member accounts. Remove every member account before deleting it.`,
          );
        const other = await tx
          .selectFrom('org_members')
          .select('account_id')
          .where('org_id', '=', orgId)
          .where('account_id', '<>', org.managementAccountId)
          .executeTakeFirst();
        if (other) throw notEmpty();
        await tx.deleteFrom('org_policy_attachments').where('org_id', '=', orgId).execute();
        for (const table of ['org_policies', 'org_units', 'org_create_account_status'] as const) {
          await tx.deleteFrom(table).where('org_id', '=', orgId).execute();
        }
        await tx.deleteFrom('org_members').where('account_id', '=', org.managementAccountId).execute();
        // org_members does not cascade: a member added behind our back makes this fail, not vanish
        await mapConstraintErrors(() => tx.deleteFrom('organizations').where('org_id', '=', orgId).execute(), {
          'foreign-key': notEmpty,
        });
      });
    },

    async createOu(ou) {
      await writeTx(async (tx) => {
        await assertParent(tx, ou.orgId, ou.parentId, 'ParentNotFoundException');
        await mapConstraintErrors(
          () =>
            tx
              .insertInto('org_units')
              .values({
                ou_id: ou.ouId,
                org_id: ou.orgId,
                arn: ou.arn,
                parent_id: ou.parentId,
                name: ou.name,
                created_at: ou.createdAt,
              })
              .execute(),
          {
            'primary-key': () => conflict(`Organizational unit ${ou.ouId} already exists. Retry the request.`),
            unique: () => duplicateOu(ou.name, ou.parentId),
            'foreign-key': () => notInUse(ou.orgId),
          },
        );
      });
    },

    async getOu(ouId) {
      const row = await rt.db.selectFrom('org_units').selectAll().where('ou_id', '=', ouId).executeTakeFirst();
      return row && toOu(row);
    },

    async listOus(orgId, parentId) {
      let q = rt.db.selectFrom('org_units').selectAll().where('org_id', '=', orgId);
      if (parentId !== undefined) q = q.where('parent_id', '=', parentId);
      const rows = await q.orderBy('created_at').orderBy('ou_id').execute();
      return rows.map(toOu);
    },

    async renameOu(ouId, name) {
      await writeTx(async (tx) => {
        const ou = await tx.selectFrom('org_units').select('parent_id').where('ou_id', '=', ouId).executeTakeFirst();
        if (!ou) throw ouNotFound(ouId);
        await mapConstraintErrors(
          () => tx.updateTable('org_units').set({ name }).where('ou_id', '=', ouId).execute(),
          { unique: () => duplicateOu(name, ou.parent_id) },
        );
      });
    },

    async deleteOu(ouId) {
      return writeTx(async (tx) => {
        const ou = await tx.selectFrom('org_units').select('ou_id').where('ou_id', '=', ouId).executeTakeFirst();
        if (!ou) return false;
        const childOu = await tx.selectFrom('org_units').select('ou_id').where('parent_id', '=', ouId).executeTakeFirst();
        const child =
          childOu ??
          (await tx.selectFrom('org_members').select('account_id').where('parent_id', '=', ouId).executeTakeFirst());
        if (child) {
          throw orgError(
            'OrganizationalUnitNotEmptyException',
            `Organizational unit ${ouId} still contains accounts or organizational units. Move or delete them first.`,
          );
        }
        await tx.deleteFrom('org_policy_attachments').where('target_id', '=', ouId).execute();
        await tx.deleteFrom('org_units').where('ou_id', '=', ouId).execute();
        return true;
      });
    },

    async addMember(m) {
      await writeTx(async (tx) => {
        await assertParent(tx, m.orgId, m.parentId, 'ParentNotFoundException');
        await mapConstraintErrors(
          () =>
            tx
              .insertInto('org_members')
              .values({
                account_id: m.accountId,
                org_id: m.orgId,
                parent_id: m.parentId,
                joined_method: m.joinedMethod,
                joined_at: m.joinedAt,
              })
              .execute(),
          { 'primary-key': () => alreadyInOrg(m.accountId), 'foreign-key': () => notInUse(m.orgId) },
        );
      });
    },

    getMembership: (accountId) => selectMembership(rt.db, accountId),

    async listMembers(orgId, parentId) {
      let q = rt.db.selectFrom('org_members').selectAll().where('org_id', '=', orgId);
      if (parentId !== undefined) q = q.where('parent_id', '=', parentId);
      const rows = await q.orderBy('joined_at').orderBy('account_id').execute();
      return rows.map(toMembership);
    },

    async moveMember(accountId, fromParentId, toParentId) {
      return writeTx(async (tx) => {
        const current = await selectMembership(tx, accountId);
        if (!current || current.parentId !== fromParentId) return false;
        await assertParent(tx, current.orgId, toParentId, 'DestinationParentNotFoundException');
        const result = await tx
          .updateTable('org_members')
          .set({ parent_id: toParentId })
          .where('account_id', '=', accountId)
          .where('parent_id', '=', fromParentId)
          .executeTakeFirst();
        return result.numUpdatedRows > 0n;
      });
    },

    async removeMember(accountId) {
      return writeTx(async (tx) => {
        if (!(await selectMembership(tx, accountId))) return false;
        await tx.deleteFrom('org_policy_attachments').where('target_id', '=', accountId).execute();
        await tx.deleteFrom('org_members').where('account_id', '=', accountId).execute();
        return true;
      });
    },

    async createPolicy(p) {
      await mapConstraintErrors(
        () =>
          rt.db
            .insertInto('org_policies')
            .values({
              policy_id: p.policyId,
              org_id: p.orgId,
              arn: p.arn,
              policy_type: p.type,
              name: p.name,
              description: p.description,
              content: p.content,
              created_at: p.createdAt,
              updated_at: p.updatedAt,
            })
            .execute(),
        {
          'primary-key': () => conflict(`Policy ${p.policyId} already exists. Retry the request.`),
          unique: () => duplicatePolicy(p.name, p.type),
          'foreign-key': () => notInUse(p.orgId),
        },
      );
    },

    async getPolicy(policyId) {
      const row = await rt.db.selectFrom('org_policies').selectAll().where('policy_id', '=', policyId).executeTakeFirst();
      return row && toPolicy(row);
    },

    async listPolicies(orgId, type) {
      const rows = await rt.db
        .selectFrom('org_policies')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('policy_type', '=', type)
        .orderBy('created_at')
        .orderBy('policy_id')
        .execute();
      return rows.map(toPolicy);
    },

    async updatePolicy(p) {
      const result = await mapConstraintErrors(
        () =>
          rt.db
            .updateTable('org_policies')
            .set({ name: p.name, description: p.description, content: p.content, updated_at: p.updatedAt })
            .where('policy_id', '=', p.policyId)
            .executeTakeFirst(),
        { unique: () => duplicatePolicy(p.name, p.type) },
      );
      return result.numUpdatedRows > 0n;
    },

    async deletePolicy(policyId) {
      // Attachments reference policies without cascade, so the database refuses to delete an attached one.
      const result = await mapConstraintErrors(
        () => rt.db.deleteFrom('org_policies').where('policy_id', '=', policyId).executeTakeFirst(),
        {
          'foreign-key': () =>
            orgError(
              'PolicyInUseException',
              `Policy ${policyId} is still attached to a root, organizational unit or account. Detach it everywhere first.`,
            ),
        },
      );
      return result.numDeletedRows > 0n;
    },

    async attach(policyId, targetId, at) {
      const policyNotFound = () =>
        orgError('PolicyNotFoundException', `Policy ${policyId} does not exist. Check the policy id.`);
      await writeTx(async (tx) => {
        const policy = await tx
          .selectFrom('org_policies')
          .select('org_id')
          .where('policy_id', '=', policyId)
          .executeTakeFirst();
        if (!policy) throw policyNotFound();
        if (!(await isTarget(tx, policy.org_id, targetId))) {
          throw orgError(
            'TargetNotFoundException',
            `Target ${targetId} is not a root, organizational unit or account of the policy's organization.`,
          );
        }
        await mapConstraintErrors(
          () =>
            tx
              .insertInto('org_policy_attachments')
              .values({ policy_id: policyId, target_id: targetId, org_id: policy.org_id, attached_at: at })
              .execute(),
          {
            'primary-key': () =>
              orgError(
                'DuplicatePolicyAttachmentException',
                `Policy ${policyId} is already attached to ${targetId}.`,
              ),
            'foreign-key': policyNotFound,
          },
        );
      });
    },

    async detach(policyId, targetId) {
      const result = await rt.db
        .deleteFrom('org_policy_attachments')
        .where('policy_id', '=', policyId)
        .where('target_id', '=', targetId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async listAttachmentsForTarget(targetId) {
      const rows = await rt.db
        .selectFrom('org_policy_attachments')
        .select('policy_id')
        .where('target_id', '=', targetId)
        .orderBy('attached_at')
        .orderBy('policy_id')
        .execute();
      return rows.map((r) => r.policy_id);
    },

    async listTargetsForPolicy(policyId) {
      const rows = await rt.db
        .selectFrom('org_policy_attachments')
        .select('target_id')
        .where('policy_id', '=', policyId)
        .orderBy('attached_at')
        .orderBy('target_id')
        .execute();
      return rows.map((r) => r.target_id);
    },

    async putCreateAccountStatus(s) {
      const row = {
        org_id: s.orgId,
        account_name: s.accountName,
        state: s.state,
        account_id: s.accountId ?? null,
        failure_reason: s.failureReason ?? null,
        requested_at: s.requestedAt,
        completed_at: s.completedAt ?? null,
      };
      await mapConstraintErrors(
        () =>
          rt.db
            .insertInto('org_create_account_status')
            .values({ id: s.id, ...row })
            .onConflict((oc) => oc.column('id').doUpdateSet(row))
            .execute(),
        { 'foreign-key': () => notInUse(s.orgId) },
      );
    },

    async getCreateAccountStatus(id) {
      const row = await rt.db
        .selectFrom('org_create_account_status')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toCreateAccountStatus(row);
    },

    async listCreateAccountStatus(orgId) {
      const rows = await rt.db
        .selectFrom('org_create_account_status')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('requested_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      return rows.map(toCreateAccountStatus);
    },
  };
}

function sortedTypes(types: readonly string[]): string[] {
  return [...new Set(types)].sort();
}

function duplicateOu(name: string, parentId: string): ServiceError {
  return orgError(
    'DuplicateOrganizationalUnitException',
    `An organizational unit named "${name}" already exists under ${parentId}. Choose another name.`,
  );
}

function duplicatePolicy(name: string, type: string): ServiceError {
  return orgError(
    'DuplicatePolicyException',
    `A ${type} policy named "${name}" already exists in this organization. Choose another name.`,
  );
}

function ouNotFound(ouId: string): ServiceError {
  return orgError('OrganizationalUnitNotFoundException', `Organizational unit ${ouId} does not exist.`);
}

/** Throws `code` unless `parentId` is the root of `orgId` or one of its OUs. */
async function assertParent(tx: Db, orgId: string, parentId: string, code: ErrorCode): Promise<void> {
  if (await isParent(tx, orgId, parentId)) return;
  throw orgError(code, `Parent ${parentId} is not the root or an organizational unit of organization ${orgId}.`);
}

async function isParent(tx: Db, orgId: string, parentId: string): Promise<boolean> {
  const root = await tx
    .selectFrom('organizations')
    .select('org_id')
    .where('org_id', '=', orgId)
    .where('root_id', '=', parentId)
    .executeTakeFirst();
  if (root) return true;
  const ou = await tx
    .selectFrom('org_units')
    .select('ou_id')
    .where('org_id', '=', orgId)
    .where('ou_id', '=', parentId)
    .executeTakeFirst();
  return ou !== undefined;
}

/** A policy target: the root, an OU or a member account of `orgId`. */
async function isTarget(tx: Db, orgId: string, targetId: string): Promise<boolean> {
  if (await isParent(tx, orgId, targetId)) return true;
  const member = await tx
    .selectFrom('org_members')
    .select('account_id')
    .where('org_id', '=', orgId)
    .where('account_id', '=', targetId)
    .executeTakeFirst();
  return member !== undefined;
}

async function selectOrganization(db: Db, orgId: string): Promise<OrganizationRecord | undefined> {
  const row = await db.selectFrom('organizations').selectAll().where('org_id', '=', orgId).executeTakeFirst();
  return row && toOrganization(row);
}

async function selectMembership(db: Db, accountId: string): Promise<MembershipRecord | undefined> {
  const row = await db.selectFrom('org_members').selectAll().where('account_id', '=', accountId).executeTakeFirst();
  return row && toMembership(row);
}

function toOrganization(row: OrganizationsTable): OrganizationRecord {
  if (row.feature_set !== 'ALL') {
    throw new Error(`organization ${row.org_id} has an unknown feature set ${JSON.stringify(row.feature_set)} in the store`);
  }
  const types: unknown = JSON.parse(row.enabled_policy_types);
  if (!Array.isArray(types) || !types.every((t): t is string => typeof t === 'string')) {
    throw new Error(`organization ${row.org_id} has malformed enabled policy types in the store`);
  }
  return {
    orgId: row.org_id,
    arn: row.arn,
    managementAccountId: row.management_account_id,
    rootId: row.root_id,
    rootArn: row.root_arn,
    featureSet: row.feature_set,
    enabledPolicyTypes: types,
    createdAt: row.created_at,
  };
}

function toOu(row: OrgUnitsTable): OrgUnitRecord {
  return {
    ouId: row.ou_id,
    orgId: row.org_id,
    arn: row.arn,
    parentId: row.parent_id,
    name: row.name,
    createdAt: row.created_at,
  };
}

function toMembership(row: OrgMembersTable): MembershipRecord {
  if (row.joined_method !== 'CREATED' && row.joined_method !== 'INVITED') {
    throw new Error(`membership of ${row.account_id} has an unknown method ${JSON.stringify(row.joined_method)} in the store`);
  }
  return {
    accountId: row.account_id,
    orgId: row.org_id,
    parentId: row.parent_id,
    joinedMethod: row.joined_method,
    joinedAt: row.joined_at,
  };
}

function toPolicy(row: OrgPoliciesTable): OrgPolicyRecord {
  return {
    policyId: row.policy_id,
    orgId: row.org_id,
    arn: row.arn,
    type: row.policy_type,
    name: row.name,
    description: row.description,
    content: row.content,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toCreateAccountStatus(row: OrgCreateAccountStatusTable): CreateAccountStatusRecord {
  if (row.state !== 'IN_PROGRESS' && row.state !== 'SUCCEEDED' && row.state !== 'FAILED') {
    throw new Error(`create-account status ${row.id} has an unknown state ${JSON.stringify(row.state)} in the store`);
  }
  const s: CreateAccountStatusRecord = {
    id: row.id,
    orgId: row.org_id,
    accountName: row.account_name,
    state: row.state,
    requestedAt: row.requested_at,
  };
  if (row.account_id !== null) s.accountId = row.account_id;
  if (row.failure_reason !== null) s.failureReason = row.failure_reason;
  if (row.completed_at !== null) s.completedAt = row.completed_at;
  return s;
}
