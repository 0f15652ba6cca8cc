/** The detectors file: what it accepts, the errors it gives, and which guardrails each detector serves. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeBagOfWordsModel } from '../../../test/helpers/onnx-model.ts';
import { DetectorConfigError, DetectorRegistry, loadDetectors, parseDetectorsConfig, readDetectorsFile } from './registry.ts';
import type { Detector, DetectorBinding } from './types.ts';

const ARN = 'arn:aws:bedrock:us-east-1:111122223333:guardrail/abcd1234';
const judge = (extra: Record<string, unknown> = {}) => ({
  name: 'guard',
  kind: 'llm-judge',
  endpoint: 'http://127.0.0.1:8000',
  model: 'llama-guard',
  guardrails: ['*'],
  ...extra,
});

describe('detectors file', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'parapet-detectors-'));
    writeBagOfWordsModel({ dir: join(dir, 'models', 'tox'), dims: 4, weights: new Float32Array(4), bias: new Float32Array(1), labels: ['HATE'] });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file with both kinds; defaults filled in, model paths from the file’s folder, the API key from the environment', () => {
    const file = join(dir, 'detectors.json');
    writeFileSync(
      file,
      JSON.stringify({
        detectors: [
          { name: 'tox', kind: 'onnx', path: 'models/tox', guardrails: [ARN], sources: ['INPUT'] },
          judge({ apiKeyEnv: 'JUDGE_KEY', timeoutMs: 1500, categories: { s6: null }, thresholds: { LOW: 0.3, MEDIUM: 0.6, HIGH: 0.9 } }),
        ],
      }),
    );
    assert.deepEqual(readDetectorsFile(file, { JUDGE_KEY: 'sk-1' }), {
      detectors: [
        { name: 'tox', kind: 'onnx', path: join(dir, 'models', 'tox'), timeoutMs: 1000, guardrails: [ARN], sources: ['INPUT'] },
        {
          name: 'guard',
          kind: 'llm-judge',
          endpoint: 'http://127.0.0.1:8000',
          model: 'llama-guard',
          format: 'llama-guard',
          apiKey: 'sk-1',
          maxTokens: 64,
          maxChars: 16000,
          categories: { S6: null },
          timeoutMs: 1500,
          guardrails: ['*'],
          sources: ['INPUT', 'OUTPUT'],
          thresholds: { LOW: 0.3, MEDIUM: 0.6, HIGH: 0.9 },
        },
      ],
    });
  });

  const refused: Array<[string, unknown, RegExp]> = [
    ['no detectors list', {}, /"detectors" must be a list/],
    ['an unknown top-level field', { detectors: [], models: [] }, /unknown field 'models'/],
    ['a nameless detector', { detectors: [{ kind: 'onnx' }] }, /detectors\[0\]\.name must be a non-empty string/],
    ['a bad name', { detectors: [judge({ name: 'has space' })] }, /name 'has space' must be 1-64 letters/],
    ['a name used twice', { detectors: [judge(), judge()] }, /'guard' is used twice/],
    ['an unknown kind', { detectors: [judge({ kind: 'regex' })] }, /detector 'guard'\.kind must be one of "onnx", "llm-judge", got "regex"/],
    ['no guardrails', { detectors: [judge({ guardrails: [] })] }, /guardrails must list the guardrails it serves/],
    ['a guardrail that is no id or ARN', { detectors: [judge({ guardrails: ['My Guardrail'] })] }, /guardrails\[0\] is "My Guardrail"/],
    ['bad sources', { detectors: [judge({ sources: ['PROMPT'] })] }, /sources must be a non-empty list of "INPUT" and\/or "OUTPUT"/],
    ['a zero timeout', { detectors: [judge({ timeoutMs: 0 })] }, /timeoutMs must be a whole number from 1 to 60000, got 0/],
    ['a typo', { detectors: [judge({ timeout: 100 })] }, /unknown field 'timeout'/],
    ['an endpoint that is no URL', { detectors: [judge({ endpoint: 'localhost:8000' })] }, /must be an http:\/\/ or https:\/\/ URL|is not a URL/],
    ['a template without {{text}}', { detectors: [judge({ promptTemplate: 'Is this OK?' })] }, /promptTemplate must contain \{\{text\}\}/],
    ['an unset API key variable', { detectors: [judge({ apiKeyEnv: 'NOPE_KEY' })] }, /environment variable NOPE_KEY, which is not set/],
    ['a category mapped to nothing known', { detectors: [judge({ categories: { S1: 'GORE' } })] }, /categories\.S1 must be one of/],
    ['an ONNX detector without a path', { detectors: [{ name: 'x', kind: 'onnx', guardrails: ['*'] }] }, /\.path must be a non-empty string/],
    ['an ONNX model directory that is not there', { detectors: [{ name: 'x', kind: 'onnx', path: 'nowhere', guardrails: ['*'] }] }, /nowhere has no model\.onnx/],
  ];
  for (const [name, raw, error] of refused)
    it(`refuses ${name}`, () =>
      assert.throws(() => parseDetectorsConfig(raw, dir, {}), (e: unknown) => e instanceof DetectorConfigError && error.test(e.message)));

  it('a file that is not JSON, or not there', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ detectors: ');
    assert.throws(() => readDetectorsFile(bad), /bad\.json is not valid JSON/);
    assert.throws(() => readDetectorsFile(join(dir, 'missing.json')), /missing\.json cannot be read/);
  });

  it('loads what it read: the ONNX model is opened and checked, the judge is ready', async () => {
    const config = parseDetectorsConfig(
      { detectors: [{ name: 'tox', kind: 'onnx', path: 'models/tox', guardrails: ['*'] }, judge({ guardrails: [ARN] })] },
      dir,
      {},
    );
    const registry = await loadDetectors(config);
    try {
      assert.equal(registry.size, 2);
      assert.deepEqual(registry.describe(), ['tox (onnx, 1000 ms, INPUT+OUTPUT) → *', `guard (llm-judge, 2000 ms, INPUT+OUTPUT) → ${ARN}`]);
    } finally {
      await registry.close();
    }
  });
});

describe('which guardrails a detector serves', () => {
  const fake = (name: string): DetectorBinding => ({
    detector: { name, kind: 'llm-judge', detect: async () => ({}) } satisfies Detector,
    timeoutMs: 100,
    sources: new Set(['INPUT']),
  });
  const registry = new DetectorRegistry([
    { binding: fake('all'), guardrails: ['*'] },
    { binding: fake('by-id'), guardrails: ['abcd1234'] },
    { binding: fake('by-arn'), guardrails: [ARN] },
    { binding: fake('v2-only'), guardrails: [`${ARN}:2`] },
    { binding: fake('draft-only'), guardrails: [`${ARN}:DRAFT`] },
    { binding: fake('other'), guardrails: ['zzzz9999'] },
  ]);
  const names = (version: number | 'DRAFT', arn = ARN, id = 'abcd1234') => registry.forGuardrail(arn, id, version)?.map((b) => b.detector.name);

  it('"*", the id, the ARN, or ARN:version', () => {
    assert.deepEqual(names(1), ['all', 'by-id', 'by-arn']);
    assert.deepEqual(names(2), ['all', 'by-id', 'by-arn', 'v2-only']);
    assert.deepEqual(names('DRAFT'), ['all', 'by-id', 'by-arn', 'draft-only']);
    assert.deepEqual(names(1, 'arn:aws:bedrock:us-east-1:111122223333:guardrail/zzzz9999', 'zzzz9999'), ['all', 'other']);
  });

  it('none configured for a guardrail: undefined (the synchronous path)', () => {
    const only = new DetectorRegistry([{ binding: fake('x'), guardrails: ['zzzz9999'] }]);
    assert.equal(only.forGuardrail(ARN, 'abcd1234', 1), undefined);
  });
});
