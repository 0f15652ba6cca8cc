/**
 * `parapet audit list|tail|verify`: the hash-chained audit trail, through the admin API (SigV4 service `parapet`).
 * `tail` follows the trail by polling for records after the last one seen; its loop takes an abort signal and a
 * sleep function so it can be driven without real timers.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { callApi } from './client.ts';
import { type CliContext, type GlobalOpts, positiveInt, print, table } from './output.ts';
import { accountIdOf, EXIT_PROBLEMS } from './verify-command.ts';
import { auditDetail, shortPrincipal } from '../core/audit-summary.ts';

export { auditDetail, firedList, shortPrincipal } from '../core/audit-summary.ts';

export interface AuditRecord {
  seq: number;
  at: string;
  accountId: string;
  principalArn: string;
  action: string;
  region?: string;
  resourceArn?: string;
  requestId?: string;
  outcome: string;
  detail?: unknown;
}

/** One answer of ListAuditRecords: `nextBeforeSeq` pages newest-first listings, `nextAfterSeq` follows the trail. */
export interface AuditPage {
  records: AuditRecord[];
  nextBeforeSeq?: number;
  nextAfterSeq?: number;
}

/** The filters `list` and `tail` share (command-line names). */
export interface AuditFilters {
  action?: string;
  resource?: string;
  since?: string;
  until?: string;
  outcome?: string;
  principal?: string;
  actionPrefix?: string;
}

interface ListFlags extends AuditFilters {
  limit?: string;
  before?: string;
  all?: boolean;
  json?: boolean;
}

interface TailFlags extends AuditFilters {
  lines: string;
  interval: string;
  json?: boolean;
}

export type AuditQuery = Record<string, string | undefined>;

/** The query string of ListAuditRecords for the filters; `account` and `region` come from the global options. */
export function auditQuery(f: AuditFilters, scope: { account?: string; region?: string } = {}): AuditQuery {
  return {
    account: scope.account,
    region: scope.region,
    action: f.action,
    resource: f.resource,
    since: f.since,
    until: f.until,
    outcome: f.outcome,
    principal: f.principal,
    actionPrefix: f.actionPrefix,
  };
}

/** The time without its fraction of a second. */
export function shortTime(at: string): string {
  return at.replace(/\.\d+Z$/, 'Z');
}

export const AUDIT_COLUMNS = ['seq', 'time', 'account', 'principal', 'action', 'outcome', 'detail'];

export function auditRow(r: AuditRecord): string[] {
  return [String(r.seq), shortTime(r.at), r.accountId, shortPrincipal(r.principalArn, r.accountId), r.action, r.outcome, auditDetail(r)];
}

export function auditTable(records: readonly AuditRecord[]): string {
  return table(AUDIT_COLUMNS, records.map(auditRow));
}

/** One record on one line (for `tail`, where a table cannot grow). */
export function auditLine(r: AuditRecord): string {
  const [seq, time, account, principal, action, outcome, detail] = auditRow(r);
  return [`#${seq}`, time, account, principal, action, outcome, detail].filter(Boolean).join('  ');
}

export interface TailOptions {
  /** One ListAuditRecords call. */
  fetch(query: AuditQuery): Promise<AuditPage>;
  /** The filters (see auditQuery). */
  query: AuditQuery;
  /** How many of the latest records to show first (0–1000). */
  lines: number;
  intervalMs: number;
  /** Stops the loop (SIGINT). */
  signal: AbortSignal;
  /** Waits `ms`, or less when `signal` aborts; never rejects. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  emit(r: AuditRecord): void;
  /** Records asked for per poll (default 1000, the API's maximum); a full page is followed at once. */
  pageSize?: number;
}

/**
 * Follows the trail: the last `lines` records oldest first, then every `intervalMs` the records after the last seq
 * seen, until `signal` aborts. Resolves when stopped; API errors reject.
 */
export async function tailAudit(o: TailOptions): Promise<void> {
  const pageSize = o.pageSize ?? 1000;
  // Newest first; with lines = 0 the one newest record still says where to start following.
  const first = await o.fetch({ ...o.query, limit: String(Math.max(o.lines, 1)) });
  let last = first.records.reduce((m, r) => Math.max(m, r.seq), 0);
  for (const r of first.records.slice(0, o.lines).reverse()) o.emit(r);
  while (!o.signal.aborted) {
    await o.sleep(o.intervalMs, o.signal);
    for (;;) {
      if (o.signal.aborted) return;
      const page = await o.fetch({ ...o.query, after: String(last), limit: String(pageSize) });
      for (const r of page.records) {
        if (r.seq <= last) continue;
        o.emit(r);
        last = r.seq;
      }
      if (page.records.length < pageSize) break;
    }
  }
}

