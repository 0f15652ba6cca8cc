/**
 * PostgreSQL migrations, in code, with the same names and tables as SQLite's (`../sql/schema.ts`). Append
 * new entries; never edit a shipped one. Names sort in execution order.
 *
 * PostgreSQL-specific:
 * - Every TEXT column gets `COLLATE "C"` (byte order of UTF-8, i.e. code point order), the order SQLite's
 *   BINARY collation gives: list orders, keyset page tokens and `<`/`>` comparisons then behave the same on
 *   both stores whatever the database's default collation is (`en_US.UTF-8` would sort `B` after `a`).
 *   Done by a plugin on the migration's schema builder, so `schema.ts` stays shared and unchanged.
 * - INTEGER is int4 and BIGINT int8 (`audit_log.seq`); the store's pool parses int8 to numbers (see
 *   `index.ts`), and the repositories `Number()` every numeric column anyway.
 * - The immutability guards are PL/pgSQL trigger functions created in the store's schema; so are the change
 *   feed's NOTIFY triggers (0003, see `change-feed.ts`).
 *
 * Concurrency: `openPostgresStore` runs `migrateToLatest` while holding a session advisory lock for the
 * schema (two processes starting at once: the second waits, then finds nothing to do). Kysely's Migrator
 * adds its own: the migrations run in one transaction (PostgreSQL has transactional DDL) under a
 * session-level `pg_advisory_lock`, and the list of applied migrations is read inside it. Its preparatory
 * `CREATE … IF NOT EXISTS` of the bookkeeping tables runs before that lock but re-checks on error; it is
 * told the schema explicitly, because without `migrationTableSchema` it would accept a `kysely_migration`
 * table found in ANY schema of the database as its own.
 */
