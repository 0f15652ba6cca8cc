/**
 * The provider registry: one provider instance per models-file entry and the routing of a requested Bedrock model
 * id to the provider that serves it. A request matches a mapped id exactly, or through the Bedrock forms that
 * reduce to one: a cross-Region inference profile id (`us.`, `eu.`, `apac.`, … + a mapped id), a foundation-model
 * ARN (`arn:aws:bedrock:<region>::foundation-model/<id>`) or a system inference-profile ARN
 * (`arn:aws:bedrock:<region>:<account>:inference-profile/<geo>.<id>`). Nothing else matches — there is no
 * fallback, not even to the demo model: `undefined` means the model is not served. The demo model
 * `parapet.demo-v1` is always served (by the file's first demo provider, or a built-in one) unless the file maps
 * that id itself.
 */
import { ANTHROPIC_DEFAULT_BASE_URL, createAnthropicProvider } from './anthropic.ts';
import { createBedrockProvider } from './bedrock.ts';
import { createDemoProvider } from './demo.ts';
import { DEMO_MODEL_ID, DEMO_PROVIDER_NAME } from './models-file.ts';
import { createOpenAIProvider, DEFAULT_OPENAI_BASE_URL } from './openai/provider.ts';
import type { ModelProvider, ModelRoute, ModelsFile, ProviderConfig, ProviderType } from './types.ts';

/** The geography prefixes of Bedrock's system-defined cross-Region inference profiles. */
export const GEO_PREFIXES: readonly string[] = ['us', 'us-gov', 'eu', 'apac', 'global', 'jp', 'au', 'ca'];

const ARN_RE = /^arn:aws(?:-[a-z]+)*:bedrock:[a-z0-9-]*:(\d{12})?:(foundation-model|inference-profile)\/(.+)$/;

export interface ResolvedRoute {
  provider: ModelProvider;
  /** The model name sent upstream. */
  upstreamModel: string;
  /** The models-file id the request matched. */
  modelId: string;
}

export interface RouteDescription {
  modelId: string;
  provider: string;
  type: ProviderType;
  /** The upstream model, or the requested id for a Bedrock provider without `model` (inference profiles pass through). */
  upstreamModel: string;
  /** openai / anthropic: the API base URL, without credentials or query. */
  baseUrl?: string;
  /** bedrock: the Region, when fixed in the file (otherwise the caller's). */
  region?: string;
  /** bedrock: the endpoint override, without credentials or query. */
  endpoint?: string;
  /** True for the demo route the registry adds itself. */
  builtIn?: boolean;
}

/** The models file as served: the demo model added (with a built-in demo provider when needed) unless mapped. */
export function withDemoModel(file: ModelsFile): ModelsFile {
  if (Object.hasOwn(file.models, DEMO_MODEL_ID)) return file;
  const existing = Object.entries(file.providers).find(([, p]) => p.type === 'demo')?.[0];
  let name = existing;
  const providers = { ...file.providers };
  if (name === undefined) {
    name = DEMO_PROVIDER_NAME;
    for (let i = 2; Object.hasOwn(providers, name); i++) name = `parapet-demo-${i}`;
    providers[name] = { type: 'demo' };
  }
  return { providers, models: { ...file.models, [DEMO_MODEL_ID]: { provider: name } } };
}

/** The id inside a Bedrock model ARN, or undefined when `id` is not one. */
export function unwrapModelArn(id: string): string | undefined {
  const m = ARN_RE.exec(id);
  if (!m) return undefined;
  const [, account, kind, inner] = m;
  // foundation-model ARNs have no account; inference-profile ARNs have one.
  if ((kind === 'foundation-model') !== (account === undefined)) return undefined;
  return inner;
}

/** The id without its geography prefix, or undefined when it has none. */
export function stripGeoPrefix(id: string): string | undefined {
  const dot = id.indexOf('.');
  if (dot < 0) return undefined;
  // `us-gov` contains no dot, so the first dot ends the prefix.
  return GEO_PREFIXES.includes(id.slice(0, dot)) && dot + 1 < id.length ? id.slice(dot + 1) : undefined;
}

