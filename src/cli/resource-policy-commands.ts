/**
 * `parapet resource-policy put|get|delete`: a guardrail's resource-based policy, the one that lets the member
 * accounts apply an organization's guardrail (without it, their enforced calls are denied).
 */
import type { Command } from 'commander';
import { ApiError, callApi, describeOrganization, encodeLabel } from './client.ts';
import { FlagError } from './guardrail-flags.ts';
import { type CliContext, collect, commaList, type Json, print, readJsonFile } from './output.ts';

const ACTION_NAMES: Record<string, string> = {
  apply: 'bedrock:ApplyGuardrail',
  get: 'bedrock:GetGuardrail',
};

function actionsOf(list: string[]): string[] {
  const out: string[] = [];
  for (const a of list) {
    const full = ACTION_NAMES[a.toLowerCase()] ?? (a.startsWith('bedrock:') ? a : undefined);
    if (!full) throw new FlagError(`--actions: '${a}' is not one of apply, get (or a bedrock:Action name).`);
    if (!out.includes(full)) out.push(full);
  }
  if (out.length === 0) throw new FlagError('--actions needs at least one action (apply, get).');
  return out;
}

/** `ou-…` alone means "that OU and everything below it"; anything else is taken as an org path pattern. */
export function orgPathPattern(orgId: string, ou: string): string {
  return /^ou-[a-z0-9]+-[a-z0-9]+$/.test(ou) ? `${orgId}/*/${ou}/*` : ou;
}

/** The standard "my organization may apply this guardrail" policy. */
export function orgPolicy(guardrailArn: string, orgId: string, actions: string[], ous: string[]): Json {
  const condition: Json = { StringEquals: { 'aws:PrincipalOrgID': orgId } };
  if (ous.length) condition['ForAnyValue:StringLike'] = { 'aws:PrincipalOrgPaths': ous.map((ou) => orgPathPattern(orgId, ou)) };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowOrganizationToApplyGuardrail',
        Effect: 'Allow',
        Principal: '*',
        Action: actions.length === 1 ? actions[0] : actions,
        Resource: guardrailArn,
        Condition: condition,
      },
    ],
  };
}

export function addResourcePolicyCommands(program: Command, ctx: CliContext): void {
  const rp = program.command('resource-policy').description('a guardrail’s resource-based policy (who else may apply it)');

  rp.command('put <guardrail-arn>')
    .description(
      'set the policy from a file, or with --allow-org let every account of the organization (or of some OUs) apply it',
    )
    .option('--file <policy.json>', 'the policy document (- for stdin)')
    .option('--allow-org [orgId]', 'allow the organization (default: yours, from Organizations DescribeOrganization)')
    .option('--ou <ou-id|path>', 'with --allow-org: only these OUs (ou-… id or an aws:PrincipalOrgPaths pattern; repeatable)', collect)
    .option('--actions <list>', 'with --allow-org: apply, get (comma-separated)', 'apply')
    .action(async (arn: string, o: { file?: string; allowOrg?: string | true; ou?: string[]; actions: string }) => {
      if ((o.file === undefined) === (o.allowOrg === undefined))
        throw new FlagError('give exactly one of --file <policy.json> or --allow-org [orgId].');
      if (o.file !== undefined && o.ou) throw new FlagError('--ou goes with --allow-org, not --file.');
      const c = await ctx.cfg();
      let policy: Json;
      if (o.file !== undefined) policy = readJsonFile(o.file);
      else {
        let orgId = typeof o.allowOrg === 'string' ? o.allowOrg : undefined;
        if (orgId === undefined) {
          try {
            orgId = (await describeOrganization(c)).Id;
          } catch (e) {
            if (!(e instanceof ApiError)) throw e;
            throw new ApiError(
              e.code,
              `Cannot find your organization (${e.message}). Pass its id: --allow-org o-…`,
              e.status,
            );
          }
        }
        policy = orgPolicy(arn, orgId, actionsOf(commaList([o.actions]) ?? []), commaList(o.ou) ?? []);
      }
      const r = (await callApi(c, 'POST', '/resource-policy', {
        body: { resourceArn: arn, resourcePolicy: JSON.stringify(policy) },
      })) as { resourceArn: string };
      print(ctx.gopts(), { ...r, resourcePolicy: policy }, () => `put the resource policy of ${r.resourceArn}:\n${JSON.stringify(policy, null, 2)}`);
    });

  rp.command('get <guardrail-arn>')
    .description('show the policy')
    .action(async (arn: string) => {
      const r = (await callApi(await ctx.cfg(), 'GET', `/resource-policy/${encodeLabel(arn)}`)) as { resourcePolicy: string };
      print(ctx.gopts(), r, () => {
        try {
          return JSON.stringify(JSON.parse(r.resourcePolicy), null, 2);
        } catch {
          return r.resourcePolicy;
        }
      });
    });

  rp.command('delete <guardrail-arn>')
    .description('remove the policy (other accounts lose access: their enforced calls will be denied)')
    .action(async (arn: string) => {
      const r = await callApi(await ctx.cfg(), 'DELETE', `/resource-policy/${encodeLabel(arn)}`);
      print(ctx.gopts(), r, () => `deleted the resource policy of ${arn}`);
    });
}