import {
  ColumnDefinitionNode,
  DataTypeNode,
  type DatabaseIntrospector,
  Migrator,
  OperationNodeTransformer,
  RawNode,
  sql,
  type Kysely,
  type KyselyPlugin,
  type Migration,
  type MigrationProvider,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import { createTablesV1, createTablesV2, type Database } from '../sql/schema.ts';
import { CHANNEL_SQL } from './change-feed.ts';

/** Adds `COLLATE "C"` to every column declared as `text` in CREATE TABLE / ALTER TABLE ADD COLUMN. */
class TextCollateC extends OperationNodeTransformer {
  protected override transformColumnDefinition(node: ColumnDefinitionNode): ColumnDefinitionNode {
    const out = super.transformColumnDefinition(node);
    return DataTypeNode.is(out.dataType) && out.dataType.dataType === 'text'
      ? ColumnDefinitionNode.cloneWithFrontModifier(out, RawNode.createWithSql('collate "C"'))
      : out;
  }
}

const binaryTextCollation: KyselyPlugin = {
  transformQuery: (args: PluginTransformQueryArgs): RootOperationNode => new TextCollateC().transformNode(args.node),
  transformResult: async (args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> => args.result,
};

/**
 * `fn` (created in the current schema) raises for each row of any statement it guards. SQLSTATE 23001
 * (restrict_violation): an integrity rule, but not one the repositories map to an API error.
 */
async function createRefusingFunction(db: Kysely<unknown>, fn: string, message: string): Promise<void> {
  await sql`
    CREATE FUNCTION ${sql.id(fn)}() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      RAISE EXCEPTION USING ERRCODE = 'restrict_violation', MESSAGE = ${sql.lit(message)} || ' (' || TG_OP || ')';
    END
    $fn$`.execute(db);
}

/**
 * Every table whose changes other replicas must hear about: all of them but the audit log (appended on every
 * model call, and never read through a cache) and the quota buckets (0004: updated on every model call). A migration that adds a table must add its trigger too
 * (`change-feed.test.ts` checks that none is missing).
 */
const NOTIFYING_TABLES = [
  'accounts',
  'access_keys',
  'guardrails',
  'guardrail_versions',
  'idempotency_tokens',
  'tags',
  'meta',
  'organizations',
  'org_units',
  'org_members',
  'org_policies',
  'org_policy_attachments',
  'org_create_account_status',
  'principals',
  'principal_policies',
  'sessions',
  'resource_policies',
  'enforcement_configs',
] as const;

/** A trigger function that NOTIFYs the schema's change channel (`./change-feed.ts`) with `payload` (SQL). */
async function createNotifyingFunction(db: Kysely<unknown>, fn: string, declare: string, body: string): Promise<void> {
  await sql`
    CREATE FUNCTION ${sql.id(fn)}() RETURNS trigger LANGUAGE plpgsql AS $fn$
    ${sql.raw(declare)}
    BEGIN
      ${sql.raw(body)}
      RETURN NULL;
    END
    $fn$`.execute(db);
}

const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await createTablesV1(db.withPlugin(binaryTextCollation));
      // Published versions are immutable in the database itself: no UPDATE, from any code path.
      // Deleting a version (or the whole guardrail, which cascades) stays allowed.
      await createRefusingFunction(db, 'guardrail_versions_refuse_update', 'published guardrail versions are immutable');
      await sql`
        CREATE TRIGGER guardrail_versions_immutable
        BEFORE UPDATE ON guardrail_versions
        FOR EACH ROW EXECUTE FUNCTION guardrail_versions_refuse_update()`.execute(db);
    },
  },
  '0002_organizations_iam_enforcement_audit': {
    async up(db: Kysely<unknown>) {
      await createTablesV2(db.withPlugin(binaryTextCollation));
      // The audit trail is append-only in the database itself: no UPDATE, DELETE or TRUNCATE, from any code
      // path. (The hash chain still detects tampering by whoever can disable these triggers.)
      await createRefusingFunction(db, 'audit_log_refuse_change', 'the audit log is append-only');
      await sql`
        CREATE TRIGGER audit_log_no_update
        BEFORE UPDATE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`.execute(db);
      await sql`
        CREATE TRIGGER audit_log_no_delete
        BEFORE DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`.execute(db);
      await sql`
        CREATE TRIGGER audit_log_no_truncate
        BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`.execute(db);
    },
  },
  '0003_change_notifications': {
    // The change feed's senders. NOTIFY inside the writing transaction is delivered on commit (and dropped on
    // rollback); PostgreSQL sends identical payloads of one transaction once. Trigger functions resolve no
    // table or function through the search_path (pg_catalog only, or the trigger's own schema explicitly),
    // so writes from any connection notify correctly.
    async up(db: Kysely<unknown>) {
      const notify = (payload: string) => `PERFORM pg_notify(${CHANNEL_SQL}, ${payload});`;
      // Any write: the read caches of every replica miss from now on.
      await createNotifyingFunction(db, 'parapet_notify_changed', '', notify(`'{"kind":"changed"}'`));
      for (const table of NOTIFYING_TABLES)
        await sql`
          CREATE TRIGGER ${sql.id(`${table}_notify_changed`)}
          AFTER INSERT OR UPDATE OR DELETE ON ${sql.id(table)}
          FOR EACH STATEMENT EXECUTE FUNCTION parapet_notify_changed()`.execute(db);
      // An access key created, (de)activated or deleted, a foreign-key cascade included: key caches drop it.
      await createNotifyingFunction(
        db,
        'parapet_notify_access_key',
        '',
        `IF TG_OP = 'INSERT' THEN
           ${notify(`json_build_object('kind', 'accessKeyChanged', 'accessKeyId', NEW.access_key_id)::text`)}
         ELSE
           ${notify(`json_build_object('kind', 'accessKeyChanged', 'accessKeyId', OLD.access_key_id)::text`)}
         END IF;`,
      );
      await sql`
        CREATE TRIGGER access_keys_notify_key
        AFTER INSERT OR UPDATE OR DELETE ON access_keys
        FOR EACH ROW EXECUTE FUNCTION parapet_notify_access_key()`.execute(db);
      // A deleted guardrail: compiled caches drop every entry of its ARN.
      await createNotifyingFunction(
        db,
        'parapet_notify_guardrail_deleted',
        '',
        notify(`json_build_object('kind', 'guardrailDeleted', 'guardrailArn', OLD.arn)::text`),
      );
      await sql`
        CREATE TRIGGER guardrails_notify_deleted
        AFTER DELETE ON guardrails
        FOR EACH ROW EXECUTE FUNCTION parapet_notify_guardrail_deleted()`.execute(db);
      // A deleted published version: compiled caches drop that version. The ARN is the guardrail's; when the
      // guardrail row is gone too (deleted in the same statement by a cascade), its own trigger reports it.
      await createNotifyingFunction(
        db,
        'parapet_notify_guardrail_version_deleted',
        'DECLARE guardrail_arn text;',
        `EXECUTE format('SELECT arn FROM %I.guardrails WHERE account_id = $1 AND region = $2 AND guardrail_id = $3', TG_TABLE_SCHEMA)
           INTO guardrail_arn USING OLD.account_id, OLD.region, OLD.guardrail_id;
         IF guardrail_arn IS NOT NULL THEN
           ${notify(`json_build_object('kind', 'guardrailDeleted', 'guardrailArn', guardrail_arn, 'version', OLD.version)::text`)}
         END IF;`,
      );
      await sql`
        CREATE TRIGGER guardrail_versions_notify_deleted
        AFTER DELETE ON guardrail_versions
        FOR EACH ROW EXECUTE FUNCTION parapet_notify_guardrail_version_deleted()`.execute(db);
    },
  },
  '0004_quota_buckets': {
    // The per-account quota buckets shared by replicas without Redis (`src/runtime/quota-postgres.ts`): one row
    // per account, Region and kind, updated on every model call. UNLOGGED: no WAL for counters that need no
    // crash safety (after a crash the table is empty, i.e. every bucket full). No change-feed trigger: the
    // replicas' caches do not depend on it, and a NOTIFY per model call would empty them all the time.
    async up(db: Kysely<unknown>) {
      await sql`
        CREATE UNLOGGED TABLE quota_buckets (
          bucket text COLLATE "C" PRIMARY KEY,
          tokens double precision NOT NULL,
          at timestamptz NOT NULL,
          retry_after_ms integer NOT NULL DEFAULT 0
        )`.execute(db);
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/**
 * The database as the Migrator sees it, with an introspector that looks at `schema` only. Kysely's own
 * PostgreSQL introspector lists the tables of every schema, and that catalog query fails ("schema … does not
 * exist") when another process drops a schema at the same moment — as parallel test runs do all the time.
 */
function scopedToSchema(db: Kysely<Database>, schema: string): Kysely<Database> {
  const introspector: DatabaseIntrospector = {
    async getSchemas() {
      const r = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace where nspname = ${schema}`.execute(db);
      return r.rows;
    },
    async getTables() {
      const r = await sql<{ name: string; kind: string }>`
        select c.relname as name, c.relkind as kind from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${schema} and c.relkind in ('r', 'p', 'v', 'm', 'f')`.execute(db);
      return r.rows.map((t) => ({ name: t.name, schema, isView: t.kind === 'v' || t.kind === 'm', columns: [] }));
    },
    async getMetadata(options) {
      return { tables: await this.getTables(options) };
    },
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'introspection') return introspector;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * Brings `schema` (which must be first on the connections' search_path) to the latest version; throws
 * the first migration error. Call it under the per-schema migration lock (see `index.ts`).
 */
export async function migrateToLatest(db: Kysely<Database>, schema: string): Promise<void> {
  const { error, results } = await new Migrator({ db: scopedToSchema(db, schema), provider, migrationTableSchema: schema }).migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`PostgreSQL store migration ${failed} failed`, { cause: error });
  }
}
