/**
 * `parapet models list|check`: the model routes of a models file (which upstream serves each Bedrock model id), read
 * locally — no server needed. Shows names, types, upstream models and base URLs, never keys (the file names only
 * the environment variable holding one). Also the one place the CLI loads models files (`parapet serve` uses it).
 */
import type { Command } from 'commander';
import { defaultModelsFile, loadModelsFile } from '../providers/models-file.ts';
import { ProviderRegistry, type RouteDescription } from '../providers/registry.ts';
import type { ModelsFile } from '../providers/types.ts';
import { type CliContext, type GlobalOpts, print, table, warn } from './output.ts';

export type { ModelsFile, RouteDescription };
export { ModelsFileError } from '../providers/models-file.ts';

/** The environment variable `parapet serve` and `parapet models list` read when `--models` is not given. */
export const MODELS_ENV = 'PARAPET_MODELS';

/** The models file at `path` (validated; throws ModelsFileError), or undefined for no path. */
export function readModelsFile(path: string | undefined): ModelsFile | undefined {
  return path === undefined || path === '' ? undefined : loadModelsFile(path);
}

/** The routes a models file serves (the default: only the demo model), sorted by model id. */
export function describeModels(file: ModelsFile | undefined): RouteDescription[] {
  return ProviderRegistry.describeRoutes(file ?? defaultModelsFile());
}

/** Where a route's calls go: the base URL, the Bedrock endpoint or Region, or `(built in)` for the demo model. */
export function routeTarget(r: RouteDescription): string {
  if (r.baseUrl) return r.baseUrl;
  if (r.type === 'bedrock') return [r.endpoint, r.region ? `Region ${r.region}` : r.endpoint ? undefined : "the caller's Region"].filter(Boolean).join(', ');
  if (r.type === 'demo') return '(built in, local)';
  return r.endpoint ?? '';
}

export function routesTable(routes: readonly RouteDescription[]): string {
  return table(
    ['model', 'provider', 'type', 'upstream model', 'endpoint'],
    routes.map((r) => [r.modelId, r.builtIn ? `${r.provider} (built in)` : r.provider, r.type, r.upstreamModel, routeTarget(r)]),
  );
}

/** One short line per route for the `parapet serve` banner: `id → provider:upstream`, at most `max` of them. */
export function routesSummary(routes: readonly RouteDescription[], max = 5): string[] {
  const lines = routes
    .slice(0, max)
    .map((r) => (r.type === 'demo' ? `${r.modelId} (demo)` : `${r.modelId} → ${r.provider}:${r.upstreamModel}`));
  if (routes.length > max) lines.push(`… ${routes.length - max} more (parapet models list)`);
  return lines;
}

/** Key variables the file names that are not set in `env` (calls to those providers would fail). */
export function missingKeyVariables(file: ModelsFile, env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  for (const [name, p] of Object.entries(file.providers))
    if (p.apiKeyEnv && !env[p.apiKeyEnv]) out.push(`${p.apiKeyEnv} (providers.${name}.apiKeyEnv) is not set in this environment`);
  return out;
}

function withJson(g: GlobalOpts, json: boolean | undefined): GlobalOpts {
  return json ? { ...g, output: 'json' } : g;
}

export function addModelsCommands(program: Command, ctx: CliContext): void {
  const m = program.command('models').description('the model routes of a models file (which upstream serves each model id)');

  m.command('list')
    .description(`the routes a models file serves (default: ${MODELS_ENV}, else only the built-in demo model)`)
    .option('--models <file>', `the models file (default: ${MODELS_ENV})`)
    .option('--json', 'print JSON (same as -o json)')
    .action((o: { models?: string; json?: boolean }) => {
      const path = o.models ?? process.env[MODELS_ENV];
      const routes = describeModels(readModelsFile(path));
      print(withJson(ctx.gopts(), o.json), { ...(path ? { file: path } : {}), models: routes }, () => routesTable(routes));
    });

  m.command('check <file>')
    .description('validate a models file: prints OK, or the problem (exit 1)')
    .action((file: string) => {
      const parsed = loadModelsFile(file);
      const routes = describeModels(parsed);
      for (const w of missingKeyVariables(parsed)) warn(w);
      print(ctx.gopts(), { ok: true, file, models: routes.length }, () => `OK: ${file} (${routes.length} model route(s))`);
    });
}
