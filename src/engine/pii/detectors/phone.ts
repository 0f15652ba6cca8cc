/**
 * PHONE: candidate digit runs are found with one linear regex; each candidate is then parsed and
 * validated with libphonenumber-js (default country US, international "+" numbers, and GB for
 * national numbers with a leading 0). Numbers that libphonenumber rejects are still accepted
 * when phone context is near ("call me on …", "Fax: …") and the shape is phone-like.
 */
import { findNumbers, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';
import type { Detector, PiiFinding, ScanInput } from '../detector.ts';
import { clampScore } from '../detector.ts';
import { contextScorer, forEachMatch } from '../scan-util.ts';
import { digitsOnly, isValidCardNumber } from '../validators.ts';

/**
 * An optional '+', an optional '(', then at least 6 characters of digits and separators
 * (space, tab, parentheses, dot, dash) starting and ending with a digit, then an optional
 * extension. Runs never cross a newline or a comma.
 */
const PHONE_CANDIDATE_RE =
  /(?<![\w+./-])\+?\(?\d[\d \t().-]{4,22}\d\)?(?:[ \t]?(?:x|ext\.?|extension|#)[ \t]?\d{1,6})?(?!\w)/gi;

const EXTENSION_RE = /[ \t]?(?:x|ext\.?|extension|#)[ \t]?\d{1,6}$/i;
const SSN_SHAPE = /^\d{3}-\d{2}-\d{4}$/;
const DATE_SHAPE = /^(?:\d{1,4}[-./]\d{1,2}[-./]\d{1,4}|\d{4}-\d{2}-\d{2})$/;
/** A date written with spaces ("12 05 2020", "2020 05 12"): day/month parts in range, a 2- or 4-digit year. */
const SPACED_DATE_SHAPE = /^(?:(?:0?[1-9]|[12]\d|3[01]) (?:0?[1-9]|[12]\d|3[01]) (?:\d{2}|\d{4})|\d{4} (?:0?[1-9]|1[0-2]) (?:0?[1-9]|[12]\d|3[01]))$/;
/** Short local numbers in groups ("61 51 81", "469 34 883"): phone numbers only next to phone context. */
const SHORT_LOCAL = /^\d{2,3}(?:[ -]\d{2,3}){2}$/;
/** Starts with a date ("2014-02-13 09", "12/27/1986 10"): a timestamp, not a phone number. */
const DATE_PREFIX = /^(?:(?:19|20)\d{2}[-./](?:0?[1-9]|1[0-2])[-./](?:0?[1-9]|[12]\d|3[01])|(?:0?[1-9]|[12]\d|3[01])[-./](?:0?[1-9]|[12]\d|3[01])[-./](?:19|20)\d{2})(?!\d)/;
const YEAR_RANGE = /^(?:1[89]|20)\d{2}\s?[-–]\s?(?:1[89]|20)?\d{2}$/;
const DECIMAL = /^\d+\.\d+$/;
/** Spaced digit groups of a card / account ("4111 1111 1111 1111"). */
const CARD_GROUPS = /^\d{4}(?:[ -]\d{4}){2,4}$/;

const PHONE_CONTEXT = contextScorer(
  {
    positive: [
      'phone', 'phones', 'phone number', 'telephone', 'tel', 'tele', 'mobile', 'mob', 'cell', 'cellphone',
      'cell phone', 'call', 'call me', 'calling', 'called', 'text', 'text me', 'sms', 'whatsapp', 'fax', 'contact',
      'reach', 'reach me', 'ring', 'dial', 'number', 'ph', 'landline', 'hotline', 'office', 'desk', 'home', 'work',
      'direct', 'extension', 'ext', 'voicemail', 'helpline', 'switchboard', 'answering', 'phone no', 'tel no',
    ],
    negative: [
      'order number', 'order no', 'order #', 'order id', 'order', 'invoice', 'invoice number', 'tracking',
      'tracking number', 'account number', 'account no', 'acct', 'routing', 'ssn', 'social security', 'card number',
      'credit card', 'reference', 'reference number', 'ref', 'serial', 'serial number', 'isbn', 'passport',
      'license', 'licence', 'policy number', 'case number', 'ticket', 'ticket number', 'confirmation number',
      'transaction', 'transaction id', 'nhs', 'sin', 'utr', 'iban', 'zip', 'zip code', 'postal code', 'customer id',
      'member id', 'employee id', 'id number', 'patient id', 'claim number', 'pin', 'otp', 'verification code',
      'version', 'build', 'part number', 'model number', 'sku', 'receipt', 'booking', 'reservation',
    ],
    before: 40,
    after: 16,
  },
  0.2,
  0.45,
);

function defaultCountries(candidate: string): readonly CountryCode[] {
  // US/CA national numbers never start with 0; UK ones do.
  const first = candidate.replace(/^\(/, '')[0];
  return first === '0' ? ['GB', 'US'] : ['US'];
}

/** Digit groups of a candidate ("(415) 555-2671" -> [3, 3, 4]). */
function groupLengths(core: string): number[] {
  const out: number[] = [];
  let run = 0;
  for (let i = 0; i < core.length; i++) {
    const c = core.charCodeAt(i);
    if (c >= 48 && c <= 57) run++;
    else if (run > 0) {
      out.push(run);
      run = 0;
    }
  }
  if (run > 0) out.push(run);
  return out;
}

function implausible(core: string, digits: string): boolean {
  if (digits.length < 7 || digits.length > 30) return true;
  // Phone numbers are written in a few groups of 2+ digits (a leading "1" or "+1" aside).
  const groups = groupLengths(core);
  let singles = 0;
  for (const g of groups) if (g === 1) singles++;
  if (groups.length > 8 || singles > 1 || (singles === 1 && groups[0] !== 1)) return true;
  if (SSN_SHAPE.test(core) || DATE_SHAPE.test(core) || SPACED_DATE_SHAPE.test(core) || DATE_PREFIX.test(core) || YEAR_RANGE.test(core) || DECIMAL.test(core)) {
    return true;
  }
  if (CARD_GROUPS.test(core)) return true;
  if (digits.length >= 12 && isValidCardNumber(digits)) return true;
  return false;
}

/**
 * libphonenumber's verdicts are pure functions of the candidate and the default country, and by far the
 * detector's most expensive step (ten microseconds or more each), while the same numbers recur within a text and
 * across requests (a support line, a signature). So they are remembered, in bounded memos emptied when full.
 */
const VERDICT_MEMO_SIZE = 4096;
const validMemo = new Map<string, boolean>();
const foundMemo = new Map<string, readonly { readonly startsAt: number; readonly endsAt: number }[]>();

function memoKey(candidate: string, country: CountryCode): string {
  return `${country}:${candidate}`;
}

/** Is the whole candidate one valid number for `country`? */
function isValidNumber(candidate: string, country: CountryCode): boolean {
  const key = memoKey(candidate, country);
  let valid = validMemo.get(key);
  if (valid === undefined) {
    const parsed = parsePhoneNumberFromString(candidate, { defaultCountry: country, extract: false });
    valid = parsed !== undefined && parsed.isValid();
    if (validMemo.size >= VERDICT_MEMO_SIZE) validMemo.clear();
    validMemo.set(key, valid);
  }
  return valid;
}

/** The valid numbers libphonenumber finds inside the candidate, as offsets into it. */
function validNumbersIn(candidate: string, country: CountryCode): readonly { readonly startsAt: number; readonly endsAt: number }[] {
  const key = memoKey(candidate, country);
  let found = foundMemo.get(key);
  if (found === undefined) {
    found = findNumbers(candidate, { defaultCountry: country, v2: true })
      .filter((hit) => hit.number.isValid())
      .map((hit) => ({ startsAt: hit.startsAt, endsAt: hit.endsAt }));
    if (foundMemo.size >= VERDICT_MEMO_SIZE) foundMemo.clear();
    foundMemo.set(key, found);
  }
  return found;
}

function analyze(text: string, start: number, end: number, out: PiiFinding[]): void {
  const candidate = text.slice(start, end);
  const core = candidate.replace(EXTENSION_RE, '');
  const digits = digitsOnly(core);
  // Six digits in groups ("61 51 81") are a local number only next to phone context.
  const shortLocal = digits.length === 6 && SHORT_LOCAL.test(core) && !SPACED_DATE_SHAPE.test(core);
  if (!shortLocal && implausible(core, digits)) return;
  // Followed by ":dd" — a clock time ("… 09:33").
  if (text[end] === ':' && /\d/.test(text[end + 1] ?? '')) return;
  const signal = PHONE_CONTEXT.signal(text, start, end);
  if (signal < 0) return;
  if (shortLocal) {
    if (signal > 0) out.push({ type: 'PHONE', start, end, score: 0.65 });
    return;
  }
  const formatted = /[^\d]/.test(core) || candidate.startsWith('+');
  const base = formatted ? 0.75 : 0.65;
  // Fast path: the whole candidate is one valid number.
  for (const country of digits.length <= 15 ? defaultCountries(candidate) : []) {
    if (isValidNumber(candidate, country)) {
      out.push({ type: 'PHONE', start, end, score: clampScore(signal > 0 ? base + 0.2 : base) });
      return;
    }
  }
  // Several numbers in one run, or a number with surrounding digits: search inside it.
  let found = false;
  for (const country of digits.length >= 14 ? defaultCountries(candidate) : []) {
    for (const hit of validNumbersIn(candidate, country)) {
      const s = start + hit.startsAt;
      const e = start + hit.endsAt;
      const hitDigits = digitsOnly(text.slice(s, e).replace(EXTENSION_RE, ''));
      if (hitDigits.length < 7) continue;
      found = true;
      const hitFormatted = /[^\d]/.test(text.slice(s, e)) || text[s] === '+';
      const hitBase = hitFormatted ? 0.75 : 0.65;
      out.push({ type: 'PHONE', start: s, end: e, score: clampScore(signal > 0 ? hitBase + 0.2 : hitBase) });
    }
    if (found) return;
  }
  // Not valid for libphonenumber: accept phone-shaped runs only next to phone context.
  if (signal > 0 && digits.length <= 15) {
    const shaped = /[ ().-]/.test(core) || candidate.startsWith('+') || digits.length >= 10;
    if (shaped) out.push({ type: 'PHONE', start, end, score: 0.65 });
  }
}

export const phone: Detector = {
  type: 'PHONE',
  threshold: 0.5,
  detect(input: ScanInput, out: PiiFinding[]): void {
    const text = input.text;
    forEachMatch(PHONE_CANDIDATE_RE, text, (m) => {
      let start = m.index;
      let end = start + m[0].length;
      // An unmatched ')' at the end or '(' at the start is punctuation, not part of the number.
      const body = m[0];
      const opens = body.split('(').length - 1;
      const closes = body.split(')').length - 1;
      if (closes > opens && body.endsWith(')')) end--;
      if (opens > closes && body.startsWith('(')) start++;
      analyze(text, start, end, out);
    });
  },
};
