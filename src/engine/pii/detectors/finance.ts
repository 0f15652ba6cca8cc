/**
 * Payment and banking identifiers: card number, CVV, expiry, IBAN, SWIFT/BIC.
 */
import type { Detector, PiiFinding, ScanInput } from '../detector.ts';
import { clampScore } from '../detector.ts';
import { contextScorer, forEachMatch, isAsciiAlnum, keyedDetector, regexDetector } from '../scan-util.ts';
import { cardBrand, digitsOnly, ibanLength, isValidBic, isValidCardNumber, isValidIban } from '../validators.ts';

// ---------------------------------------------------------------------------------------------
// CREDIT_DEBIT_CARD_NUMBER
// ---------------------------------------------------------------------------------------------

/**
 * 4-4-4-4(-1..3) groups with one consistent separator, 4-6-4/5 (Diners/Amex) groups, or 12-19
 * contiguous digits. Not preceded by a digit/dash/decimal point, not followed by a digit.
 */
const CARD_RE =
  /(?<![\d-])(?<!\d[.,])(?:\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?|\d{4}([ -])\d{6}\2\d{4,5}|\d{12,19})(?!\d)/g;

const CARD_CONTEXT = contextScorer(
  {
    positive: [
      'card', 'credit', 'debit', 'visa', 'mastercard', 'master card', 'amex', 'american express', 'discover',
      'jcb', 'diners', 'unionpay', 'maestro', 'cc', 'ccn', 'pan', 'payment', 'pay with', 'charge', 'cardholder',
    ],
    negative: ['order', 'tracking', 'invoice', 'isbn', 'serial', 'imei', 'shipment', 'parcel', 'reference', 'ref'],
    before: 48,
  },
  0.1,
  0.45,
);

export const creditCardNumber: Detector = regexDetector('CREDIT_DEBIT_CARD_NUMBER', 0.5, CARD_RE, (m, text) => {
  const digits = digitsOnly(m[0]);
  if (!isValidCardNumber(digits)) return null;
  const start = m.index;
  const end = start + m[0].length;
  // Short (12-13 digit) numbers and unusual networks are weaker evidence.
  const brand = cardBrand(digits);
  const base = digits.length < 14 || brand === 'MAESTRO' ? 0.6 : 0.9;
  return { start, end, score: CARD_CONTEXT.score(base, text, start, end) };
});

// ---------------------------------------------------------------------------------------------
// CREDIT_DEBIT_CARD_CVV (context required)
// ---------------------------------------------------------------------------------------------

export const creditCardCvv: Detector = keyedDetector(
  'CREDIT_DEBIT_CARD_CVV',
  0.5,
  {
    keywords: [
      'cvv', 'cvv2', 'cvc', 'cvc2', 'cid', 'csc', 'cvn', 'cvd', 'security code', 'card security code',
      'card verification value', 'card verification code', 'card verification number', 'card code',
      'verification value', '3 digit code', 'three digit code', '4 digit security code', 'security number',
    ],
    value: '\\d{3,4}(?![\\d])',
  },
  (m) => ({ start: m.start, end: m.end, score: 0.9 }),
);

// ---------------------------------------------------------------------------------------------
// CREDIT_DEBIT_CARD_EXPIRY
// ---------------------------------------------------------------------------------------------

/** MM/YY, MM/YYYY, MM-YY, MM-YYYY (spaces allowed around the separator); not part of a longer date. */
const EXPIRY_RE = /(?<![\d/.-])(0?[1-9]|1[0-2])[ ]?([/-])[ ]?(20\d{2}|\d{2})(?![\d]|[/.-]\d)/g;

const EXPIRY_CONTEXT = contextScorer(
  {
    positive: [
      'exp', 'expiry', 'expires', 'expire', 'expiring', 'expiration', 'exp date', 'expiry date', 'expiration date',
      'valid thru', 'valid through', 'valid till', 'valid until', 'good thru', 'good through', 'mm/yy', 'mm/yyyy',
      'card', 'credit card', 'debit card', 'cvv', 'cvc',
    ],
    negative: [
      'born', 'birthday', 'dob', 'date of birth', 'since', 'on', 'due', 'meeting', 'deadline', 'page', 'pages',
      'score', 'rated', 'rating', 'ratio', 'chapter', 'verse', 'version',
    ],
    before: 40,
  },
  0.45,
  0.3,
);

/** Long digit groups just before the candidate (a card number) count as context. */
const CARD_NEAR_RE = /\d{4}[ -]?\d{4}[ -]?\d{4}/;

