import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type Span, type SpanDoc, scoreSpans, spansMatch } from './pii-spans.ts';

const MAP = { PERSON: 'NAME', STREET_ADDRESS: 'ADDRESS', ADDRESS: 'ADDRESS', EMAIL_ADDRESS: 'EMAIL', PHONE_NUMBER: 'PHONE' };

const s = (type: string, start: number, end: number): Span => ({ type, start, end });

describe('spansMatch (overlap of at least half of the longer span)', () => {
  it('matches identical spans', () => assert.ok(spansMatch(s('A', 0, 10), s('B', 0, 10))));
  it('matches at exactly half of the longer span', () => assert.ok(spansMatch(s('A', 0, 10), s('B', 5, 15))));
  it('does not match below half', () => assert.ok(!spansMatch(s('A', 0, 10), s('B', 6, 16))));
  it('compares with the longer span', () => {
    // A short span inside a long one: overlap 4 of a 10-long span.
    assert.ok(!spansMatch(s('A', 0, 10), s('B', 3, 7)));
    assert.ok(spansMatch(s('A', 0, 10), s('B', 2, 8)));
  });
  it('never matches disjoint or touching spans', () => assert.ok(!spansMatch(s('A', 0, 5), s('B', 5, 10))));
});

describe('scoreSpans', () => {
  const docs: SpanDoc[] = [
    {
      gold: [s('PERSON', 0, 10), s('EMAIL_ADDRESS', 20, 35), s('LOCATION', 40, 48), s('STREET_ADDRESS', 50, 70)],
      predicted: [s('NAME', 0, 10), s('EMAIL', 20, 35), s('ADDRESS', 40, 48), s('ADDRESS', 50, 66), s('URL', 80, 90)],
    },
    { gold: [s('PERSON', 0, 8), s('PHONE_NUMBER', 10, 22)], predicted: [s('NAME', 0, 3), s('NAME', 4, 8), s('PHONE', 30, 40)] },
  ];
  const r = scoreSpans(docs, { map: MAP, neutral: { ADDRESS: ['LOCATION'] } });
  const t = (type: string) => r.types.find((x) => x.type === type);

  it('scores each labelled type with one-to-one matching', () => {
    assert.deepEqual(
      r.types.map((x) => x.type),
      ['ADDRESS', 'EMAIL', 'NAME', 'PHONE'],
    );
    // (4, 8) covers half of the gold (0, 8); (0, 3) does not and is a false positive.
    assert.deepEqual({ ...t('NAME') }, { type: 'NAME', gold: 2, predicted: 3, tp: 2, fp: 1, fn: 0, precision: 2 / 3, recall: 1, f1: 0.8 });
    assert.equal(t('EMAIL')?.f1, 1);
    assert.deepEqual([t('PHONE')?.tp, t('PHONE')?.fp, t('PHONE')?.fn], [0, 1, 1]);
  });
  it('does not count an ADDRESS over a gold LOCATION as a false positive', () => {
    assert.deepEqual([t('ADDRESS')?.gold, t('ADDRESS')?.predicted, t('ADDRESS')?.tp], [1, 1, 1]);
    assert.deepEqual(r.neutral, { 'ADDRESS→LOCATION': 1 });
  });
  it('lists unlabelled predictions and unmapped gold types apart', () => {
    assert.deepEqual(r.unlabelledPredicted, { URL: 1 });
    assert.deepEqual(r.unmappedGold, { LOCATION: 1 });
  });
  it('micro-averages structured types and NAME+ADDRESS separately', () => {
    assert.deepEqual([r.micro.structured.gold, r.micro.structured.predicted, r.micro.structured.tp], [2, 2, 1]);
    assert.deepEqual([r.micro.nameAddress.gold, r.micro.nameAddress.predicted, r.micro.nameAddress.tp], [3, 4, 3]);
    assert.equal(r.micro.all.tp, 4);
  });
  it('leaves undefined ratios null', () => {
    const empty = scoreSpans([{ gold: [], predicted: [] }], { map: MAP, labelled: ['NAME'] });
    assert.deepEqual([empty.types[0]?.precision, empty.types[0]?.recall, empty.types[0]?.f1], [null, null, null]);
  });
});

