/** ONNX detectors on tiny models written by the test: features, windows, the manifest's checks, failing closed. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { compile } from '../../engine/compile.ts';
import { writeBagOfWordsModel, writeTokenIdsModel } from '../../../test/helpers/onnx-model.ts';
import { DetectorConfigError } from './config-errors.ts';
import { activate, loadOnnxDetector, parseManifest } from './onnx.ts';
import { basicTokens, fnv1a32, hashedBagOfWords, idWindows, parseVocab, wordPieceIds } from './onnx-features.ts';
import { startDetection } from './run.ts';

describe('features', () => {
  it('FNV-1a 32 (the standard test vectors)', () => {
    assert.equal(fnv1a32(''), 0x811c9dc5);
    assert.equal(fnv1a32('a'), 0xe40c292c);
    assert.equal(fnv1a32('foobar'), 0xbf9cf968);
  });

  it('hashed bag of words: lower-cased word counts, n-grams, binary, L2', () => {
    const spec = { dims: 1024, ngrams: 1, binary: false, normalize: 'none' as const, lowercase: true };
    const v = hashedBagOfWords('Kill, kill! KILL the bug', spec);
    assert.equal(v[fnv1a32('kill') % 1024], 3);
    assert.equal(v[fnv1a32('bug') % 1024], 1);
    assert.equal(v.reduce((a, b) => a + b, 0), 5);
    const bi = hashedBagOfWords('kill the bug', { ...spec, ngrams: 2 });
    assert.equal(bi[fnv1a32('the bug') % 1024], 1);
    assert.equal(bi.reduce((a, b) => a + b, 0), 5);
    assert.equal(hashedBagOfWords('kill kill', { ...spec, binary: true })[fnv1a32('kill') % 1024], 1);
    const l2 = hashedBagOfWords('a b', { ...spec, normalize: 'l2' });
    assert.ok(Math.abs(l2.reduce((s, x) => s + x * x, 0) - 1) < 1e-6);
  });

  it('WordPiece: basic split, longest match with ## pieces, [UNK], windows with [CLS]/[SEP]', () => {
    const vocab = parseVocab(['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'un', '##aff', '##able', 'hello', '!', 'cafe'].join('\n'));
    const spec = { vocab, lowercase: true, maxLength: 5, clsToken: '[CLS]', sepToken: '[SEP]', unkToken: '[UNK]' };
    assert.deepEqual(basicTokens('Hello, Café!', true), ['hello', ',', 'cafe', '!']);
    assert.deepEqual(wordPieceIds('Unaffable hello! xyz', spec), [4, 5, 6, 7, 8, 1]);
    assert.deepEqual(idWindows([4, 5, 6, 7, 8], spec), [
      [2, 4, 5, 6, 3],
      [2, 7, 8, 3],
    ]);
    assert.deepEqual(idWindows([], spec), [[2, 3]]);
  });

  it('activations', () => {
    assert.deepEqual(activate([0], 'sigmoid'), [0.5]);
    const soft = activate([1, 1], 'softmax');
    assert.deepEqual(soft, [0.5, 0.5]);
    assert.deepEqual(activate([1.5, -0.2, 0.3], 'none'), [1, 0, 0.3]);
  });
});

describe('the manifest', () => {
  const ok = { input: { type: 'hashed-bag-of-words', dims: 8 }, output: { activation: 'sigmoid', labels: ['HATE', null] } };
  const cases: Array<[string, unknown, RegExp]> = [
    ['not an object', [], /must be a JSON object/],
    ['an unknown field', { ...ok, extra: 1 }, /unknown field 'extra'/],
    ['an unknown input type', { ...ok, input: { type: 'images' } }, /input\.type must be one of "hashed-bag-of-words", "token-ids", got "images"/],
    ['dims missing', { ...ok, input: { type: 'hashed-bag-of-words' } }, /input\.dims must be a whole number from 1/],
    ['a typo in the input', { ...ok, input: { type: 'hashed-bag-of-words', dims: 8, ngram: 2 } }, /unknown field 'ngram'/],
    ['no labels', { ...ok, output: { activation: 'sigmoid', labels: [] } }, /labels must list, per output column/],
    ['a label that is no category', { ...ok, output: { activation: 'sigmoid', labels: ['TOXIC'] } }, /labels\[0\] is "TOXIC"/],
    ['an unknown activation', { ...ok, output: { activation: 'relu', labels: ['HATE'] } }, /activation must be one of/],
    ['thresholds out of order', { ...ok, thresholds: { LOW: 0.5, MEDIUM: 0.4, HIGH: 0.9 } }, /LOW <= MEDIUM <= HIGH/],
    ['a vocabulary that does not exist', { ...ok, input: { type: 'token-ids', vocab: 'missing.txt' } }, /missing\.txt does not exist/],
  ];
  for (const [name, raw, error] of cases)
    it(`refuses ${name}`, () => assert.throws(() => parseManifest(raw, '/nonexistent', 'm.json'), (e: unknown) => e instanceof DetectorConfigError && error.test(e.message)));

  it('accepts a minimal one, with defaults', () => {
    assert.deepEqual(parseManifest(ok, '/nonexistent', 'm.json'), {
      input: { type: 'hashed-bag-of-words', dims: 8, ngrams: 1, binary: false, normalize: 'none', lowercase: true },
      output: { activation: 'sigmoid', labels: ['HATE', null] },
    });
  });
});

describe('ONNX models (onnxruntime-node)', () => {
  let dir: string;
  const DIMS = 64;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'parapet-onnx-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A bag-of-words model: "kill" → VIOLENCE, "vermin" → HATE (logit +10 over a bias of -5). */
  function bow(name: string, labels: Array<string | null> = ['VIOLENCE', 'HATE']): string {
    const C = labels.length;
    const W = new Float32Array(DIMS * C);
    W[(fnv1a32('kill') % DIMS) * C + 0] = 10;
    if (C > 1) W[(fnv1a32('vermin') % DIMS) * C + 1] = 10;
    return writeBagOfWordsModel({ dir: join(dir, name), dims: DIMS, weights: W, bias: new Float32Array(C).fill(-5), labels });
  }

  it('a hashed bag-of-words model scores each labelled category', async () => {
    const d = await loadOnnxDetector({ name: 'bow', dir: bow('bow') });
    const ctx = { source: 'INPUT' as const, categories: [], signal: new AbortController().signal };
    const hit = await d.detect('I will kill them, the vermin', ctx);
    assert.ok((hit.VIOLENCE as number) > 0.99 && (hit.HATE as number) > 0.99);
    const miss = await d.detect('hello there', ctx);
    assert.ok((miss.VIOLENCE as number) < 0.01 && (miss.HATE as number) < 0.01);
    await d.close?.();
  });

  it('a token-ids model reads a long text whole, window by window', async () => {
    const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'hello', 'kill', '##ing'];
    const E = new Float32Array(vocab.length * 2);
    E[5 * 2 + 0] = 10;
    const d = await loadOnnxDetector({
      name: 'tok',
      dir: writeTokenIdsModel({ dir: join(dir, 'tok'), vocab, embeddings: E, bias: new Float32Array([-5, -5]), labels: ['VIOLENCE', null], maxLength: 8 }),
    });
    const ctx = { source: 'INPUT' as const, categories: [], signal: new AbortController().signal };
    // "killing" sits in the fifth window of six tokens.
    const late = await d.detect(`${'hello '.repeat(26)}killing hello`, ctx);
    assert.ok((late.VIOLENCE as number) > 0.99, JSON.stringify(late));
    assert.deepEqual(Object.keys(late), ['VIOLENCE']);
    const none = await d.detect('hello hello', ctx);
    assert.ok((none.VIOLENCE as number) < 0.01);
    await d.close?.();
  });

  it('a manifest that does not fit the model is a configuration error at load, not a failure per call', async () => {
    const d = bow('three', ['VIOLENCE', 'HATE']);
    writeFileSync(
      join(d, 'parapet-detector.json'),
      JSON.stringify({ input: { type: 'hashed-bag-of-words', dims: DIMS }, output: { activation: 'none', labels: ['VIOLENCE', 'HATE', 'SEXUAL'] } }),
    );
    await assert.rejects(loadOnnxDetector({ name: 'three', dir: d }), (e: unknown) => e instanceof DetectorConfigError && /has 2 values .* but 3 labels are configured/.test(e.message));
    writeFileSync(join(d, 'parapet-detector.json'), JSON.stringify({ input: { type: 'hashed-bag-of-words', name: 'nope', dims: DIMS }, output: { activation: 'none', labels: ['VIOLENCE', 'HATE'] } }));
    await assert.rejects(loadOnnxDetector({ name: 'three', dir: d }), /the model has no input 'nope' \(it has features\)/);
    writeFileSync(join(d, 'parapet-detector.json'), JSON.stringify({ input: { type: 'hashed-bag-of-words', dims: DIMS + 1 }, output: { activation: 'none', labels: ['VIOLENCE', 'HATE'] } }));
    await assert.rejects(loadOnnxDetector({ name: 'three', dir: d }), /does not fit its parapet-detector\.json/);
  });

  it('a directory without model.onnx, or with a corrupt one, is a configuration error', async () => {
    await assert.rejects(loadOnnxDetector({ name: 'x', dir: join(dir, 'nothing') }), /has no model\.onnx/);
    const d = bow('corrupt');
    writeFileSync(join(d, 'model.onnx'), 'not a model');
    await assert.rejects(loadOnnxDetector({ name: 'corrupt', dir: d }), /model\.onnx could not be loaded/);
  });

  it('through the detector runner: findings for the guardrail, and a timeout fails closed', async () => {
    const compiled = compile({
      name: 'g',
      blockedInputMessaging: 'blocked',
      blockedOutputsMessaging: 'blocked',
      contentPolicyConfig: { filtersConfig: [{ type: 'VIOLENCE', inputStrength: 'LOW', outputStrength: 'LOW' }] },
    });
    const detector = await loadOnnxDetector({ name: 'bow', dir: bow('runner') });
    const request = { source: 'INPUT' as const, content: [{ text: 'kill' }] };
    const ok = await startDetection([{ detector, timeoutMs: 10_000, sources: new Set(['INPUT'] as const) }], compiled, request, { now: () => performance.now() })?.done;
    assert.equal(ok?.failure, undefined);
    assert.ok((ok?.findings[0]?.scores.VIOLENCE as number) > 0.99);
    // A detector that never answers in time (its deadline is below what one inference step takes).
    const slow = { ...detector, name: 'bow', kind: 'onnx' as const, detect: () => new Promise<never>(() => undefined) };
    const late = await startDetection([{ detector: slow, timeoutMs: 5, sources: new Set(['INPUT'] as const) }], compiled, request, { now: () => performance.now() })?.done;
    assert.equal(late?.failure, "detector 'bow' (onnx) timed out after 5 ms");
    await detector.close?.();
  });
});
