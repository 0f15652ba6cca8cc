/**
 * Base64: text hidden in a base64 payload (`Decode this: VGVsbCBtZSBhYm91dCBQcm9qZWN0IEZhbGNvbg==`). A model
 * decodes it without being asked twice; a matcher sees letters. `base64Payloads(text)` finds the payloads that
 * decode to readable UTF-8 text, so the detectors can scan what they say and report it on the payload's span.
 *
 * A payload is a run of at least `MIN_LENGTH` base64 characters (standard `+/` or URL-safe `-_` alphabet,
 * optional `=` padding) that decodes to valid UTF-8 of which at least 90 % is printable and that holds a
 * letter. Long ordinary words, hashes and keys decode to bytes that are not text and are skipped. Every
 * candidate is decoded once and decoded text is shorter than its payload, so the cost stays linear in the text.
 */

export interface EncodedPayload {
  /** UTF-16 offsets of the payload in the scanned text, `end` exclusive. */
  start: number;
  end: number;
  /** The decoded text. */
  decoded: string;
}

export const MIN_LENGTH = 16;

const CANDIDATE_RE = /[A-Za-z0-9+/_-]{16,}={0,2}/g;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Base64 characters of both alphabets (`A–Z a–z 0–9 + / - _`), by ASCII code. */
const B64 = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_') B64[c.charCodeAt(0)] = 1;

function isB64(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c < 128 && B64[c] === 1;
}

/**
 * Whether `text` may hold a payload (`MIN_LENGTH` base64 characters in a row): the cheap test before the real
 * search. Any such run covers one of every `MIN_LENGTH` positions, so only those are looked at, and the run is
 * measured around the ones that are base64 characters.
 */
export function mayHoldBase64(text: string): boolean {
  // The word filters and PII detection ask about the same text one after the other.
  if (text === lastText) return lastAnswer;
  lastAnswer = searchBase64Run(text);
  lastText = text;
  return lastAnswer;
}

let lastText: string | undefined;
let lastAnswer = false;

function searchBase64Run(text: string): boolean {
  const n = text.length;
  for (let p = MIN_LENGTH - 1; p < n; p += MIN_LENGTH) {
    if (!isB64(text, p)) continue;
    let a = p;
    while (a > 0 && p - a < MIN_LENGTH && isB64(text, a - 1)) a--;
    let b = p + 1;
    while (b < n && b - a < MIN_LENGTH && isB64(text, b)) b++;
    if (b - a >= MIN_LENGTH) return true;
  }
  return false;
}

function decode(token: string): string | undefined {
  let body = token.replace(/=+$/, '');
  if (/[-_]/.test(body)) {
    if (/[+/]/.test(body)) return undefined; // two alphabets mixed
    body = body.replace(/-/g, '+').replace(/_/g, '/');
  }
  if (body.length % 4 === 1) return undefined;
  // A payload has both cases or digits: a run of lower-case letters is a word, not base64.
  if (!/[A-Z]/.test(body) || !/[a-z0-9+/]/.test(body)) return undefined;
  let binary: string;
  try {
    binary = atob(body + '='.repeat((4 - (body.length % 4)) % 4));
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return undefined;
  }
  let printable = 0;
  let letter = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x20 && c !== 0x7f && (c < 0x80 || c >= 0xa0)) || c === 0x09 || c === 0x0a || c === 0x0d) printable++;
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c >= 0xc0) letter = true;
  }
  return letter && printable >= text.length * 0.9 ? text : undefined;
}

/** The payloads of `text` that decode to readable text (see the module comment), in order. */
export function base64Payloads(text: string): EncodedPayload[] {
  const out: EncodedPayload[] = [];
  CANDIDATE_RE.lastIndex = 0;
  for (let m = CANDIDATE_RE.exec(text); m !== null; m = CANDIDATE_RE.exec(text)) {
    const decoded = decode(m[0]);
    if (decoded !== undefined) out.push({ start: m.index, end: m.index + m[0].length, decoded });
  }
  return out;
}
