import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { globMatch } from './glob.ts';

/** Reference: dynamic programming over (pattern prefix, text prefix). */
function reference(p: string, t: string): boolean {
  let row: boolean[] = [true, ...new Array<boolean>(t.length).fill(false)];
  for (const pc of p) {
    const next: boolean[] = [pc === '*' && (row[0] ?? false)];
    for (let j = 1; j <= t.length; j++) {
      if (pc === '*') next.push((row[j] ?? false) || (next[j - 1] ?? false));
      else next.push((row[j - 1] ?? false) && (pc === '?' || pc === t[j - 1]));
    }
    row = next;
  }
  return row[t.length] ?? false;
}

test('globMatch: table', () => {
  const cases: Array<[string, string, boolean]> = [
    ['*', '', true],
    ['*', 'anything', true],
    ['', '', true],
    ['', 'a', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['bedrock:Apply*', 'bedrock:ApplyGuardrail', true],
    ['bedrock:Get*', 'bedrock:ApplyGuardrail', false],
    ['arn:aws:bedrock:*:123456789012:guardrail/*', 'arn:aws:bedrock:us-east-1:123456789012:guardrail/abc', true],
    ['arn:aws:bedrock:*:123456789012:guardrail/*', 'arn:aws:bedrock:us-east-1:999999999999:guardrail/abc', false],
    ['*a*b*c', 'xxaxxbxxc', true],
    ['*a*b*c', 'xxaxxcxxb', false],
    ['a*', 'A', false],
  ];
  for (const [p, t, want] of cases) assert.equal(globMatch(p, t), want, `${p} vs ${t}`);
  assert.equal(globMatch('BEDROCK:apply*', 'bedrock:ApplyGuardrail', true), true);
  assert.equal(globMatch('BEDROCK:apply*', 'bedrock:ApplyGuardrail', false), false);
});

test('globMatch: pathological pattern stays fast and correct', () => {
  const text = 'a'.repeat(20000);
  assert.equal(globMatch('*a*a*a*a*a*b', text), false);
  assert.equal(globMatch('*a*a*a*a*a*a', text), true);
});

test('property: globMatch equals the reference on random patterns', () => {
  const alpha = fc.constantFrom('a', 'b', '*', '?');
  const pat = fc.array(alpha, { maxLength: 8 }).map((a) => a.join(''));
  const txt = fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 10 }).map((a) => a.join(''));
  fc.assert(fc.property(pat, txt, (p, t) => globMatch(p, t) === reference(p, t)), { numRuns: 3000 });
});
