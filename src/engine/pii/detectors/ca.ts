/**
 * Canadian identifiers: Social Insurance Number and provincial health numbers.
 */
import type { Detector } from '../detector.ts';
import { contextScorer, insideNumberRun, keyedDetector, regexDetector } from '../scan-util.ts';
import { isValidSin } from '../validators.ts';

// ---------------------------------------------------------------------------------------------
// CA_SOCIAL_INSURANCE_NUMBER
// ---------------------------------------------------------------------------------------------

/** 9 digits, optionally 3-3-3 with one consistent separator. */
const SIN_RE = /(?<![\d.-])(\d{3})([ -]?)(\d{3})\2(\d{3})(?![\d]|[-.]\d)/g;

const SIN_CONTEXT = contextScorer(
  {
    positive: [
      'sin', 'sin number', 'sin no', 'sin #', 'social insurance', 'social insurance number', 'numéro d’assurance sociale',
      "numéro d'assurance sociale", 'assurance sociale', 'nas',
    ],
    negative: ['phone', 'tel', 'fax', 'order', 'invoice', 'tracking', 'routing', 'account', 'ssn', 'passport', 'ref'],
    before: 48,
  },
  0.45,
  0.35,
);

export const caSin: Detector = regexDetector('CA_SOCIAL_INSURANCE_NUMBER', 0.5, SIN_RE, (m, text) => {
  const digits = (m[1] ?? '') + (m[3] ?? '') + (m[4] ?? '');
  if (!isValidSin(digits)) return null;
  const start = m.index;
  const end = start + m[0].length;
  const sep = m[2] ?? '';
  // Part of a longer space-separated run of digit groups (a phone number, a card)?
  if (sep === ' ' && insideNumberRun(text, start, end)) return null;
  const base = sep === '' ? 0.3 : 0.55;
  return { start, end, score: SIN_CONTEXT.score(base, text, start, end) };
});

// ---------------------------------------------------------------------------------------------
// CA_HEALTH_NUMBER (context required)
// ---------------------------------------------------------------------------------------------

/**
 * Ontario: 10 digits (4-3-3) + optional 2-letter version code; Quebec (RAMQ): 4 letters + 8
 * digits; other provinces: 8-12 digits (BC PHN 10, AB/MB/SK/NB 9, PEI 8, NL 12).
 */
export const caHealthNumber: Detector = keyedDetector(
  'CA_HEALTH_NUMBER',
  0.5,
  {
    keywords: [
      'health card', 'health card number', 'health card no', 'health number', 'health insurance number',
      'health insurance card', 'ohip', 'ohip number', 'ohip no', 'ohip #', 'hcn', 'phn', 'personal health number',
      'ramq', 'carte soleil', 'carte santé', 'carte d’assurance maladie', "carte d'assurance maladie",
      'care card', 'bc services card', 'health services number', 'provincial health number', 'mcp', 'mcp number',
      'alberta health', 'ahcip', 'manitoba health', 'saskatchewan health', 'medicare number', 'health plan number',
    ],
    value:
      '(?:[A-Z]{4}[- ]?\\d{4}[- ]?\\d{4}|\\d{4}[- ]?\\d{3}[- ]?\\d{3}(?:[- ]?[A-Z]{2})?|\\d{8,12})(?![A-Za-z0-9])',
  },
  (m) => {
    let end = m.end;
    // A trailing version code must be upper case ("1234-567-890-AB"); in "1234567890 is" the
    // case-insensitive pattern took " is" as one, so drop it.
    const tail = /[- ]?([A-Za-z]{2})$/.exec(m.value);
    const code = tail?.[1];
    if (tail !== null && code !== undefined && /^\d/.test(m.value) && code !== code.toUpperCase()) {
      end -= tail[0].length;
    }
    return { start: m.start, end, score: 0.85 };
  },
);
