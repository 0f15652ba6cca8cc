import type { ResourcePolicyRecord, ResourcePolicyRepo } from '../types.ts';
import type { SqlRuntime } from './runtime.ts';
import type { ResourcePoliciesTable } from './schema.ts';

/** Resource-based policies, one per resource ARN; the document is kept exactly as put. */
export function createResourcePolicyRepo(rt: SqlRuntime): ResourcePolicyRepo {
  return {
    async put(p) {
      const row = { account_id: p.accountId, region: p.region, document: p.document, updated_at: p.updatedAt };
      await rt.db
        .insertInto('resource_policies')
        .values({ resource_arn: p.resourceArn, ...row })
        .onConflict((oc) => oc.column('resource_arn').doUpdateSet(row))
        .execute();
    },

    async get(resourceArn) {
      const row = await rt.db
        .selectFrom('resource_policies')
        .selectAll()
        .where('resource_arn', '=', resourceArn)
        .executeTakeFirst();
      return row && toRecord(row);
    },

    async delete(resourceArn) {
      const result = await rt.db.deleteFrom('resource_policies').where('resource_arn', '=', resourceArn).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async listForAccount(accountId, region) {
      let q = rt.db.selectFrom('resource_policies').selectAll().where('account_id', '=', accountId);
      if (region !== undefined) q = q.where('region', '=', region);
      const rows = await q.orderBy('resource_arn').execute();
      return rows.map(toRecord);
    },
  };
}

function toRecord(row: ResourcePoliciesTable): ResourcePolicyRecord {
  return {
    resourceArn: row.resource_arn,
    accountId: row.account_id,
    region: row.region,
    document: row.document,
    updatedAt: row.updated_at,
  };
}
