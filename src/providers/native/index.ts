/**
 * The InvokeModel codec registry: which native format a model id speaks, plus two pure helpers for
 * forwarding native bodies to real Bedrock (`replaceTexts`, `stripGuardrailConfig`).
 */
import { validation } from '../../core/errors.ts';
import { isEmbeddingModel, normalizeModelId } from '../../core/models.ts';
import { anthropicCodec } from './anthropic.ts';
import { metaCodec } from './meta.ts';
import { titanCodec } from './amazon-titan.ts';
import { novaCodec } from './amazon-nova.ts';
import { mistralCodec } from './mistral.ts';
import { cohereCodec } from './cohere.ts';
import { openaiCodec } from './openai-oss.ts';
import type { ModelFamily, NativeCodec } from './types.ts';

export type { DecodedChunk, ModelFamily, NativeCodec, NativeContext, NativeStreamDecoder, NativeStreamEncoder } from './types.ts';

/** The built-in demo model answers in the Anthropic Messages format. */
export const DEMO_MODEL_ID = 'parapet.demo-v1';

export const CODECS: Readonly<Record<ModelFamily, NativeCodec>> = {
  anthropic: anthropicCodec,
  meta: metaCodec,
  'amazon-titan': titanCodec,
  'amazon-nova': novaCodec,
  mistral: mistralCodec,
  cohere: cohereCodec,
  openai: openaiCodec,
};

/** The family of a model id (plain id, `us.`/`eu.`/`apac.`/`global.`… profile id, or foundation-model ARN). */
export function familyOf(modelId: string): ModelFamily | undefined {
  const id = normalizeModelId(modelId);
  if (id.startsWith('arn:') || isEmbeddingModel(id)) return undefined;
  if (id === DEMO_MODEL_ID || id.startsWith('parapet.demo')) return 'anthropic';
  const dot = id.indexOf('.');
  if (dot <= 0) return undefined;
  const provider = id.slice(0, dot);
  const name = id.slice(dot + 1);
  switch (provider) {
    case 'anthropic':
      return 'anthropic';
    case 'meta':
      return name.startsWith('llama') ? 'meta' : undefined;
    case 'amazon':
      if (name.startsWith('titan-text') || name.startsWith('titan-tg1')) return 'amazon-titan';
      if (name.startsWith('nova-') && !/canvas|reel|sonic/.test(name)) return 'amazon-nova';
      return undefined;
    case 'mistral':
      return 'mistral';
    case 'cohere':
      return name.startsWith('command') ? 'cohere' : undefined;
    case 'openai':
      return 'openai';
    default:
      return undefined;
  }
}

export function codecFor(modelId: string): NativeCodec | undefined {
  const family = familyOf(modelId);
  return family ? CODECS[family] : undefined;
}

/**
 * A deep copy of a JSON value in which every string value equal to a key of `replacements` is replaced by
 * its value. Object keys are never replaced; everything else is copied as is.
 */
export function replaceTexts(body: unknown, replacements: ReadonlyMap<string, string>): unknown {
  if (typeof body === 'string') return replacements.get(body) ?? body;
  if (Array.isArray(body)) return body.map((v) => replaceTexts(v, replacements));
  if (typeof body === 'object' && body !== null) {
    // fromEntries defines own properties, so a `__proto__` key stays a key.
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, replaceTexts(v, replacements)]));
  }
  return body;
}

export const GUARDRAIL_CONFIG_KEY = 'amazon-bedrock-guardrailConfig';

export interface NativeGuardrailConfig {
  tagSuffix?: string;
  streamProcessingMode?: 'SYNCHRONOUS' | 'ASYNCHRONOUS';
}

const TAG_SUFFIX_RE = /^[a-zA-Z0-9]{1,20}$/;

/**
 * Removes the top-level `amazon-bedrock-guardrailConfig` member of a native body (the input is not changed)
 * and returns it validated: `tagSuffix` alphanumeric, 1–20 characters; `streamProcessingMode`
 * `SYNCHRONOUS` or `ASYNCHRONOUS`; no other members.
 */
export function stripGuardrailConfig(body: Record<string, unknown>): { body: Record<string, unknown>; config?: NativeGuardrailConfig } {
  if (!Object.hasOwn(body, GUARDRAIL_CONFIG_KEY)) return { body };
  const { [GUARDRAIL_CONFIG_KEY]: raw, ...rest } = body;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw validation(`${GUARDRAIL_CONFIG_KEY} must be an object with optional tagSuffix and streamProcessingMode`);
  }
  const config: NativeGuardrailConfig = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'tagSuffix') {
      if (typeof v !== 'string' || !TAG_SUFFIX_RE.test(v)) {
        throw validation(`${GUARDRAIL_CONFIG_KEY}.tagSuffix must be 1 to 20 letters or digits (a-z, A-Z, 0-9)`);
      }
      config.tagSuffix = v;
    } else if (k === 'streamProcessingMode') {
      if (v !== 'SYNCHRONOUS' && v !== 'ASYNCHRONOUS') {
        throw validation(`${GUARDRAIL_CONFIG_KEY}.streamProcessingMode must be SYNCHRONOUS or ASYNCHRONOUS`);
      }
      config.streamProcessingMode = v;
    } else {
      throw validation(`${GUARDRAIL_CONFIG_KEY} has an unknown member '${k}' (allowed: tagSuffix, streamProcessingMode)`);
    }
  }
  return { body: rest, config };
}
