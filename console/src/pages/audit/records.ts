/**
 * The audit trail as the admin API returns it (GET /admin/v1/audit), the filters the console adds on top of the
 * API's own (policy type, guardrail), and the page walks that apply them.
 */
import type { AuditRecord } from '../../../../src/store/types.ts';
import { call, getSession } from '../../api/client.ts';

/** A record as the server keeps it and the API returns it (the server's own type; a type import, nothing bundled). */
export type { AuditRecord };

/** One answer of GET /admin/v1/audit (ListAuditRecords). */
export interface AuditPage {
  records: AuditRecord[];
  nextBeforeSeq?: number;
  nextAfterSeq?: number;
}

/** The API's page size limit (MAX_AUDIT_PAGE). */
export const MAX_PAGE = 1000;
/** How many records a client-side filter (policy type, guardrail) reads at most for one page of results. */
export const MAX_SCAN = 10_000;

export const POLICY_TYPES: ReadonlyArray<readonly [string, string]> = [
  ['content', 'Content filters'],
  ['topic', 'Denied topics'],
  ['word', 'Word filters'],
  ['sensitive_information', 'Sensitive information'],
  ['contextual_grounding', 'Contextual grounding'],
];

export const policyLabel = (p: string): string => POLICY_TYPES.find(([k]) => k === p)?.[1] ?? p;

/** The actions of model calls (one record per invocation). */
export const INVOCATION_ACTIONS: ReadonlySet<string> = new Set([
  'bedrock:InvokeModel',
  'bedrock:InvokeModelWithResponseStream',
  'bedrock:Converse',
  'bedrock:ConverseStream',
  'parapet:ChatCompletions',
]);

export const KNOWN_ACTIONS = [
  'bedrock:ApplyGuardrail',
  'bedrock:Converse',
  'bedrock:ConverseStream',
  'bedrock:InvokeModel',
  'bedrock:InvokeModelWithResponseStream',
  'parapet:ChatCompletions',
  'bedrock:CreateGuardrail',
  'bedrock:UpdateGuardrail',
  'bedrock:CreateGuardrailVersion',
  'bedrock:DeleteGuardrail',
  'bedrock:PutEnforcedGuardrailConfiguration',
  'bedrock:DeleteEnforcedGuardrailConfiguration',
  'bedrock:PutResourcePolicy',
  'bedrock:DeleteResourcePolicy',
  'organizations:CreatePolicy',
  'organizations:UpdatePolicy',
  'organizations:AttachPolicy',
  'organizations:DetachPolicy',
  'parapet:CreateAccountAccessKey',
  'bedrock:*',
  'organizations:*',
  'parapet:*',
];

export const KNOWN_OUTCOMES = ['Success', 'INTERVENED', 'NONE', 'FAILED_OPEN', 'AccessDeniedException', 'ValidationException', 'ThrottlingException', 'ServiceUnavailableException'];

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export const detailOf = (r: AuditRecord): Record<string, unknown> | undefined => (isObject(r.detail) ? r.detail : undefined);

/** The policies a guardrail application's detail lists (the ones that detected something), with their action. */
export function policiesOf(r: AuditRecord): Array<{ policy: string; type: string; name?: string; action: string }> {
  const list = detailOf(r)?.policies;
  if (!Array.isArray(list)) return [];
  const out: Array<{ policy: string; type: string; name?: string; action: string }> = [];
  for (const p of list) {
    if (!isObject(p)) continue;
    const policy = str(p.policy);
    if (!policy) continue;
    const name = str(p.name);
    out.push({ policy, type: str(p.type) ?? '', ...(name ? { name } : {}), action: str(p.action) ?? 'NONE' });
  }
  return out;
}

/** The policy types that intervened (an action other than NONE) in a guardrail application. */
export function interveningTypes(r: AuditRecord): string[] {
  return [...new Set(policiesOf(r).filter((p) => p.action !== 'NONE').map((p) => p.policy))];
}

/** Every guardrail label (`arn:version`) a record is about: its resource, its detail's guardrail(s). */
export function guardrailsOf(r: AuditRecord): string[] {
  const out: string[] = [];
  const d = detailOf(r);
  if (r.resourceArn?.includes(':guardrail/')) out.push(r.resourceArn);
  const g = str(d?.guardrail);
  if (g) out.push(g);
  if (Array.isArray(d?.guardrails)) for (const x of d.guardrails) if (isObject(x) && str(x.guardrail)) out.push(x.guardrail as string);
  return out;
}

/** `arn:aws:bedrock:…:guardrail/id`, optionally with `:version`. */
export const GUARDRAIL_ARN_RE = /^arn:aws(?:-[a-z]+)*:bedrock:[a-z0-9-]+:\d{12}:guardrail\/[a-z0-9]+(?::(?:DRAFT|[1-9][0-9]{0,7}))?$/;

