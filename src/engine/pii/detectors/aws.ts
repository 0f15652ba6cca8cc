/**
 * AWS credentials: access key IDs and secret access keys.
 */
import type { Detector, PiiFinding, ScanInput } from '../detector.ts';
import { clampScore } from '../detector.ts';
import { contextScorer, LONG_RUNS, longAlnumRuns, regexDetector } from '../scan-util.ts';

// ---------------------------------------------------------------------------------------------
// AWS_ACCESS_KEY
// ---------------------------------------------------------------------------------------------

const ACCESS_KEY_RE =
  /(?<![A-Za-z0-9/+=])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z2-7]{16}(?![A-Za-z0-9/+=])/g;

const ACCESS_CONTEXT = contextScorer(
  { positive: ['aws', 'access key', 'access key id', 'aws_access_key_id', 'accesskeyid', 'key id', 'iam'], before: 48 },
  0.05,
);

export const awsAccessKey: Detector = regexDetector('AWS_ACCESS_KEY', 0.5, ACCESS_KEY_RE, (m, text) => {
  const start = m.index;
  const end = start + m[0].length;
  return { start, end, score: ACCESS_CONTEXT.score(0.95, text, start, end) };
});

// ---------------------------------------------------------------------------------------------
// AWS_SECRET_KEY
// ---------------------------------------------------------------------------------------------


const SECRET_CONTEXT = contextScorer(
  {
    positive: [
      'secret', 'secret key', 'secret access key', 'aws secret', 'aws_secret_access_key', 'aws secret access key',
      'secretaccesskey', 'aws_secret_key', 'secret_key', 'aws key', 'credentials',
    ],
    before: 64,
  },
  0.6,
);

/**
 * A random-looking key: upper, lower and digits present, no long single-case letter runs (words,
 * camelCase identifiers), many distinct characters, and not a path.
 */
export function looksRandom(s: string): boolean {
  let upper = false;
  let lower = false;
  let digit = false;
  let slashes = 0;
  let run = 0;
  let runKind = 0;
  let maxRun = 0;
  const distinct = new Set<string>();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    distinct.add(s[i] ?? '');
    let kind = 0;
    if (c >= 65 && c <= 90) {
      upper = true;
      kind = 1;
    } else if (c >= 97 && c <= 122) {
      lower = true;
      kind = 2;
    } else if (c >= 48 && c <= 57) {
      digit = true;
    } else if (c === 47) {
      slashes++;
    }
    if (kind !== 0 && kind === runKind) run++;
    else run = kind === 0 ? 0 : 1;
    runKind = kind;
    if (run > maxRun) maxRun = run;
  }
  return upper && lower && digit && slashes <= 3 && maxRun <= 8 && distinct.size >= 20;
}

/** Exactly 40 base64-alphabet characters, not inside a longer token and not followed by '=' padding. */
export const awsSecretKey: Detector = {
  type: 'AWS_SECRET_KEY',
  threshold: 0.5,
  detect(input: ScanInput, out: PiiFinding[]): void {
    const text = input.text;
    const runs = input.memo(LONG_RUNS, longAlnumRuns);
    for (let r = 0; r < runs.length; r += 2) {
      const start = runs[r] ?? 0;
      const end = runs[r + 1] ?? 0;
      if (end - start !== 40) continue;
      if (text[end] === '=' || (start > 0 && text[start - 1] === '=')) continue;
      const key = text.slice(start, end);
      const random = looksRandom(key);
      const hexOnly = /^[0-9a-f]+$/i.test(key);
      const base = random ? 0.6 : hexOnly ? 0.15 : 0.3;
      out.push({ type: 'AWS_SECRET_KEY', start, end, score: clampScore(SECRET_CONTEXT.score(base, text, start, end)) });
    }
  },
};
