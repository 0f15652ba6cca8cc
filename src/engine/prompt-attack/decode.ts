/**
 * Bounded decoders for instruction smuggling: base64 (standard and URL-safe), hex and 8-bit binary,
 * with a small UTF-8 decoder. Pure TypeScript, no buffers from the runtime.
 *
 * `findEncodedTexts(text, budget)` returns the decoded payloads that look like natural-language text,
 * decoding at most `budget.maxBytes` bytes from at most `budget.maxBlobs` candidate blobs, so the
 * work is bounded whatever the input.
 */

import { BINARY_BLOB, HEX_SPACED } from './patterns.ts';

export interface DecodeBudget {
  /** Most candidate blobs looked at. */
  readonly maxBlobs: number;
  /** Most characters of encoded input decoded in total. */
  readonly maxChars: number;
  /** Most characters decoded from one blob. */
  readonly maxCharsPerBlob: number;
}

export const DEFAULT_BUDGET: DecodeBudget = { maxBlobs: 32, maxChars: 65536, maxCharsPerBlob: 8192 };

const B64 = new Int16Array(128).fill(-1);
{
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < 64; i++) B64[alphabet.charCodeAt(i)] = i;
  B64['-'.charCodeAt(0)] = 62; // URL-safe
  B64['_'.charCodeAt(0)] = 63;
}

/** Decode base64 (either alphabet, padding optional) into bytes; null when not base64. */
export function decodeBase64(s: string, maxChars: number): Uint8Array | null {
  let end = Math.min(s.length, maxChars);
  while (end > 0 && s.charCodeAt(end - 1) === 61) end--; // '='
  end -= end % 4 === 1 ? 1 : 0;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? (B64[c] ?? -1) : -1;
    if (v < 0) return null;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (o < out.length) out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Decode hex digits (separators ignored) into bytes; null on a non-hex character. */
export function decodeHex(s: string, maxChars: number): Uint8Array | null {
  const end = Math.min(s.length, maxChars);
  const out = new Uint8Array(Math.floor(end / 2));
  let o = 0;
  let hi = -1;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 44 || c === 58) continue;
    const v = hexVal(c);
    if (v < 0) return null;
    if (hi < 0) hi = v;
    else {
      out[o++] = (hi << 4) | v;
      hi = -1;
    }
  }
  return out.subarray(0, o);
}

/** Decode groups of eight 0/1 digits (separators ignored) into bytes. */
export function decodeBinary(s: string, maxChars: number): Uint8Array | null {
  const end = Math.min(s.length, maxChars);
  const out = new Uint8Array(Math.floor(end / 8));
  let o = 0;
  let acc = 0;
  let n = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 44) continue;
    if (c !== 48 && c !== 49) return null;
    acc = (acc << 1) | (c - 48);
    if (++n === 8) {
      out[o++] = acc;
      acc = 0;
      n = 0;
    }
  }
  return out.subarray(0, o);
}

/** Minimal UTF-8 decoder; invalid sequences become U+FFFD. */
export function utf8(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i] ?? 0;
    let cp = 0xfffd;
    let len = 1;
    if (b < 0x80) cp = b;
    else if (b >= 0xc2 && b < 0xe0 && i + 1 < n) {
      const b1 = bytes[i + 1] ?? 0;
      if ((b1 & 0xc0) === 0x80) {
        cp = ((b & 0x1f) << 6) | (b1 & 0x3f);
        len = 2;
      }
    } else if (b >= 0xe0 && b < 0xf0 && i + 2 < n) {
      const b1 = bytes[i + 1] ?? 0;
      const b2 = bytes[i + 2] ?? 0;
      if ((b1 & 0xc0) === 0x80 && (b2 & 0xc0) === 0x80) {
        cp = ((b & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
        len = 3;
        if (cp < 0x800) cp = 0xfffd;
      }
    } else if (b >= 0xf0 && b < 0xf5 && i + 3 < n) {
      const b1 = bytes[i + 1] ?? 0;
      const b2 = bytes[i + 2] ?? 0;
      const b3 = bytes[i + 3] ?? 0;
      if ((b1 & 0xc0) === 0x80 && (b2 & 0xc0) === 0x80 && (b3 & 0xc0) === 0x80) {
        cp = ((b & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
        len = 4;
        if (cp < 0x10000 || cp > 0x10ffff) cp = 0xfffd;
      }
    }
    out += String.fromCodePoint(cp);
    i += len;
  }
  return out;
}

/** Does a decoded payload look like natural-language text (mostly printable, with spaces and letters)? */
export function looksLikeText(s: string): boolean {
  if (s.length < 8) return false;
  let printable = 0;
  let letters = 0;
  let spaces = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32) spaces++;
    if ((c >= 32 && c < 127) || c === 10 || c === 13 || c === 9 || (c >= 0xa0 && c !== 0xfffd)) printable++;
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 0xc0 && c !== 0xfffd)) letters++;
  }
  return printable >= 0.92 * s.length && letters >= 0.5 * s.length && spaces >= 1;
}

