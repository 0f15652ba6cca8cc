import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyMasks, type MaskSpan, resolveMaskSpans } from './mask.ts';

describe('applyMasks', () => {
  it('replaces spans with {LABEL} and keeps the rest byte-exact', () => {
    const text = 'Mail jane@x.io or call 555-0100.';
    assert.equal(
      applyMasks(text, [
        { start: 5, end: 14, label: 'EMAIL' },
        { start: 23, end: 31, label: 'PHONE' },
      ]),
      'Mail {EMAIL} or call {PHONE}.',
    );
  });

  it('merges overlapping spans so no fragment leaks', () => {
    assert.equal(
      applyMasks('abcdefghij', [
        { start: 2, end: 6, label: 'A' },
        { start: 4, end: 8, label: 'B' },
      ]),
      'ab{A}ij',
    );
  });

  it('ignores empty spans', () => {
    assert.equal(applyMasks('abc', [{ start: 1, end: 1, label: 'X' }]), 'abc');
  });

  const spansArb = (len: number) =>
    fc.array(
      fc
        .tuple(fc.nat(len), fc.nat(len), fc.constantFrom('EMAIL', 'NAME', 'order_id'))
        .map(([a, b, label]): MaskSpan => ({ start: Math.min(a, b), end: Math.max(a, b), label })),
      { maxLength: 8 },
    );

  it('keeps every character outside the spans, in order (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 60 }).chain((text) => fc.tuple(fc.constant(text), spansArb(text.length))),
        ([text, spans]) => {
          const resolved = resolveMaskSpans(spans);
          const masked = applyMasks(text, spans);
          // Rebuild the expectation independently from the resolved spans.
          let expected = '';
          let pos = 0;
          for (const s of resolved) {
            assert.ok(s.start >= pos, 'resolved spans are sorted and disjoint');
            expected += `${text.slice(pos, s.start)}{${s.label}}`;
            pos = s.end;
          }
          expected += text.slice(pos);
          assert.equal(masked, expected);
          // Covered characters are exactly the union of the input spans.
          const covered = new Set<number>();
          for (const s of spans) for (let i = s.start; i < s.end; i++) covered.add(i);
          const resolvedCovered = new Set<number>();
          for (const s of resolved) for (let i = s.start; i < s.end; i++) resolvedCovered.add(i);
          assert.deepEqual([...resolvedCovered].sort((a, b) => a - b), [...covered].sort((a, b) => a - b));
        },
      ),
    );
  });

  it('is idempotent once tags are left alone (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 60 }).chain((text) => fc.tuple(fc.constant(text), spansArb(text.length))),
        ([text, spans]) => {
          const once = applyMasks(text, spans);
          assert.equal(applyMasks(once, []), once);
        },
      ),
    );
  });
});
