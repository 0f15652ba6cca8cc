/**
 * Counts the writes that reach the database (INSERT, UPDATE, DELETE on any table but the audit log), so read
 * caches can tell that what they hold may be stale. A Kysely plugin sees every statement whichever repository
 * issued it; a statement outside a transaction counts once it has run, a transaction's writes count once it
 * has committed (a reader on another connection could otherwise cache pre-commit rows under the new count).
 */
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

const WRITES = new Set(['InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode']);

/** Calls `onWrite` after each statement that changed something other than the audit log. */
export class WriteDetector implements KyselyPlugin {
  readonly #onWrite: () => void;
  readonly #writes = new WeakMap<object, true>();

  constructor(onWrite: () => void) {
    this.#onWrite = onWrite;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const node = args.node as RootOperationNode & { into?: { table?: { identifier?: { name?: string } } } };
    if (WRITES.has(node.kind) && node.into?.table?.identifier?.name !== 'audit_log') this.#writes.set(args.queryId, true);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (this.#writes.has(args.queryId)) this.#onWrite();
    return args.result;
  }
}

export class ChangeCounter {
  #count = 0;

  get count(): number {
    return this.#count;
  }

  bump(): void {
    this.#count++;
  }
}
