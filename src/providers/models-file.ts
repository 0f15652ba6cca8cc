/**
 * The models file (JSON): which upstream serves each Bedrock model id.
 *
 *   {
 *     "providers": { "openai": { "type": "openai", "baseUrl": "https://api.openai.com/v1", "apiKeyEnv": "OPENAI_API_KEY" } },
 *     "models": { "anthropic.claude-3-5-haiku-20241022-v1:0": { "provider": "openai", "model": "gpt-4o-mini" } }
 *   }
 *
 * Validation is strict — unknown keys, settings that do not apply to a provider type, and secrets in headers are
 * rejected — and every message names the file and the path of the offending value. API keys never appear in the
 * file: `apiKeyEnv` names the environment variable holding one.
 */
import { readFileSync } from 'node:fs';
import { REGION_RE } from '../core/arn.ts';
import type { ModelRoute, ModelsFile, ProviderConfig, ProviderType } from './types.ts';

/** The built-in local model (see demo.ts). */
export const DEMO_MODEL_ID = 'parapet.demo-v1';
export const DEMO_PROVIDER_NAME = 'demo';

export const PROVIDER_TYPES: readonly ProviderType[] = ['bedrock', 'openai', 'anthropic', 'demo'];
export const MAX_MODEL_ID_LENGTH = 2048;
export const MAX_TIMEOUT_MS = 600_000;

export class ModelsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelsFileError';
  }
}

/** Only the demo provider and the demo model. */
export function defaultModelsFile(): ModelsFile {
  return {
    providers: { [DEMO_PROVIDER_NAME]: { type: 'demo' } },
    models: { [DEMO_MODEL_ID]: { provider: DEMO_PROVIDER_NAME } },
  };
}

const PROVIDER_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers that carry credentials: keys belong in the environment, named by `apiKeyEnv`. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'cookie']);

