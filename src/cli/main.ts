/** The `parapet` command. */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { ApiError, type ClientConfig, callApi, encodeLabel } from './client.ts';
import { resolveBaseConfig, resolveClientConfig } from './config.ts';
import { addAuditCommands } from './audit-commands.ts';
import { addEnforcementCommands } from './enforcement-commands.ts';
import { addEvalCommand } from './eval-command.ts';
import { addExportCommands } from './export-commands.ts';
import { addRotateMasterKeyCommand } from './rotate-master-key-command.ts';
import { addIdentityCommands } from './identity-commands.ts';
import { addModelsCommands } from './models-command.ts';
import { addResourcePolicyCommands } from './resource-policy-commands.ts';
import { addPlanCommand, addSafeguardsApplyOptions, addSafeguardsExportOptions, runSafeguardsApply } from './safeguards-commands.ts';
import { addVerifyCommand } from './verify-command.ts';
import type { ServeFlags } from './serve-command.ts';
import { applyGuardrailFlags, FlagError, type GuardrailFlags, outputToInput } from './guardrail-flags.ts';
import { type CliContext, collect, type GlobalOpts, type Json, print, readJsonFile, table } from './output.ts';

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const ACCOUNT_HELP =
  'act in this account (id, or name from credentials.json): your own credentials if they are that account\'s, ' +
  'else its key from credentials.json, else AssumeRole of arn:aws:iam::<id>:role/OrganizationAccountAccessRole ' +
  'with your credentials (the management account selecting a member account). For `verify` and `audit list` it ' +
  'names the account to inspect instead, and your own credentials are used';

function addGuardrailFlags(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'a JSON file in the CreateGuardrail request shape (- for stdin)')
    .option('--name <name>', 'guardrail name ([0-9a-zA-Z-_], ≤50)')
    .option('--description <text>')
    .option('--blocked-input <message>', 'blockedInputMessaging')
    .option('--blocked-output <message>', 'blockedOutputsMessaging')
    .option('--filter <TYPE[:IN[:OUT]]>', 'content filter, e.g. HATE:HIGH or PROMPT_ATTACK:HIGH:NONE (repeatable)', collect)
    .option('--topic <"Name: definition | example…">', 'denied topic (repeatable)', collect)
    .option('--word <w1,w2>', 'custom blocked words or phrases (repeatable)', collect)
    .option('--profanity', 'enable the managed PROFANITY word list')
    .option('--pii <TYPE[:ACTION],…>', 'PII entity types, ACTION = BLOCK | ANONYMIZE | NONE (repeatable)', collect)
    .option('--regex <name=pattern[@ACTION]>', 'custom regex (repeatable)', collect)
    .option('--grounding <threshold>', 'contextual grounding threshold (0–0.99)')
    .option('--relevance <threshold>', 'relevance threshold (0–0.99)');
}

