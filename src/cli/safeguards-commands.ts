/**
 * `parapet plan -f FILE`, `parapet apply -f FILE` and `parapet export --safeguards`: safeguards as code
 * (src/safeguards/). This file is the CLI side only: the SafeguardsApi port over the public API (SigV4, as the
 * management account, and as member accounts through credentials.json or OrganizationAccountAccessRole), the
 * output, and the exit codes (plan: 0 nothing to do, 2 changes pending; apply: 1 on failure or blocking pitfalls).
 */
import { type Command, Option } from 'commander';
import { type ClientConfig, ApiError, getCallerIdentity, jsonErrorCode, send } from './client.ts';
import { resolveClientConfig } from './config.ts';
import { addExportCommands } from './export-commands.ts';
import { type CliContext, commaList, collect } from './output.ts';
import type { RestRequest, SafeguardsApi } from '../safeguards/api.ts';
import type { Json } from '../safeguards/file-types.ts';
import { changeSourceOf, loadSafeguardsFile, schemaRef } from '../safeguards/file.ts';
import { exportRegions, exportSafeguards, toJson, toYaml } from '../safeguards/export.ts';
import { COLOUR, PLAIN, type Style, changeLine, describeChange, formatPlan, groupOf } from '../safeguards/format.ts';
import { failureMessage, failureReason } from '../safeguards/apply.ts';
import { readActualState } from '../safeguards/read-state.ts';
import { applyFile, planFile, type PlanResult } from '../safeguards/run.ts';

export const EXIT_CHANGES_PENDING = 2;

/** The header the server copies into the audit record of every control-plane write (src/audit/change-source.ts). */
export const CHANGE_SOURCE_HEADER = 'x-parapet-change-source';

/**
 * Where the commands write, and whether they may colour. The process's streams by default; tests run the
 * commands in-process with their own (one CLI process per call made the end-to-end tests take minutes).
 */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
  /** Colour the plan: stdout is a TTY and NO_COLOR is unset. */
  colour: boolean;
}

export function processIo(): CommandIo {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    colour: Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined,
  };
}

/** One signed JSON call through client.ts's `send`, with extra headers: the change source rides on every write. */
async function signedCall(
  cfg: ClientConfig,
  service: string,
  req: { method: string; path: string; query?: Record<string, string>; headers: Record<string, string>; body?: string },
): Promise<Json> {
  const res = await send(cfg, { ...req, body: req.body ?? '', service });
  let parsed: Json = {};
  try {
    parsed = res.text ? (JSON.parse(res.text) as Json) : {};
  } catch {
    parsed = { message: res.text };
  }
  if (!res.ok) throw new ApiError(jsonErrorCode(res.headers, parsed), String(parsed.message ?? parsed.Message ?? res.text), res.status);
  return parsed;
}

/** The port over the public API; writes carry the change source when given. */
export function httpSafeguardsApi(ctx: CliContext, changeSource?: string): SafeguardsApi {
  const base = ctx.baseCfg();
  let callerId: Promise<string> | undefined;
  const asAccount = new Map<string, Promise<ClientConfig>>();
  const headersFor = (method: string): Record<string, string> =>
    method !== 'GET' && changeSource ? { [CHANGE_SOURCE_HEADER]: changeSource } : {};
  return {
    callerAccountId: () => (callerId ??= getCallerIdentity(base).then((c) => c.account)),
    async organizations(operation, body = {}) {
      const method = /^(Describe|List)/.test(operation) ? 'GET' : 'POST';
      return signedCall(base, 'organizations', {
        method: 'POST',
        path: '/',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `AWSOrganizationsV20161128.${operation}`,
          ...headersFor(method),
        },
        body: JSON.stringify(body),
      });
    },
    async bedrock(region: string, req: RestRequest, accountId?: string) {
      let cfg = base;
      if (accountId !== undefined && accountId !== (await this.callerAccountId())) {
        let p = asAccount.get(accountId);
        if (!p) asAccount.set(accountId, (p = resolveClientConfig({ ...ctx.gopts(), account: accountId })));
        cfg = await p;
      }
      const query: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) query[k] = v;
      return signedCall({ ...cfg, region }, 'bedrock', {
        method: req.method,
        path: req.path,
        query,
        headers: { ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}), ...headersFor(req.method) },
        ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
      });
    },
  };
}

interface FileFlags {
  file: string;
  prune?: boolean;
}

async function planned(ctx: CliContext, o: FileFlags, changeSource: boolean) {
  const loaded = loadSafeguardsFile(o.file);
  const api = httpSafeguardsApi(ctx, changeSource ? changeSourceOf(loaded.sha256) : undefined);
  const defaultRegion = ctx.baseCfg().region;
  const result = await planFile(api, loaded, { prune: Boolean(o.prune), defaultRegion });
  return { loaded, api, result };
}

function planJson(r: PlanResult, sha256: string): Json {
  return {
    fileSha256: sha256,
    regions: r.regions,
    changes: r.changes.map((c) => {
      const [region, account] = groupOf(c);
      const [sign, text] = describeChange(c);
      return { ...c, region: region || undefined, account, sign, summary: text };
    }),
    unmanaged: r.unmanaged,
    pitfalls: r.pitfalls,
    pending: r.changes.length > 0,
  };
}