/** Does the record concern this guardrail (a bare ARN matches every version; `arn:version` that version)? */
export function concernsGuardrail(r: AuditRecord, guardrail: string): boolean {
  return guardrailsOf(r).some((g) => g === guardrail || g.startsWith(`${guardrail}:`));
}

/** The filters of the trail view, as kept in the URL. */
export interface Filters {
  account: string;
  guardrail: string;
  action: string;
  outcome: string;
  policy: string;
  /** Only applications where the policy type intervened (not just detected). */
  intervening: boolean;
  since: string;
  until: string;
  limit: number;
}

export const EMPTY_FILTERS: Filters = { account: '', guardrail: '', action: '', outcome: '', policy: '', intervening: false, since: '', until: '', limit: 50 };
export const PAGE_SIZES = [25, 50, 100, 250] as const;

export function filtersFromQuery(q: URLSearchParams): Filters {
  const limit = Number(q.get('limit') ?? '');
  return {
    account: q.get('account') ?? '',
    guardrail: q.get('guardrail') ?? '',
    action: q.get('action') ?? '',
    outcome: q.get('outcome') ?? '',
    policy: q.get('policy') ?? '',
    intervening: q.get('intervening') === '1',
    since: q.get('since') ?? '',
    until: q.get('until') ?? '',
    limit: Number.isInteger(limit) && limit >= 1 && limit <= MAX_PAGE ? limit : EMPTY_FILTERS.limit,
  };
}

