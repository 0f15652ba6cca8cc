/**
 * SQLite migrations, in code (no files to ship or find at run time). Append new entries; never edit a
 * shipped one. Names sort in execution order.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { createTablesV1, type Database } from '../sql/schema.ts';

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
