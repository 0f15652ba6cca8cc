/**
 * Dump and restore of the whole state for every SQL store (`Store.state`, used by `../export.ts`), over the
 * Kysely instance both dialects share. The tables, their columns and primary keys come from `schema.ts`:
 * `STATE_TABLES` is checked against its `Database` interface at compile time (every table, every column, the
 * column types and nullability), so a table or column added there does not compile until it is listed here.
 * Tables outside `Database` (Kysely's migration bookkeeping, runtime counters) are never read or written.
 *
 * Behaviour is the same on both dialects: rows are read in primary-key order by keyset pagination (TEXT
 * compares by code point on both: SQLite's BINARY collation, PostgreSQL's `COLLATE "C"` columns), integers
 * come back as numbers, and a read runs in one transaction — a deferred `BEGIN` on SQLite, whose WAL gives
 * it one snapshot while other processes keep writing; a read-only REPEATABLE READ transaction on PostgreSQL.
 */
import { type Kysely, sql } from 'kysely';
import type { StateColumn, StateReader, StateRow, StateTable, StateTransfer, StateWriter, Store } from '../types.ts';
import { lockKeys, type SqlRuntime } from './runtime.ts';
import type { Database } from './schema.ts';

/**
 * The version of the portable tables: 1 = `createTablesV1`, 2 = + `createTablesV2`. Bump it with every
 * migration that changes a table of `Database`; a dump restores only into a store of the same version.
 */
export const STATE_SCHEMA_VERSION = 2;

interface ColumnSpec<V> {
  type: Exclude<V, null> extends number ? 'integer' : 'text';
  nullable: null extends V ? true : false;
  sealed?: true;
}

interface TableSpec<R> {
  key: readonly (keyof R & string)[];
  /** Every column of the table, in the schema's order. */
  columns: { readonly [C in keyof R]-?: ColumnSpec<R[C]> };
}

const text = { type: 'text', nullable: false } as const;
const textOrNull = { type: 'text', nullable: true } as const;
const integer = { type: 'integer', nullable: false } as const;
const integerOrNull = { type: 'integer', nullable: true } as const;
const sealed = { type: 'text', nullable: false, sealed: true } as const;

