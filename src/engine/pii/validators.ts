/**
 * Checksums and structural validators for structured identifiers. All functions take the
 * identifier with separators already removed (unless stated otherwise) and never throw.
 */
import { getCountrySpecifications, isValidIBAN } from 'ibantools';

/** Keeps only ASCII digits and letters (drops spaces, dashes, dots). */
export function compact(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) out += s[i];
  }
  return out;
}

export function digitsOnly(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) out += s[i];
  }
  return out;
}

function isAllDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** True when every character is the same ("0000000000"): such numbers are placeholders. */
export function isRepeated(s: string): boolean {
  for (let i = 1; i < s.length; i++) if (s[i] !== s[0]) return false;
  return true;
}

/** Luhn (mod 10) over a string of digits. */
export function luhnValid(digits: string): boolean {
  if (!isAllDigits(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export type CardBrand =
  | 'VISA'
  | 'MASTERCARD'
  | 'AMEX'
  | 'DISCOVER'
  | 'JCB'
  | 'DINERS'
  | 'UNIONPAY'
  | 'MAESTRO'
  | 'MIR';

function prefix(digits: string, n: number): number {
  return Number(digits.slice(0, n));
}

/** The card network for a digit string by IIN prefix and length, or null when none fits. */
export function cardBrand(digits: string): CardBrand | null {
  if (!isAllDigits(digits)) return null;
  const len = digits.length;
  if (len < 12 || len > 19) return null;
  const p1 = prefix(digits, 1);
  const p2 = prefix(digits, 2);
  const p3 = prefix(digits, 3);
  const p4 = prefix(digits, 4);
  const p6 = prefix(digits, 6);
  if (p1 === 4 && (len === 13 || len === 16 || len === 19)) return 'VISA';
  if ((p2 === 34 || p2 === 37) && len === 15) return 'AMEX';
  if (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && len === 16) return 'MASTERCARD';
  if (p4 >= 2200 && p4 <= 2204 && len >= 16) return 'MIR';
  if (p4 >= 3528 && p4 <= 3589 && len >= 16) return 'JCB';
  if (((p3 >= 300 && p3 <= 305) || p3 === 309 || p2 === 36 || p2 === 38 || p2 === 39) && len >= 14) return 'DINERS';
  if ((p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65 || (p6 >= 622126 && p6 <= 622925)) && len >= 16) {
    return 'DISCOVER';
  }
  if ((p2 === 62 || p2 === 81) && len >= 16) return 'UNIONPAY';
  if (p2 === 50 || (p2 >= 56 && p2 <= 58) || p1 === 6) return 'MAESTRO';
  return null;
}

/** A payment card number: known network prefix/length, Luhn, and not a placeholder. */
export function isValidCardNumber(digits: string): boolean {
  return cardBrand(digits) !== null && luhnValid(digits) && !isRepeated(digits);
}

/** ABA routing number: 9 digits, valid Federal Reserve prefix, 3-7-1 weighted checksum. */
export function isValidAbaRouting(digits: string): boolean {
  if (digits.length !== 9 || !isAllDigits(digits) || isRepeated(digits)) return false;
  const p2 = prefix(digits, 2);
  if (!((p2 >= 0 && p2 <= 12) || (p2 >= 21 && p2 <= 32) || (p2 >= 61 && p2 <= 72) || p2 === 80)) return false;
  const w = [3, 7, 1];
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (digits.charCodeAt(i) - 48) * (w[i % 3] ?? 0);
  return sum % 10 === 0;
}

/** US SSN structure: area not 000/666/9xx, group not 00, serial not 0000. */
export function isValidSsn(digits: string): boolean {
  if (digits.length !== 9 || !isAllDigits(digits)) return false;
  const area = prefix(digits, 3);
  const group = Number(digits.slice(3, 5));
  const serial = Number(digits.slice(5));
  if (area === 0 || area === 666 || area >= 900) return false;
  if (group === 0 || serial === 0) return false;
  return !isRepeated(digits);
}

/** US ITIN: 9xx-GG-xxxx with group in 50-65, 70-88, 90-92 or 94-99. */
export function isValidItin(digits: string): boolean {
  if (digits.length !== 9 || !isAllDigits(digits) || digits[0] !== '9') return false;
  const g = Number(digits.slice(3, 5));
  return (g >= 50 && g <= 65) || (g >= 70 && g <= 88) || (g >= 90 && g <= 92) || (g >= 94 && g <= 99);
}

/** Canadian SIN: 9 digits, Luhn, first digit not 0 or 8. */
export function isValidSin(digits: string): boolean {
  if (digits.length !== 9 || !isAllDigits(digits)) return false;
  if (digits[0] === '0' || digits[0] === '8') return false;
  return luhnValid(digits) && !isRepeated(digits);
}

/** UK NHS number: 10 digits, mod-11 check digit with weights 10..2. */
export function isValidNhs(digits: string): boolean {
  if (digits.length !== 10 || !isAllDigits(digits) || isRepeated(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (digits.charCodeAt(i) - 48) * (10 - i);
  let check = 11 - (sum % 11);
  if (check === 11) check = 0;
  if (check === 10) return false;
  return check === digits.charCodeAt(9) - 48;
}

const NINO_BAD_FIRST = new Set(['D', 'F', 'I', 'Q', 'U', 'V']);
const NINO_BAD_SECOND = new Set(['D', 'F', 'I', 'Q', 'U', 'V', 'O']);
const NINO_BAD_PREFIX = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);

/** UK National Insurance number (compact, upper case): AA999999A with the official prefix rules. */
export function isValidNino(s: string): boolean {
  if (!/^[A-Z]{2}\d{6}[A-D]$/.test(s)) return false;
  const a = s[0] ?? '';
  const b = s[1] ?? '';
  return !NINO_BAD_FIRST.has(a) && !NINO_BAD_SECOND.has(b) && !NINO_BAD_PREFIX.has(a + b);
}

const VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
const VIN_LETTER_VALUES: Readonly<Record<string, number>> = {
  A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8,
  J: 1, K: 2, L: 3, M: 4, N: 5, P: 7, R: 9,
  S: 2, T: 3, U: 4, V: 5, W: 6, X: 7, Y: 8, Z: 9,
};

/** VIN (ISO 3779, North American check digit in position 9). Upper case, no I/O/Q. */
export function isValidVin(vin: string): boolean {
  if (!/^[A-HJ-NPR-Z0-9]{17}$/.test(vin)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const ch = vin[i] ?? '';
    const c = ch.charCodeAt(0);
    const v = c >= 48 && c <= 57 ? c - 48 : VIN_LETTER_VALUES[ch];
    if (v === undefined) return false;
    sum += v * (VIN_WEIGHTS[i] ?? 0);
  }
  const r = sum % 11;
  const expected = r === 10 ? 'X' : String(r);
  return vin[8] === expected;
}

/** ISO 3166-1 alpha-2 codes known to ibantools (used for SWIFT/BIC and IBAN country checks). */
export const COUNTRY_CODES: ReadonlySet<string> = new Set(Object.keys(getCountrySpecifications()));

const IBAN_LENGTHS: ReadonlyMap<string, number> = new Map(
  Object.entries(getCountrySpecifications()).flatMap(([cc, spec]) =>
    spec.chars !== null && spec.IBANRegistry ? [[cc, spec.chars] as const] : [],
  ),
);

/** IBAN length for a country (null when the country has no IBAN). */
export function ibanLength(country: string): number | null {
  return IBAN_LENGTHS.get(country) ?? null;
}

/** IBAN (compact, upper case): country length, BBAN format and mod-97 check. */
export function isValidIban(iban: string): boolean {
  return isValidIBAN(iban);
}

/** SWIFT/BIC shape (upper case, 8 or 11 characters) with a valid country code. */
export function isValidBic(bic: string): boolean {
  if (!/^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$/.test(bic)) return false;
  return COUNTRY_CODES.has(bic.slice(4, 6));
}
