import type { MetaRepo } from '../types.ts';
import type { SqlRuntime } from './runtime.ts';

export function createMetaRepo(rt: SqlRuntime): MetaRepo {
  return {
    async get(key) {
      const row = await rt.db.selectFrom('meta').select('meta_value').where('meta_key', '=', key).executeTakeFirst();
      return row?.meta_value;
    },
    async set(key, value) {
      await rt.db
        .insertInto('meta')
        .values({ meta_key: key, meta_value: value })
        .onConflict((oc) => oc.column('meta_key').doUpdateSet((eb) => ({ meta_value: eb.ref('excluded.meta_value') })))
        .execute();
    },
    async claim(key, value) {
      await rt.db.insertInto('meta').values({ meta_key: key, meta_value: value }).onConflict((oc) => oc.column('meta_key').doNothing()).execute();
      const row = await rt.db.selectFrom('meta').select('meta_value').where('meta_key', '=', key).executeTakeFirstOrThrow();
      return row.meta_value;
    },
  };
}