/** Every table of `Database`, parents before children (foreign keys point only to tables listed earlier). */
const STATE_TABLE_SPECS: { readonly [T in keyof Database]: TableSpec<Database[T]> } = {
  accounts: {
    key: ['account_id'],
    columns: { account_id: text, name: text, email: textOrNull, role: text, created_at: text },
  },
  access_keys: {
    key: ['access_key_id'],
    columns: { access_key_id: text, account_id: text, principal_arn: text, secret_sealed: sealed, status: text, created_at: text },
  },
  guardrails: {
    key: ['account_id', 'region', 'guardrail_id'],
    columns: {
      account_id: text,
      region: text,
      guardrail_id: text,
      arn: text,
      name: text,
      config: text,
      status: text,
      latest_version: integer,
      created_at: text,
      updated_at: text,
    },
  },
  guardrail_versions: {
    key: ['account_id', 'region', 'guardrail_id', 'version'],
    columns: {
      account_id: text,
      region: text,
      guardrail_id: text,
      version: integer,
      description: textOrNull,
      config: text,
      created_at: text,
      updated_at: text,
    },
  },
  idempotency_tokens: {
    key: ['account_id', 'region', 'operation', 'scope', 'token'],
    columns: {
      account_id: text,
      region: text,
      operation: text,
      scope: text,
      token: text,
      request_hash: text,
      guardrail_id: text,
      version: integerOrNull,
      created_at: text,
    },
  },
  tags: { key: ['resource_arn', 'tag_key'], columns: { resource_arn: text, tag_key: text, tag_value: text } },
  meta: { key: ['meta_key'], columns: { meta_key: text, meta_value: text } },
  organizations: {
    key: ['org_id'],
    columns: {
      org_id: text,
      arn: text,
      management_account_id: text,
      root_id: text,
      root_arn: text,
      feature_set: text,
      enabled_policy_types: text,
      created_at: text,
    },
  },
  org_units: {
    key: ['ou_id'],
    columns: { ou_id: text, org_id: text, arn: text, parent_id: text, name: text, created_at: text },
  },
  org_members: {
    key: ['account_id'],
    columns: { account_id: text, org_id: text, parent_id: text, joined_method: text, joined_at: text },
  },
  org_policies: {
    key: ['policy_id'],
    columns: {
      policy_id: text,
      org_id: text,
      arn: text,
      policy_type: text,
      name: text,
      description: text,
      content: text,
      created_at: text,
      updated_at: text,
    },
  },
  org_policy_attachments: {
    key: ['policy_id', 'target_id'],
    columns: { policy_id: text, target_id: text, org_id: text, attached_at: text },
  },
  org_create_account_status: {
    key: ['id'],
    columns: {
      id: text,
      org_id: text,
      account_name: text,
      state: text,
      account_id: textOrNull,
      failure_reason: textOrNull,
      requested_at: text,
      completed_at: textOrNull,
    },
  },
  principals: {
    key: ['arn'],
    columns: {
      arn: text,
      account_id: text,
      kind: text,
      name: text,
      name_key: text,
      unique_id: text,
      trust_policy: textOrNull,
      max_session_seconds: integerOrNull,
      created_at: text,
    },
  },
  principal_policies: {
    key: ['principal_arn', 'policy_name'],
    columns: { principal_arn: text, policy_name: text, document: text, updated_at: text },
  },
  sessions: {
    key: ['access_key_id'],
    columns: {
      access_key_id: text,
      secret_sealed: sealed,
      session_token_sha256: text,
      account_id: text,
      principal_arn: text,
      role_arn: text,
      source_principal_arn: text,
      created_at: text,
      expires_at: text,
    },
  },
  resource_policies: {
    key: ['resource_arn'],
    columns: { resource_arn: text, account_id: text, region: text, document: text, updated_at: text },
  },
  enforcement_configs: {
    key: ['config_id'],
    columns: {
      config_id: text,
      account_id: text,
      region: text,
      guardrail_arn: text,
      guardrail_id: text,
      guardrail_version: integer,
      selective_content_guarding: textOrNull,
      model_enforcement: textOrNull,
      created_at: text,
      created_by: text,
      updated_at: text,
      updated_by: text,
    },
  },
  audit_log: {
    key: ['seq'],
    columns: {
      seq: integer,
      at: text,
      account_id: text,
      principal_arn: text,
      action: text,
      region: textOrNull,
      resource_arn: textOrNull,
      request_id: textOrNull,
      outcome: text,
      before_json: textOrNull,
      after_json: textOrNull,
      detail_json: textOrNull,
      prev_hash: text,
      hash: text,
    },
  },
};

/** The state's tables in restore order (parents first), as `StateTransfer.tables` describes them. */
export const STATE_TABLES: readonly StateTable[] = Object.freeze(
  Object.entries(STATE_TABLE_SPECS).map(([name, spec]) =>
    Object.freeze({
      name,
      key: Object.freeze([...spec.key]),
      columns: Object.freeze(
        Object.entries(spec.columns as Record<string, { type: 'text' | 'integer'; nullable: boolean; sealed?: true }>).map(
          ([column, c]): StateColumn => Object.freeze({ name: column, type: c.type, nullable: c.nullable, sealed: c.sealed === true }),
        ),
      ),
    }),
  ),
);

const BY_NAME = new Map(STATE_TABLES.map((t) => [t.name, t]));
const DEFAULT_BATCH = 1000;
/** Bound parameters per INSERT statement: far below SQLite's 32766 and PostgreSQL's 65535. */
const PARAMS_PER_INSERT = 4000;

/** The tables as untyped rows: the names come from `STATE_TABLES`, never from the caller unchecked. */
type AnyDb = Kysely<Record<string, StateRow>>;