/** Decoded payloads of the encoded blobs in `text` that look like text (bounded work). */
export function findEncodedTexts(text: string, budget: DecodeBudget = DEFAULT_BUDGET): string[] {
  const out: string[] = [];
  let blobs = 0;
  let chars = 0;
  const tryBlob = (blob: string, decode: (s: string, max: number) => Uint8Array | null): void => {
    if (blobs >= budget.maxBlobs || chars >= budget.maxChars) return;
    blobs++;
    const max = Math.min(budget.maxCharsPerBlob, budget.maxChars - chars);
    chars += Math.min(blob.length, max);
    const bytes = decode(blob, max);
    if (bytes === null || bytes.length < 8) return;
    const s = utf8(bytes);
    if (looksLikeText(s)) out.push(s);
  };
  // Spaced binary and hex need digits: skip the regexes on text without any.
  if (hasDigitRun(text)) {
    for (const re of [BINARY_BLOB, HEX_SPACED]) {
      re.lastIndex = 0;
      const decode = re === BINARY_BLOB ? decodeBinary : decodeHex;
      let m: RegExpExecArray | null;
      while ((m = re.exec(text)) !== null) {
        tryBlob(m[0], decode);
        if (blobs >= budget.maxBlobs || chars >= budget.maxChars) break;
      }
    }
  }
  // Contiguous base64 / hex runs, in one pass over the text.
  const n = text.length;
  let i = 0;
  while (i < n && blobs < budget.maxBlobs && chars < budget.maxChars) {
    const c = text.charCodeAt(i);
    if (!isB64(c)) {
      i++;
      continue;
    }
    let j = i + 1;
    let allHex = isHex(c);
    while (j < n) {
      const d = text.charCodeAt(j);
      const k = d < 128 ? (BLOB_CLASS[d] ?? 0) : 0;
      if (k === 0) break;
      if (k !== 3) allHex = false;
      j++;
    }
    if (j - i < 20) {
      i = j;
      continue;
    }
    let end = j;
    while (end < n && end < j + 2 && text.charCodeAt(end) === 61) end++; // '=' padding
    const len = j - i;
    if (allHex && len >= 32) tryBlob(text.slice(i, j), decodeHex);
    else if (len >= 20) {
      const blob = text.slice(i, end);
      if (plausibleBase64(blob)) tryBlob(blob, decodeBase64);
    }
    i = end > j ? end : j;
  }
  return out;
}

// 1 = base64 character, 3 = base64 and hex digit.
const BLOB_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const b64 = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 95 || c === 45;
  const hex = (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
  BLOB_CLASS[c] = hex ? 3 : b64 ? 1 : 0;
}
function isB64(c: number): boolean {
  return c < 128 && (BLOB_CLASS[c] ?? 0) !== 0;
}
function isHex(c: number): boolean {
  return c < 128 && BLOB_CLASS[c] === 3;
}
// Eight consecutive digits somewhere (binary octets, hex pairs with separators need them too).
const DIGITS = /[0-9]{2}/;
function hasDigitRun(text: string): boolean {
  return DIGITS.test(text);
}

// Base64 of text has upper- and lower-case letters; a long lower-case word or a path is not base64.
function plausibleBase64(s: string): boolean {
  let upper = 0;
  let lower = 0;
  for (let i = 0; i < s.length && i < 256; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) upper++;
    else if (c >= 97 && c <= 122) lower++;
  }
  return upper >= 2 && lower >= 2;
}
