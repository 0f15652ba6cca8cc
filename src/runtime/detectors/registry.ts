/**
 * The detectors file (`parapet serve --detectors FILE`, or PARAPET_DETECTORS): which external detectors exist,
 * and which guardrails and sources each one serves.
 *
 * {
 *   "detectors": [
 *     { "name": "toxicity", "kind": "onnx", "path": "models/toxicity", "timeoutMs": 300,
 *       "guardrails": ["*"], "sources": ["INPUT", "OUTPUT"] },
 *     { "name": "llama-guard", "kind": "llm-judge", "endpoint": "http://127.0.0.1:8000", "model": "meta-llama/Llama-Guard-3-1B",
 *       "format": "llama-guard", "apiKeyEnv": "JUDGE_API_KEY", "timeoutMs": 1500,
 *       "guardrails": ["arn:aws:bedrock:us-east-1:123456789012:guardrail/abcd1234efgh"], "sources": ["INPUT"] }
 *   ]
 * }
 *
 * `guardrails`: "*" (every guardrail), a guardrail id, its ARN, or `ARN:version` for one version only.
 * Reading checks everything that can be checked without loading (a clear error naming the entry); loading
 * opens the models and fails at start when one cannot serve.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ContentFilterType, Source } from '../../engine/config/types.ts';
import { CONTENT_FILTER_TYPES } from '../../engine/config/types.ts';
import type { ConfidenceThresholds } from '../../engine/external.ts';
import { DetectorConfigError, integer, type Json, object, oneOf, onlyKeys, optionalString, string, thresholds } from './config-errors.ts';
import { createLlmJudge, type LlmJudgeOptions } from './llm-judge.ts';
import { loadOnnxDetector, readManifest } from './onnx.ts';
import type { Detector, DetectorBinding, DetectorKind } from './types.ts';

export { DetectorConfigError } from './config-errors.ts';

export const DETECTORS_ENV = 'PARAPET_DETECTORS';
export const MAX_DETECTOR_TIMEOUT_MS = 60_000;
const DEFAULT_TIMEOUT_MS: Record<DetectorKind, number> = { onnx: 1_000, 'llm-judge': 2_000 };

interface CommonConfig {
  name: string;
  timeoutMs: number;
  guardrails: string[];
  sources: Source[];
  thresholds?: ConfidenceThresholds;
}

export interface OnnxDetectorConfig extends CommonConfig {
  kind: 'onnx';
  /** Absolute path of the model directory. */
  path: string;
  threads?: number;
}

/** The judge's own settings (`LlmJudgeOptions`; `apiKey` is read from the variable `apiKeyEnv` names) plus the common ones. */
export interface LlmJudgeConfig extends CommonConfig, LlmJudgeOptions {
  kind: 'llm-judge';
}

export type DetectorConfig = OnnxDetectorConfig | LlmJudgeConfig;

export interface DetectorsConfig {
  detectors: DetectorConfig[];
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const GUARDRAIL_ID_RE = /^[a-z0-9]{1,64}$/;
const GUARDRAIL_ARN_RE = /^arn:aws(?:-[a-z]+)*:bedrock:[a-z0-9-]+:[0-9]{12}:guardrail\/[a-z0-9]+(?::(?:[1-9][0-9]{0,7}|DRAFT))?$/;
const COMMON = ['name', 'kind', 'timeoutMs', 'guardrails', 'sources', 'thresholds'];

/** Reads and checks a detectors file; relative model paths are taken from the file's folder. */
export function readDetectorsFile(path: string, env: NodeJS.ProcessEnv = process.env): DetectorsConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const why = err instanceof SyntaxError ? `is not valid JSON: ${err.message}` : `cannot be read: ${err instanceof Error ? err.message : String(err)}`;
    throw new DetectorConfigError(`The detectors file ${path} ${why}`);
  }
  return parseDetectorsConfig(raw, dirname(resolve(path)), env, path);
}

