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

// ---- version 2: organizations, IAM principals, STS sessions, resource policies, enforcement, audit ----

export interface OrganizationsTable {
  org_id: string;
  arn: string;
  management_account_id: string;
  root_id: string;
  root_arn: string;
  feature_set: string;
  /** JSON array of policy type names, sorted. */
  enabled_policy_types: string;
  created_at: string;
}

export interface OrgUnitsTable {
  ou_id: string;
  org_id: string;
  arn: string;
  /** A root id or an OU id (no foreign key: it points into one of two tables). */
  parent_id: string;
  name: string;
  created_at: string;
}

/** At most one row per account: the primary key is what makes "one organization per account" hold. */
export interface OrgMembersTable {
  account_id: string;
  org_id: string;
  parent_id: string;
  joined_method: string;
  joined_at: string;
}

export interface OrgPoliciesTable {
  policy_id: string;
  org_id: string;
  arn: string;
  policy_type: string;
  name: string;
  description: string;
  content: string;
  created_at: string;
  updated_at: string;
}

export interface OrgPolicyAttachmentsTable {
  policy_id: string;
  /** A root, OU or account id. */
  target_id: string;
  org_id: string;
  attached_at: string;
}

export interface OrgCreateAccountStatusTable {
  id: string;
  org_id: string;
  account_name: string;
  state: string;
  account_id: string | null;
  failure_reason: string | null;
  requested_at: string;
  completed_at: string | null;
}

export interface PrincipalsTable {
  arn: string;
  account_id: string;
  kind: string;
  name: string;
  /** Lower-cased name: IAM names are unique per account and kind regardless of case. */
  name_key: string;
  unique_id: string;
  trust_policy: string | null;
  max_session_seconds: number | null;
  created_at: string;
}

export interface PrincipalPoliciesTable {
  principal_arn: string;
  policy_name: string;
  document: string;
  updated_at: string;
}

export interface SessionsTable {
  access_key_id: string;
  /** `cipher.encrypt(secretAccessKey)`. */
  secret_sealed: string;
  session_token_sha256: string;
  account_id: string;
  principal_arn: string;
  role_arn: string;
  source_principal_arn: string;
  created_at: string;
  expires_at: string;
}

export interface ResourcePoliciesTable {
  resource_arn: string;
  account_id: string;
  region: string;
  document: string;
  updated_at: string;
}

