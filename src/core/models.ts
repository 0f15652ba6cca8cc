/**
 * Amazon Bedrock model ids, as used by model scoping (`included_models` / `excluded_models` and the
 * account-level `modelEnforcement`). Matching is on *model ids*: a call made through an ARN or an
 * inference profile is first reduced to the model id it runs.
 */

/** `IncludedModelId` of the Bedrock service model. */
export const INCLUDED_MODEL_ID_RE = /^(ALL|([a-z0-9-]{1,63}[.][a-z0-9-]{1,63})([:][a-z0-9-]{1,63}){0,2}(\/[a-z0-9]{12})?)$/;
/** `ExcludedModelId`: the same without `ALL`. */
export const EXCLUDED_MODEL_ID_RE = /^([a-z0-9-]{1,63}[.][a-z0-9-]{1,63})([:][a-z0-9-]{1,63}){0,2}(\/[a-z0-9]{12})?$/;

export const ALL_MODELS = 'ALL';

export interface KnownModel {
  readonly id: string;
  readonly provider: string;
  /** Embedding models cannot be guarded; enforcement configs should exclude them. */
  readonly embedding?: true;
}

const m = (id: string, embedding = false): KnownModel => ({
  id,
  provider: id.slice(0, id.indexOf('.')),
  ...(embedding ? { embedding: true as const } : {}),
});

/**
 * Text/chat and embedding foundation models of Amazon Bedrock (image, video, speech and rerank models
 * are left out: guardrails do not apply to them). Not exhaustive: new models appear every month, so an
 * unknown id is never an error, only a hint (`isKnownModelId`).
 */
export const KNOWN_MODELS: readonly KnownModel[] = [
  // Anthropic
  m('anthropic.claude-instant-v1'),
  m('anthropic.claude-v2'),
  m('anthropic.claude-v2:1'),
  m('anthropic.claude-3-haiku-20240307-v1:0'),
  m('anthropic.claude-3-sonnet-20240229-v1:0'),
  m('anthropic.claude-3-opus-20240229-v1:0'),
  m('anthropic.claude-3-5-sonnet-20240620-v1:0'),
  m('anthropic.claude-3-5-sonnet-20241022-v2:0'),
  m('anthropic.claude-3-5-haiku-20241022-v1:0'),
  m('anthropic.claude-3-7-sonnet-20250219-v1:0'),
  m('anthropic.claude-sonnet-4-20250514-v1:0'),
  m('anthropic.claude-opus-4-20250514-v1:0'),
  m('anthropic.claude-opus-4-1-20250805-v1:0'),
  m('anthropic.claude-sonnet-4-5-20250929-v1:0'),
  m('anthropic.claude-haiku-4-5-20251001-v1:0'),
  m('anthropic.claude-opus-4-5-20251101-v1:0'),
  // Amazon Nova
  m('amazon.nova-micro-v1:0'),
  m('amazon.nova-lite-v1:0'),
  m('amazon.nova-pro-v1:0'),
  m('amazon.nova-premier-v1:0'),
  m('amazon.nova-2-lite-v1:0'),
  m('amazon.nova-2-multimodal-embeddings-v1:0', true),
  // Amazon Titan
  m('amazon.titan-text-express-v1'),
  m('amazon.titan-text-lite-v1'),
  m('amazon.titan-text-premier-v1:0'),
  m('amazon.titan-tg1-large'),
  m('amazon.titan-embed-text-v1', true),
  m('amazon.titan-embed-text-v2:0', true),
  m('amazon.titan-embed-g1-text-02', true),
  m('amazon.titan-embed-image-v1', true),
  // Meta Llama
  m('meta.llama2-13b-chat-v1'),
  m('meta.llama2-70b-chat-v1'),
  m('meta.llama3-8b-instruct-v1:0'),
  m('meta.llama3-70b-instruct-v1:0'),
  m('meta.llama3-1-8b-instruct-v1:0'),
  m('meta.llama3-1-70b-instruct-v1:0'),
  m('meta.llama3-1-405b-instruct-v1:0'),
  m('meta.llama3-2-1b-instruct-v1:0'),
  m('meta.llama3-2-3b-instruct-v1:0'),
  m('meta.llama3-2-11b-instruct-v1:0'),
  m('meta.llama3-2-90b-instruct-v1:0'),
  m('meta.llama3-3-70b-instruct-v1:0'),
  m('meta.llama4-scout-17b-instruct-v1:0'),
  m('meta.llama4-maverick-17b-instruct-v1:0'),
  // Mistral AI
  m('mistral.mistral-7b-instruct-v0:2'),
  m('mistral.mixtral-8x7b-instruct-v0:1'),
  m('mistral.mistral-small-2402-v1:0'),
  m('mistral.mistral-large-2402-v1:0'),
  m('mistral.mistral-large-2407-v1:0'),
  m('mistral.pixtral-large-2502-v1:0'),
  // Cohere
  m('cohere.command-text-v14'),
  m('cohere.command-light-text-v14'),
  m('cohere.command-r-v1:0'),
  m('cohere.command-r-plus-v1:0'),
  m('cohere.embed-english-v3', true),
  m('cohere.embed-multilingual-v3', true),
  m('cohere.embed-v4:0', true),
  // AI21 Labs
  m('ai21.j2-mid-v1'),
  m('ai21.j2-ultra-v1'),
  m('ai21.jamba-instruct-v1:0'),
  m('ai21.jamba-1-5-mini-v1:0'),
  m('ai21.jamba-1-5-large-v1:0'),
  // DeepSeek
  m('deepseek.r1-v1:0'),
  m('deepseek.v3-v1:0'),
  // OpenAI (open-weight)
  m('openai.gpt-oss-20b-1:0'),
  m('openai.gpt-oss-120b-1:0'),
  // Qwen
  m('qwen.qwen3-32b-v1:0'),
  m('qwen.qwen3-coder-30b-a3b-v1:0'),
  m('qwen.qwen3-235b-a22b-2507-v1:0'),
  m('qwen.qwen3-coder-480b-a35b-v1:0'),
  // Writer
  m('writer.palmyra-x4-v1:0'),
  m('writer.palmyra-x5-v1:0'),
  // TwelveLabs (video embeddings)
  m('twelvelabs.marengo-embed-2-7-v1:0', true),
];

