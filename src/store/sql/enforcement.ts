import { conflict } from '../../core/errors.ts';
import type { EnforcementConfigRecord, EnforcementConfigRepo } from '../types.ts';
import { violatedConstraint } from './constraint-errors.ts';
import type { Db, SqlRuntime } from './runtime.ts';
import type { EnforcementConfigsTable } from './schema.ts';

/** Placeholders in one `IN (…)` list; both SQLite and PostgreSQL accept far more, this keeps statements small. */
const IN_LIST_CHUNK = 500;

/**
 * Account-level enforced guardrail configurations: at most one per account and Region, enforced by a unique
 * constraint. Results are ordered by (accountId, region).
 */
export function createEnforcementConfigRepo(rt: SqlRuntime): EnforcementConfigRepo {
  return {
    async create(c) {
      try {
        await rt.db
          .insertInto('enforcement_configs')
          .values({
            config_id: c.configId,
            account_id: c.accountId,
            region: c.region,
            ...mutableColumns(c),
            created_at: c.createdAt,
            created_by: c.createdBy,
          })
          .execute();
      } catch (e) {
        const kind = violatedConstraint(e);
        if (kind === 'primary-key') throw conflict(`Enforced guardrail configuration ${c.configId} already exists.`);
        if (kind !== 'unique') throw e;
        // Read after the failed insert (not before it): the one that won is the one to name.
        const existing = await selectConfig(rt.db, c.accountId, c.region);
        throw conflict(
          `Account ${c.accountId} already has an enforced guardrail configuration in ${c.region} ` +
            `(configId ${existing?.configId ?? 'unknown'}). Update it by passing that configId, or delete it first.`,
        );
      }
    },

    async update(c) {
      const result = await rt.db
        .updateTable('enforcement_configs')
        .set(mutableColumns(c))
        .where('config_id', '=', c.configId)
        .where('account_id', '=', c.accountId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    get: (accountId, region) => selectConfig(rt.db, accountId, region),

    async delete(accountId, configId) {
      const result = await rt.db
        .deleteFrom('enforcement_configs')
        .where('account_id', '=', accountId)
        .where('config_id', '=', configId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async listForGuardrail(guardrailArn) {
      const rows = await rt.db
        .selectFrom('enforcement_configs')
        .selectAll()
        .where('guardrail_arn', '=', guardrailArn)
        .orderBy('account_id')
        .orderBy('region')
        .execute();
      return rows.map(toRecord);
    },

    async listForAccounts(accountIds) {
      const ids = [...new Set(accountIds)];
      const out: EnforcementConfigRecord[] = [];
      for (let i = 0; i < ids.length; i += IN_LIST_CHUNK) {
        const rows = await rt.db
          .selectFrom('enforcement_configs')
          .selectAll()
          .where('account_id', 'in', ids.slice(i, i + IN_LIST_CHUNK))
          .execute();
        out.push(...rows.map(toRecord));
      }
      return out.sort((a, b) => compare(a.accountId, b.accountId) || compare(a.region, b.region));
    },
  };
}

/** Code-unit order, the same as the databases' binary collation of the keys. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function mutableColumns(c: EnforcementConfigRecord) {
  return {
    guardrail_arn: c.guardrailArn,
    guardrail_id: c.guardrailId,
    guardrail_version: c.guardrailVersion,
    selective_content_guarding: c.selectiveContentGuarding === undefined ? null : JSON.stringify(c.selectiveContentGuarding),
    model_enforcement: c.modelEnforcement === undefined ? null : JSON.stringify(c.modelEnforcement),
    updated_at: c.updatedAt,
    updated_by: c.updatedBy,
  };
}

async function selectConfig(db: Db, accountId: string, region: string): Promise<EnforcementConfigRecord | undefined> {
  const row = await db
    .selectFrom('enforcement_configs')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .executeTakeFirst();
  return row && toRecord(row);
}

function toRecord(row: EnforcementConfigsTable): EnforcementConfigRecord {
  const c: EnforcementConfigRecord = {
    configId: row.config_id,
    accountId: row.account_id,
    region: row.region,
    guardrailArn: row.guardrail_arn,
    guardrailId: row.guardrail_id,
    guardrailVersion: Number(row.guardrail_version),
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
  if (row.selective_content_guarding !== null) {
    c.selectiveContentGuarding = JSON.parse(row.selective_content_guarding) as EnforcementConfigRecord['selectiveContentGuarding'];
  }
  if (row.model_enforcement !== null) {
    c.modelEnforcement = JSON.parse(row.model_enforcement) as EnforcementConfigRecord['modelEnforcement'];
  }
  return c;
}
