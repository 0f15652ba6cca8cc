/** The monitoring page's numbers, computed from the audit records of a time window. */
import { call } from '../../api/client.ts';
import { type AuditPage, type AuditRecord, detailOf, INVOCATION_ACTIONS, interveningTypes, MAX_PAGE, num } from './records.ts';

export const WINDOWS = [
  ['1h', 'Last hour', 60 * 60_000, 5 * 60_000],
  ['24h', 'Last 24 hours', 24 * 60 * 60_000, 60 * 60_000],
  ['7d', 'Last 7 days', 7 * 24 * 60 * 60_000, 6 * 60 * 60_000],
] as const;
export type WindowKey = (typeof WINDOWS)[number][0];

/** Records read at most for one view (10 pages of the API's maximum). */
export const MONITORING_CAP = 10_000;

export interface WindowData {
  records: AuditRecord[];
  from: number;
  to: number;
  /** The cap was reached: records older than the oldest one read are left out. */
  capped: boolean;
}

export async function loadWindow(key: WindowKey, signal: AbortSignal, now = Date.now()): Promise<WindowData> {
  const span = WINDOWS.find((w) => w[0] === key)?.[2] ?? WINDOWS[0][2];
  const from = now - span;
  const records: AuditRecord[] = [];
  let before: number | undefined;
  let capped = false;
  for (;;) {
    const r = await call<AuditPage>('GET', '/admin/v1/audit', {
      query: { since: new Date(from).toISOString(), until: new Date(now).toISOString(), limit: MAX_PAGE, before },
      signal,
    });
    records.push(...r.records);
    if (r.nextBeforeSeq === undefined) break;
    if (records.length >= MONITORING_CAP) {
      capped = true;
      break;
    }
    before = r.nextBeforeSeq;
  }
  return { records, from, to: now, capped };
}

export interface Bucket {
  start: number;
  end: number;
}

export function buckets(from: number, to: number, step: number): Bucket[] {
  const out: Bucket[] = [];
  const first = Math.floor(from / step) * step;
  for (let s = first; s < to; s += step) out.push({ start: s, end: s + step });
  return out;
}

const indexOf = (bs: readonly Bucket[], t: number) => {
  const first = bs[0];
  if (!first) return -1;
  const step = first.end - first.start;
  const i = Math.floor((t - first.start) / step);
  return i >= 0 && i < bs.length ? i : -1;
};

/** A model call, or a direct ApplyGuardrail call (not one an invocation made). */
export function isInvocation(r: AuditRecord): boolean {
  if (INVOCATION_ACTIONS.has(r.action)) return true;
  return r.action === 'bedrock:ApplyGuardrail' && detailOf(r)?.operation === 'ApplyGuardrail';
}

/** A guardrail evaluation: every ApplyGuardrail record (direct, or one of an invocation's). */
export const isApplication = (r: AuditRecord): boolean => r.action === 'bedrock:ApplyGuardrail';

export type OutcomeKind = 'allowed' | 'intervened' | 'refused';
export const outcomeKind = (r: AuditRecord): OutcomeKind => (r.outcome === 'INTERVENED' ? 'intervened' : r.outcome === 'NONE' || r.outcome === 'FAILED_OPEN' || r.outcome === 'Success' ? 'allowed' : 'refused');

export function invocationsOverTime(records: readonly AuditRecord[], bs: readonly Bucket[]): Array<Record<OutcomeKind, number>> {
  const out = bs.map(() => ({ allowed: 0, intervened: 0, refused: 0 }));
  for (const r of records) {
    if (!isInvocation(r)) continue;
    const row = out[indexOf(bs, Date.parse(r.at))];
    if (row) row[outcomeKind(r)]++;
  }
  return out;
}

/** Guardrail applications that intervened, counted once per policy type that intervened. */
export function interventionsByPolicy(records: readonly AuditRecord[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of records) {
    if (!isApplication(r) || r.outcome !== 'INTERVENED') continue;
    for (const t of interveningTypes(r)) m.set(t, (m.get(t) ?? 0) + 1);
  }
  return m;
}

/** Calls (model calls and direct ApplyGuardrail calls) a guardrail intervened on, by account. */
export function interventionsByAccount(records: readonly AuditRecord[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of records) if (isInvocation(r) && r.outcome === 'INTERVENED') m.set(r.accountId, (m.get(r.accountId) ?? 0) + 1);
  return m;
}

/** The q-th quantile (0..1) by nearest rank; undefined for no values. */
export function quantile(sorted: readonly number[], q: number): number | undefined {
  if (!sorted.length) return undefined;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

/** Guardrail processing latency (the applications' `detail.latencyMs`) per bucket: p50, p99 and how many. */
export function latencyOverTime(records: readonly AuditRecord[], bs: readonly Bucket[]): Array<{ p50?: number; p99?: number; n: number }> {
  const values = bs.map((): number[] => []);
  for (const r of records) {
    if (!isApplication(r)) continue;
    const ms = num(detailOf(r)?.latencyMs);
    if (ms === undefined) continue;
    values[indexOf(bs, Date.parse(r.at))]?.push(ms);
  }
  return values.map((v) => {
    const s = [...v].sort((a, b) => a - b);
    const p50 = quantile(s, 0.5);
    const p99 = quantile(s, 0.99);
    return { ...(p50 !== undefined ? { p50 } : {}), ...(p99 !== undefined ? { p99 } : {}), n: s.length };
  });
}
