/**
 * `parapet enforcement put|list|delete`: the account-level enforced guardrail configuration (one per account and
 * Region) — PutEnforcedGuardrailConfiguration and friends, with the server's warnings shown on stderr.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { type ClientConfig, callApi, callApiWithHeaders, encodeLabel } from './client.ts';
import { FlagError } from './guardrail-flags.ts';
import { type CliContext, collect, commaList, note, print, table, warn } from './output.ts';

const PATH = '/enforcedGuardrailsConfiguration';

type GuardingMode = 'SELECTIVE' | 'COMPREHENSIVE';

export interface EnforcedConfig {
  configId: string;
  guardrailArn: string;
  guardrailId: string;
  guardrailVersion: string;
  selectiveContentGuarding?: { system?: GuardingMode; messages?: GuardingMode };
  modelEnforcement?: { includedModels: string[]; excludedModels: string[] };
  createdAt?: string;
  updatedAt?: string;
  updatedBy?: string;
  owner?: string;
}

interface PutFlags {
  guardrail: string;
  guardrailVersion: string;
  include?: string[];
  exclude?: string[];
  system?: GuardingMode;
  messages?: GuardingMode;
  configId?: string;
}

function guardingMode(v: string): GuardingMode {
  const m = v.toUpperCase();
  if (m !== 'SELECTIVE' && m !== 'COMPREHENSIVE') throw new InvalidArgumentError('expected selective or comprehensive.');
  return m;
}

/** The server joins its warnings with '; ' into one header (a header has a single line). */
export function splitWarnings(header: string | null): string[] {
  if (!header) return [];
  return header
    .split('; ')
    .map((w) => w.trim())
    .filter(Boolean);
}

async function currentConfig(c: ClientConfig): Promise<EnforcedConfig | undefined> {
  const r = (await callApi(c, 'GET', PATH)) as { guardrailsConfig?: EnforcedConfig[] };
  return r.guardrailsConfig?.[0];
}

/**
 * The request body. Updating keeps the modes and model scope of the current configuration that no flag
 * replaces: the API replaces the whole configuration, and silently widening or narrowing it would surprise.
 */
export function putBody(o: PutFlags, existing: EnforcedConfig | undefined): { body: Record<string, unknown>; kept: string[] } {
  const kept: string[] = [];
  const include = commaList(o.include);
  const exclude = commaList(o.exclude);
  let system = o.system;
  let messages = o.messages;
  let modelEnforcement: { includedModels: string[]; excludedModels: string[] } | undefined;
  if (include !== undefined || exclude !== undefined)
    modelEnforcement = { includedModels: include ?? ['ALL'], excludedModels: exclude ?? [] };
  if (existing) {
    // The List API reports defaults (COMPREHENSIVE, ALL) too; only settings that differ are worth a mention.
    if (system === undefined && existing.selectiveContentGuarding?.system) {
      system = existing.selectiveContentGuarding.system;
      if (system !== 'COMPREHENSIVE') kept.push(`system ${system}`);
    }
    if (messages === undefined && existing.selectiveContentGuarding?.messages) {
      messages = existing.selectiveContentGuarding.messages;
      if (messages !== 'COMPREHENSIVE') kept.push(`messages ${messages}`);
    }
    if (modelEnforcement === undefined && existing.modelEnforcement) {
      modelEnforcement = existing.modelEnforcement;
      const all = modelEnforcement.includedModels.join() === 'ALL' && modelEnforcement.excludedModels.length === 0;
      if (!all) kept.push(`models ${describeScope(modelEnforcement)}`);
    }
  }
  const guarding = { ...(system ? { system } : {}), ...(messages ? { messages } : {}) };
  return {
    body: {
      ...(o.configId ?? existing?.configId ? { configId: o.configId ?? existing?.configId } : {}),
      guardrailInferenceConfig: {
        guardrailIdentifier: o.guardrail,
        guardrailVersion: o.guardrailVersion,
        ...(Object.keys(guarding).length ? { selectiveContentGuarding: guarding } : {}),
        ...(modelEnforcement ? { modelEnforcement } : {}),
      },
    },
    kept,
  };
}