/** Returns the exit code: 0, or EXIT_CHANGES_PENDING (the command sets it on the process). */
export async function runPlan(ctx: CliContext, o: FileFlags, io: CommandIo = processIo()): Promise<number> {
  const { loaded, result } = await planned(ctx, o, false);
  if (ctx.gopts().output === 'json') io.out(`${JSON.stringify(planJson(result, loaded.sha256), null, 2)}\n`);
  else io.out(`${formatPlan(result.changes, result.pitfalls, result.unmanaged, io.colour ? COLOUR : PLAIN)}\n`);
  return result.changes.length ? EXIT_CHANGES_PENDING : 0;
}

/** Throws (exit 1) on blocking pitfalls or a failed change, saying how many changes were made before it. */
export async function runSafeguardsApply(ctx: CliContext, o: FileFlags, io: CommandIo = processIo()): Promise<void> {
  const s = io.colour ? COLOUR : PLAIN;
  const json = ctx.gopts().output === 'json';
  const { loaded, api, result } = await planned(ctx, o, true);
  const blocking = result.pitfalls.filter((p) => p.severity === 'error');
  if (blocking.length) {
    io.err(`${formatPlan([], result.pitfalls, [], s)}\n`);
    throw new Error(`${blocking.length} pitfall(s) above would break enforcement; nothing was changed. Fix the file and run apply again.`);
  }
  if (!json) {
    for (const p of result.pitfalls) io.err(`warning: ${p.code} at ${p.where}: ${p.message}\n`);
    if (result.changes.length === 0) io.out('No changes: the server matches the file.\n');
  }
  const out = await applyFile(api, result, {
    onDone: (c) => {
      if (!json) io.out(`${changeLine(c, s)}\n`);
    },
  });
  if (json)
    io.out(
      `${JSON.stringify(
        {
          fileSha256: loaded.sha256,
          done: out.done.map((c) => ({ kind: c.kind, summary: describeChange(c)[1] })),
          ...(out.failed
            ? { failed: { kind: out.failed.change.kind, summary: describeChange(out.failed.change)[1], error: failureReason(out.failed.error) } }
            : {}),
        },
        null,
        2,
      )}\n`,
    );
  const failure = failureMessage(out, result.changes.length);
  if (failure) throw new Error(failure);
  if (!json && out.done.length) io.out(`Applied ${out.done.length} change(s) from ${loaded.name} (sha256 ${loaded.sha256}).\n`);
}

export async function runSafeguardsExport(ctx: CliContext, o: { regions?: string[] }, io: CommandIo = processIo()): Promise<void> {
  const api = httpSafeguardsApi(ctx);
  let regions = commaList(o.regions);
  let actual = await readActualState(api, regions ?? [ctx.baseCfg().region]);
  if (!regions) {
    // Without --regions: also every Region the organization policies enforce in (read again if there are more).
    regions = exportRegions(actual.state, ctx.baseCfg().region);
    if (regions.length > 1) actual = await readActualState(api, regions);
  }
  const { file, notes } = exportSafeguards(actual, regions);
  for (const n of notes) io.err(`note: ${n}\n`);
  io.out(ctx.gopts().output === 'json' ? toJson(file, schemaRef()) : toYaml(file, schemaRef()));
}

export function addPlanCommand(program: Command, ctx: CliContext): void {
  program
    .command('plan')
    .description(
      'compare a safeguards file with the server: what apply would create, update, publish, attach or delete, grouped by ' +
        'Region and account, and the pitfalls it would leave (exit 0 = nothing to do, 2 = changes pending, 1 = failure)',
    )
    .requiredOption('-f, --file <file>', 'the safeguards file (.yaml, .yml or .json; - for stdin)')
    .option('--prune', 'also plan deleting what the file does not name (never by default)')
    .action(async (o: FileFlags) => {
      const code = await runPlan(ctx, o);
      if (code) process.exitCode = code;
    });
}

/** The apply command's safeguards options (the command itself, ApplyGuardrail on a text, lives in main.ts). */
export function addSafeguardsApplyOptions(apply: Command): Command {
  return apply
    .option('-f, --file <file>', 'apply a safeguards file instead (see `parapet plan`): the plan\'s changes, in a safe order')
    .option('--prune', 'with -f: also delete what the file does not name');
}

/**
 * `export --safeguards` (or `--format safeguards`) on the existing export command, whose backup behaviour is kept:
 * its action is re-run from a second instance of the same command with the backup options only.
 */
export function addSafeguardsExportOptions(program: Command, ctx: CliContext): void {
  const exportCmd = program.commands.find((c) => c.name() === 'export');
  if (!exportCmd) return;
  const shadow = new (program.constructor as new () => Command)();
  addExportCommands(shadow, ctx);
  const backup = shadow.commands.find((c) => c.name() === 'export');
  exportCmd
    .description(`${exportCmd.description()}; with --safeguards, the safeguards file of the organization instead (through the API)`)
    .option('--safeguards', 'write the safeguards file (YAML; JSON with -o json) of the server\'s current state to stdout, read through the public API')
    .addOption(new Option('--format <format>', 'backup (default) or safeguards (= --safeguards)').choices(['backup', 'safeguards']).default('backup'))
    .option('--regions <list>', 'with --safeguards: the Regions to export (comma-separated, repeatable; default: --region and the Regions the organization policies name)', collect)
    .action(async (o: { safeguards?: boolean; format: string; regions?: string[]; out: string; database?: string; databaseSchema?: string }) => {
      if (o.safeguards || o.format === 'safeguards') return runSafeguardsExport(ctx, o);
      const argv = ['--out', o.out, ...(o.database ? ['--database', o.database] : []), ...(o.databaseSchema ? ['--database-schema', o.databaseSchema] : [])];
      await backup?.parseAsync(argv, { from: 'user' });
    });
}
