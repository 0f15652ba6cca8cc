/**
 * The relational schema shared by every SQL store (SQLite, PostgreSQL). Portable on purpose: TEXT and
 * INTEGER columns only, timestamps as ISO-8601 UTC text, JSON documents as TEXT. Dialect-specific extras
 * (such as the trigger that makes published versions immutable) live in each dialect's migrations.
 */
import type { Kysely } from 'kysely';

export interface AccountsTable {
  account_id: string;
  name: string;
  email: string | null;
  role: string;
  created_at: string;
}

export interface AccessKeysTable {
  access_key_id: string;
  account_id: string;
  principal_arn: string;
  /** `cipher.encrypt(secretAccessKey)`; the plaintext is never stored. */
  secret_sealed: string;
  status: string;
  created_at: string;
}

export interface GuardrailsTable {
  account_id: string;
  region: string;
  guardrail_id: string;
  arn: string;
  /** Copy of `config.name`, for the per account+region uniqueness constraint. */
  name: string;
  /** DRAFT config as JSON. */
  config: string;
  status: string;
  latest_version: number;
  created_at: string;
  updated_at: string;
}

export interface GuardrailVersionsTable {
  account_id: string;
  region: string;
  guardrail_id: string;
  version: number;
  description: string | null;
  config: string;
  created_at: string;
  updated_at: string;
}

/** Client request tokens already used, per account+region, operation and scope (guardrail id or ''). */
export interface IdempotencyTokensTable {
  account_id: string;
  region: string;
  operation: string;
  scope: string;
  token: string;
  request_hash: string;
  guardrail_id: string;
  version: number | null;
  created_at: string;
}

export interface TagsTable {
  resource_arn: string;
  tag_key: string;
  tag_value: string;
}

export interface MetaTable {
  meta_key: string;
  meta_value: string;
}

export interface Database {
  accounts: AccountsTable;
  access_keys: AccessKeysTable;
  guardrails: GuardrailsTable;
  guardrail_versions: GuardrailVersionsTable;
  idempotency_tokens: IdempotencyTokensTable;
  tags: TagsTable;
  meta: MetaTable;
}

/**
 * Version 1 of the tables and indexes. Frozen: once shipped, change the schema only in a new migration.
 * Foreign keys cascade deletes; the repositories also delete dependants explicitly.
 */
export async function createTablesV1(db: Kysely<unknown>): Promise<void> {
  const s = db.schema;
  await s
    .createTable('accounts')
    .addColumn('account_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await s
    .createTable('access_keys')
    .addColumn('access_key_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.account_id').onDelete('cascade'))
    .addColumn('principal_arn', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('access_keys_by_account').on('access_keys').columns(['account_id', 'created_at']).execute();

  await s
    .createTable('guardrails')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('guardrail_id', 'text', (c) => c.notNull())
    .addColumn('arn', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('latest_version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('guardrails_pk', ['account_id', 'region', 'guardrail_id'])
    .addUniqueConstraint('guardrails_name_unique', ['account_id', 'region', 'name'])
    .execute();
  await s
    .createIndex('guardrails_by_creation')
    .on('guardrails')
    .columns(['account_id', 'region', 'created_at', 'guardrail_id'])
    .execute();

  const guardrailKey: ('account_id' | 'region' | 'guardrail_id')[] = ['account_id', 'region', 'guardrail_id'];
  await s
    .createTable('guardrail_versions')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('guardrail_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('guardrail_versions_pk', [...guardrailKey, 'version'])
    .addForeignKeyConstraint('guardrail_versions_guardrail_fk', guardrailKey, 'guardrails', guardrailKey, (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();

  await s
    .createTable('idempotency_tokens')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('guardrail_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_tokens_pk', ['account_id', 'region', 'operation', 'scope', 'token'])
    .addForeignKeyConstraint('idempotency_tokens_guardrail_fk', guardrailKey, 'guardrails', guardrailKey, (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();
  await s.createIndex('idempotency_tokens_by_guardrail').on('idempotency_tokens').columns(guardrailKey).execute();

  await s
    .createTable('tags')
    .addColumn('resource_arn', 'text', (c) => c.notNull())
    .addColumn('tag_key', 'text', (c) => c.notNull())
    .addColumn('tag_value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('tags_pk', ['resource_arn', 'tag_key'])
    .execute();

  await s
    .createTable('meta')
    .addColumn('meta_key', 'text', (c) => c.primaryKey())
    .addColumn('meta_value', 'text', (c) => c.notNull())
    .execute();
}
