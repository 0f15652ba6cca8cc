/** `parapet audit list|verify`: the hash-chained audit trail, through the admin API (SigV4 service `parapet`). */
import type { Command } from 'commander';
import { callApi } from './client.ts';
import { type CliContext, positiveInt, print, table } from './output.ts';
import { accountIdOf, EXIT_PROBLEMS } from './verify-command.ts';

interface AuditRecord {
  seq: number;
  at: string;
  accountId: string;
  principalArn: string;
  action: string;
  resourceArn?: string;
  outcome: string;
}

interface ListFlags {
  action?: string;
  resource?: string;
  since?: string;
  until?: string;
  limit?: string;
  before?: string;
  all?: boolean;
}

export function addAuditCommands(program: Command, ctx: CliContext): void {
  const a = program.command('audit').description('the append-only, hash-chained audit trail');

  a.command('list')
    .description(
      'records, newest first: yours, or every account of the organization you manage. The global --account filters ' +
        'by account here (the call uses your own credentials)',
    )
    .option('--action <action>', 'e.g. bedrock:PutEnforcedGuardrailConfiguration')
    .option('--resource <arn>', 'only records about this resource')
    .option('--since <iso>', 'from this time (inclusive, ISO-8601)')
    .option('--until <iso>', 'up to this time (inclusive, ISO-8601)')
    .option('--limit <n>', 'page size (1–1000, default 100)', positiveInt('--limit'))
    .option('--before <seq>', 'only records older than this seq (the next page)', positiveInt('--before'))
    .option('--all', 'follow nextBeforeSeq to the first record')
    .action(async (o: ListFlags) => {
      const g = ctx.gopts();
      const c = ctx.baseCfg();
      const records: AuditRecord[] = [];
      let before: number | undefined = o.before === undefined ? undefined : Number(o.before);
      do {
        const r = (await callApi(c, 'GET', '/admin/v1/audit', {
          service: 'parapet',
          query: {
            account: g.account === undefined ? undefined : accountIdOf(g, g.account),
            action: o.action,
            resource: o.resource,
            since: o.since,
            until: o.until,
            limit: o.limit,
            before: before === undefined ? undefined : String(before),
          },
        })) as { records: AuditRecord[]; nextBeforeSeq?: number };
        records.push(...r.records);
        before = r.nextBeforeSeq;
      } while (o.all && before !== undefined);
      print(g, { records, ...(before !== undefined ? { nextBeforeSeq: before } : {}) }, () =>
        records.length === 0
          ? '(no audit records)'
          : table(
              ['seq', 'at', 'account', 'principal', 'action', 'resource', 'outcome'],
              records.map((x) => [x.seq, x.at, x.accountId, x.principalArn, x.action, x.resourceArn, x.outcome]),
            ) + (before !== undefined ? `\nmore: --all, or --before ${before}` : ''),
      );
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