export function filtersToQuery(f: Filters, page: { before?: number; after?: number } = {}): string {
  const q = new URLSearchParams();
  const set = (k: string, v: string) => {
    if (v) q.set(k, v);
  };
  set('account', f.account);
  set('guardrail', f.guardrail);
  set('action', f.action);
  set('outcome', f.outcome);
  set('policy', f.policy);
  if (f.policy && f.intervening) q.set('intervening', '1');
  set('since', f.since);
  set('until', f.until);
  if (f.limit !== EMPTY_FILTERS.limit) q.set('limit', String(f.limit));
  if (page.before !== undefined) q.set('before', String(page.before));
  if (page.after !== undefined) q.set('after', String(page.after));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Checks the filters as the API would (and the console's own); field → message. */
export function validateFilters(f: Filters): Partial<Record<keyof Filters, string>> {
  const e: Partial<Record<keyof Filters, string>> = {};
  if (f.account && !/^\d{12}$/.test(f.account)) e.account = `account '${f.account}' is not a 12-digit account id.`;
  if (f.guardrail && !GUARDRAIL_ARN_RE.test(f.guardrail))
    e.guardrail = 'Give a guardrail ARN (arn:aws:bedrock:<region>:<account>:guardrail/<id>), optionally with :<version> or :DRAFT.';
  for (const k of ['action', 'outcome', 'guardrail'] as const) if (f[k].length > 2048) e[k] = `The query parameter '${k}' is longer than 2048 characters.`;
  if (f.action && !/^[A-Za-z0-9-]+:[A-Za-z0-9*]*$/.test(f.action)) e.action = "An action is 'service:Operation' (e.g. bedrock:ConverseStream), or 'service:*' for all of a service.";
  for (const k of ['since', 'until'] as const) if (f[k] && Number.isNaN(Date.parse(f[k]))) e[k] = `${k} '${f[k]}' is not an ISO-8601 time.`;
  if (!e.since && !e.until && f.since && f.until && Date.parse(f.since) > Date.parse(f.until)) e.until = 'The end of the time range is before its start.';
  return e;
}

/** The API's query for the server-side filters. `service:*` becomes an action prefix. */
export function apiQuery(f: Pick<Filters, 'account' | 'action' | 'outcome' | 'since' | 'until'>): Record<string, string | undefined> {
  const prefix = f.action.endsWith('*') ? f.action.slice(0, -1) : undefined;
  return {
    account: f.account || undefined,
    action: prefix === undefined ? f.action || undefined : undefined,
    actionPrefix: prefix || undefined,
    outcome: f.outcome || undefined,
    since: f.since ? new Date(f.since).toISOString() : undefined,
    until: f.until ? new Date(f.until).toISOString() : undefined,
  };
}

/** The filters the API does not have, applied to a record. */
export function clientMatch(f: Pick<Filters, 'guardrail' | 'policy' | 'intervening'>): ((r: AuditRecord) => boolean) | undefined {
  if (!f.guardrail && !f.policy) return undefined;
  return (r) => {
    if (f.guardrail && !concernsGuardrail(r, f.guardrail)) return false;
    if (f.policy) {
      const ps = policiesOf(r).filter((p) => p.policy === f.policy);
      if (!ps.length) return false;
      if (f.intervening && !ps.some((p) => p.action !== 'NONE')) return false;
    }
    return true;
  };
}

export interface TrailPage {
  /** Newest first. */
  records: AuditRecord[];
  /** Seq to page to older records (before=), when there are older ones. */
  older?: number;
  /** Seq to page to newer records (after=), when this is not the newest page. */
  newer?: number;
  /** How many records were read to find these (client-side filters). */
  scanned: number;
  /** The scan stopped at MAX_SCAN before the page was full. */
  capped: boolean;
}

/**
 * One page of the trail: `before` pages to older records, `after` to newer ones (the API answers `after` oldest
 * first). With a client-side filter, pages of up to 1000 are read until `limit` records match or MAX_SCAN were read.
 */
export async function loadTrailPage(f: Filters, page: { before?: number; after?: number }, signal: AbortSignal): Promise<TrailPage> {
  const base = apiQuery(f);
  const match = clientMatch(f);
  const forward = page.after !== undefined;
  const found: AuditRecord[] = [];
  let cursor = forward ? page.after : page.before;
  let scanned = 0;
  let exhausted = false;
  for (;;) {
    const size = match ? MAX_PAGE : f.limit;
    const r = await call<AuditPage>('GET', '/admin/v1/audit', {
      query: { ...base, limit: size, ...(forward ? { after: cursor } : { before: cursor }) },
      signal,
    });
    scanned += r.records.length;
    let stoppedAt: number | undefined;
    for (const rec of r.records) {
      if (!match || match(rec)) found.push(rec);
      if (found.length === f.limit) {
        stoppedAt = rec.seq;
        break;
      }
    }
    if (stoppedAt !== undefined) {
      cursor = stoppedAt;
      break;
    }
    const last = r.records.at(-1);
    if (r.records.length < size || !last) {
      exhausted = true;
      break;
    }
    cursor = last.seq;
    if (!match || scanned >= MAX_SCAN) break;
  }
  const capped = Boolean(match) && !exhausted && found.length < f.limit;
  const records = forward ? found.reverse() : found;
  const first = records[0];
  const last = records.at(-1);
  const out: TrailPage = { records, scanned, capped };
  if (forward) {
    // Older records exist below the `after` bound; newer ones unless the walk reached the head of the trail.
    out.older = last?.seq ?? (page.after ?? 0) + 1;
    if (!exhausted) out.newer = capped ? cursor : first?.seq;
  } else {
    if (!exhausted) out.older = capped ? cursor : last?.seq;
    if (page.before !== undefined) out.newer = first?.seq ?? page.before - 1;
  }
  if (out.older !== undefined && out.older <= 1) delete out.older;
  return out;
}

/** One record by its sequence number, or undefined when the caller may not see it (or it does not exist). */
export async function loadRecord(seq: number, signal: AbortSignal): Promise<AuditRecord | undefined> {
  const r = await call<AuditPage>('GET', '/admin/v1/audit', { query: { before: seq + 1, limit: 1 }, signal });
  const rec = r.records[0];
  return rec?.seq === seq ? rec : undefined;
}

/** The principal and the one-line detail, exactly as `parapet audit list` prints them. */
export { auditDetail as summary, shortPrincipal } from '../../../../src/core/audit-summary.ts';

export function outcomeClass(outcome: string): string {
  if (outcome === 'INTERVENED') return 'badge badge-block';
  if (outcome === 'Success' || outcome === 'NONE') return 'badge badge-ok';
  if (outcome === 'FAILED_OPEN') return 'badge badge-mask';
  return 'badge audit-badge-error';
}

/**
 * Organization accounts by id (names), when the signed-in account manages the organization; empty otherwise.
 * DescribeOrganization (which members may call) says who manages it, so a member never asks for ListAccounts.
 */
export async function loadAccountNames(signal: AbortSignal): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  try {
    const [session, org] = await Promise.all([
      getSession(),
      call<{ Organization?: { MasterAccountId?: string } }>('POST', '/', { target: 'AWSOrganizationsV20161128.DescribeOrganization', body: {}, signal }),
    ]);
    if (!session || org.Organization?.MasterAccountId !== session.accountId) return names;
    let token: string | undefined;
    do {
      const r = await call<{ Accounts?: Array<{ Id: string; Name?: string }>; NextToken?: string }>('POST', '/', {
        target: 'AWSOrganizationsV20161128.ListAccounts',
        body: token ? { NextToken: token } : {},
        signal,
      });
      for (const a of r.Accounts ?? []) names.set(a.Id, a.Name ?? a.Id);
      token = r.NextToken;
    } while (token);
  } catch (e) {
    if (signal.aborted) throw e;
    // Not in an organization, or not allowed to list it: the names are only a convenience.
  }
  return names;
}
