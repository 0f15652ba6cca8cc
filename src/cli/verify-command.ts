/**
 * `parapet verify`: the dry run of the admin API — which guardrails one model call of an account would get, may
 * it apply them, and what in the organization is misconfigured. Exit 0 = fine, 2 = problems, 1 = the call failed.
 */
import type { Command } from 'commander';
import { callApi } from './client.ts';
import { credentialsPathOf, readCredentialsFile } from './config.ts';
import { FlagError } from './guardrail-flags.ts';
import { type CliContext, type GlobalOpts, print, table } from './output.ts';
import type { VerifyReport } from '../core/verify-report.ts';

export const EXIT_PROBLEMS = 2;

/** An account given by name (from credentials.json) becomes its id; anything else is passed on as is. */
export function accountIdOf(g: GlobalOpts, account: string): string {
  const local = readCredentialsFile(credentialsPathOf(g));
  return local.accounts?.find((a) => a.name === account)?.accountId ?? account;
}

export function hasProblems(r: VerifyReport): boolean {
  return !r.ok || r.findings.some((f) => f.severity === 'error');
}

function indent(text: string, by = '    '): string {
  return text
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}

export function humanReport(r: VerifyReport): string {
  const lines = [`${r.modelId} in account ${r.accountId}, ${r.region}, as ${r.principalArn}`];
  if (r.organization) lines.push(`organization ${r.organization.orgId} (management account ${r.organization.managementAccountId})`);
  lines.push('');
  if (r.guardrails.length === 0) lines.push('Guardrails that would apply: none');
  else {
    lines.push('Guardrails that would apply:');
    lines.push(
      table(
        ['guardrail', 'version', 'origins', 'ownership', 'system', 'messages', 'permitted'],
        r.guardrails.map((g) => [g.guardrailArn, g.version, g.origins.join(', '), g.ownership, g.system, g.messages, g.permitted ? 'yes' : 'NO']),
      ),
    );
    for (const g of r.guardrails) {
      lines.push(`  ${g.guardrailArn}:${g.version}`);
      for (const why of g.reasons) lines.push(`    applies: ${why}`);
      for (const why of g.permissionReasons) lines.push(`    ${g.permitted ? 'permitted' : 'denied'}: ${why}`);
    }
  }
  if (r.skipped.length) {
    lines.push('', 'Skipped:');
    lines.push(
      table(
        ['origin', 'guardrail', 'version', 'reason'],
        r.skipped.map((s) => [s.origin, s.guardrailArn, s.version, s.reason]),
      ),
    );
  }
  lines.push('');
  if (r.findings.length === 0) lines.push('Findings: none');
  else {
    lines.push('Findings:');
    for (const f of r.findings) {
      lines.push(`  ${f.severity.toUpperCase()} ${f.code} at ${f.where}`);
      lines.push(indent(f.message));
    }
  }
  const errors = r.findings.filter((f) => f.severity === 'error').length;
  const warnings = r.findings.length - errors;
  lines.push('', hasProblems(r) ? `Result: PROBLEMS (${errors} error(s), ${warnings} warning(s))` : `Result: OK${warnings ? ` (${warnings} warning(s))` : ''}`);
  return lines.join('\n');
}

export function addVerifyCommand(program: Command, ctx: CliContext): void {
  program
    .command('verify')
    .description(
      'dry run: the guardrails a model call of an account would get, whether it may apply them, and every ' +
        'misconfiguration found (exit 0 = fine, 2 = problems, 1 = failure). The target account is --target, or the ' +
        'global --account (here it names the account to inspect; the call uses your own credentials, e.g. the ' +
        'management account’s); --region is the Region to inspect',
    )
    .requiredOption('--model <id>', 'model id, e.g. anthropic.claude-3-haiku-20240307-v1:0')
    .option('--target <account>', 'the account to verify (id, or name from credentials.json; default: your own)')
    .option('--principal <arn>', 'simulate this principal (default: the account’s root)')
    .option('--guardrail <id|arn>', 'a guardrail the request itself names')
    .option('--guardrail-version <v>', 'its version (DRAFT or a number; default DRAFT)')
    .action(async (o: { model: string; target?: string; principal?: string; guardrail?: string; guardrailVersion?: string }) => {
      const g = ctx.gopts();
      if (o.target !== undefined && g.account !== undefined && accountIdOf(g, o.target) !== accountIdOf(g, g.account))
        throw new FlagError(`--target ${o.target} and --account ${g.account} name different accounts; give one.`);
      if (o.guardrailVersion !== undefined && o.guardrail === undefined) throw new FlagError('--guardrail-version needs --guardrail.');
      const target = o.target ?? g.account;
      const c = ctx.baseCfg();
      const r = (await callApi(c, 'GET', '/admin/v1/verify', {
        service: 'parapet',
        query: {
          model: o.model,
          account: target === undefined ? undefined : accountIdOf(g, target),
          region: g.region,
          principal: o.principal,
          guardrail: o.guardrail,
          guardrailVersion: o.guardrailVersion,
        },
      })) as VerifyReport;
      print(g, r, () => humanReport(r));
      if (hasProblems(r)) process.exitCode = EXIT_PROBLEMS;
    });
}
