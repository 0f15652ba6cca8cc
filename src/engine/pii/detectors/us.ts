/**
 * United States identifiers: SSN, ITIN, ABA routing number, bank account number, passport number.
 */
import type { Detector } from '../detector.ts';
import { contextScorer, insideNumberRun, keyedDetector, regexDetector } from '../scan-util.ts';
import { isValidAbaRouting, isValidItin, isValidSsn } from '../validators.ts';

// ---------------------------------------------------------------------------------------------
// US_SOCIAL_SECURITY_NUMBER
// ---------------------------------------------------------------------------------------------

/** 3-2-4 digits with one consistent separator (dash, space, dot) or none. */
const SSN_RE = /(?<![\d.-])(\d{3})([- .]?)(\d{2})\2(\d{4})(?!\d|[-.]\d)/g;

const SSN_CONTEXT = contextScorer(
  {
    positive: [
      'ssn', 'ssns', 'ssn#', 'social security', 'social security number', 'social security no', 'social sec',
      'soc sec', 'ss#', 'ss #', 'ss no', 'ss number', 'social',
    ],
    negative: [
      'phone', 'tel', 'fax', 'order', 'invoice', 'tracking', 'routing', 'account', 'acct', 'isbn', 'zip', 'ref',
      'reference', 'serial', 'sin', 'passport', 'license', 'licence', 'itin',
    ],
    before: 48,
  },
  0.4,
  0.4,
);

export const usSsn: Detector = regexDetector('US_SOCIAL_SECURITY_NUMBER', 0.5, SSN_RE, (m, text) => {
  const digits = (m[1] ?? '') + (m[3] ?? '') + (m[4] ?? '');
  if (!isValidSsn(digits)) return null;
  const sep = m[2] ?? '';
  const start = m.index;
  const end = start + m[0].length;
  if (sep !== '-' && insideNumberRun(text, start, end)) return null;
  const base = sep === '-' ? 0.85 : sep === '' ? 0.3 : 0.55;
  const signal = SSN_CONTEXT.signal(text, start, end);
  const score = signal > 0 ? Math.max(base + 0.4, 0.9) : signal < 0 ? base - 0.4 : base;
  return { start, end, score };
});

// ---------------------------------------------------------------------------------------------
// US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER
// ---------------------------------------------------------------------------------------------

const ITIN_RE = /(?<![\d.-])(9\d{2})([- .]?)(\d{2})\2(\d{4})(?!\d|[-.]\d)/g;

const ITIN_CONTEXT = contextScorer(
  {
    positive: [
      'itin', 'itins', 'individual taxpayer', 'individual taxpayer identification', 'taxpayer identification',
      'taxpayer id', 'tax id', 'tax identification', 'tin', 'irs',
    ],
    negative: ['phone', 'tel', 'fax', 'order', 'invoice', 'tracking', 'routing', 'account', 'ref', 'serial'],
    before: 48,
  },
  0.4,
  0.4,
);

export const usItin: Detector = regexDetector('US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER', 0.5, ITIN_RE, (m, text) => {
  const digits = (m[1] ?? '') + (m[3] ?? '') + (m[4] ?? '');
  if (!isValidItin(digits)) return null;
  const sep = m[2] ?? '';
  const start = m.index;
  const end = start + m[0].length;
  if (sep !== '-' && insideNumberRun(text, start, end)) return null;
  const base = sep === '-' ? 0.85 : sep === '' ? 0.3 : 0.55;
  const signal = ITIN_CONTEXT.signal(text, start, end);
  const score = signal > 0 ? Math.max(base + 0.4, 0.9) : signal < 0 ? base - 0.4 : base;
  return { start, end, score };
});

// ---------------------------------------------------------------------------------------------
// US_BANK_ROUTING_NUMBER
// ---------------------------------------------------------------------------------------------

/** 9 contiguous digits, or the printed 4-4-1 form (0210-0002-1). */
const ROUTING_RE = /(?<![\d.-])(?:\d{9}|\d{4}-\d{4}-\d)(?![\d]|[-.]\d)/g;

const ROUTING_CONTEXT = contextScorer(
  {
    positive: [
      'routing', 'routing number', 'routing no', 'routing #', 'rtn', 'aba', 'aba number', 'aba routing',
      'transit number', 'transit', 'ach', 'wire', 'bank', 'bank code', 'rt',
    ],
    negative: ['ssn', 'social security', 'phone', 'order', 'invoice', 'tracking', 'passport', 'license', 'sin'],
    before: 48,
  },
  0.55,
  0.3,
);

export const usRouting: Detector = regexDetector('US_BANK_ROUTING_NUMBER', 0.5, ROUTING_RE, (m, text) => {
  const digits = m[0].replace(/-/g, '');
  if (!isValidAbaRouting(digits)) return null;
  const start = m.index;
  const end = start + m[0].length;
  const base = m[0].length === 11 ? 0.55 : 0.35;
  return { start, end, score: ROUTING_CONTEXT.score(base, text, start, end) };
});

// ---------------------------------------------------------------------------------------------
// US_BANK_ACCOUNT_NUMBER (context required)
// ---------------------------------------------------------------------------------------------

export const usBankAccount: Detector = keyedDetector(
  'US_BANK_ACCOUNT_NUMBER',
  0.5,
  {
    keywords: [
      'account', 'account number', 'account no', 'account num', 'account #', 'acct', 'acct no', 'acct #',
      'acct number', 'bank account', 'bank account number', 'checking account', 'savings account', 'checking',
      'savings', 'a/c', 'a/c no', 'deposit account', 'beneficiary account', 'dda',
    ],
    value: '\\d{8,17}(?![\\d]|[-.,/]\\d)',
  },
  (m) => ({ start: m.start, end: m.end, score: 0.8 }),
);

// ---------------------------------------------------------------------------------------------
// US_PASSPORT_NUMBER (context required)
// ---------------------------------------------------------------------------------------------

export const usPassport: Detector = keyedDetector(
  'US_PASSPORT_NUMBER',
  0.5,
  {
    keywords: [
      'passport', 'passport number', 'passport no', 'passport num', 'passport #', 'passport id', 'us passport',
      'u.s. passport', 'passport card', 'passport book',
    ],
    value: '(?:\\d{9}|[A-Z]\\d{8})(?![A-Za-z0-9])',
  },
  (m) => ({ start: m.start, end: m.end, score: 0.85 }),
);
