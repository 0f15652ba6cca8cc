import { conflict, quotaExceeded } from '../../core/errors.ts';
import type { GuardrailConfig } from '../../engine/config/types.ts';
import type {
  GuardrailRecord,
  GuardrailRepo,
  GuardrailStatus,
  GuardrailVersionRecord,
  Page,
} from '../types.ts';
import {
  decodeGuardrailCursor,
  decodeVersionCursor,
  encodeGuardrailCursor,
  encodeVersionCursor,
  pageSize,
} from './page-token.ts';
import { lockKeys, type Db, type SqlRuntime } from './runtime.ts';
import type { GuardrailsTable, GuardrailVersionsTable } from './schema.ts';
import { putTags } from './tags.ts';

const CREATE_GUARDRAIL = 'CreateGuardrail';
const CREATE_VERSION = 'CreateGuardrailVersion';
const STATUSES: ReadonlySet<string> = new Set<GuardrailStatus>([
  'READY',
  'FAILED',
  'CREATING',
  'UPDATING',
  'VERSIONING',
  'DELETING',
]);

export function createGuardrailRepo(rt: SqlRuntime): GuardrailRepo {
  return {
    async create({ record, clientRequestToken, requestHash, maxPerAccountRegion, tags, maxTags }) {
      const { accountId, region } = record;
      return rt.writeTx([lockKeys.accountRegion(accountId, region)], async (tx) => {
        if (clientRequestToken !== undefined) {
          const used = await findToken(tx, accountId, region, CREATE_GUARDRAIL, '', clientRequestToken);
          if (used) {
            if (used.request_hash !== requestHash) throw tokenReused();
            const earlier = await selectGuardrail(tx, accountId, region, used.guardrail_id);
            if (earlier) return earlier;
          }
        }
        await assertNameFree(tx, accountId, region, record.config.name, undefined);
        const { n } = await tx
          .selectFrom('guardrails')
          .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
          .where('account_id', '=', accountId)
          .where('region', '=', region)
          .executeTakeFirstOrThrow();
        if (Number(n) >= maxPerAccountRegion) {
          throw quotaExceeded(
            `This account already has ${maxPerAccountRegion} guardrails in ${region}, the maximum. ` +
              'Delete a guardrail before creating another.',
          );
        }
        await tx
          .insertInto('guardrails')
          .values({
            account_id: accountId,
            region,
            guardrail_id: record.guardrailId,
            arn: record.arn,
            name: record.config.name,
            config: JSON.stringify(record.config),
            status: record.status,
            latest_version: record.latestVersion,
            created_at: record.createdAt,
            updated_at: record.updatedAt,
          })
          .execute();
        if (tags && tags.length > 0) await putTags(tx, record.arn, tags, maxTags ?? Number.POSITIVE_INFINITY);
        if (clientRequestToken !== undefined) {
          await tx
            .insertInto('idempotency_tokens')
            .values({
              account_id: accountId,
              region,
              operation: CREATE_GUARDRAIL,
              scope: '',
              token: clientRequestToken,
              request_hash: requestHash,
              guardrail_id: record.guardrailId,
              version: null,
              created_at: record.createdAt,
            })
            .onConflict((oc) =>
              oc
                .columns(['account_id', 'region', 'operation', 'scope', 'token'])
                .doUpdateSet({ request_hash: requestHash, guardrail_id: record.guardrailId, created_at: record.createdAt }),
            )
            .execute();
        }
        const created = await selectGuardrail(tx, accountId, region, record.guardrailId);
        if (!created) throw new Error(`guardrail ${record.guardrailId} vanished inside its own transaction`);
        return created;
      });
    },

    get: (accountId, region, guardrailId) => selectGuardrail(rt.db, accountId, region, guardrailId),

    async list(accountId, region, page) {
      const size = pageSize(page);
      let q = rt.db
        .selectFrom('guardrails')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('region', '=', region);
      if (page.nextToken !== undefined) {
        const after = decodeGuardrailCursor(page.nextToken);
        q = q.where((eb) =>
          eb.or([
            eb('created_at', '>', after.createdAt),
            eb.and([eb('created_at', '=', after.createdAt), eb('guardrail_id', '>', after.guardrailId)]),
          ]),
        );
      }
      const rows = await q.orderBy('created_at').orderBy('guardrail_id').limit(size + 1).execute();
      const items = rows.slice(0, size).map(toGuardrail);
      const last = items[items.length - 1];
      return rows.length > size && last
        ? { items, nextToken: encodeGuardrailCursor({ createdAt: last.createdAt, guardrailId: last.guardrailId }) }
        : { items };
    },

    async updateDraft(accountId, region, guardrailId, config, updatedAt) {
      return rt.writeTx([lockKeys.accountRegion(accountId, region)], async (tx) => {
        const current = await selectGuardrail(tx, accountId, region, guardrailId);
        if (!current) return undefined;
        await assertNameFree(tx, accountId, region, config.name, guardrailId);
        await tx
          .updateTable('guardrails')
          .set({ name: config.name, config: JSON.stringify(config), updated_at: updatedAt })
          .where('account_id', '=', accountId)
          .where('region', '=', region)
          .where('guardrail_id', '=', guardrailId)
          .execute();
        return selectGuardrail(tx, accountId, region, guardrailId);
      });
    },

    async createVersion(input) {
      const { accountId, region, guardrailId, clientRequestToken, requestHash } = input;
      return rt.writeTx([lockKeys.guardrail(accountId, region, guardrailId)], async (tx) => {
        const draft = await tx
          .selectFrom('guardrails')
          .select(['config', 'latest_version'])
          .where('account_id', '=', accountId)
          .where('region', '=', region)
          .where('guardrail_id', '=', guardrailId)
          .executeTakeFirst();
        if (!draft) return undefined;
        if (clientRequestToken !== undefined) {
          const used = await findToken(tx, accountId, region, CREATE_VERSION, guardrailId, clientRequestToken);
          if (used) {
            if (used.request_hash !== requestHash) throw tokenReused();
            const earlier = used.version === null ? undefined : await selectVersion(tx, accountId, region, guardrailId, used.version);
            if (earlier) return earlier;
          }
        }
        const { n } = await tx
          .selectFrom('guardrail_versions')
          .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
          .where('account_id', '=', accountId)
          .where('region', '=', region)
          .where('guardrail_id', '=', guardrailId)
          .executeTakeFirstOrThrow();
        if (Number(n) >= input.maxVersions) {
          throw quotaExceeded(
            `Guardrail ${guardrailId} already has ${input.maxVersions} versions, the maximum. ` +
              'Delete a version before creating another.',
          );
        }
        const version = Number(draft.latest_version) + 1;
        await tx
          .updateTable('guardrails')
          .set({ latest_version: version })
          .where('account_id', '=', accountId)
          .where('region', '=', region)
          .where('guardrail_id', '=', guardrailId)
          .execute();
        await tx
          .insertInto('guardrail_versions')
          .values({
            account_id: accountId,
            region,
            guardrail_id: guardrailId,
            version,
            description: input.description ?? null,
            config: draft.config,
            created_at: input.createdAt,
            updated_at: input.createdAt,
          })
          .execute();
        if (clientRequestToken !== undefined) {
          // A token whose version was deleted is reused for the new version (upsert).
          await tx
            .insertInto('idempotency_tokens')
            .values({
              account_id: accountId,
              region,
              operation: CREATE_VERSION,
              scope: guardrailId,
              token: clientRequestToken,
              request_hash: requestHash,
              guardrail_id: guardrailId,
              version,
              created_at: input.createdAt,
            })
            .onConflict((oc) =>
              oc
                .columns(['account_id', 'region', 'operation', 'scope', 'token'])
                .doUpdateSet({ version, created_at: input.createdAt }),
            )
            .execute();
        }
        const created = await selectVersion(tx, accountId, region, guardrailId, version);
        if (!created) throw new Error(`version ${version} of ${guardrailId} vanished inside its own transaction`);
        return created;
      });
    },

    getVersion: (accountId, region, guardrailId, version) => selectVersion(rt.db, accountId, region, guardrailId, version),

    async listVersions(accountId, region, guardrailId, page): Promise<Page<GuardrailVersionRecord>> {
      const size = pageSize(page);
      let q = rt.db
        .selectFrom('guardrail_versions')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('region', '=', region)
        .where('guardrail_id', '=', guardrailId);
      if (page.nextToken !== undefined) q = q.where('version', '>', decodeVersionCursor(page.nextToken));
      const rows = await q.orderBy('version').limit(size + 1).execute();
      const items = rows.slice(0, size).map(toVersion);
      const last = items[items.length - 1];
      return rows.length > size && last ? { items, nextToken: encodeVersionCursor(last.version) } : { items };
    },

    async deleteVersion(accountId, region, guardrailId, version) {
      return rt.writeTx([lockKeys.guardrail(accountId, region, guardrailId)], async (tx) => {
        const result = await tx
          .deleteFrom('guardrail_versions')
          .where('account_id', '=', accountId)
          .where('region', '=', region)
          .where('guardrail_id', '=', guardrailId)
          .where('version', '=', version)
          .executeTakeFirst();
        return result.numDeletedRows > 0n;
      });
    },

    async delete(accountId, region, guardrailId) {
      const locks = [lockKeys.accountRegion(accountId, region), lockKeys.guardrail(accountId, region, guardrailId)];
      return rt.writeTx(locks, async (tx) => {
        const row = await tx
          .selectFrom('guardrails')
          .select('arn')
          .where('account_id', '=', accountId)
          .where('region', '=', region)
          .where('guardrail_id', '=', guardrailId)
          .executeTakeFirst();
        if (!row) return false;
        for (const table of ['idempotency_tokens', 'guardrail_versions', 'guardrails'] as const) {
          await tx
            .deleteFrom(table)
            .where('account_id', '=', accountId)
            .where('region', '=', region)
            .where('guardrail_id', '=', guardrailId)
            .execute();
        }
        await tx.deleteFrom('tags').where('resource_arn', '=', row.arn).execute();
        return true;
      });
    },
  };
}