function versionCell(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function buildProgram(): Command {
  const program = new Command('parapet')
    .description('Self-hosted Amazon Bedrock Guardrails with cross-account safeguards')
    .version(PACKAGE_VERSION, '-V, --cli-version', 'print the Parapet version')
    .option('--endpoint <url>', 'Parapet endpoint (default: credentials.json endpoint, then http://127.0.0.1:8787)')
    .option('--region <region>', 'Region to sign for (default: AWS_REGION or us-east-1)')
    .option('--profile <name>', 'AWS shared-credentials profile')
    .option('--data-dir <dir>', 'data directory holding credentials.json (default: ./.parapet or PARAPET_DATA_DIR)')
    .option('--account <id|name>', ACCOUNT_HELP)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .showHelpAfterError();

  const gopts = (): GlobalOpts => program.opts<GlobalOpts>();
  const cfg = (): Promise<ClientConfig> => resolveClientConfig(gopts());
  const ctx: CliContext = { gopts, cfg, baseCfg: () => resolveBaseConfig(gopts()) };

  program
    .command('serve')
    .description('run the gateway (SQLite store in the data directory)')
    .option('--port <n>', 'port (default: PARAPET_PORT or 8787)')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--models <file>', 'the models file: which upstream serves each model id (default: PARAPET_MODELS, else only parapet.demo-v1)')
    .option(
      '--fail-open <guardrail-arn[:version]>',
      'let calls through when this guardrail cannot be evaluated (repeatable; default: PARAPET_FAIL_OPEN, comma-separated)',
      collect,
    )
    .option('--log-content', 'keep prompts and matched text in the audit trail (default: PARAPET_LOG_CONTENT=1)')
    .option('--quota-rps <n>', 'model calls per second per account and Region (0 = no limit; default: Bedrock\'s)')
    .option('--quota-text-units <n>', 'guardrail text units per second per account and Region (0 = no limit)')
    .option('--no-quotas', 'no per-account quotas at all')
    .option('--guardrail-deadline-ms <n>', 'a guardrail evaluation taking longer fails (1–60000, default 2000)')
    .option('--auth-failures-per-address <n>', 'failed authentication attempts per client address per minute before it must wait a minute (default 20; 0 = no limit)')
    .option('--auth-failures-per-key <n>', 'failed authentication attempts per access key id per minute before it must wait a minute (default 100; 0 = no limit)')
    .option('--no-auth-failure-limits', 'no limits on failed authentication attempts')
    .option('--no-exempt-loopback', 'limit loopback peers that forward no X-Forwarded-For too (a local proxy that does not add it)')
    .option('--assessment-threads <n>', 'worker threads that run guardrail assessments, 0 = on the event loop (0–64; default: PARAPET_ASSESSMENT_THREADS, else 2 on a machine with 2 or more cores, else 0)')
    .option('--detectors <file>', 'external detectors (ONNX models, LLM judges) and the guardrails they serve (default: PARAPET_DETECTORS)')
    .option('--database <url>', 'PostgreSQL for several replicas: postgres://user[:password]@host[:port]/db (default: PARAPET_DATABASE_URL, else SQLite in the data directory)')
    .option('--database-schema <name>', 'the PostgreSQL schema (default: PARAPET_DATABASE_SCHEMA, else the server\'s search_path)')
    .option('--redis <url>', 'Redis for the per-account quota counters shared by every replica: redis://[:password@]host[:port][/db] (default: PARAPET_REDIS_URL, else the PostgreSQL store, else per process)')
    .option('--console-session-minutes <n>', 'how long a web console sign-in lasts (1–10080, default: PARAPET_CONSOLE_SESSION_MINUTES or 480)')
    .action(async (o: Omit<ServeFlags, 'dataDir'>) => {
      const { runServe } = await import('./serve-command.ts');
      await runServe({ ...o, dataDir: gopts().dataDir });
    });

  const g = program.command('guardrails').description('create, inspect and publish guardrails');

  addGuardrailFlags(g.command('create').description('create a guardrail (its DRAFT)')).action(
    async (o: GuardrailFlags) => {
      const body = applyGuardrailFlags(o.config ? readJsonFile(o.config) : {}, o);
      if (!body.name) throw new FlagError('--name (or "name" in --config) is required');
      const r = (await callApi(await cfg(), 'POST', '/guardrails', { body })) as Json;
      print(gopts(), r, () => table(['guardrailId', 'version', 'arn'], [[r.guardrailId, r.version, r.guardrailArn]]));
    },
  );

  addGuardrailFlags(
    g
      .command('update <guardrail>')
      .description('replace the DRAFT: --config replaces everything; other flags replace one policy of the current DRAFT'),
  ).action(async (id: string, o: GuardrailFlags) => {
    const c = await cfg();
    const base = o.config
      ? readJsonFile(o.config)
      : outputToInput((await callApi(c, 'GET', `/guardrails/${encodeLabel(id)}`)) as Json);
    const r = (await callApi(c, 'PUT', `/guardrails/${encodeLabel(id)}`, { body: applyGuardrailFlags(base, o) })) as Json;
    print(gopts(), r, () => table(['guardrailId', 'version', 'updatedAt'], [[r.guardrailId, r.version, r.updatedAt]]));
  });

  g.command('get <guardrail>')
    .description('show the DRAFT or a version')
    .option('--version <v>', 'DRAFT or a version number')
    .action(async (id: string, o: { version?: string }) => {
      const r = (await callApi(await cfg(), 'GET', `/guardrails/${encodeLabel(id)}`, {
        query: { guardrailVersion: o.version },
      })) as Json;
      print(gopts(), r, () => {
        const policies = ['topicPolicy', 'contentPolicy', 'wordPolicy', 'sensitiveInformationPolicy', 'contextualGroundingPolicy']
          .filter((k) => r[k])
          .join(', ');
        return table(
          ['field', 'value'],
          [
            ['name', r.name],
            ['guardrailId', r.guardrailId],
            ['arn', r.guardrailArn],
            ['version', r.version],
            ['status', r.status],
            ['policies', policies || '(none)'],
            ['blockedInputMessaging', r.blockedInputMessaging],
            ['blockedOutputsMessaging', r.blockedOutputsMessaging],
            ['updatedAt', r.updatedAt],
          ],
        );
      });
    });

  g.command('list [guardrail]')
    .description('list guardrails (their DRAFTs), or every version of one guardrail')
    .option('--max-results <n>', 'page size (1–1000)')
    .option('--all', 'follow nextToken to the end')
    .action(async (id: string | undefined, o: { maxResults?: string; all?: boolean }) => {
      const c = await cfg();
      const items: Json[] = [];
      let nextToken: string | undefined;
      do {
        const r = (await callApi(c, 'GET', '/guardrails', {
          query: { guardrailIdentifier: id, maxResults: o.maxResults, nextToken },
        })) as { guardrails: Json[]; nextToken?: string };
        items.push(...r.guardrails);
        nextToken = r.nextToken;
      } while (o.all && nextToken);
      print(gopts(), { guardrails: items, ...(nextToken ? { nextToken } : {}) }, () =>
        table(
          ['id', 'name', 'version', 'status', 'updatedAt'],
          items.map((x) => [x.id, x.name, versionCell(x.version), x.status, x.updatedAt]),
        ) + (nextToken ? `\nmore: --all, or nextToken ${nextToken}` : ''),
      );
    });

  g.command('delete <guardrail>')
    .description('delete a guardrail with all its versions, or one version')
    .option('--version <n>', 'delete only this numbered version')
    .action(async (id: string, o: { version?: string }) => {
      const r = await callApi(await cfg(), 'DELETE', `/guardrails/${encodeLabel(id)}`, { query: { guardrailVersion: o.version } });
      print(gopts(), r, () => (o.version ? `deleted version ${o.version} of ${id}` : `deleted ${id}`));
    });

  g.command('publish <guardrail>')
    .description('snapshot the DRAFT as the next immutable version')
    .option('--description <text>')
    .action(async (id: string, o: { description?: string }) => {
      const r = (await callApi(await cfg(), 'POST', `/guardrails/${encodeLabel(id)}`, {
        body: o.description ? { description: o.description } : {},
      })) as Json;
      print(gopts(), r, () => `published ${r.guardrailId} version ${r.version}`);
    });

  addSafeguardsApplyOptions(
    program
      .command('apply [text]')
      .description('run ApplyGuardrail on a text (or stdin) with --guardrail; or, with -f FILE, apply a safeguards file (see plan)')
      .option('--guardrail <id|arn>', 'guardrail identifier (required without -f)'),
  )
    .option('--version <v>', 'DRAFT or a version number', 'DRAFT')
    .addOption(new Option('--source <source>').choices(['INPUT', 'OUTPUT']).default('INPUT'))
    .option('--full', 'outputScope FULL (also list what was checked and not detected)')
    .option('--grounding-source <text>', 'reference text for contextual grounding')
    .option('--query <text>', 'user query for relevance')
    .action(
      async (
        text: string | undefined,
        o: { guardrail?: string; version: string; source: string; full?: boolean; groundingSource?: string; query?: string; file?: string; prune?: boolean },
      ) => {
        if (o.file !== undefined) return runSafeguardsApply(ctx, { file: o.file, prune: o.prune });
        if (o.guardrail === undefined) throw new FlagError('--guardrail <id|arn> is required (or -f FILE to apply a safeguards file)');
        const input = text ?? readFileSync(0, 'utf8');
        const content: Json[] = [{ text: { text: input } }];
        if (o.groundingSource) content.push({ text: { text: o.groundingSource, qualifiers: ['grounding_source'] } });
        if (o.query) content.push({ text: { text: o.query, qualifiers: ['query'] } });
        if (o.groundingSource || o.query) (content[0] as { text: Json }).text.qualifiers = ['guard_content'];
        const r = (await callApi(
          await cfg(),
          'POST',
          `/guardrail/${encodeLabel(o.guardrail)}/version/${encodeLabel(o.version)}/apply`,
          { body: { source: o.source, content, ...(o.full ? { outputScope: 'FULL' } : {}) } },
        )) as { action: string; outputs: { text?: string }[]; assessments: Json[] };
        print(gopts(), r, () => humanAssessment(r));
      },
    );

  addEnforcementCommands(program, ctx);
  addResourcePolicyCommands(program, ctx);
  addVerifyCommand(program, ctx);
  addAuditCommands(program, ctx);
  addIdentityCommands(program, ctx);
  addModelsCommands(program, ctx);
  addEvalCommand(program, ctx);
  addExportCommands(program, ctx);
  addSafeguardsExportOptions(program, ctx);
  addPlanCommand(program, ctx);
  addRotateMasterKeyCommand(program, ctx);

  return program;
}

function humanAssessment(r: { action: string; outputs: { text?: string }[]; assessments: Json[] }): string {
  const rows: unknown[][] = [];
  for (const a of r.assessments) {
    const tp = a.topicPolicy as { topics: Json[] } | undefined;
    for (const t of tp?.topics ?? []) rows.push(['topic', t.name, '', t.action]);
    const cp = a.contentPolicy as { filters: Json[] } | undefined;
    for (const f of cp?.filters ?? []) rows.push(['content', f.type, `confidence ${f.confidence}`, f.action]);
    const wp = a.wordPolicy as { customWords: Json[]; managedWordLists: Json[] } | undefined;
    for (const w of wp?.customWords ?? []) rows.push(['word', 'CUSTOM', w.match, w.action]);
    for (const w of wp?.managedWordLists ?? []) rows.push(['word', w.type, w.match, w.action]);
    const sp = a.sensitiveInformationPolicy as { piiEntities: Json[]; regexes: Json[] } | undefined;
    for (const p of sp?.piiEntities ?? []) rows.push(['pii', p.type, p.match, p.action]);
    for (const x of sp?.regexes ?? []) rows.push(['regex', x.name, x.match, x.action]);
    const gp = a.contextualGroundingPolicy as { filters: Json[] } | undefined;
    for (const f of gp?.filters ?? []) rows.push(['grounding', f.type, `score ${f.score} < ${f.threshold}`, f.action]);
  }
  const lines = [`action: ${r.action}`];
  for (const o of r.outputs) if (o.text !== undefined) lines.push(`output: ${o.text}`);
  if (rows.length) lines.push(table(['policy', 'type', 'match', 'action'], rows));
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<void> {
  // `parapet … | head` closes stdout early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof ApiError) {
      process.stderr.write(`${e.code}: ${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    if (e instanceof FlagError || (e instanceof Error && !(e as { code?: string }).code?.startsWith('commander'))) {
      process.stderr.write(`error: ${(e as Error).message}\n`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
}