/** Redacts credentials, query and fragment from a URL shown to people. */
function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return u.origin + (u.pathname === '/' ? '' : u.pathname);
  } catch {
    return '(invalid URL)';
  }
}

function describeRoute(modelId: string, route: ModelRoute, cfg: ProviderConfig): RouteDescription {
  const d: RouteDescription = { modelId, provider: route.provider, type: cfg.type, upstreamModel: route.model ?? modelId };
  if (cfg.type === 'openai') d.baseUrl = displayUrl(cfg.baseUrl ?? DEFAULT_OPENAI_BASE_URL);
  if (cfg.type === 'anthropic') d.baseUrl = displayUrl(cfg.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL);
  if (cfg.region) d.region = cfg.region;
  if (cfg.endpoint) d.endpoint = displayUrl(cfg.endpoint);
  return d;
}

export class ProviderRegistry {
  /** The file as given (the demo route not yet added). */
  private readonly file: ModelsFile;
  private readonly providers = new Map<string, ModelProvider>();
  private readonly routes = new Map<string, ModelRoute>();

  constructor(file: ModelsFile, opts: { defaultRegion: string }) {
    this.file = file;
    const served = withDemoModel(file);
    for (const [name, cfg] of Object.entries(served.providers)) this.providers.set(name, createProvider(name, cfg, opts.defaultRegion));
    for (const [id, route] of Object.entries(served.models)) {
      if (!this.providers.has(route.provider))
        throw new Error(`models["${id}"].provider names unknown provider "${route.provider}"`);
      this.routes.set(id, route);
    }
  }

  /** The provider serving `requested`, or undefined when no mapped id matches (never a fallback). */
  route(requested: string): ResolvedRoute | undefined {
    const exact = this.resolve(requested, requested);
    if (exact) return exact;
    const inner = unwrapModelArn(requested);
    if (inner !== undefined) {
      const byArn = this.resolve(inner, inner);
      if (byArn) return byArn;
    }
    const id = inner ?? requested;
    const base = stripGeoPrefix(id);
    return base !== undefined ? this.resolve(base, id) : undefined;
  }

  /** Every mapped model id, sorted (the demo model included). */
  modelIds(): string[] {
    return [...this.routes.keys()].sort();
  }

  /** The provider instance of a models-file provider name. */
  provider(name: string): ModelProvider | undefined {
    return this.providers.get(name);
  }

  /** The served routes for listings (no secrets: key variable names and header values are left out). */
  describe(): RouteDescription[] {
    return ProviderRegistry.describeRoutes(this.file);
  }

  /** The routes a models file serves, without creating providers; the demo route is added as the registry would. */
  static describeRoutes(file: ModelsFile): RouteDescription[] {
    const served = withDemoModel(file);
    const out: RouteDescription[] = [];
    for (const [id, route] of Object.entries(served.models)) {
      const cfg = served.providers[route.provider];
      if (!cfg) continue;
      const d = describeRoute(id, route, cfg);
      if (served !== file && id === DEMO_MODEL_ID) d.builtIn = true;
      out.push(d);
    }
    return out.sort((a, b) => (a.modelId < b.modelId ? -1 : a.modelId > b.modelId ? 1 : 0));
  }

  /**
   * `mapped` is the models-file id; `requested` the id as asked (minus an ARN). A Bedrock provider without a
   * `model` gets the requested id, so an inference profile reaches Bedrock as such.
   */
  private resolve(mapped: string, requested: string): ResolvedRoute | undefined {
    const route = this.routes.get(mapped);
    if (!route) return undefined;
    const provider = this.providers.get(route.provider);
    if (!provider) return undefined;
    const upstreamModel = route.model ?? (provider.type === 'bedrock' ? requested : mapped);
    return { provider, upstreamModel, modelId: mapped };
  }
}

function createProvider(name: string, cfg: ProviderConfig, defaultRegion: string): ModelProvider {
  switch (cfg.type) {
    case 'openai':
      return createOpenAIProvider(name, cfg);
    case 'anthropic':
      return createAnthropicProvider(name, cfg);
    case 'bedrock':
      return createBedrockProvider(name, cfg, defaultRegion);
    case 'demo':
      return createDemoProvider(name);
  }
}
