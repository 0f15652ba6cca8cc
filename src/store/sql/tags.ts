import { ServiceError } from '../../core/errors.ts';
import type { Tag, TagRepo } from '../types.ts';
import { lockKeys, type Db, type SqlRuntime } from './runtime.ts';

export function createTagRepo(rt: SqlRuntime): TagRepo {
  return {
    async put(resourceArn, tags, maxTags) {
      await rt.writeTx([lockKeys.tags(resourceArn)], (tx) => putTags(tx, resourceArn, tags, maxTags));
    },

    async remove(resourceArn, keys) {
      if (keys.length === 0) return;
      await rt.db.deleteFrom('tags').where('resource_arn', '=', resourceArn).where('tag_key', 'in', keys).execute();
    },

    async list(resourceArn) {
      const rows = await rt.db
        .selectFrom('tags')
        .select(['tag_key', 'tag_value'])
        .where('resource_arn', '=', resourceArn)
        .orderBy('tag_key')
        .execute();
      return rows.map((r) => ({ key: r.tag_key, value: r.tag_value }));
    },
  };
}

/** Upserts `tags` on `resourceArn` inside an open write transaction; enforces `maxTags` distinct keys. */
export async function putTags(tx: Db, resourceArn: string, tags: readonly Tag[], maxTags: number): Promise<void> {
  const wanted = new Map<string, string>();
  for (const t of tags) wanted.set(t.key, t.value);
  if (wanted.size === 0) return;
  const existing = await tx.selectFrom('tags').select('tag_key').where('resource_arn', '=', resourceArn).execute();
  const keys = new Set(existing.map((r) => r.tag_key));
  for (const k of wanted.keys()) keys.add(k);
  if (keys.size > maxTags) {
    throw new ServiceError(
      'TooManyTagsException',
      `The request would give the resource ${keys.size} tags; the maximum is ${maxTags}. Remove tags first.`,
      { resourceName: resourceArn },
    );
  }
  await tx
    .insertInto('tags')
    .values([...wanted].map(([tag_key, tag_value]) => ({ resource_arn: resourceArn, tag_key, tag_value })))
    .onConflict((oc) => oc.columns(['resource_arn', 'tag_key']).doUpdateSet((eb) => ({ tag_value: eb.ref('excluded.tag_value') })))
    .execute();
}