/** Cross-Region inference profile prefixes (system-defined profiles are `<geo>.<model id>`). */
export const INFERENCE_PROFILE_PREFIXES: readonly string[] = ['us', 'us-gov', 'eu', 'apac', 'au', 'jp', 'ca', 'global'];

const FOUNDATION_MODEL_ARN_RE = /^arn:aws(?:-[a-z]+)*:bedrock:[a-z0-9-]*:[0-9]{0,12}:foundation-model\/(.+)$/;
const SYSTEM_PROFILE_ARN_RE = /^arn:aws(?:-[a-z]+)*:bedrock:[a-z0-9-]*:[0-9]{12}:inference-profile\/(.+)$/;

function stripProfilePrefix(id: string): string {
  const dot = id.indexOf('.');
  if (dot <= 0) return id;
  const prefix = id.slice(0, dot);
  const rest = id.slice(dot + 1);
  // Only strip when what remains is itself a model id (provider.model), so `amazon.nova-pro-v1:0` stays.
  return INFERENCE_PROFILE_PREFIXES.includes(prefix) && rest.includes('.') ? rest : id;
}

/**
 * The model id a call runs, for scoping:
 * - `arn:…:foundation-model/<id>` → `<id>`;
 * - a system-defined inference profile (`us.<id>`, `eu.<id>`, `global.<id>`… or its ARN) → `<id>`;
 * - any other ARN (application inference profile, provisioned throughput, custom or imported model,
 *   prompt router, marketplace endpoint) is returned unchanged: only the store knows what it runs.
 */
export function normalizeModelId(modelIdOrArn: string): string {
  const id = modelIdOrArn.trim();
  const fm = FOUNDATION_MODEL_ARN_RE.exec(id);
  if (fm?.[1]) return fm[1];
  const profile = SYSTEM_PROFILE_ARN_RE.exec(id);
  if (profile?.[1]) return stripProfilePrefix(profile[1]);
  if (id.startsWith('arn:')) return id;
  return stripProfilePrefix(id);
}

