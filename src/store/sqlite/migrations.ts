/**
 * SQLite migrations, in code (no files to ship or find at run time). Append new entries; never edit a
 * shipped one. Names sort in execution order.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { createTablesV1, createTablesV2, type Database } from '../sql/schema.ts';

const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await createTablesV1(db);
      // Published versions are immutable in the database itself: no UPDATE, from any code path.
      // Deleting a version (or the whole guardrail, which cascades) stays allowed.
      await sql`
        CREATE TRIGGER guardrail_versions_immutable
        BEFORE UPDATE ON guardrail_versions
        BEGIN
          SELECT RAISE(ABORT, 'published guardrail versions are immutable');
        END`.execute(db);
    },
  },
  '0002_organizations_iam_enforcement_audit': {
    async up(db: Kysely<unknown>) {
      await createTablesV2(db);
      // The audit trail is append-only in the database itself: no UPDATE and no DELETE, from any code path.
      // (The hash chain still detects tampering by whoever can drop these triggers.)
      await sql`
        CREATE TRIGGER audit_log_no_update
        BEFORE UPDATE ON audit_log
        BEGIN
          SELECT RAISE(ABORT, 'the audit log is append-only: records cannot be updated');
        END`.execute(db);
      await sql`
        CREATE TRIGGER audit_log_no_delete
        BEFORE DELETE ON audit_log
        BEGIN
          SELECT RAISE(ABORT, 'the audit log is append-only: records cannot be deleted');
        END`.execute(db);
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Brings the schema to the latest version; throws the first migration error. */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`SQLite store migration ${failed} failed`, { cause: error });
  }
}
