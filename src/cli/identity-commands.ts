/** `parapet whoami` (STS GetCallerIdentity) and `parapet accounts create-key` (the admin API). */
import type { Command } from 'commander';
import { callApi, callJsonTarget, encodeLabel, getCallerIdentity } from './client.ts';
import { credentialsPathOf, saveAccountKey } from './config.ts';
import { FlagError } from './guardrail-flags.ts';
import { type CliContext, note, print, table, warn } from './output.ts';

interface CreatedKey {
  accountId: string;
  principalArn: string;
  accessKeyId: string;
  secretAccessKey: string;
  createdAt: string;
}

export function addIdentityCommands(program: Command, ctx: CliContext): void {
  program
    .command('whoami')
    .description('who the CLI acts as (STS GetCallerIdentity), after --profile/--account')
    .action(async () => {
      const c = await ctx.cfg();
      const who = await getCallerIdentity(c);
      print(ctx.gopts(), { Account: who.account, Arn: who.arn, UserId: who.userId }, () =>
        table(
          ['field', 'value'],
          [
            ['Account', who.account],
            ['Arn', who.arn],
            ['UserId', who.userId],
            ['credentials', c.credentials.source],
          ],
        ),
      );
    });

  const accounts = program.command('accounts').description('Parapet account keys (admin API)');
  accounts
    .command('create-key <accountId>')
    .description('create a root access key for an account of your organization (or your own); the secret is shown once')
    .option('--save', 'also store it in the data directory’s credentials.json (mode 0600), for --account')
    .option('--name <name>', 'with --save: the name to store it under (default: the account’s name in Organizations)')
    .action(async (accountId: string, o: { save?: boolean; name?: string }) => {
      if (!/^\d{12}$/.test(accountId)) throw new FlagError(`'${accountId}' is not a 12-digit account id.`);
      const g = ctx.gopts();
      const c = await ctx.cfg();
      const key = (await callApi(c, 'POST', `/admin/v1/accounts/${encodeLabel(accountId)}/access-keys`, {
        service: 'parapet',
      })) as CreatedKey;
      warn('the secret access key is shown only this once: store it now (or rerun with --save).');
      print(g, key, () =>
        [
          `Access key for account ${key.accountId} (${key.principalArn}):`,
          `  AWS_ACCESS_KEY_ID=${key.accessKeyId}`,
          `  AWS_SECRET_ACCESS_KEY=${key.secretAccessKey}`,
        ].join('\n'),
      );
      if (o.save) {
        const name = o.name ?? (await accountName(c, accountId)) ?? accountId;
        const path = credentialsPathOf(g);
        const how = saveAccountKey(path, {
          accountId,
          name,
          role: 'member',
          accessKeyId: key.accessKeyId,
          secretAccessKey: key.secretAccessKey,
        });
        note(`${how === 'added' ? 'saved' : 'replaced the key of'} account ${accountId} ('${name}') in ${path}`);
      }
    });
}

/** The account's name from Organizations DescribeAccount, when the caller may ask (a nicety, never an error). */
async function accountName(c: Awaited<ReturnType<CliContext['cfg']>>, accountId: string): Promise<string | undefined> {
  try {
    const r = (await callJsonTarget(c, 'organizations', 'AWSOrganizationsV20161128.DescribeAccount', { AccountId: accountId })) as {
      Account?: { Name?: string };
    };
    return r.Account?.Name || undefined;
  } catch {
    return undefined;
  }
}
