import { conflict, notFound } from '../../core/errors.ts';
import type { AccessKeyRecord, AccessKeyRepo, AccessKeyStatus, SecretCipher } from '../types.ts';
import { lockKeys, type SqlRuntime } from './runtime.ts';
import type { AccessKeysTable } from './schema.ts';

/** Access keys; the secret is sealed with `cipher` before it reaches the database. */
export function createAccessKeyRepo(rt: SqlRuntime, cipher: SecretCipher): AccessKeyRepo {
  const toRecord = (row: AccessKeysTable): AccessKeyRecord => {
    let secretAccessKey: string;
    try {
      secretAccessKey = cipher.decrypt(row.secret_sealed);
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new Error(`cannot read the secret of access key ${row.access_key_id} (${why})`, { cause });
    }
    return {
      accessKeyId: row.access_key_id,
      accountId: row.account_id,
      principalArn: row.principal_arn,
      secretAccessKey,
      status: toStatus(row),
      createdAt: row.created_at,
    };
  };

  return {
    async create(k) {
      const sealed = cipher.encrypt(k.secretAccessKey);
      await rt.writeTx([lockKeys.accessKey(k.accessKeyId)], async (tx) => {
        const account = await tx
          .selectFrom('accounts')
          .select('account_id')
          .where('account_id', '=', k.accountId)
          .executeTakeFirst();
        if (!account) throw notFound(`Account ${k.accountId} does not exist.`);
        const existing = await tx
          .selectFrom('access_keys')
          .select('access_key_id')
          .where('access_key_id', '=', k.accessKeyId)
          .executeTakeFirst();
        if (existing) throw conflict(`Access key ${k.accessKeyId} already exists.`);
        await tx
          .insertInto('access_keys')
          .values({
            access_key_id: k.accessKeyId,
            account_id: k.accountId,
            principal_arn: k.principalArn,
            secret_sealed: sealed,
            status: k.status,
            created_at: k.createdAt,
          })
          .execute();
      });
    },

    async get(accessKeyId) {
      const row = await rt.db
        .selectFrom('access_keys')
        .selectAll()
        .where('access_key_id', '=', accessKeyId)
        .executeTakeFirst();
      return row && toRecord(row);
    },

    async listForAccount(accountId) {
      const rows = await rt.db
        .selectFrom('access_keys')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('created_at')
        .orderBy('access_key_id')
        .execute();
      return rows.map(toRecord);
    },

    async setStatus(id, s) {
      const result = await rt.db
        .updateTable('access_keys')
        .set({ status: s })
        .where('access_key_id', '=', id)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) throw notFound(`Access key ${id} does not exist.`);
    },

    async delete(id) {
      await rt.db.deleteFrom('access_keys').where('access_key_id', '=', id).execute();
    },
  };
}

function toStatus(row: AccessKeysTable): AccessKeyStatus {
  if (row.status === 'Active' || row.status === 'Inactive') return row.status;
  throw new Error(`access key ${row.access_key_id} has an unknown status ${JSON.stringify(row.status)} in the store`);
}
