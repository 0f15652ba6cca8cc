import { conflict } from '../../core/errors.ts';
import type { AccountRecord, AccountRepo } from '../types.ts';
import { lockKeys, type SqlRuntime } from './runtime.ts';
import type { AccountsTable } from './schema.ts';

export function createAccountRepo(rt: SqlRuntime): AccountRepo {
  return {
    async create(a) {
      await rt.writeTx([lockKeys.account(a.accountId)], async (tx) => {
        const existing = await tx
          .selectFrom('accounts')
          .select('account_id')
          .where('account_id', '=', a.accountId)
          .executeTakeFirst();
        if (existing) throw conflict(`Account ${a.accountId} already exists.`);
        await tx
          .insertInto('accounts')
          .values({
            account_id: a.accountId,
            name: a.name,
            email: a.email ?? null,
            role: a.role,
            created_at: a.createdAt,
          })
          .execute();
      });
    },

    async get(accountId) {
      const row = await rt.db.selectFrom('accounts').selectAll().where('account_id', '=', accountId).executeTakeFirst();
      return row && toAccount(row);
    },

    async list() {
      const rows = await rt.db.selectFrom('accounts').selectAll().orderBy('created_at').orderBy('account_id').execute();
      return rows.map(toAccount);
    },
  };
}

function toAccount(row: AccountsTable): AccountRecord {
  if (row.role !== 'management' && row.role !== 'member') {
    throw new Error(`account ${row.account_id} has an unknown role ${JSON.stringify(row.role)} in the store`);
  }
  const a: AccountRecord = { accountId: row.account_id, name: row.name, role: row.role, createdAt: row.created_at };
  if (row.email !== null) a.email = row.email;
  return a;
}
