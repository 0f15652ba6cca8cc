import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { GuardrailAssessment } from '../engine/assessment.ts';
import type { EvalAction, LabelledRow } from './dataset.ts';
import { counts, type GuardrailAnswer, predict, type RowResult, score } from './score.ts';

const NONE: GuardrailAnswer = { action: 'NONE', assessments: [] };

function blocked(...types: ('HATE' | 'PROMPT_ATTACK' | 'VIOLENCE')[]): GuardrailAnswer {
  const a: GuardrailAssessment = {
    contentPolicy: {
      filters: types.map((type) => ({ type, confidence: 'HIGH', filterStrength: 'HIGH', action: 'BLOCKED', detected: true })),
    },
  };
  return { action: 'GUARDRAIL_INTERVENED', assessments: [a] };
}

const ANON_EMAIL: GuardrailAnswer = {
  action: 'GUARDRAIL_INTERVENED',
  assessments: [
    {
      sensitiveInformationPolicy: {
        piiEntities: [
          { match: 'a@b.example', type: 'EMAIL', action: 'ANONYMIZED', detected: true },
          { match: '', type: 'NAME', action: 'NONE', detected: false },
        ],
        regexes: [],
      },
    },
  ],
};

function r(line: number, categories: string[] | undefined, expect?: EvalAction, text = `row ${line}`): LabelledRow {
  return { line, text, categories, expect: expect ?? (categories?.length ? 'BLOCKED' : 'NONE') };
}

describe('predict', () => {
  it('takes the strongest action and every detected category', () => {
    assert.deepEqual(predict(NONE), { action: 'NONE', categories: [] });
    assert.deepEqual(predict(blocked('PROMPT_ATTACK', 'HATE')), { action: 'BLOCKED', categories: ['HATE', 'PROMPT_ATTACK'] });
    assert.deepEqual(predict(ANON_EMAIL), { action: 'ANONYMIZED', categories: ['pii:EMAIL'] });
    const mixed: GuardrailAnswer = {
      action: 'GUARDRAIL_INTERVENED',
      assessments: [
        ...ANON_EMAIL.assessments,
        {
          topicPolicy: { topics: [{ name: 'Legal advice', type: 'DENY', action: 'BLOCKED', detected: true }, { name: 'Other', type: 'DENY', action: 'NONE', detected: false }] },
          wordPolicy: {
            customWords: [{ match: 'Globex', action: 'BLOCKED', detected: true }],
            managedWordLists: [{ match: 'darn', type: 'PROFANITY', action: 'NONE', detected: true }],
          },
          contentPolicy: { filters: [{ type: 'VIOLENCE', confidence: 'LOW', filterStrength: 'LOW', action: 'NONE', detected: false }] },
        },
      ],
    };
    assert.deepEqual(predict(mixed), { action: 'BLOCKED', categories: ['pii:EMAIL', 'topic:Legal advice', 'word:CUSTOM', 'word:PROFANITY'] });
  });

  it('an intervention the assessments do not explain counts as blocked', () => {
    assert.equal(predict({ action: 'GUARDRAIL_INTERVENED', assessments: [] }).action, 'BLOCKED');
  });
});