/** A sleep that ends early (without an error) when the signal aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function intIn(name: string, min: number, max: number) {
  return (v: string): string => {
    if (!/^\d{1,9}$/.test(v) || Number(v) < min || Number(v) > max)
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}.`);
    return v;
  };
}

function withJson(g: GlobalOpts, json: boolean | undefined): GlobalOpts {
  return json ? { ...g, output: 'json' } : g;
}

function addFilterFlags(cmd: Command): Command {
  return cmd
    .option('--action <action>', 'e.g. bedrock:PutEnforcedGuardrailConfiguration or bedrock:Converse')
    .option('--action-prefix <prefix>', 'actions starting with this, e.g. bedrock: or organizations:')
    .option('--outcome <outcome>', 'e.g. INTERVENED, NONE, FAILED_OPEN, Success, AccessDeniedException')
    .option('--principal <arn>', 'only records of this caller (a principal ARN)')
    .option('--resource <arn>', 'only records about this resource')
    .option('--since <iso>', 'from this time (inclusive, ISO-8601)')
    .option('--until <iso>', 'up to this time (inclusive, ISO-8601)')
    .option('--json', 'print JSON (same as -o json)');
}

const SCOPE_HELP =
  'The global --account and --region filter by account and Region here (the call uses your own credentials)';

export function addAuditCommands(program: Command, ctx: CliContext): void {
  const a = program.command('audit').description('the append-only, hash-chained audit trail');
  const scope = (g: GlobalOpts) => ({
    account: g.account === undefined ? undefined : accountIdOf(g, g.account),
    region: g.region,
  });

  addFilterFlags(
    a
      .command('list')
      .description(`records, newest first: yours, or every account of the organization you manage. ${SCOPE_HELP}`),
  )
    .option('--limit <n>', 'page size (1–1000, default 100)', positiveInt('--limit'))
    .option('--before <seq>', 'only records older than this seq (the next page)', positiveInt('--before'))
    .option('--all', 'follow nextBeforeSeq to the first record')
    .action(async (o: ListFlags) => {
      const g = ctx.gopts();
      const c = ctx.baseCfg();
      const query = auditQuery(o, scope(g));
      const records: AuditRecord[] = [];
      let before: number | undefined = o.before === undefined ? undefined : Number(o.before);
      do {
        const r = (await callApi(c, 'GET', '/admin/v1/audit', {
          service: 'parapet',
          query: { ...query, limit: o.limit, before: before === undefined ? undefined : String(before) },
        })) as AuditPage;
        records.push(...r.records);
        before = r.nextBeforeSeq;
      } while (o.all && before !== undefined);
      print(withJson(g, o.json), { records, ...(before !== undefined ? { nextBeforeSeq: before } : {}) }, () =>
        records.length === 0
          ? '(no audit records)'
          : auditTable(records) + (before !== undefined ? `\nmore: --all, or --before ${before}` : ''),
      );
    });

  addFilterFlags(
    a
      .command('tail')
      .description(
        `follow the trail: the last --lines records, then new ones as they arrive, until Ctrl-C. ${SCOPE_HELP}`,
      ),
  )
    .option('-n, --lines <n>', 'how many of the latest records to show first (0–1000)', intIn('--lines', 0, 1000), '10')
    .option('--interval <ms>', 'poll every this many milliseconds (100–3600000)', intIn('--interval', 100, 3_600_000), '1000')
    .action(async (o: TailFlags) => {
      const g = ctx.gopts();
      const c = ctx.baseCfg();
      const json = withJson(g, o.json).output === 'json';
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        await tailAudit({
          fetch: async (query) => (await callApi(c, 'GET', '/admin/v1/audit', { service: 'parapet', query })) as AuditPage,
          query: auditQuery(o, scope(g)),
          lines: Number(o.lines),
          intervalMs: Number(o.interval),
          signal: controller.signal,
          sleep: abortableSleep,
          emit: (r) => process.stdout.write(`${json ? JSON.stringify(r) : auditLine(r)}\n`),
        });
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });

  a.command('verify')
    .description('recompute the hash chain of the whole trail (exit 2 when it is broken)')
    .action(async () => {
      const r = (await callApi(await ctx.cfg(), 'GET', '/admin/v1/audit/verify', { service: 'parapet' })) as {
        ok: boolean;
        count: number;
        brokenAt?: number;
      };
      print(ctx.gopts(), r, () =>
        r.ok
          ? `audit trail OK: ${r.count} record(s), hash chain intact`
          : `audit trail BROKEN at seq ${r.brokenAt}: that record or its link was changed or removed (${r.count} record(s))`,
      );
      if (!r.ok) process.exitCode = EXIT_PROBLEMS;
    });
}
