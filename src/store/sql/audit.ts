import { sql } from 'kysely';
import { validation } from '../../core/errors.ts';
import { auditHashOfNormalized, GENESIS_HASH, normalizeAuditEntry, payloadJson } from '../audit-hash.ts';
import type { AuditEntry, AuditRecord, AuditRepo } from '../types.ts';
import { lockKeys, type SqlRuntime } from './runtime.ts';
import type { AuditLogTable } from './schema.ts';

/** Rows written per INSERT statement. */
const INSERT_BATCH = 200;
/** Rows read per query while verifying, so a long trail is never loaded at once. */
const VERIFY_BATCH = 1000;

/**
 * The audit trail: append-only (each dialect's migrations make the database refuse UPDATE and DELETE) and
 * hash-chained (see `../audit-hash.ts`), so an edited or removed record is detectable. Appends are
 * serialized: each one reads the head and writes seq = head + 1 in the same write transaction.
 */
export function createAuditRepo(rt: SqlRuntime): AuditRepo {
  /** Appends in order in one write transaction: consecutive seqs, each linked to the one before. */
  const appendAll = async (entries: readonly AuditEntry[]): Promise<AuditRecord[]> => {
    const normalized = entries.map(normalizeAuditEntry);
    return rt.writeTx([lockKeys.auditLog()], async (tx) => {
      const head = await tx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
      let seq = head ? Number(head.seq) : 0;
      let prevHash = head?.hash ?? GENESIS_HASH;
      const out: AuditRecord[] = [];
      const rows: AuditLogTable[] = [];
      for (const entry of normalized) {
        seq += 1;
        const hash = auditHashOfNormalized(prevHash, { ...entry, seq });
        rows.push({
          seq,
          at: entry.at,
          account_id: entry.accountId,
          principal_arn: entry.principalArn,
          action: entry.action,
          region: entry.region ?? null,
          resource_arn: entry.resourceArn ?? null,
          request_id: entry.requestId ?? null,
          outcome: entry.outcome,
          before_json: payloadJson('before', entry.before) ?? null,
          after_json: payloadJson('after', entry.after) ?? null,
          detail_json: payloadJson('detail', entry.detail) ?? null,
          prev_hash: prevHash,
          hash,
        });
        out.push({ ...entry, seq, prevHash, hash });
        prevHash = hash;
      }
      // One multi-row INSERT per batch (well under every dialect's bound-parameter limit).
      for (let i = 0; i < rows.length; i += INSERT_BATCH) await tx.insertInto('audit_log').values(rows.slice(i, i + INSERT_BATCH)).execute();
      return out;
    });
  };
  return {
    async append(e) {
      const [record] = await appendAll([e]);
      if (!record) throw new Error('audit append wrote nothing');
      return record;
    },

    appendMany(entries) {
      return entries.length ? appendAll(entries) : Promise.resolve([]);
    },

    async list(q) {
      if (!Number.isSafeInteger(q.limit) || q.limit < 1) {
        throw validation(`The audit query limit must be a positive integer, got ${String(q.limit)}.`);
      }
      if (q.accountIds !== undefined && q.accountIds.length === 0) return [];
      let query = rt.db.selectFrom('audit_log').selectAll();
      if (q.accountIds !== undefined) query = query.where('account_id', 'in', [...new Set(q.accountIds)]);
      if (q.action !== undefined) query = query.where('action', '=', q.action);
      if (q.resourceArn !== undefined) query = query.where('resource_arn', '=', q.resourceArn);
      if (q.since !== undefined) query = query.where('at', '>=', q.since);
      if (q.until !== undefined) query = query.where('at', '<=', q.until);
      if (q.beforeSeq !== undefined) query = query.where('seq', '<', q.beforeSeq);
      if (q.afterSeq !== undefined) query = query.where('seq', '>', q.afterSeq);
      if (q.outcome !== undefined) query = query.where('outcome', '=', q.outcome);
      if (q.principalArn !== undefined) query = query.where('principal_arn', '=', q.principalArn);
      if (q.region !== undefined) query = query.where('region', '=', q.region);
      if (q.actionPrefix !== undefined)
        query = query.where(sql<string>`substr(action, 1, ${q.actionPrefix.length})`, '=', q.actionPrefix);
      const rows = await query
        .orderBy('seq', q.afterSeq !== undefined ? 'asc' : 'desc')
        .limit(q.limit)
        .execute();
      return rows.map(toRecord);
    },

    async verify() {
      const chain = new AuditChainChecker();
      for (;;) {
        const rows = await rt.db
          .selectFrom('audit_log')
          .selectAll()
          .where('seq', '>', chain.lastSeq)
          .orderBy('seq')
          .limit(VERIFY_BATCH)
          .execute();
        for (const row of rows) if (!chain.accept(row)) return { ok: false, count: chain.count, brokenAt: Number(row.seq) };
        if (rows.length < VERIFY_BATCH) return { ok: true, count: chain.count };
      }
    },
  };
}

/**
 * Follows the chain over audit rows given in seq order (from the database, or from an export file): `accept`
 * is false for the first row whose seq, link or hash does not verify, and nothing is accepted after it.
 */
export class AuditChainChecker {
  count = 0;
  lastSeq = 0;
  /** The hash of the last accepted row (the genesis hash before any). */
  head = GENESIS_HASH;
  #broken = false;

  accept(row: AuditLogTable): boolean {
    const seq = Number(row.seq);
    // a gap (a deleted record) or a rewritten link breaks the chain at the first record after it
    if (this.#broken || seq !== this.lastSeq + 1 || row.prev_hash !== this.head || !hashMatches(row)) {
      this.#broken = true;
      return false;
    }
    this.count++;
    this.lastSeq = seq;
    this.head = row.hash;
    return true;
  }
}

function hashMatches(row: AuditLogTable): boolean {
  let record: AuditRecord;
  try {
    record = toRecord(row);
  } catch {
    return false; // a payload that is no longer JSON was tampered with
  }
  return auditHashOfNormalized(row.prev_hash, record) === row.hash;
}

function toRecord(row: AuditLogTable): AuditRecord {
  const entry: AuditEntry = {
    at: row.at,
    accountId: row.account_id,
    principalArn: row.principal_arn,
    action: row.action,
    outcome: row.outcome,
  };
  if (row.region !== null) entry.region = row.region;
  if (row.resource_arn !== null) entry.resourceArn = row.resource_arn;
  if (row.request_id !== null) entry.requestId = row.request_id;
  if (row.before_json !== null) entry.before = JSON.parse(row.before_json) as unknown;
  if (row.after_json !== null) entry.after = JSON.parse(row.after_json) as unknown;
  if (row.detail_json !== null) entry.detail = JSON.parse(row.detail_json) as unknown;
  return { ...entry, seq: Number(row.seq), prevHash: row.prev_hash, hash: row.hash };
}
