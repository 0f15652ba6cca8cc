/**
 * Catastrophic regular expressions: the patterns that stall a backtracking engine (exponential or polynomial
 * time on a crafted text) or that a linear-time engine cannot run cheaply, each with texts made to hurt it.
 * Every one must be refused at CreateGuardrail / UpdateGuardrail with a message that says why, or be evaluated
 * in linear time. Used by test/security/regex-safety.test.ts (through the API) and bench/regex-safety.bench.ts
 * (time per 100 KB).
 */

export type RegexFamily =
  | 'nested quantifiers'
  | 'overlapping alternation'
  | 'back-reference'
  | 'look-around'
  | 'nested counted repetition'
  | 'huge program'
  | 'classic ReDoS';

export interface CatastrophicPattern {
  family: RegexFamily;
  pattern: string;
  /** Why a backtracking engine suffers, in a few words. */
  why: string;
  /** Builds the adversarial texts of `bytes` characters. */
  texts(bytes: number): string[];
}

/** `unit` repeated to `bytes` characters, then `tail` (the mismatch that forces every alternative to be tried). */
function pumped(unit: string, bytes: number, tail: string): string {
  return unit.repeat(Math.ceil((bytes - tail.length) / unit.length)).slice(0, Math.max(0, bytes - tail.length)) + tail;
}

const as = (n: number) => [pumped('a', n, '!'), pumped('a', n, 'b'), pumped('aa ', n, '!')];
const words = (n: number) => [pumped('word ', n, '!'), pumped('abc.', n, '@'), pumped('a1_', n, ' ')];
const digits = (n: number) => [pumped('1', n, 'x'), pumped('12.', n, '.x')];
const spaces = (n: number) => [pumped(' ', n, 'x'), pumped('\t ', n, '!')];

export const CATASTROPHIC_PATTERNS: readonly CatastrophicPattern[] = [
  { family: 'nested quantifiers', pattern: '(a+)+$', why: 'exponential paths over a run of a', texts: as },
  { family: 'nested quantifiers', pattern: '(a*)*b', why: 'exponential paths, no b to end', texts: as },
  { family: 'nested quantifiers', pattern: '([a-zA-Z]+)*$', why: 'exponential paths over letters', texts: as },
  { family: 'nested quantifiers', pattern: '(\\w+\\s?)+$', why: 'word/space splits multiply', texts: words },
  { family: 'nested quantifiers', pattern: '(x+x+)+y', why: 'two pumps inside a pump', texts: (n) => [pumped('x', n, '!')] },
  { family: 'nested quantifiers', pattern: '(.*)*x', why: 'dot-star inside a star', texts: as },
  { family: 'nested quantifiers', pattern: '(\\d+)*\\.\\d+x', why: 'digit runs split every way', texts: digits },
  { family: 'nested quantifiers', pattern: '(.*a){12}', why: 'polynomial: 12 nested dot-stars', texts: as },
  { family: 'nested quantifiers', pattern: '(\\s*)+$', why: 'empty-matching group under a plus', texts: spaces },
  { family: 'overlapping alternation', pattern: '(a|a)*c', why: 'both branches match every a', texts: as },
  { family: 'overlapping alternation', pattern: '(a|aa)+$', why: 'Fibonacci-many splits', texts: as },
  { family: 'overlapping alternation', pattern: '(a|b|ab)*c', why: 'ab matched two ways', texts: (n) => [pumped('ab', n, '!')] },
  { family: 'overlapping alternation', pattern: '(a|a?)+$', why: 'optional branch overlaps', texts: as },
  { family: 'overlapping alternation', pattern: '(\\w|\\d)+!x', why: 'digits match both classes', texts: digits },
  { family: 'overlapping alternation', pattern: '(\\s|\\s)*x', why: 'identical branches', texts: spaces },
  { family: 'back-reference', pattern: '(a+)\\1+$', why: 'back-references need backtracking (NP-hard in general)', texts: as },
  { family: 'back-reference', pattern: '(\\w+)\\s\\1', why: 'repeated word by back-reference', texts: words },
  { family: 'back-reference', pattern: '(?<w>\\w+) \\k<w>', why: 'named back-reference', texts: words },
  { family: 'look-around', pattern: '(?=(a+))a*b\\1', why: 'look-ahead with a back-reference', texts: as },
  { family: 'look-around', pattern: '^(?!.*secret).*$', why: 'negative look-ahead over the whole text', texts: words },
  { family: 'look-around', pattern: '(?<=a+)b', why: 'unbounded look-behind', texts: as },
  { family: 'look-around', pattern: '(?<!x)y', why: 'look-behind', texts: as },
  { family: 'nested counted repetition', pattern: '(\\w{1,30}){1,10}', why: 'overflows the DFA cache of RE2', texts: words },
  { family: 'nested counted repetition', pattern: '((a{1,20}){1,20}){1,20}', why: '8,000-fold expansion', texts: as },
  { family: 'nested counted repetition', pattern: '(\\w+){1,50}', why: 'unbounded inside a counted group', texts: words },
  { family: 'huge program', pattern: '\\w{1000}\\w{1000}\\w{1000}\\w{1000}', why: 'a 4,000-state program', texts: words },
  { family: 'huge program', pattern: 'a{100000}', why: 'repeat count above RE2 limits', texts: as },
  {
    family: 'classic ReDoS',
    pattern: '^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$',
    why: 'the e-mail validator of CVE write-ups',
    texts: words,
  },
  { family: 'classic ReDoS', pattern: '^(([a-z])+.)+[A-Z]([a-z])+$', why: 'OWASP example', texts: as },
  { family: 'classic ReDoS', pattern: '^(\\w+\\.?)*@', why: 'dotted user part', texts: words },
  { family: 'classic ReDoS', pattern: '(\\d+|\\d+\\.\\d+)+%', why: 'number forms overlap', texts: digits },
];
