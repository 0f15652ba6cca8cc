/**
 * A local ONNX text classifier as an external detector. A model directory holds `model.onnx` and
 * `parapet-detector.json`, which says how text becomes the model's input (a hashed bag of words, or WordPiece
 * token ids from a `vocab.txt`) and which output column is which content-filter category:
 *
 * {
 *   "input":  { "type": "hashed-bag-of-words", "name": "features", "dims": 4096, "ngrams": 2, "binary": false, "normalize": "l2" }
 *          or { "type": "token-ids", "name": "input_ids", "vocab": "vocab.txt", "maxLength": 256, "lowercase": true,
 *               "attentionMask": "attention_mask", "tokenTypeIds": "token_type_ids" },
 *   "output": { "name": "scores", "activation": "sigmoid", "labels": ["HATE", "INSULTS", null, "PROMPT_ATTACK"] },
 *   "thresholds": { "LOW": 0.25, "MEDIUM": 0.5, "HIGH": 0.75 }
 * }
 *
 * onnxruntime-node is an optional dependency, loaded only when a model is configured. Inference runs on the
 * event-loop thread (onnxruntime-node's `run` is synchronous behind a setImmediate), so keep these models small.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTENT_FILTER_TYPES, type ContentFilterType } from '../../engine/config/types.ts';
import type { ConfidenceThresholds, ExternalFindings } from '../../engine/external.ts';
import {
  boolean,
  DetectorConfigError,
  integer,
  type Json,
  object,
  oneOf,
  onlyKeys,
  optionalString,
  string,
  thresholds,
} from './config-errors.ts';
import { type HashedBowSpec, hashedBagOfWords, idWindows, parseVocab, type WordPieceSpec, wordPieceIds } from './onnx-features.ts';
import type { DetectContext, Detector } from './types.ts';

export const MANIFEST_FILE = 'parapet-detector.json';
export const MODEL_FILE = 'model.onnx';

type InputSpec =
  | ({ type: 'hashed-bag-of-words'; name?: string } & HashedBowSpec)
  | ({ type: 'token-ids'; name?: string; attentionMask?: string; tokenTypeIds?: string } & WordPieceSpec);

export interface OnnxManifest {
  input: InputSpec;
  output: { name?: string; activation: 'sigmoid' | 'softmax' | 'none'; labels: Array<ContentFilterType | null> };
  thresholds?: ConfidenceThresholds;
}

/** Reads and checks a model directory's manifest (and vocabulary). Throws DetectorConfigError. */
export function readManifest(dir: string): OnnxManifest {
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(join(dir, MODEL_FILE))) throw new DetectorConfigError(`The ONNX model directory ${dir} has no ${MODEL_FILE}.`);
  if (!existsSync(file)) throw new DetectorConfigError(`The ONNX model directory ${dir} has no ${MANIFEST_FILE} (it says how text becomes the model's input).`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DetectorConfigError(`${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseManifest(raw, dir, file);
}

export function parseManifest(raw: unknown, dir: string, at: string): OnnxManifest {
  const m = object(raw, at);
  onlyKeys(m, at, ['input', 'output', 'thresholds']);
  const i = object(m.input, `${at}: input`);
  const ia = `${at}: input`;
  const type = oneOf(i, 'type', ia, ['hashed-bag-of-words', 'token-ids'] as const);
  const name = optionalString(i, 'name', ia);
  let input: InputSpec;
  if (type === 'hashed-bag-of-words') {
    onlyKeys(i, ia, ['type', 'name', 'dims', 'ngrams', 'binary', 'normalize', 'lowercase']);
    input = {
      type,
      ...(name ? { name } : {}),
      dims: integer(i, 'dims', ia, 1, 1 << 22),
      ngrams: integer(i, 'ngrams', ia, 1, 3, 1),
      binary: boolean(i, 'binary', ia, false),
      normalize: oneOf(i, 'normalize', ia, ['l2', 'none'] as const, 'none'),
      lowercase: boolean(i, 'lowercase', ia, true),
    };
  } else {
    onlyKeys(i, ia, ['type', 'name', 'vocab', 'maxLength', 'lowercase', 'attentionMask', 'tokenTypeIds', 'clsToken', 'sepToken', 'unkToken']);
    const vocabFile = join(dir, string(i, 'vocab', ia));
    if (!existsSync(vocabFile)) throw new DetectorConfigError(`${ia}.vocab: ${vocabFile} does not exist.`);
    const attentionMask = optionalString(i, 'attentionMask', ia);
    const tokenTypeIds = optionalString(i, 'tokenTypeIds', ia);
    input = {
      type,
      ...(name ? { name } : {}),
      ...(attentionMask ? { attentionMask } : {}),
      ...(tokenTypeIds ? { tokenTypeIds } : {}),
      vocab: parseVocab(readFileSync(vocabFile, 'utf8')),
      maxLength: integer(i, 'maxLength', ia, 3, 8192, 512),
      lowercase: boolean(i, 'lowercase', ia, true),
      clsToken: optionalString(i, 'clsToken', ia) ?? '[CLS]',
      sepToken: optionalString(i, 'sepToken', ia) ?? '[SEP]',
      unkToken: optionalString(i, 'unkToken', ia) ?? '[UNK]',
    };
    for (const tok of [input.clsToken, input.sepToken, input.unkToken])
      if (!input.vocab.has(tok)) throw new DetectorConfigError(`${ia}: the vocabulary ${vocabFile} has no '${tok}' token.`);
  }
  const oa = `${at}: output`;
  const o = object(m.output, oa);
  onlyKeys(o, oa, ['name', 'activation', 'labels']);
  const labels = o.labels;
  if (!Array.isArray(labels) || !labels.length)
    throw new DetectorConfigError(`${oa}.labels must list, per output column, a category (${CONTENT_FILTER_TYPES.join(', ')}) or null.`);
  labels.forEach((l, k) => {
    if (l !== null && !(CONTENT_FILTER_TYPES as readonly unknown[]).includes(l))
      throw new DetectorConfigError(`${oa}.labels[${k}] is ${JSON.stringify(l)}: expected one of ${CONTENT_FILTER_TYPES.join(', ')}, or null for a column to ignore.`);
  });
  const outName = optionalString(o, 'name', oa);
  const t = thresholds(m, 'thresholds', at);
  return {
    input,
    output: { ...(outName ? { name: outName } : {}), activation: oneOf(o, 'activation', oa, ['sigmoid', 'softmax', 'none'] as const), labels: labels as Array<ContentFilterType | null> },
    ...(t ? { thresholds: t } : {}),
  };
}

type Ort = typeof import('onnxruntime-node');
type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;

let ortModule: Promise<Ort> | undefined;

/** onnxruntime-node, imported on first use; a clear configuration error when the optional package is missing. */
export function loadOnnxRuntime(): Promise<Ort> {
  ortModule ??= import('onnxruntime-node').catch((err: unknown) => {
    ortModule = undefined;
    throw new DetectorConfigError(
      'ONNX detectors need the optional package onnxruntime-node, which could not be loaded ' +
        `(${err instanceof Error ? err.message.split('\n')[0] : String(err)}). Install it with \`npm install onnxruntime-node\`; ` +
        'its install script may stay disabled (package.json allowScripts), the CPU binaries ship inside the package.',
    );
  });
  return ortModule;
}