export function parseDetectorsConfig(raw: unknown, baseDir: string, env: NodeJS.ProcessEnv = process.env, at = 'detectors file'): DetectorsConfig {
  const top = object(raw, at);
  onlyKeys(top, at, ['detectors']);
  if (!Array.isArray(top.detectors)) throw new DetectorConfigError(`${at}: "detectors" must be a list.`);
  const names = new Set<string>();
  const detectors = top.detectors.map((entry, i): DetectorConfig => {
    const where = `${at}: detectors[${i}]`;
    const d = object(entry, where);
    const name = string(d, 'name', where);
    if (!NAME_RE.test(name)) throw new DetectorConfigError(`${where}.name '${name}' must be 1-64 letters, digits, '.', '_' or '-'.`);
    if (names.has(name)) throw new DetectorConfigError(`${where}.name '${name}' is used twice; detector names must be unique.`);
    names.add(name);
    const w = `${at}: detector '${name}'`;
    const kind = oneOf(d, 'kind', w, ['onnx', 'llm-judge'] as const);
    const common: CommonConfig = {
      name,
      timeoutMs: integer(d, 'timeoutMs', w, 1, MAX_DETECTOR_TIMEOUT_MS, DEFAULT_TIMEOUT_MS[kind]),
      guardrails: guardrailSelectors(d, w),
      sources: sources(d, w),
    };
    const t = thresholds(d, 'thresholds', w);
    if (t) common.thresholds = t;
    if (kind === 'onnx') {
      onlyKeys(d, w, [...COMMON, 'path', 'threads']);
      const path = resolve(baseDir, string(d, 'path', w));
      readManifest(path); // a missing or malformed model directory is a configuration error, found now
      const threads = d.threads === undefined ? undefined : integer(d, 'threads', w, 1, 64);
      return { ...common, kind, path, ...(threads ? { threads } : {}) };
    }
    onlyKeys(d, w, [...COMMON, 'endpoint', 'model', 'format', 'promptTemplate', 'system', 'apiKeyEnv', 'maxTokens', 'maxChars', 'categories']);
    const endpoint = string(d, 'endpoint', w);
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new DetectorConfigError(`${w}.endpoint '${endpoint}' is not a URL (like http://127.0.0.1:8000).`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new DetectorConfigError(`${w}.endpoint must be an http:// or https:// URL, got '${endpoint}'.`);
    const promptTemplate = optionalString(d, 'promptTemplate', w);
    if (promptTemplate !== undefined && !promptTemplate.includes('{{text}}'))
      throw new DetectorConfigError(`${w}.promptTemplate must contain {{text}} (where the checked text goes).`);
    const system = optionalString(d, 'system', w);
    const apiKeyEnv = optionalString(d, 'apiKeyEnv', w);
    const apiKey = apiKeyEnv === undefined ? undefined : env[apiKeyEnv];
    if (apiKeyEnv !== undefined && !apiKey)
      throw new DetectorConfigError(`${w}.apiKeyEnv names the environment variable ${apiKeyEnv}, which is not set.`);
    const categories = categoryOverrides(d, w);
    return {
      ...common,
      kind,
      endpoint,
      model: string(d, 'model', w),
      format: oneOf(d, 'format', w, ['llama-guard', 'json'] as const, 'llama-guard'),
      ...(promptTemplate ? { promptTemplate } : {}),
      ...(system ? { system } : {}),
      ...(apiKey ? { apiKey } : {}),
      maxTokens: integer(d, 'maxTokens', w, 1, 4096, 64),
      maxChars: integer(d, 'maxChars', w, 100, 1_000_000, 16_000),
      ...(categories ? { categories } : {}),
    };
  });
  return { detectors };
}

function guardrailSelectors(d: Json, w: string): string[] {
  const g = d.guardrails;
  if (!Array.isArray(g) || !g.length)
    throw new DetectorConfigError(`${w}.guardrails must list the guardrails it serves: "*" for all, or guardrail ids, ARNs or ARN:version.`);
  return g.map((s, k) => {
    if (typeof s !== 'string' || !(s === '*' || GUARDRAIL_ID_RE.test(s) || GUARDRAIL_ARN_RE.test(s)))
      throw new DetectorConfigError(
        `${w}.guardrails[${k}] is ${JSON.stringify(s)}: expected "*", a guardrail id, arn:aws:bedrock:<region>:<account>:guardrail/<id>, or that ARN with :<version>.`,
      );
    return s;
  });
}

function sources(d: Json, w: string): Source[] {
  if (d.sources === undefined) return ['INPUT', 'OUTPUT'];
  const s = d.sources;
  if (!Array.isArray(s) || !s.length || s.some((x) => x !== 'INPUT' && x !== 'OUTPUT'))
    throw new DetectorConfigError(`${w}.sources must be a non-empty list of "INPUT" and/or "OUTPUT".`);
  return [...new Set(s as Source[])];
}

function categoryOverrides(d: Json, w: string): Record<string, ContentFilterType | null> | undefined {
  if (d.categories === undefined) return undefined;
  const c = object(d.categories, `${w}.categories`);
  const out: Record<string, ContentFilterType | null> = {};
  for (const [code, type] of Object.entries(c)) {
    if (type !== null && !(CONTENT_FILTER_TYPES as readonly unknown[]).includes(type))
      throw new DetectorConfigError(`${w}.categories.${code} must be one of ${CONTENT_FILTER_TYPES.join(', ')}, or null to ignore the code.`);
    out[code.toUpperCase()] = type as ContentFilterType | null;
  }
  return out;
}

interface Entry {
  binding: DetectorBinding;
  guardrails: readonly string[];
}

/** The loaded detectors, and which guardrails each one serves. */
export class DetectorRegistry {
  readonly #entries: readonly Entry[];

  constructor(entries: readonly Entry[]) {
    this.#entries = entries;
  }

  get size(): number {
    return this.#entries.length;
  }

  /** The detectors for one guardrail version, in configuration order; undefined when none. */
  forGuardrail(arn: string, guardrailId: string, version: number | 'DRAFT' | string): readonly DetectorBinding[] | undefined {
    let out: DetectorBinding[] | undefined;
    for (const e of this.#entries)
      if (e.guardrails.some((s) => s === '*' || s === guardrailId || s === arn || s === `${arn}:${version}`)) (out ??= []).push(e.binding);
    return out;
  }

  /** One line per detector, for the `parapet serve` banner. */
  describe(): string[] {
    return this.#entries.map(
      (e) =>
        `${e.binding.detector.name} (${e.binding.detector.kind}, ${e.binding.timeoutMs} ms, ${[...e.binding.sources].join('+')}) → ${e.guardrails.join(', ')}`,
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.#entries.map((e) => e.binding.detector.close?.().catch(() => undefined)));
  }
}

/** Opens every configured detector (ONNX sessions load and are checked now). */
export async function loadDetectors(config: DetectorsConfig, opts: { fetch?: typeof fetch } = {}): Promise<DetectorRegistry> {
  const entries: Entry[] = [];
  try {
    for (const c of config.detectors) {
      const detector: Detector =
        c.kind === 'onnx'
          ? await loadOnnxDetector({ name: c.name, dir: c.path, ...(c.threads ? { threads: c.threads } : {}) })
          : createLlmJudge({ ...c, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
      const modelThresholds = c.kind === 'onnx' ? (detector as Detector & { manifest?: { thresholds?: ConfidenceThresholds } }).manifest?.thresholds : undefined;
      const t = c.thresholds ?? modelThresholds;
      entries.push({
        binding: { detector, timeoutMs: c.timeoutMs, sources: new Set(c.sources), ...(t ? { thresholds: t } : {}) },
        guardrails: c.guardrails,
      });
    }
  } catch (err) {
    await new DetectorRegistry(entries).close();
    throw err;
  }
  return new DetectorRegistry(entries);
}