/** Documents with non-overlapping gold spans far apart (gaps longer than any span), each labelled PERSON or EMAIL_ADDRESS. */
const arbDocs = fc.array(
  fc.array(fc.record({ len: fc.integer({ min: 2, max: 30 }), type: fc.constantFrom('PERSON', 'EMAIL_ADDRESS', 'LOCATION') }), { maxLength: 6 }).map((items) => {
    let pos = 0;
    return items.map(({ len, type }) => {
      const span = s(type, pos, pos + len);
      pos += len + 40;
      return span;
    });
  }),
  { minLength: 1, maxLength: 8 },
);

const toPredicted = (g: Span, shift = 0): Span => ({ type: MAP[g.type as keyof typeof MAP] ?? 'ORG', start: g.start + shift, end: g.end + shift });

describe('scoreSpans properties', () => {
  it('a perfect prediction scores F1 1 on every type with gold spans', () => {
    fc.assert(
      fc.property(arbDocs, (golds) => {
        const docs = golds.map((gold) => ({ gold, predicted: gold.filter((g) => g.type !== 'LOCATION').map((g) => toPredicted(g)) }));
        const r = scoreSpans(docs, { map: MAP });
        for (const t of r.types) if (t.gold > 0) assert.equal(t.f1, 1);
        if (r.micro.all.gold > 0) assert.equal(r.micro.all.f1, 1);
      }),
    );
  });

  it('shifting every span by more than half its length scores F1 0; by less than a third keeps F1 1', () => {
    fc.assert(
      fc.property(arbDocs, fc.double({ min: 0.51, max: 1, noNaN: true }), (golds, frac) => {
        const labelled = golds.map((gold) => gold.filter((g) => g.type !== 'LOCATION'));
        const far = labelled.map((gold) => ({ gold, predicted: gold.map((g) => toPredicted(g, Math.ceil((g.end - g.start) * frac) + 1)) }));
        const near = labelled.map((gold) => ({ gold, predicted: gold.map((g) => toPredicted(g, Math.floor((g.end - g.start) / 3))) }));
        const rf = scoreSpans(far, { map: MAP });
        const rn = scoreSpans(near, { map: MAP });
        if (rf.micro.all.gold > 0) {
          assert.equal(rf.micro.all.f1, 0);
          assert.equal(rn.micro.all.f1, 1);
        }
      }),
    );
  });

  it('counts are consistent: tp ≤ min(gold, predicted), ratios in 0..1', () => {
    const arbSpan = fc.record({
      type: fc.constantFrom('NAME', 'EMAIL', 'PERSON', 'EMAIL_ADDRESS'),
      start: fc.integer({ min: 0, max: 100 }),
      len: fc.integer({ min: 1, max: 20 }),
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.array(arbSpan, { maxLength: 6 }), fc.array(arbSpan, { maxLength: 6 })), { maxLength: 5 }), (raw) => {
        const docs = raw.map(([g, p]) => ({
          gold: g.filter((x) => x.type === 'PERSON' || x.type === 'EMAIL_ADDRESS').map((x) => s(x.type, x.start, x.start + x.len)),
          predicted: p.map((x) => s(x.type === 'PERSON' ? 'NAME' : x.type === 'EMAIL_ADDRESS' ? 'EMAIL' : x.type, x.start, x.start + x.len)),
        }));
        const r = scoreSpans(docs, { map: MAP, labelled: ['NAME', 'EMAIL'] });
        for (const c of [...r.types, r.micro.all, r.micro.structured, r.micro.nameAddress]) {
          assert.ok(c.tp <= Math.min(c.gold, c.predicted));
          assert.equal(c.fp, c.predicted - c.tp);
          assert.equal(c.fn, c.gold - c.tp);
          for (const v of [c.precision, c.recall, c.f1]) if (v !== null) assert.ok(v >= 0 && v <= 1);
        }
      }),
    );
  });
});