function tableOf(name: string): StateTable {
  const t = BY_NAME.get(name);
  if (!t) throw new Error(`${JSON.stringify(name)} is not a table of the state`);
  return t;
}

function reader(db: AnyDb): StateReader {
  return {
    async count(name) {
      const t = tableOf(name);
      const row = await db.selectFrom(t.name).select(sql<number | string>`count(*)`.as('n')).executeTakeFirstOrThrow();
      return Number(row['n']);
    },
    async *rows(name, batchSize = DEFAULT_BATCH) {
      const t = tableOf(name);
      if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
      const columns = t.columns.map((c) => c.name);
      const integers = t.columns.filter((c) => c.type === 'integer').map((c) => c.name);
      let last: StateRow | undefined;
      for (;;) {
        let q = db.selectFrom(t.name).select(columns);
        if (last) {
          const after = last;
          // Keyset pagination: rows whose key is after the last one's ((a, b) > (x, y) compares like ORDER BY a, b).
          q = q.where(
            sql<boolean>`(${sql.join(t.key.map((k) => sql.ref(k)))}) > (${sql.join(t.key.map((k) => after[k]))})`,
          );
        }
        for (const k of t.key) q = q.orderBy(k);
        const rows = (await q.limit(batchSize).execute()) as StateRow[];
        // node-postgres gives int8 as a number already (the store's type parser); be explicit for any driver.
        for (const r of rows) for (const c of integers) if (r[c] !== null && typeof r[c] !== 'number') r[c] = Number(r[c]);
        if (rows.length) yield rows;
        if (rows.length < batchSize) return;
        last = rows[rows.length - 1];
      }
    },
  };
}

function writer(db: AnyDb): StateWriter {
  return {
    ...reader(db),
    async insert(name, rows) {
      const t = tableOf(name);
      const perInsert = Math.max(1, Math.floor(PARAMS_PER_INSERT / t.columns.length));
      for (let i = 0; i < rows.length; i += perInsert) {
        const batch = rows.slice(i, i + perInsert).map((r) => {
          const out: StateRow = {};
          for (const c of t.columns) {
            const v = r[c.name];
            if (v === undefined) throw new Error(`a row of ${t.name} has no ${c.name}`);
            out[c.name] = v;
          }
          return out;
        });
        await db.insertInto(t.name).values(batch).execute();
      }
    },
    async replaceSealed(name, key, column, value) {
      const t = tableOf(name);
      // Only sealed columns: this is the re-sealing path, not a general way to edit the state.
      if (!t.columns.some((c) => c.name === column && c.sealed)) throw new Error(`${t.name}.${column} is not a sealed column`);
      let q = db.updateTable(t.name).set({ [column]: value });
      for (const k of t.key) {
        const v = key[k];
        if (v === undefined || v === null) throw new Error(`the key of a ${t.name} row has no ${k}`);
        q = q.where(k, '=', v);
      }
      const result = await q.executeTakeFirst();
      if (result.numUpdatedRows !== 1n) throw new Error(`${t.name} ${t.key.map((k) => String(key[k])).join('/')}: ${result.numUpdatedRows} rows updated, expected 1`);
    },
  };
}

/** `Store.state` for a SQL store over `rt` (the store's own runtime, so its writes count as changes). */
export function createStateTransfer(kind: Store['kind'], rt: SqlRuntime): StateTransfer {
  const db = rt.db as unknown as AnyDb;
  return {
    schemaVersion: STATE_SCHEMA_VERSION,
    tables: STATE_TABLES,
    read(fn) {
      const tx = db.transaction();
      return (kind === 'postgres' ? tx.setIsolationLevel('repeatable read').setAccessMode('read only') : tx).execute((t) =>
        fn(reader(t)),
      );
    },
    write(fn) {
      // The keys every structural and audit write takes: a server sharing the (PostgreSQL) store waits.
      return rt.writeTx([lockKeys.organizations(), lockKeys.auditLog()], (tx) => fn(writer(tx as unknown as AnyDb)));
    },
  };
}