export const creditCardExpiry: Detector = regexDetector('CREDIT_DEBIT_CARD_EXPIRY', 0.5, EXPIRY_RE, (m, text) => {
  const month = m[1] ?? '';
  const sep = m[2] ?? '';
  const year = m[3] ?? '';
  const start = m.index;
  const end = start + m[0].length;
  let base = 0.35;
  if (year.length === 4 && month.length === 2) base = 0.5;
  else if (sep === '/' && month.length === 2) base = 0.45;
  let score = EXPIRY_CONTEXT.score(base, text, start, end);
  if (score < base + 0.1 && CARD_NEAR_RE.test(text.slice(Math.max(0, start - 40), start))) score = base + 0.45;
  return { start, end, score };
});

// ---------------------------------------------------------------------------------------------
// INTERNATIONAL_BANK_ACCOUNT_NUMBER
// ---------------------------------------------------------------------------------------------

/** Country code + 2 check digits at a word start; the rest is read by country length. */
const IBAN_START_RE = /[A-Za-z](?<![A-Za-z0-9][A-Za-z])[A-Za-z]\d{2}(?=[ -]?[A-Za-z0-9])/g;

const IBAN_CONTEXT = contextScorer(
  { positive: ['iban', 'bank account', 'account', 'transfer', 'wire', 'sepa', 'bank'], before: 48 },
  0.05,
);

/**
 * Reads exactly `need` alphanumerics from `pos`, allowing one space or dash before any of them
 * (never two in a row). Returns the end offset and the characters, or null.
 */
function readGrouped(text: string, pos: number, need: number): { end: number; chars: string } | null {
  let chars = '';
  let i = pos;
  while (chars.length < need && i < text.length) {
    const c = text.charCodeAt(i);
    if (isAsciiAlnum(c)) {
      chars += text[i];
      i++;
    } else if ((c === 32 || c === 45) && i + 1 < text.length && isAsciiAlnum(text.charCodeAt(i + 1))) {
      i++;
    } else {
      break;
    }
  }
  if (chars.length !== need) return null;
  return { end: i, chars };
}

export const iban: Detector = {
  type: 'INTERNATIONAL_BANK_ACCOUNT_NUMBER',
  threshold: 0.5,
  detect(input: ScanInput, out: PiiFinding[]): void {
    const text = input.text;
    forEachMatch(IBAN_START_RE, text, (m) => {
      const cc = m[0].slice(0, 2).toUpperCase();
      const len = ibanLength(cc);
      if (len === null) return;
      const start = m.index;
      const rest = readGrouped(text, start + 4, len - 4);
      if (rest === null) return;
      const after = rest.end < text.length ? text.charCodeAt(rest.end) : 32;
      if (isAsciiAlnum(after)) return;
      const raw = m[0] + rest.chars;
      const upper = raw.toUpperCase();
      if (!isValidIban(upper)) return;
      const lower = raw !== upper && raw.toLowerCase() === raw;
      const mixed = raw !== upper && !lower;
      const base = mixed ? 0.45 : lower ? 0.8 : 0.95;
      out.push({
        type: 'INTERNATIONAL_BANK_ACCOUNT_NUMBER',
        start,
        end: rest.end,
        score: clampScore(IBAN_CONTEXT.score(base, text, start, rest.end)),
      });
      IBAN_START_RE.lastIndex = rest.end;
    });
  },
};

// ---------------------------------------------------------------------------------------------
// SWIFT_CODE
// ---------------------------------------------------------------------------------------------

const SWIFT_RE = /[A-Z](?<![A-Za-z0-9][A-Z])[A-Z]{5}[A-Z0-9]{2}(?:[A-Z0-9]{3})?(?![A-Za-z0-9])/g;

const SWIFT_CONTEXT = contextScorer(
  {
    positive: [
      'swift', 'swift code', 'swift/bic', 'bic', 'bic code', 'bank identifier code', 'bank code', 'iban', 'bank',
      'wire', 'wire transfer', 'transfer', 'beneficiary', 'correspondent',
    ],
    before: 48,
    after: 24,
  },
  0.5,
);

export const swiftCode: Detector = regexDetector('SWIFT_CODE', 0.5, SWIFT_RE, (m, text) => {
  const bic = m[0];
  if (!isValidBic(bic)) return null;
  const start = m.index;
  const end = start + bic.length;
  // Upper-case words and product codes ("IPHONE15") have the same shape: context is required.
  const hasDigit = /\d/.test(bic.slice(6));
  const base = hasDigit ? 0.4 : 0.3;
  return { start, end, score: SWIFT_CONTEXT.score(base, text, start, end) };
});
