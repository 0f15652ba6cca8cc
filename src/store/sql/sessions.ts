import { conflict } from '../../core/errors.ts';
import type { SecretCipher, SessionRecord, SessionRepo } from '../types.ts';
import { mapConstraintErrors } from './constraint-errors.ts';
import type { SqlRuntime } from './runtime.ts';
import type { SessionsTable } from './schema.ts';

/**
 * STS temporary credentials. Like access keys, the secret is sealed with `cipher` before it reaches the
 * database; the session token itself is never given to the store, only its SHA-256.
 */
export function createSessionRepo(rt: SqlRuntime, cipher: SecretCipher): SessionRepo {
  const toRecord = (row: SessionsTable): SessionRecord => {
    let secretAccessKey: string;
    try {
      secretAccessKey = cipher.decrypt(row.secret_sealed);
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new Error(`cannot read the secret of session ${row.access_key_id} (${why})`, { cause });
    }
    return {
      accessKeyId: row.access_key_id,
      secretAccessKey,
      sessionTokenSha256: row.session_token_sha256,
      accountId: row.account_id,
      principalArn: row.principal_arn,
      roleArn: row.role_arn,
      sourcePrincipalArn: row.source_principal_arn,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    };
  };

  return {
    async create(s) {
      const sealed = cipher.encrypt(s.secretAccessKey);
      await mapConstraintErrors(
        () =>
          rt.db
            .insertInto('sessions')
            .values({
              access_key_id: s.accessKeyId,
              secret_sealed: sealed,
              session_token_sha256: s.sessionTokenSha256,
              account_id: s.accountId,
              principal_arn: s.principalArn,
              role_arn: s.roleArn,
              source_principal_arn: s.sourcePrincipalArn,
              created_at: s.createdAt,
              expires_at: s.expiresAt,
            })
            .execute(),
        { 'primary-key': () => conflict(`Session ${s.accessKeyId} already exists. Retry the request.`) },
      );
    },

    async get(accessKeyId) {
      const row = await rt.db.selectFrom('sessions').selectAll().where('access_key_id', '=', accessKeyId).executeTakeFirst();
      return row && toRecord(row);
    },

    async deleteExpired(now) {
      const result = await rt.db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
