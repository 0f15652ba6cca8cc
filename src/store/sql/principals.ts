import { ServiceError } from '../../core/errors.ts';
import type { InlinePolicyRecord, PrincipalRecord, PrincipalRepo } from '../types.ts';
import { mapConstraintErrors } from './constraint-errors.ts';
import { lockKeys, type SqlRuntime } from './runtime.ts';
import type { PrincipalPoliciesTable, PrincipalsTable } from './schema.ts';

/**
 * IAM users and roles with their inline policies. Names are unique per account and kind regardless of
 * case, as in IAM (`Alice` and `alice` cannot both exist); the database's unique constraint enforces it.
 */
export function createPrincipalRepo(rt: SqlRuntime): PrincipalRepo {
  return {
    async create(p) {
      await mapConstraintErrors(
        () =>
          rt.db
            .insertInto('principals')
            .values({
              arn: p.arn,
              account_id: p.accountId,
              kind: p.kind,
              name: p.name,
              name_key: p.name.toLowerCase(),
              unique_id: p.uniqueId,
              trust_policy: p.trustPolicy ?? null,
              max_session_seconds: p.maxSessionSeconds ?? null,
              created_at: p.createdAt,
            })
            .execute(),
        {
          'primary-key': () => alreadyExists(p),
          unique: () => alreadyExists(p),
        },
      );
    },

    async get(arn) {
      const row = await rt.db.selectFrom('principals').selectAll().where('arn', '=', arn).executeTakeFirst();
      return row && toPrincipal(row);
    },

    async listForAccount(accountId, kind) {
      let q = rt.db.selectFrom('principals').selectAll().where('account_id', '=', accountId);
      if (kind !== undefined) q = q.where('kind', '=', kind);
      const rows = await q.orderBy('kind').orderBy('name').execute();
      return rows.map(toPrincipal);
    },

    async delete(arn) {
      return rt.writeTx([lockKeys.principal(arn)], async (tx) => {
        await tx.deleteFrom('principal_policies').where('principal_arn', '=', arn).execute();
        const result = await tx.deleteFrom('principals').where('arn', '=', arn).executeTakeFirst();
        return result.numDeletedRows > 0n;
      });
    },

    async putPolicy(p) {
      // The foreign key, not a prior read, rejects an unknown principal: a concurrent delete cannot slip in.
      await mapConstraintErrors(
        () =>
          rt.db
            .insertInto('principal_policies')
            .values({
              principal_arn: p.principalArn,
              policy_name: p.policyName,
              document: p.document,
              updated_at: p.updatedAt,
            })
            .onConflict((oc) =>
              oc.columns(['principal_arn', 'policy_name']).doUpdateSet({ document: p.document, updated_at: p.updatedAt }),
            )
            .execute(),
        {
          'foreign-key': () =>
            new ServiceError('NoSuchEntity', `The ${describe(p.principalArn)} cannot be found.`),
        },
      );
    },

    async getPolicy(principalArn, policyName) {
      const row = await rt.db
        .selectFrom('principal_policies')
        .selectAll()
        .where('principal_arn', '=', principalArn)
        .where('policy_name', '=', policyName)
        .executeTakeFirst();
      return row && toInlinePolicy(row);
    },

    async listPolicies(principalArn) {
      const rows = await rt.db
        .selectFrom('principal_policies')
        .selectAll()
        .where('principal_arn', '=', principalArn)
        .orderBy('policy_name')
        .execute();
      return rows.map(toInlinePolicy);
    },

    async deletePolicy(principalArn, policyName) {
      const result = await rt.db
        .deleteFrom('principal_policies')
        .where('principal_arn', '=', principalArn)
        .where('policy_name', '=', policyName)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

function alreadyExists(p: PrincipalRecord): ServiceError {
  const kind = p.kind === 'user' ? 'User' : 'Role';
  return new ServiceError('EntityAlreadyExists', `${kind} with name ${p.name} already exists. Choose another name.`);
}

/** `user with name alice` / `role with name ops` from an IAM ARN (the ARN itself when it is neither). */
function describe(arn: string): string {
  const m = /^arn:[^:]+:iam::[^:]*:(user|role)\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m ? `${m[1]} with name ${m[2]}` : `principal ${arn}`;
}

function toPrincipal(row: PrincipalsTable): PrincipalRecord {
  if (row.kind !== 'user' && row.kind !== 'role') {
    throw new Error(`principal ${row.arn} has an unknown kind ${JSON.stringify(row.kind)} in the store`);
  }
  const p: PrincipalRecord = {
    arn: row.arn,
    accountId: row.account_id,
    kind: row.kind,
    name: row.name,
    uniqueId: row.unique_id,
    createdAt: row.created_at,
  };
  if (row.trust_policy !== null) p.trustPolicy = row.trust_policy;
  if (row.max_session_seconds !== null) p.maxSessionSeconds = Number(row.max_session_seconds);
  return p;
}

function toInlinePolicy(row: PrincipalPoliciesTable): InlinePolicyRecord {
  return {
    principalArn: row.principal_arn,
    policyName: row.policy_name,
    document: row.document,
    updatedAt: row.updated_at,
  };
}
