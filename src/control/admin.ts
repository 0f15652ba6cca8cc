/**
 * Parapet's own admin API (not an AWS API): member account keys, the audit trail. Signed with SigV4 for the
 * service name `parapet`; authorized with `parapet:*` IAM actions so users can be given or denied them.
 */
import { iamRootArn } from '../core/arn.ts';
import type { Caller } from '../core/caller.ts';
import { accessDenied, notFound, validation } from '../core/errors.ts';
import type { AuditRecord } from '../store/types.ts';
import type { Services } from './services.ts';

export const MAX_AUDIT_PAGE = 1000;

export class AdminService {
  readonly #s: Services;

  constructor(services: Services) {
    this.#s = services;
  }

  /** The management account may act on every account of its organization; any account on itself. */
  async #requireOversight(caller: Caller, accountId: string): Promise<void> {
    if (accountId === caller.accountId) return;
    const pos = await this.#s.authz.orgPosition(accountId);
    if (!pos || pos.org.managementAccountId !== caller.accountId)
      throw accessDenied(
        `${caller.principalArn} may act on its own account or on the accounts of the organization it manages; ${accountId} is neither.`,
      );
  }

  async createAccessKey(caller: Caller, accountId: string, requestId?: string) {
    if (!/^\d{12}$/.test(accountId)) throw validation(`account '${accountId}' is not a 12-digit account id.`);
    await this.#requireOversight(caller, accountId);
    await this.#s.authz.require({
      caller,
      action: 'parapet:CreateAccountAccessKey',
      resource: iamRootArn(accountId),
      resourceAccountId: caller.accountId,
    });
    if (!(await this.#s.store.accounts.get(accountId))) throw notFound(`Account ${accountId} does not exist.`);
    const key = await this.#s.accounts.createRootKey(accountId);
    await this.#s.audit.record({
      accountId,
      principalArn: caller.principalArn,
      action: 'parapet:CreateAccountAccessKey',
      resourceArn: iamRootArn(accountId),
      ...(requestId ? { requestId } : {}),
      after: { accessKeyId: key.accessKeyId, principalArn: key.principalArn, status: key.status },
    });
    return {
      accountId,
      principalArn: key.principalArn,
      accessKeyId: key.accessKeyId,
      secretAccessKey: key.secretAccessKey,
      createdAt: key.createdAt,
    };
  }

  /** Accounts whose records the caller may read: its own, plus every member when it manages the organization. */
  async #visibleAccounts(caller: Caller): Promise<string[]> {
    const pos = await this.#s.authz.orgPosition(caller.accountId);
    if (!pos || pos.org.managementAccountId !== caller.accountId) return [caller.accountId];
    return (await this.#s.store.organizations.listMembers(pos.org.orgId)).map((m) => m.accountId);
  }

  async listAudit(
    caller: Caller,
    q: {
      accountId?: string;
      action?: string;
      resourceArn?: string;
      since?: string;
      until?: string;
      limit?: number;
      beforeSeq?: number;
      afterSeq?: number;
      outcome?: string;
      principalArn?: string;
      region?: string;
      actionPrefix?: string;
    },
  ): Promise<{ records: AuditRecord[]; nextBeforeSeq?: number; nextAfterSeq?: number }> {
    await this.#s.authz.require({
      caller,
      action: 'parapet:ListAuditRecords',
      resource: iamRootArn(caller.accountId),
      resourceAccountId: caller.accountId,
    });
    const visible = await this.#visibleAccounts(caller);
    if (q.accountId !== undefined && !visible.includes(q.accountId))
      throw accessDenied(`${caller.principalArn} may not read the audit records of account ${q.accountId}.`);
    for (const [name, v] of [['since', q.since], ['until', q.until]] as const)
      if (v !== undefined && Number.isNaN(Date.parse(v))) throw validation(`${name} '${v}' is not an ISO-8601 time.`);
    const limit = q.limit ?? 100;
    await this.#s.pendingAudit?.drain();
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE)
      throw validation(`limit must be an integer from 1 to ${MAX_AUDIT_PAGE}.`);
    const records = await this.#s.store.audit.list({
      accountIds: q.accountId !== undefined ? [q.accountId] : visible,
      ...(q.action !== undefined ? { action: q.action } : {}),
      ...(q.resourceArn !== undefined ? { resourceArn: q.resourceArn } : {}),
      ...(q.since !== undefined ? { since: new Date(q.since).toISOString() } : {}),
      ...(q.until !== undefined ? { until: new Date(q.until).toISOString() } : {}),
      ...(q.beforeSeq !== undefined ? { beforeSeq: q.beforeSeq } : {}),
      ...(q.afterSeq !== undefined ? { afterSeq: q.afterSeq } : {}),
      ...(q.outcome !== undefined ? { outcome: q.outcome } : {}),
      ...(q.principalArn !== undefined ? { principalArn: q.principalArn } : {}),
      ...(q.region !== undefined ? { region: q.region } : {}),
      ...(q.actionPrefix !== undefined ? { actionPrefix: q.actionPrefix } : {}),
      limit,
    });
    const last = records.at(-1);
    if (q.afterSeq !== undefined) return { records, ...(last ? { nextAfterSeq: last.seq } : { nextAfterSeq: q.afterSeq }) };
    return { records, ...(records.length === limit && last ? { nextBeforeSeq: last.seq } : {}) };
  }

  /**
   * Recomputes the hash chain. The chain holds every tenant's records, so only the installation's management
   * account (the operator's, bootstrapped first) may verify it: another organization's management account, or a
   * standalone account, would learn how many records the other tenants have and where the chain breaks
   * (authorization matrix, issue 9). Without a bootstrapped account: any management or standalone account.
   */
  async verifyAudit(caller: Caller) {
    const operator = await this.#s.store.meta.get('managementAccountId');
    if (operator !== undefined && caller.accountId !== operator)
      throw accessDenied("Only the installation's management account may verify the whole audit chain: it holds every tenant's records.");
    const pos = await this.#s.authz.orgPosition(caller.accountId);
    if (pos && pos.org.managementAccountId !== caller.accountId)
      throw accessDenied('Only the management account may verify the whole audit chain.');
    await this.#s.authz.require({
      caller,
      action: 'parapet:VerifyAuditTrail',
      resource: iamRootArn(caller.accountId),
      resourceAccountId: caller.accountId,
    });
    await this.#s.pendingAudit?.drain();
    return this.#s.store.audit.verify();
  }
}
