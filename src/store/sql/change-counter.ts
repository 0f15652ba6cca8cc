/**
 * Counts the writes that reach the database (INSERT, UPDATE, DELETE on any table but the audit log), so read
 * caches can tell that what they hold may be stale. A Kysely plugin: it sees every statement, inside
 * transactions too, whichever repository issued it.
 */
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

const WRITES = new Set(['InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode']);

export class ChangeCounter implements KyselyPlugin {
  #count = 0;
  readonly #writes = new WeakMap<object, true>();

  get count(): number {
    return this.#count;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const node = args.node as RootOperationNode & { into?: { table?: { identifier?: { name?: string } } } };
    if (WRITES.has(node.kind) && node.into?.table?.identifier?.name !== 'audit_log') this.#writes.set(args.queryId, true);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    // Counted once the statement has run, so a reader never caches pre-write data under the new count.
    if (this.#writes.has(args.queryId)) this.#count++;
    return args.result;
  }
}
