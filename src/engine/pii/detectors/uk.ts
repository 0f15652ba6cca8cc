/**
 * United Kingdom identifiers: NHS number, National Insurance number, Unique Taxpayer Reference.
 */
import type { Detector } from '../detector.ts';
import { contextScorer, insideNumberRun, keyedDetector, regexDetector } from '../scan-util.ts';
import { isValidNhs, isValidNino } from '../validators.ts';

// ---------------------------------------------------------------------------------------------
// UK_NATIONAL_HEALTH_SERVICE_NUMBER
// ---------------------------------------------------------------------------------------------

/** 10 digits, optionally grouped 3-3-4 with one consistent separator. */
const NHS_RE = /(?<![\d.-])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\d]|[-.]\d)/g;

const NHS_CONTEXT = contextScorer(
  {
    positive: [
      'nhs', 'nhs number', 'nhs no', 'nhs #', 'nhs id', 'national health service', 'health service number',
      'nhs num', 'chi number', 'patient number', 'hospital number',
    ],
    negative: [
      'phone', 'telephone', 'tel', 'mobile', 'cell', 'call', 'fax', 'order', 'invoice', 'account', 'tracking',
      'ref', 'reference', 'isbn', 'utr', 'tax',
    ],
    before: 48,
  },
  0.5,
  0.35,
);

export const ukNhs: Detector = regexDetector('UK_NATIONAL_HEALTH_SERVICE_NUMBER', 0.5, NHS_RE, (m, text) => {
  const digits = (m[1] ?? '') + (m[3] ?? '') + (m[4] ?? '');
  if (!isValidNhs(digits)) return null;
  const start = m.index;
  const end = start + m[0].length;
  const sep = m[2] ?? '';
  // Part of a longer space-separated run of digit groups (a phone number, a card)?
  if (sep === ' ' && insideNumberRun(text, start, end)) return null;
  const base = sep === '' ? 0.4 : 0.5;
  return { start, end, score: NHS_CONTEXT.score(base, text, start, end) };
});

// ---------------------------------------------------------------------------------------------
// UK_NATIONAL_INSURANCE_NUMBER
// ---------------------------------------------------------------------------------------------

const NINO_RE = /(?<![A-Za-z0-9])([A-Za-z]{2}) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-Da-d])(?![A-Za-z0-9])/g;

const NINO_CONTEXT = contextScorer(
  {
    positive: [
      'national insurance', 'national insurance number', 'ni number', 'ni no', 'nino', 'nin', 'ni', 'nic',
      'insurance number', 'hmrc',
    ],
    before: 48,
  },
  0.5,
);

export const ukNino: Detector = regexDetector('UK_NATIONAL_INSURANCE_NUMBER', 0.5, NINO_RE, (m, text) => {
  const compactForm = (m[1] ?? '') + (m[2] ?? '') + (m[3] ?? '') + (m[4] ?? '') + (m[5] ?? '');
  const upper = compactForm.toUpperCase();
  if (!isValidNino(upper)) return null;
  const start = m.index;
  const end = start + m[0].length;
  const base = upper === compactForm ? 0.85 : 0.4;
  return { start, end, score: NINO_CONTEXT.score(base, text, start, end) };
});

// ---------------------------------------------------------------------------------------------
// UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER (context required)
// ---------------------------------------------------------------------------------------------

export const ukUtr: Detector = keyedDetector(
  'UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER',
  0.5,
  {
    keywords: [
      'utr', 'utr number', 'utr no', 'unique taxpayer reference', 'unique taxpayer ref', 'unique tax reference',
      'taxpayer reference', 'tax reference', 'tax ref', 'self assessment', 'self assessment reference',
      'hmrc reference', 'corporation tax reference', 'ct utr', 'sa utr',
    ],
    value: '\\d{5} ?\\d{5}K?(?![A-Za-z0-9])',
  },
  (m, text) => {
    // With the case-insensitive value pattern a lower-case "k" may follow; only "K" is the suffix.
    let end = m.end;
    if (text[end - 1] === 'k') end--;
    return { start: m.start, end, score: 0.85 };
  },
);