/** The keys each provider type accepts besides `type`. */
const KEYS_BY_TYPE: Record<ProviderType, readonly (keyof ProviderConfig)[]> = {
  openai: ['baseUrl', 'apiKeyEnv', 'timeoutMs', 'headers'],
  anthropic: ['baseUrl', 'apiKeyEnv', 'timeoutMs', 'headers'],
  bedrock: ['region', 'endpoint', 'timeoutMs'],
  demo: [],
};
const ALL_PROVIDER_KEYS: ReadonlySet<string> = new Set(['type', 'baseUrl', 'apiKeyEnv', 'region', 'endpoint', 'timeoutMs', 'headers']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const quote = (s: string): string => JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? `the string ${quote(v)}` : typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;

/** `providers.openai` for plain names, `providers["my.provider"]` otherwise. */
function member(base: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

function hasControlChars(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Validates a parsed models file; `source` (usually the file path) prefixes every message. Returns a normalized copy. */
export function parseModelsFile(json: unknown, source: string): ModelsFile {
  const fail = (path: string, problem: string): never => {
    throw new ModelsFileError(`${source}: ${path} ${problem}`);
  };
  const object = (v: unknown, path: string): Record<string, unknown> => {
    if (!isRecord(v)) fail(path, `must be an object (got ${describe(v)})`);
    return v as Record<string, unknown>;
  };
  const httpUrl = (v: unknown, path: string): string => {
    if (typeof v !== 'string') return fail(path, `must be an http(s) URL string (got ${describe(v)})`);
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      return fail(path, `must be an http(s) URL (got ${quote(v)})`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(path, `must be an http(s) URL (got ${quote(v)})`);
    if (url.username || url.password) fail(path, 'must not contain credentials (name the key’s environment variable in apiKeyEnv)');
    return v;
  };

  const root = object(json, 'the models file');
  for (const key of Object.keys(root))
    if (key !== 'providers' && key !== 'models' && key !== '$schema')
      fail(member('', key).replace(/^\./, ''), 'is not a models file key (expected "providers" and "models")');
  const providersIn = object(root.providers ?? fail('providers', 'is missing'), 'providers');
  const modelsIn = object(root.models ?? fail('models', 'is missing'), 'models');

  const providers: Array<[string, ProviderConfig]> = [];
  for (const [name, raw] of Object.entries(providersIn)) {
    const path = member('providers', name);
    if (!PROVIDER_NAME_RE.test(name))
      fail(path, 'is not a valid provider name (1-64 letters, digits, ".", "_" or "-", starting with a letter or digit)');
    const p = object(raw, path);
    if (typeof p.type !== 'string' || !(PROVIDER_TYPES as readonly string[]).includes(p.type))
      fail(`${path}.type`, `must be one of ${PROVIDER_TYPES.join(', ')}${p.type === undefined ? '' : ` (got ${describe(p.type)})`}`);
    const type = p.type as ProviderType;
    const allowed = KEYS_BY_TYPE[type];
    for (const key of Object.keys(p)) {
      if (key === 'type') continue;
      if (!ALL_PROVIDER_KEYS.has(key))
        fail(member(path, key), `is not a provider setting (expected ${['type', ...new Set(KEYS_BY_TYPE.openai.concat(KEYS_BY_TYPE.bedrock))].join(', ')})`);
      if (!(allowed as readonly string[]).includes(key))
        fail(member(path, key), allowed.length ? `does not apply to ${type} providers (they accept ${allowed.join(', ')})` : `does not apply to ${type} providers (they take no settings)`);
    }
    const cfg: ProviderConfig = { type };
    if (p.baseUrl !== undefined) cfg.baseUrl = httpUrl(p.baseUrl, `${path}.baseUrl`);
    if (p.endpoint !== undefined) cfg.endpoint = httpUrl(p.endpoint, `${path}.endpoint`);
    if (p.apiKeyEnv !== undefined) {
      if (typeof p.apiKeyEnv !== 'string' || !ENV_NAME_RE.test(p.apiKeyEnv))
        fail(`${path}.apiKeyEnv`, `must look like an environment variable name such as OPENAI_API_KEY (got ${describe(p.apiKeyEnv)}); put the key itself in that variable, never in this file`);
      cfg.apiKeyEnv = p.apiKeyEnv as string;
    }
    if (p.region !== undefined) {
      if (typeof p.region !== 'string' || !REGION_RE.test(p.region)) fail(`${path}.region`, `must be a Region name like us-east-1 (got ${describe(p.region)})`);
      cfg.region = p.region as string;
    }
    if (p.timeoutMs !== undefined) {
      const t = p.timeoutMs;
      if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > MAX_TIMEOUT_MS)
        fail(`${path}.timeoutMs`, `must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS} (got ${describe(t)})`);
      cfg.timeoutMs = t as number;
    }
    if (p.headers !== undefined) {
      const h = object(p.headers, `${path}.headers`);
      const headers: Array<[string, string]> = [];
      for (const [k, v] of Object.entries(h)) {
        const hp = member(`${path}.headers`, k);
        if (!HEADER_NAME_RE.test(k)) fail(hp, 'is not a valid HTTP header name');
        if (SECRET_HEADERS.has(k.toLowerCase()))
          fail(hp, 'would put a secret in the models file; put the key in an environment variable and name it in apiKeyEnv');
        if (typeof v !== 'string') fail(hp, `must be a string (got ${describe(v)})`);
        if (hasControlChars(v as string)) fail(hp, 'must not contain control characters (such as line breaks)');
        headers.push([k, v as string]);
      }
      cfg.headers = Object.fromEntries(headers);
    }
    providers.push([name, cfg]);
  }
  const providerNames = new Set(providers.map(([n]) => n));

  const modelId = (v: unknown, path: string): string => {
    if (typeof v !== 'string') return fail(path, `must be a string (got ${describe(v)})`);
    if (v.trim() === '') fail(path, 'must not be empty');
    if (v.trim() !== v) fail(path, `must not start or end with whitespace (got ${quote(v)})`);
    if (v.length > MAX_MODEL_ID_LENGTH) fail(path, `must be at most ${MAX_MODEL_ID_LENGTH} characters (got ${v.length})`);
    if (hasControlChars(v)) fail(path, 'must not contain control characters');
    return v;
  };

  const models: Array<[string, ModelRoute]> = [];
  for (const [id, raw] of Object.entries(modelsIn)) {
    const path = `models[${quote(id)}]`;
    modelId(id, `the model id ${path}`);
    const r = object(raw, path);
    for (const key of Object.keys(r))
      if (key !== 'provider' && key !== 'model') fail(member(path, key), 'is not a model setting (expected provider and model)');
    if (typeof r.provider !== 'string') fail(`${path}.provider`, `must name a provider (got ${describe(r.provider)})`);
    if (!providerNames.has(r.provider as string))
      fail(
        `${path}.provider`,
        `names unknown provider ${quote(r.provider as string)} (${providerNames.size ? `the file defines ${[...providerNames].join(', ')}` : 'the file defines no providers'})`,
      );
    const route: ModelRoute = { provider: r.provider as string };
    if (r.model !== undefined) route.model = modelId(r.model, `${path}.model`);
    models.push([id, route]);
  }

  return { providers: Object.fromEntries(providers), models: Object.fromEntries(models) };
}

/** Reads and validates a models file; syntax errors name the file, line and column. */
export function loadModelsFile(path: string): ModelsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new ModelsFileError(
      code === 'ENOENT' ? `${path}: the models file does not exist` : `${path}: the models file cannot be read (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelsFileError(`${path}: ${jsonSyntaxMessage(text, err instanceof Error ? err.message : String(err))}`);
  }
  return parseModelsFile(json, path);
}

/** `is not valid JSON at line L, column C: <reason>` from a JSON.parse message (which gives at most a position). */
export function jsonSyntaxMessage(text: string, message: string): string {
  const m = /\s*in JSON at position (\d+)(?:\s*\(line \d+ column \d+\))?/.exec(message);
  const position = m ? Math.min(Number(m[1]), text.length) : text.length;
  const reason = (m ? message.replace(m[0], '') : message).trim() || 'syntax error';
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - (before.lastIndexOf('\n') + 1) + 1;
  return `is not valid JSON at line ${line}, column ${column}: ${reason}`;
}