function describeScope(m: { includedModels: string[]; excludedModels: string[] } | undefined): string {
  if (!m) return 'ALL';
  const inc = m.includedModels.join(',') || '(none)';
  return m.excludedModels.length ? `${inc} except ${m.excludedModels.join(',')}` : inc;
}

export function addEnforcementCommands(program: Command, ctx: CliContext): void {
  const e = program
    .command('enforcement')
    .description('the account-level enforced guardrail configuration (one per account and Region; use --account to pick the account)');

  e.command('put')
    .description(
      'create the configuration, or update the current one (found with the List API when --config-id is omitted; ' +
        'settings without a flag are kept)',
    )
    .requiredOption('--guardrail <id|arn>', 'guardrail identifier (an ARN of another account needs its resource policy)')
    .requiredOption('--guardrail-version <n>', 'a published version number (a DRAFT cannot be enforced)')
    .option('--include <models>', 'model ids to guard, comma-separated, or ALL (repeatable; default ALL)', collect)
    .option('--exclude <models>', 'model ids to exempt, comma-separated (repeatable)', collect)
    .option('--system <mode>', 'selective | comprehensive: guard only tagged system prompt parts, or all', guardingMode)
    .option('--messages <mode>', 'selective | comprehensive: guard only tagged messages, or all', guardingMode)
    .option('--config-id <id>', 'the configuration to update (default: the current one, if any)')
    .action(async (o: PutFlags) => {
      const c = await ctx.cfg();
      const found = await currentConfig(c);
      // A --config-id that is not the current one goes to the server as is: it answers ResourceNotFoundException.
      const current = o.configId === undefined || found?.configId === o.configId ? found : undefined;
      const { body, kept } = putBody(o, current);
      if (current) note(`updating configuration ${current.configId}${kept.length ? ` (kept: ${kept.join('; ')})` : ''}`);
      const { body: r, headers } = await callApiWithHeaders(c, 'PUT', PATH, { body });
      for (const w of splitWarnings(headers.get('x-parapet-warnings'))) warn(w);
      const out = r as { configId: string; updatedAt: string; updatedBy: string };
      print(ctx.gopts(), out, () =>
        `${current ? 'updated' : 'created'} configuration ${out.configId}: ${o.guardrail} version ${o.guardrailVersion} ` +
        `in ${c.region}`,
      );
    });

  e.command('list')
    .description('show the configuration of this account and Region')
    .action(async () => {
      const r = (await callApi(await ctx.cfg(), 'GET', PATH)) as { guardrailsConfig: EnforcedConfig[] };
      print(ctx.gopts(), r, () =>
        r.guardrailsConfig.length === 0
          ? '(no enforced guardrail configuration)'
          : table(
              ['configId', 'guardrail', 'version', 'system', 'messages', 'models', 'updatedAt', 'updatedBy'],
              r.guardrailsConfig.map((x) => [
                x.configId,
                x.guardrailArn,
                x.guardrailVersion,
                x.selectiveContentGuarding?.system,
                x.selectiveContentGuarding?.messages,
                describeScope(x.modelEnforcement),
                x.updatedAt,
                x.updatedBy,
              ]),
            ),
      );
    });

  e.command('delete [configId]')
    .description('delete the configuration (default: the current one)')
    .action(async (configId: string | undefined) => {
      const c = await ctx.cfg();
      const id = configId ?? (await currentConfig(c))?.configId;
      if (!id) throw new FlagError(`There is no enforced guardrail configuration in this account and Region (${c.region}).`);
      const r = await callApi(c, 'DELETE', `${PATH}/${encodeLabel(id)}`);
      print(ctx.gopts(), { configId: id, ...(r as object) }, () => `deleted configuration ${id}`);
    });
}
