/** External detectors' findings judged by the guardrail's own content-filter settings (tables). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AssessRequest, assess } from './assess.ts';
import { compile } from './compile.ts';
import type { BlockAction, Confidence, ContentFilterConfig, FilterStrength, GuardrailConfig } from './config/types.ts';
import { blockForFailure, type ExternalFindings, externalCategories, externalText, mergeExternal, scoreConfidence } from './external.ts';

// Kept trivial so that the shipped classifier (trained by others, changing) finds nothing in it.
const BENIGN = 'hello';

function guardrail(filters: ContentFilterConfig[]): ReturnType<typeof compile> {
  const config: GuardrailConfig = {
    name: 'g',
    blockedInputMessaging: 'IN-BLOCKED',
    blockedOutputsMessaging: 'OUT-BLOCKED',
    contentPolicyConfig: { filtersConfig: filters },
  };
  return compile(config);
}

const hate = (inputStrength: FilterStrength, extra: Partial<ContentFilterConfig> = {}): ContentFilterConfig => ({
  type: 'HATE',
  inputStrength,
  outputStrength: inputStrength,
  ...extra,
});

function run(compiled: ReturnType<typeof compile>, request: AssessRequest, findings: ExternalFindings[]) {
  const shipped = assess(compiled, request);
  return { shipped, ...mergeExternal(compiled, request, shipped, findings) };
}

const input = (text = BENIGN, extra: Partial<AssessRequest> = {}): AssessRequest => ({ source: 'INPUT', content: [{ text }], ...extra });
const judge = (scores: ExternalFindings['scores'], detector = 'judge'): ExternalFindings => ({ detector, scores });

describe('scores → confidence', () => {
  const table: Array<[number | Confidence, Confidence]> = [
    [0, 'NONE'],
    [0.2499, 'NONE'],
    [0.25, 'LOW'],
    [0.5, 'MEDIUM'],
    [0.7499, 'MEDIUM'],
    [0.75, 'HIGH'],
    [1, 'HIGH'],
    [Number.NaN, 'NONE'],
    ['MEDIUM', 'MEDIUM'],
  ];
  for (const [score, want] of table) it(`${String(score)} → ${want}`, () => assert.equal(scoreConfidence(score), want));

  it('a detector may bring its own thresholds', () => {
    const t = { LOW: 0.6, MEDIUM: 0.8, HIGH: 0.95 };
    assert.deepEqual([0.59, 0.6, 0.8, 0.95].map((s) => scoreConfidence(s, t)), ['NONE', 'LOW', 'MEDIUM', 'HIGH']);
  });
});

describe('strength decides what an external confidence blocks, as for the shipped classifier', () => {
  const strengths: FilterStrength[] = ['LOW', 'MEDIUM', 'HIGH'];
  const confidences: Confidence[] = ['NONE', 'LOW', 'MEDIUM', 'HIGH'];
  const blocks: Record<FilterStrength, Confidence[]> = { NONE: [], LOW: ['HIGH'], MEDIUM: ['MEDIUM', 'HIGH'], HIGH: ['LOW', 'MEDIUM', 'HIGH'] };
  for (const strength of strengths)
    for (const confidence of confidences) {
      const want = blocks[strength].includes(confidence);
      it(`strength ${strength}, external ${confidence} → ${want ? 'BLOCKED' : 'passes'}`, () => {
        const { result, caught } = run(guardrail([hate(strength)]), input(), [judge({ HATE: confidence })]);
        assert.equal(result.blocked, want);
        assert.equal(result.action, want ? 'GUARDRAIL_INTERVENED' : 'NONE');
        if (want) {
          assert.deepEqual(result.outputs, [{ text: 'IN-BLOCKED' }]);
          assert.deepEqual(result.assessment.contentPolicy?.filters, [
            { type: 'HATE', confidence, filterStrength: strength, action: 'BLOCKED', detected: true },
          ]);
          assert.deepEqual(caught, [{ detector: 'judge', type: 'HATE', confidence, action: 'BLOCKED' }]);
        } else {
          assert.equal(result.assessment.contentPolicy, undefined);
          assert.deepEqual(caught, []);
        }
      });
    }
});

describe('the guardrail settings decide which findings count', () => {
  const cases: Array<[string, ContentFilterConfig[], AssessRequest, ExternalFindings['scores'], boolean]> = [
    ['a category the guardrail does not filter', [hate('HIGH')], input(), { VIOLENCE: 'HIGH', SEXUAL: 1 }, false],
    ['input disabled for the category', [hate('HIGH', { inputEnabled: false })], input(), { HATE: 'HIGH' }, false],
    ['output strength NONE, checking output', [hate('HIGH', { outputStrength: 'NONE' })], { source: 'OUTPUT', content: [{ text: BENIGN }] }, { HATE: 'HIGH' }, false],
    ['output strength HIGH, checking output', [hate('LOW', { outputStrength: 'HIGH' })], { source: 'OUTPUT', content: [{ text: BENIGN }] }, { HATE: 'LOW' }, true],
    ['PROMPT_ATTACK on a user block', [{ type: 'PROMPT_ATTACK', inputStrength: 'HIGH', outputStrength: 'NONE' }], input(), { PROMPT_ATTACK: 0.9 }, true],
    [
      'PROMPT_ATTACK when no block is open to the prompt-attack filter',
      [{ type: 'PROMPT_ATTACK', inputStrength: 'HIGH', outputStrength: 'NONE' }],
      { source: 'INPUT', content: [{ text: BENIGN, promptAttack: false }] },
      { PROMPT_ATTACK: 0.9 },
      false,
    ],
    ['no content filters at all', [], input(), { HATE: 'HIGH' }, false],
  ];
  for (const [name, filters, request, scores, blocked] of cases)
    it(`${name} → ${blocked ? 'BLOCKED' : 'passes'}`, () => {
      const config: GuardrailConfig = {
        name: 'g',
        blockedInputMessaging: 'IN-BLOCKED',
        blockedOutputsMessaging: 'OUT-BLOCKED',
        ...(filters.length ? { contentPolicyConfig: { filtersConfig: filters } } : {}),
      };
      const { result } = run(compile(config), request, [judge(scores)]);
      assert.equal(result.blocked, blocked);
      if (blocked) assert.deepEqual(result.outputs, [{ text: request.source === 'INPUT' ? 'IN-BLOCKED' : 'OUT-BLOCKED' }]);
    });

  it('a filter in detect mode (action NONE) reports the finding without blocking', () => {
    const { result, caught } = run(guardrail([hate('HIGH', { inputAction: 'NONE' as BlockAction })]), input(), [judge({ HATE: 'HIGH' })]);
    assert.equal(result.blocked, false);
    assert.equal(result.action, 'NONE');
    assert.deepEqual(result.assessment.contentPolicy?.filters, [
      { type: 'HATE', confidence: 'HIGH', filterStrength: 'HIGH', action: 'NONE', detected: true },
    ]);
    assert.deepEqual(caught, [{ detector: 'judge', type: 'HATE', confidence: 'HIGH', action: 'NONE' }]);
  });

  it('most restrictive wins: one blocking filter blocks, whatever the others say', () => {
    const compiled = guardrail([hate('HIGH', { inputAction: 'NONE' as BlockAction }), { type: 'VIOLENCE', inputStrength: 'LOW', outputStrength: 'LOW' }]);
    const { result } = run(compiled, input(), [judge({ HATE: 'HIGH' }), judge({ VIOLENCE: 0.8 }, 'onnx')]);
    assert.equal(result.blocked, true);
    assert.deepEqual(
      result.assessment.contentPolicy?.filters.map((f) => [f.type, f.action]),
      [
        ['HATE', 'NONE'],
        ['VIOLENCE', 'BLOCKED'],
      ],
    );
  });
});

describe('confidences combine by maximum', () => {
  it('over detectors: the highest confidence is listed, and the detector that reported it', () => {
    const { result, caught } = run(guardrail([hate('MEDIUM')]), input(), [judge({ HATE: 0.3 }, 'a'), judge({ HATE: 'MEDIUM' }, 'b'), judge({ HATE: 0.6 }, 'c')]);
    assert.equal(result.assessment.contentPolicy?.filters[0]?.confidence, 'MEDIUM');
    assert.deepEqual(caught.map((c) => c.detector), ['b']);
  });

  it('with the shipped classifier: an external finding never lowers what the shipped one found', () => {
    const compiled = guardrail([hate('HIGH')]);
    const request = input('I hate you, you worthless subhuman vermin, your kind should be wiped out.');
    const shipped = assess(compiled, request);
    const shippedConfidence = shipped.assessment.contentPolicy?.filters[0]?.confidence;
    assert.ok(shippedConfidence && shippedConfidence !== 'NONE', 'the shipped classifier finds this text hateful');
    const { result } = mergeExternal(compiled, request, shipped, [judge({ HATE: 'LOW' })]);
    assert.equal(result.assessment.contentPolicy?.filters[0]?.confidence, shippedConfidence);
    assert.equal(result.blocked, shipped.blocked);
  });

  it('FULL scope lists every filter with the merged confidence, caught or not', () => {
    const compiled = guardrail([hate('MEDIUM'), { type: 'INSULTS', inputStrength: 'HIGH', outputStrength: 'HIGH' }]);
    const { result } = run(compiled, input(BENIGN, { outputScope: 'FULL' }), [judge({ HATE: 'LOW' })]);
    assert.equal(result.blocked, false);
    assert.deepEqual(result.assessment.contentPolicy?.filters, [
      { type: 'HATE', confidence: 'LOW', filterStrength: 'MEDIUM', action: 'NONE', detected: false },
      { type: 'INSULTS', confidence: 'NONE', filterStrength: 'HIGH', action: 'NONE', detected: false },
    ]);
  });

  it('nothing found: the result is returned as it was', () => {
    const { shipped, result } = run(guardrail([hate('HIGH')]), input(), [judge({ HATE: 0.1 }), judge({})]);
    assert.equal(result, shipped);
  });

  it('an anonymizing result that an external finding blocks becomes a block', () => {
    const compiled = compile({
      name: 'g',
      blockedInputMessaging: 'IN-BLOCKED',
      blockedOutputsMessaging: 'OUT-BLOCKED',
      contentPolicyConfig: { filtersConfig: [hate('HIGH')] },
      sensitiveInformationPolicyConfig: { piiEntitiesConfig: [{ type: 'EMAIL', action: 'ANONYMIZE' }] },
    });
    const { shipped, result } = run(compiled, input('write to jane@example.com'), [judge({ HATE: 'HIGH' })]);
    assert.equal(shipped.anonymized, true);
    assert.equal(result.blocked, true);
    assert.deepEqual(result.outputs, [{ text: 'IN-BLOCKED' }]);
    assert.equal(result.actionReason, 'Guardrail blocked.');
    assert.ok(result.assessment.sensitiveInformationPolicy, 'the PII findings stay in the assessment');
  });
});

describe('what detectors read', () => {
  it('the guarded blocks only (not grounding sources or queries), one per paragraph', () => {
    const request: AssessRequest = {
      source: 'OUTPUT',
      content: [
        { text: 'source text', qualifiers: ['grounding_source'] },
        { text: 'the query', qualifiers: ['query'] },
        { text: 'first answer' },
        { text: 'second', qualifiers: ['guard_content'] },
      ],
    };
    assert.equal(externalText(request), 'first answer\n\nsecond');
  });

  it('only the categories the guardrail enables on that side', () => {
    const compiled = guardrail([hate('HIGH', { outputStrength: 'NONE' }), { type: 'PROMPT_ATTACK', inputStrength: 'LOW', outputStrength: 'NONE' }]);
    assert.deepEqual(externalCategories(compiled, input()), ['HATE', 'PROMPT_ATTACK']);
    assert.deepEqual(externalCategories(compiled, { source: 'OUTPUT', content: [{ text: 'x' }] }), []);
  });
});

describe('a detector that failed', () => {
  it('blocks with the blocked message and says which detector failed', () => {
    const compiled = guardrail([hate('LOW')]);
    const request = input();
    const r = blockForFailure(compiled, request, assess(compiled, request), "detector 'judge' (llm-judge) timed out after 50 ms");
    assert.equal(r.action, 'GUARDRAIL_INTERVENED');
    assert.equal(r.blocked, true);
    assert.deepEqual(r.outputs, [{ text: 'IN-BLOCKED' }]);
    assert.match(r.actionReason ?? '', /detector 'judge' \(llm-judge\) timed out after 50 ms; external detectors fail closed/);
  });
});
