/**
 * AGE: "34 years old", "34-year-old", "34 yo", "34 years of age", "age: 34", "aged 34",
 * "at the age of 34", and spelled-out numbers ("thirty-four years old").
 *
 * Anchored on keywords ("years old", "age") from the shared keyword pass; the number is read
 * from a short window before or after the keyword.
 */
import type { Detector, PiiFinding, ScanInput } from '../detector.ts';
import { forEachMatch } from '../scan-util.ts';

const UNITS = 'one|two|three|four|five|six|seven|eight|nine';
const TEENS = 'ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen';
const TENS = 'twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety';
const WORD_NUMBER = `(?:(?:${TENS})(?:[- ](?:${UNITS}))?|${TEENS}|${UNITS}|(?:a|one) hundred(?: and (?:${UNITS}))?)`;
/** 0-139. */
const NUMBER = '(?:1[0-3]\\d|[1-9]?\\d)';

/** Keywords that follow the number: "34 years old", "34-year-old", "34 years of age". */
const AFTER_NUMBER = [
  'years old', 'year old', 'yrs old', 'yr old', 'years of age', 'year of age', 'months old', 'month old', 'mos old',
  'weeks old', 'week old', 'yo', 'y/o', 'y.o.',
];
/** Keywords that precede the number: "age: 34", "aged 34", "at the age of 34". */
const BEFORE_NUMBER = ['age', 'aged', 'ages', 'age of', 'ages of', 'age is', 'age was', 'age being'];
const BEFORE_SET: ReadonlySet<string> = new Set(BEFORE_NUMBER);

/** The number right before a keyword (window of at most 32 characters). */
const NUMBER_BEFORE_RE = new RegExp(`(?:^|[^A-Za-z0-9-])(${NUMBER}|${WORD_NUMBER})[- ]?$`, 'i');
/** The number right after an "age" keyword. */
const NUMBER_AFTER_RE = new RegExp(
  `\\s{0,3}(?:[:=]\\s{0,3})?(${NUMBER})(?![\\d%]|[.,]\\d|\\s?(?:percent|years? ago|%|-\\d))(?![A-Za-z0-9])`,
  'y',
);
/** "34yo", "34y/o" written without a space (the keyword pass needs a word start). */
const GLUED_YO_RE = /\d{1,3}(?:yo|y\/o|y\.o\.)(?![A-Za-z0-9])/g;

export const age: Detector = {
  type: 'AGE',
  threshold: 0.5,
  keywords: [...AFTER_NUMBER, ...BEFORE_NUMBER],
  detect(input: ScanInput, out: PiiFinding[]): void {
    const text = input.text;
    for (const hit of input.hits(age)) {
      if (BEFORE_SET.has(hit.phrase)) {
        NUMBER_AFTER_RE.lastIndex = hit.end;
        const m = NUMBER_AFTER_RE.exec(text);
        const num = m?.[1];
        if (m === null || num === undefined) continue;
        const end = m.index + m[0].length;
        out.push({ type: 'AGE', start: end - num.length, end, score: 0.8 });
      } else {
        const window = text.slice(Math.max(0, hit.start - 32), hit.start);
        const m = NUMBER_BEFORE_RE.exec(window);
        const num = m?.[1];
        if (m === null || num === undefined) continue;
        const sepLen = m[0].endsWith(num) ? 0 : 1;
        const start = hit.start - window.length + m.index + m[0].length - sepLen - num.length;
        if (/^\d+$/.test(num) && Number(num) > 130) continue;
        out.push({ type: 'AGE', start, end: hit.end, score: 0.85 });
      }
    }
    const glued = GLUED_YO_RE;
    forEachMatch(glued, text, (m) => {
      const before = m.index > 0 ? text.charCodeAt(m.index - 1) : 32;
      if ((before >= 48 && before <= 57) || (before >= 65 && before <= 90) || (before >= 97 && before <= 122)) return;
      const digits = /^\d+/.exec(m[0])?.[0] ?? '';
      if (Number(digits) > 130) return;
      out.push({ type: 'AGE', start: m.index, end: m.index + m[0].length, score: 0.85 });
    });
  },
};
