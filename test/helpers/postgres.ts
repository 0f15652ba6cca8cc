/** PostgreSQL for the tests that need a server: `PARAPET_TEST_POSTGRES_URL`, and throw-away schemas. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server the PostgreSQL tests use, or undefined (they skip, printing why). */
export const TEST_POSTGRES_URL = process.env.PARAPET_TEST_POSTGRES_URL || undefined;

/** A schema name no other test run uses. */
export function freshSchema(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** Drops the schemas (and everything in them); missing ones are fine. */
export async function dropSchemas(url: string, ...schemas: string[]): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s.replace(/"/g, '""')}" CASCADE`);
  } finally {
    await c.end();
  }
}