function tokenReused(): Error {
  return conflict(
    'The clientRequestToken was already used with different request parameters. Use a new token for a new request.',
  );
}

async function findToken(tx: Db, accountId: string, region: string, operation: string, scope: string, token: string) {
  return tx
    .selectFrom('idempotency_tokens')
    .select(['request_hash', 'guardrail_id', 'version'])
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where('operation', '=', operation)
    .where('scope', '=', scope)
    .where('token', '=', token)
    .executeTakeFirst();
}

/** Throws conflict when another guardrail (not `selfId`) in the account+region already has `name`. */
async function assertNameFree(tx: Db, accountId: string, region: string, name: string, selfId: string | undefined) {
  let q = tx
    .selectFrom('guardrails')
    .select('guardrail_id')
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where('name', '=', name);
  if (selfId !== undefined) q = q.where('guardrail_id', '<>', selfId);
  if (await q.executeTakeFirst()) {
    throw conflict(`A guardrail named "${name}" already exists in this account and region. Choose another name.`);
  }
}

async function selectGuardrail(db: Db, accountId: string, region: string, guardrailId: string) {
  const row = await db
    .selectFrom('guardrails')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where('guardrail_id', '=', guardrailId)
    .executeTakeFirst();
  return row && toGuardrail(row);
}

async function selectVersion(db: Db, accountId: string, region: string, guardrailId: string, version: number) {
  const row = await db
    .selectFrom('guardrail_versions')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where('guardrail_id', '=', guardrailId)
    .where('version', '=', version)
    .executeTakeFirst();
  return row && toVersion(row);
}

function parseConfig(json: string): GuardrailConfig {
  return JSON.parse(json) as GuardrailConfig;
}

function toGuardrail(row: GuardrailsTable): GuardrailRecord {
  if (!STATUSES.has(row.status)) {
    throw new Error(`guardrail ${row.guardrail_id} has an unknown status ${JSON.stringify(row.status)} in the store`);
  }
  return {
    accountId: row.account_id,
    region: row.region,
    guardrailId: row.guardrail_id,
    arn: row.arn,
    config: parseConfig(row.config),
    status: row.status as GuardrailStatus,
    latestVersion: Number(row.latest_version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toVersion(row: GuardrailVersionsTable): GuardrailVersionRecord {
  const v: GuardrailVersionRecord = {
    accountId: row.account_id,
    region: row.region,
    guardrailId: row.guardrail_id,
    version: Number(row.version),
    config: parseConfig(row.config),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.description !== null) v.description = row.description;
  return v;
}