describe('score', () => {
  const results: RowResult[] = [
    { row: r(1, ['PROMPT_ATTACK']), prediction: predict(blocked('PROMPT_ATTACK')) }, // TP
    { row: r(2, ['PROMPT_ATTACK', 'HATE']), prediction: predict(blocked('PROMPT_ATTACK')) }, // HATE missed
    { row: r(3, ['PROMPT_ATTACK']), prediction: predict(NONE) }, // missed, no intervention
    { row: r(4, []), prediction: predict(blocked('HATE')) }, // FP on benign
    { row: r(5, []), prediction: predict(NONE) }, // TN
    { row: r(6, ['pii:EMAIL'], 'ANONYMIZED'), prediction: predict(ANON_EMAIL) },
    { row: r(7, undefined, 'BLOCKED'), prediction: predict(blocked('VIOLENCE')) }, // action only
  ];
  const s = score(results, { misses: 2, elapsedMs: 2000 });

  it('counts the action confusion matrix', () => {
    assert.equal(s.rows, 7);
    assert.deepEqual(s.confusion, {
      BLOCKED: { BLOCKED: 3, ANONYMIZED: 0, NONE: 1 },
      ANONYMIZED: { BLOCKED: 0, ANONYMIZED: 1, NONE: 0 },
      NONE: { BLOCKED: 1, ANONYMIZED: 0, NONE: 1 },
    });
  });

  it('scores each category expected or predicted, leaving unlabelled rows out', () => {
    const by = Object.fromEntries(s.categories.map((c) => [c.category, c]));
    assert.deepEqual(Object.keys(by), ['HATE', 'PROMPT_ATTACK', 'VIOLENCE', 'pii:EMAIL']);
    assert.deepEqual(by.PROMPT_ATTACK, { category: 'PROMPT_ATTACK', positives: 3, tp: 2, fp: 0, fn: 1, tn: 3, precision: 1, recall: 2 / 3, f1: 0.8 });
    assert.deepEqual(
      { ...by.HATE },
      { category: 'HATE', positives: 1, tp: 0, fp: 1, fn: 1, tn: 4, precision: 0, recall: 0, f1: 0 },
    );
    // Predicted only on the unlabelled row 7: no TP/FP/FN anywhere, precision and recall undefined.
    assert.deepEqual({ ...by.VIOLENCE }, { category: 'VIOLENCE', positives: 0, tp: 0, fp: 0, fn: 0, tn: 6, precision: null, recall: null, f1: null });
    assert.equal(by['pii:EMAIL']?.tp, 1);
  });

  it('summarises interventions and the false-positive rate on benign rows', () => {
    const { f1, ...rest } = s.intervention;
    assert.deepEqual(rest, { tp: 4, fp: 1, fn: 1, tn: 1, precision: 0.8, recall: 0.8, benignRows: 2, benignIntervened: 1, falsePositiveRate: 0.5 });
    assert.ok(f1 !== null && Math.abs(f1 - 0.8) < 1e-12);
  });

  it('lists the worst misses first, capped', () => {
    // Row 3 missed a category and the intervention (weight 2); row 2 missed a category (weight 1).
    assert.deepEqual(s.misses.falseNegatives.map((m) => [m.row, m.categories]), [['line 3', ['PROMPT_ATTACK']], ['line 2', ['HATE']]]);
    assert.deepEqual(s.misses.falsePositives.map((m) => [m.row, m.categories]), [['line 4', ['HATE']]]);
    const m = s.misses.falseNegatives[0];
    assert.deepEqual(m?.expected, { action: 'BLOCKED', categories: ['PROMPT_ATTACK'] });
    assert.deepEqual(m?.predicted, { action: 'NONE', categories: [] });
    assert.equal(score(results, { misses: 0 }).misses.falseNegatives.length, 0);
  });

  it('cuts texts to 120 characters', () => {
    const long = 'x'.repeat(500);
    const t = score([{ row: r(1, ['HATE'], undefined, long), prediction: predict(NONE) }]);
    assert.equal(t.misses.falseNegatives[0]?.text, 'x'.repeat(120));
  });

  it('computes throughput from the timing', () => {
    assert.deepEqual(s.throughput, { elapsedMs: 2000, rowsPerSecond: 3.5, textUnitsPerSecond: 3.5, textUnits: 7 });
    assert.equal(score(results).throughput, undefined);
  });

  it('scores only the labelled categories when told, counting the rest apart', () => {
    const t = score(results, { labelled: ['PROMPT_ATTACK', 'pii:NAME'] });
    assert.deepEqual(t.categories.map((c) => c.category), ['PROMPT_ATTACK', 'pii:NAME']);
    assert.deepEqual(t.unscored, { HATE: 1, VIOLENCE: 1, 'pii:EMAIL': 1 });
    assert.deepEqual(t.misses.falsePositives.map((m) => m.row), ['line 4']);
  });

  it('counts() handles empty denominators', () => {
    assert.deepEqual(counts(0, 0, 0, 5), { tp: 0, fp: 0, fn: 0, tn: 5, precision: null, recall: null, f1: null });
  });
});

const CATS = ['HATE', 'VIOLENCE', 'PROMPT_ATTACK', 'pii:EMAIL'] as const;
const catSet = fc.subarray([...CATS]);

describe('score properties', () => {
  it('TP+FN = positives, TP+FP+FN+TN = labelled rows, ratios in [0,1], confusion sums to rows', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ expected: fc.option(catSet, { nil: undefined }), predicted: catSet, action: fc.constantFrom<EvalAction>('BLOCKED', 'ANONYMIZED', 'NONE') })),
        (xs) => {
          const results: RowResult[] = xs.map((x, i) => ({
            row: r(i + 1, x.expected, x.expected === undefined ? 'BLOCKED' : undefined),
            prediction: { action: x.action, categories: [...x.predicted].sort() },
          }));
          const s = score(results);
          const labelledRows = xs.filter((x) => x.expected !== undefined).length;
          for (const c of s.categories) {
            const positives = xs.filter((x) => x.expected?.includes(c.category as (typeof CATS)[number])).length;
            assert.equal(c.tp + c.fn, positives);
            assert.equal(c.positives, positives);
            assert.equal(c.tp + c.fp + c.fn + c.tn, labelledRows);
            for (const v of [c.precision, c.recall, c.f1]) assert.ok(v === null || (v >= 0 && v <= 1));
          }
          const total = Object.values(s.confusion).reduce((n, row) => n + Object.values(row).reduce((a, b) => a + b, 0), 0);
          assert.equal(total, xs.length);
          const i = s.intervention;
          assert.equal(i.tp + i.fp + i.fn + i.tn, xs.length);
          assert.ok(i.falsePositiveRate === null || (i.falsePositiveRate >= 0 && i.falsePositiveRate <= 1));
          assert.ok(s.misses.falseNegatives.length <= 10 && s.misses.falsePositives.length <= 10);
        },
      ),
    );
  });
});