export interface OnnxDetectorOptions {
  name: string;
  dir: string;
  /** Threads one inference may use (default 1: the gateway serves many calls at once). */
  threads?: number;
}

/** Loads the model directory and checks it answers, so a broken model fails at start, not on every call. */
export async function loadOnnxDetector(opts: OnnxDetectorOptions): Promise<Detector & { manifest: OnnxManifest }> {
  const manifest = readManifest(opts.dir);
  const ort = await loadOnnxRuntime();
  let session: Session;
  try {
    session = await ort.InferenceSession.create(join(opts.dir, MODEL_FILE), {
      executionProviders: ['cpu'],
      intraOpNumThreads: opts.threads ?? 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
  } catch (err) {
    throw new DetectorConfigError(`Detector '${opts.name}': ${join(opts.dir, MODEL_FILE)} could not be loaded: ${err instanceof Error ? err.message : String(err)}`);
  }
  const detector = new OnnxDetector(opts.name, ort, session, manifest);
  try {
    await detector.score('parapet start-up check');
  } catch (err) {
    await session.release().catch(() => undefined);
    throw new DetectorConfigError(
      `Detector '${opts.name}': the model in ${opts.dir} does not fit its ${MANIFEST_FILE}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return detector;
}

class OnnxDetector implements Detector {
  readonly kind = 'onnx' as const;
  readonly name: string;
  readonly manifest: OnnxManifest;
  readonly #ort: Ort;
  readonly #session: Session;
  readonly #inputName: string;
  readonly #outputName: string;

  constructor(name: string, ort: Ort, session: Session, manifest: OnnxManifest) {
    this.name = name;
    this.#ort = ort;
    this.#session = session;
    this.manifest = manifest;
    const inputName = manifest.input.name ?? session.inputNames[0];
    const outputName = manifest.output.name ?? session.outputNames[0];
    if (!inputName || !session.inputNames.includes(inputName))
      throw new DetectorConfigError(`Detector '${name}': the model has no input '${inputName}' (it has ${session.inputNames.join(', ')}).`);
    if (!outputName || !session.outputNames.includes(outputName))
      throw new DetectorConfigError(`Detector '${name}': the model has no output '${outputName}' (it has ${session.outputNames.join(', ')}).`);
    for (const extra of manifest.input.type === 'token-ids' ? [manifest.input.attentionMask, manifest.input.tokenTypeIds] : [])
      if (extra && !session.inputNames.includes(extra))
        throw new DetectorConfigError(`Detector '${name}': the model has no input '${extra}' (it has ${session.inputNames.join(', ')}).`);
    this.#inputName = inputName;
    this.#outputName = outputName;
  }

  async detect(text: string, ctx: DetectContext): Promise<ExternalFindings['scores']> {
    return this.score(text, ctx.signal);
  }

  /** Per labelled category, the highest probability over the text's windows. */
  async score(text: string, signal?: AbortSignal): Promise<ExternalFindings['scores']> {
    const { input } = this.manifest;
    const best: number[] = [];
    if (input.type === 'hashed-bag-of-words') {
      const feeds = { [this.#inputName]: new this.#ort.Tensor('float32', hashedBagOfWords(text, input), [1, input.dims]) };
      this.#take(best, await this.#session.run(feeds));
    } else {
      for (const window of idWindows(wordPieceIds(text, input), input)) {
        signal?.throwIfAborted();
        const dims = [1, window.length];
        const feeds: Record<string, InstanceType<Ort['Tensor']>> = {
          [this.#inputName]: new this.#ort.Tensor('int64', BigInt64Array.from(window, BigInt), dims),
        };
        if (input.attentionMask) feeds[input.attentionMask] = new this.#ort.Tensor('int64', new BigInt64Array(window.length).fill(1n), dims);
        if (input.tokenTypeIds) feeds[input.tokenTypeIds] = new this.#ort.Tensor('int64', new BigInt64Array(window.length), dims);
        this.#take(best, await this.#session.run(feeds));
      }
    }
    const scores: ExternalFindings['scores'] = {};
    this.manifest.output.labels.forEach((label, k) => {
      if (label) scores[label] = Math.max(scores[label] as number | undefined ?? 0, best[k] ?? 0);
    });
    return scores;
  }

  #take(best: number[], out: Record<string, { data: unknown; dims: readonly number[] }>): void {
    const t = out[this.#outputName];
    const { labels, activation } = this.manifest.output;
    if (!t || !(t.data instanceof Float32Array))
      throw new Error(`output '${this.#outputName}' is not a float32 tensor`);
    if (t.data.length !== labels.length)
      throw new Error(`output '${this.#outputName}' has ${t.data.length} values (shape [${t.dims.join(', ')}]) but ${labels.length} labels are configured`);
    const probs = activate(Array.from(t.data), activation);
    probs.forEach((p, k) => {
      best[k] = Math.max(best[k] ?? 0, p);
    });
  }

  async close(): Promise<void> {
    await this.#session.release();
  }
}

export function activate(logits: number[], activation: OnnxManifest['output']['activation']): number[] {
  if (activation === 'sigmoid') return logits.map((x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))));
  if (activation === 'softmax') {
    const max = Math.max(...logits);
    const e = logits.map((x) => Math.exp(x - max));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / sum);
  }
  // 'none': the model outputs probabilities already; clamp so a stray value cannot leave [0, 1].
  return logits.map((x) => (Number.isNaN(x) ? Number.NaN : Math.min(1, Math.max(0, x))));
}
