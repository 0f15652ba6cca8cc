/**
 * Maps constraint violations raised by the database to API errors. Uniqueness and references are enforced
 * by the database itself (a read-then-write check alone would race between processes); this turns the
 * driver's error into the documented ServiceError. Duck-typed so the portable layer needs no driver:
 * better-sqlite3 reports `SQLITE_CONSTRAINT_*` codes, node-postgres SQLSTATE codes plus the constraint name.
 */

export type ConstraintKind = 'primary-key' | 'unique' | 'foreign-key';

/** The kind of constraint `e` reports as violated, or undefined when `e` is not a constraint violation. */
export function violatedConstraint(e: unknown): ConstraintKind | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const { code, constraint } = e as { code?: unknown; constraint?: unknown };
  switch (code) {
    case 'SQLITE_CONSTRAINT_PRIMARYKEY':
      return 'primary-key';
    case 'SQLITE_CONSTRAINT_UNIQUE':
      return 'unique';
    case 'SQLITE_CONSTRAINT_FOREIGNKEY':
      return 'foreign-key';
    case '23505': // unique_violation: primary keys are named `<table>_pk` (or PostgreSQL's default `_pkey`)
      return typeof constraint === 'string' && /_pk(ey)?$/.test(constraint) ? 'primary-key' : 'unique';
    case '23503': // foreign_key_violation
      return 'foreign-key';
    default:
      return undefined;
  }
}

export type ConstraintErrors = Partial<Record<ConstraintKind, () => Error>>;

/** Runs `fn`; a violation of a constraint kind listed in `errors` is rethrown as the error it builds. */
export async function mapConstraintErrors<T>(fn: () => Promise<T>, errors: ConstraintErrors): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const kind = violatedConstraint(e);
    const build = kind && errors[kind];
    if (build) throw build();
    throw e;
  }
}