export interface EnforcementConfigsTable {
  config_id: string;
  account_id: string;
  region: string;
  guardrail_arn: string;
  guardrail_id: string;
  guardrail_version: number;
  /** JSON or null. */
  selective_content_guarding: string | null;
  /** JSON or null. */
  model_enforcement: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

/** Append-only (enforced by each dialect's triggers) and hash-chained; see `../audit-hash.ts`. */
export interface AuditLogTable {
  seq: number;
  at: string;
  account_id: string;
  principal_arn: string;
  action: string;
  region: string | null;
  resource_arn: string | null;
  request_id: string | null;
  outcome: string;
  /** JSON text; SQL NULL = field absent (the JSON text `null` = the value null). */
  before_json: string | null;
  after_json: string | null;
  detail_json: string | null;
  prev_hash: string;
  hash: string;
}

export interface Database {
  accounts: AccountsTable;
  access_keys: AccessKeysTable;
  guardrails: GuardrailsTable;
  guardrail_versions: GuardrailVersionsTable;
  idempotency_tokens: IdempotencyTokensTable;
  tags: TagsTable;
  meta: MetaTable;
  organizations: OrganizationsTable;
  org_units: OrgUnitsTable;
  org_members: OrgMembersTable;
  org_policies: OrgPoliciesTable;
  org_policy_attachments: OrgPolicyAttachmentsTable;
  org_create_account_status: OrgCreateAccountStatusTable;
  principals: PrincipalsTable;
  principal_policies: PrincipalPoliciesTable;
  sessions: SessionsTable;
  resource_policies: ResourcePoliciesTable;
  enforcement_configs: EnforcementConfigsTable;
  audit_log: AuditLogTable;
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

/**
 * Version 2: organizations, IAM principals, STS sessions, resource policies, enforcement configs and the
 * audit log. Frozen like V1. Constraint names matter: the repositories map violations to API errors by
 * kind (primary key, unique, foreign key), and PostgreSQL reports primary keys by a `_pk`/`_pkey` suffix.
 *
 * Some foreign keys deliberately do NOT cascade, so the database itself refuses the delete:
 * a policy that is still attached (PolicyInUseException) and an organization that still has members.
 */
export async function createTablesV2(db: Kysely<unknown>): Promise<void> {
  const s = db.schema;
  await s
    .createTable('organizations')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('arn', 'text', (c) => c.notNull())
    .addColumn('management_account_id', 'text', (c) => c.notNull())
    .addColumn('root_id', 'text', (c) => c.notNull())
    .addColumn('root_arn', 'text', (c) => c.notNull())
    .addColumn('feature_set', 'text', (c) => c.notNull())
    .addColumn('enabled_policy_types', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('organizations_pk', ['org_id'])
    .addUniqueConstraint('organizations_management_unique', ['management_account_id'])
    .addUniqueConstraint('organizations_root_unique', ['root_id'])
    .execute();

  await s
    .createTable('org_units')
    .addColumn('ou_id', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.org_id').onDelete('cascade'))
    .addColumn('arn', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('org_units_pk', ['ou_id'])
    .addUniqueConstraint('org_units_name_unique', ['parent_id', 'name'])
    .execute();
  await s.createIndex('org_units_by_org').on('org_units').columns(['org_id', 'created_at', 'ou_id']).execute();

  await s
    .createTable('org_members')
    .addColumn('account_id', 'text', (c) => c.notNull())
    // no cascade: deleting an organization that still has members fails in the database
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.org_id'))
    .addColumn('parent_id', 'text', (c) => c.notNull())
    .addColumn('joined_method', 'text', (c) => c.notNull())
    .addColumn('joined_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('org_members_pk', ['account_id'])
    .execute();
  await s.createIndex('org_members_by_org').on('org_members').columns(['org_id', 'joined_at', 'account_id']).execute();
  await s.createIndex('org_members_by_parent').on('org_members').columns(['parent_id']).execute();

  await s
    .createTable('org_policies')
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.org_id').onDelete('cascade'))
    .addColumn('arn', 'text', (c) => c.notNull())
    .addColumn('policy_type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('org_policies_pk', ['policy_id'])
    .addUniqueConstraint('org_policies_name_unique', ['org_id', 'policy_type', 'name'])
    .execute();

  await s
    .createTable('org_policy_attachments')
    // no cascade: deleting a policy that is still attached fails in the database
    .addColumn('policy_id', 'text', (c) => c.notNull().references('org_policies.policy_id'))
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.org_id').onDelete('cascade'))
    .addColumn('attached_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('org_policy_attachments_pk', ['policy_id', 'target_id'])
    .execute();
  await s
    .createIndex('org_policy_attachments_by_target')
    .on('org_policy_attachments')
    .columns(['target_id', 'attached_at'])
    .execute();
  await s.createIndex('org_policy_attachments_by_org').on('org_policy_attachments').columns(['org_id']).execute();

  await s
    .createTable('org_create_account_status')
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.org_id').onDelete('cascade'))
    .addColumn('account_name', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .addPrimaryKeyConstraint('org_create_account_status_pk', ['id'])
    .execute();
  await s
    .createIndex('org_create_account_status_by_org')
    .on('org_create_account_status')
    .columns(['org_id', 'requested_at'])
    .execute();

  await s
    .createTable('principals')
    .addColumn('arn', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('unique_id', 'text', (c) => c.notNull())
    .addColumn('trust_policy', 'text')
    .addColumn('max_session_seconds', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('principals_pk', ['arn'])
    .addUniqueConstraint('principals_name_unique', ['account_id', 'kind', 'name_key'])
    .execute();

  await s
    .createTable('principal_policies')
    .addColumn('principal_arn', 'text', (c) => c.notNull().references('principals.arn').onDelete('cascade'))
    .addColumn('policy_name', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('principal_policies_pk', ['principal_arn', 'policy_name'])
    .execute();

  await s
    .createTable('sessions')
    .addColumn('access_key_id', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('session_token_sha256', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('principal_arn', 'text', (c) => c.notNull())
    .addColumn('role_arn', 'text', (c) => c.notNull())
    .addColumn('source_principal_arn', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sessions_pk', ['access_key_id'])
    .execute();
  await s.createIndex('sessions_by_expiry').on('sessions').columns(['expires_at']).execute();

  await s
    .createTable('resource_policies')
    .addColumn('resource_arn', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('resource_policies_pk', ['resource_arn'])
    .execute();
  await s
    .createIndex('resource_policies_by_account')
    .on('resource_policies')
    .columns(['account_id', 'region', 'resource_arn'])
    .execute();

  await s
    .createTable('enforcement_configs')
    .addColumn('config_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('guardrail_arn', 'text', (c) => c.notNull())
    .addColumn('guardrail_id', 'text', (c) => c.notNull())
    .addColumn('guardrail_version', 'integer', (c) => c.notNull())
    .addColumn('selective_content_guarding', 'text')
    .addColumn('model_enforcement', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('enforcement_configs_pk', ['config_id'])
    .addUniqueConstraint('enforcement_configs_one_per_region', ['account_id', 'region'])
    .execute();
  await s
    .createIndex('enforcement_configs_by_guardrail')
    .on('enforcement_configs')
    .columns(['guardrail_arn'])
    .execute();

  await s
    .createTable('audit_log')
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('principal_arn', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('region', 'text')
    .addColumn('resource_arn', 'text')
    .addColumn('request_id', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('before_json', 'text')
    .addColumn('after_json', 'text')
    .addColumn('detail_json', 'text')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_log_pk', ['seq'])
    .execute();
  await s.createIndex('audit_log_by_account').on('audit_log').columns(['account_id', 'seq']).execute();
  await s.createIndex('audit_log_by_resource').on('audit_log').columns(['resource_arn', 'seq']).execute();
  await s.createIndex('audit_log_by_action').on('audit_log').columns(['action', 'seq']).execute();
  await s.createIndex('audit_log_by_time').on('audit_log').columns(['at']).execute();
}