/** True when `normalizeModelId` could not reduce the id to a model id (an opaque ARN). */
export function isOpaqueModelArn(modelId: string): boolean {
  return normalizeModelId(modelId).startsWith('arn:');
}

function splitCustomSuffix(id: string): [string, string] {
  const slash = id.indexOf('/');
  return slash < 0 ? [id, ''] : [id.slice(0, slash), id.slice(slash)];
}

/**
 * Does a scoping entry cover a model?
 * - `ALL` covers everything;
 * - otherwise the ids must be equal, or the model id extends the entry with further `:`-segments:
 *   `anthropic.claude-v2` covers `anthropic.claude-v2:1`, and `amazon.titan-embed-text-v2:0` covers its
 *   context-window variant `amazon.titan-embed-text-v2:0:8k`. Never a bare prefix:
 *   `anthropic.claude-3-5-sonnet` does not cover `anthropic.claude-3-5-sonnet-20240620-v1:0`.
 * - a `/xxxxxxxxxxxx` custom-model suffix must be equal on both sides (a customized model is another model).
 * Both sides are normalized, so an inference profile id or a foundation-model ARN matches its model id.
 */
export function modelMatches(entry: string, modelId: string): boolean {
  if (entry === ALL_MODELS) return true;
  const [eBase, eSuffix] = splitCustomSuffix(normalizeModelId(entry));
  const [mBase, mSuffix] = splitCustomSuffix(normalizeModelId(modelId));
  if (eSuffix !== mSuffix) return false;
  return mBase === eBase || mBase.startsWith(`${eBase}:`);
}

/** `ALL`, or an entry that covers a known model or is a variant of one. Unknown ids are still valid. */
export function isKnownModelId(entry: string): boolean {
  if (entry === ALL_MODELS) return true;
  return KNOWN_MODELS.some((k) => modelMatches(entry, k.id) || modelMatches(k.id, entry));
}

/**
 * Known embedding models, and — because new ones appear all the time — any model whose name has an
 * `embed` word (`cohere.embed-…`, `amazon.titan-embed-…`, `…-multimodal-embeddings-…`).
 */
export function isEmbeddingModel(modelIdOrArn: string): boolean {
  const id = normalizeModelId(modelIdOrArn);
  if (id.startsWith('arn:')) return false;
  if (KNOWN_MODELS.some((k) => k.embedding && modelMatches(k.id, id))) return true;
  const name = id.slice(id.indexOf('.') + 1);
  return /(^|-)embed(dings?)?(-|:|$)/.test(name);
}

/**
 * Why an entry is not a valid model id for a scoping list, in words that say what to write instead;
 * undefined when it is valid.
 */
export function modelIdProblem(entry: string, allowAll: boolean): string | undefined {
  if (allowAll ? INCLUDED_MODEL_ID_RE.test(entry) : EXCLUDED_MODEL_ID_RE.test(entry)) return undefined;
  const shown = JSON.stringify(entry.length > 80 ? `${entry.slice(0, 77)}...` : entry);
  if (entry === ALL_MODELS)
    return `${shown} is only allowed in the included list; to enforce on no model at all, remove the configuration instead`;
  const example = 'like anthropic.claude-3-haiku-20240307-v1:0';
  if (entry.toUpperCase() === ALL_MODELS) return `${shown}: write the keyword in capitals, "ALL"`;
  if (entry.startsWith('arn:')) {
    const id = normalizeModelId(entry);
    return id.startsWith('arn:')
      ? `${shown} is an ARN; list foundation-model IDs (${example}) instead`
      : `${shown} is an ARN; list the model ID "${id}" instead`;
  }
  const stripped = stripProfilePrefix(entry);
  if (stripped !== entry) return `${shown} is an inference-profile ID; list the model ID "${stripped}" instead`;
  if (entry !== entry.toLowerCase()) return `${shown}: model IDs are lowercase (${example})`;
  return `${shown} is not a model ID (provider.model with an optional :version, ${example})`;
}
