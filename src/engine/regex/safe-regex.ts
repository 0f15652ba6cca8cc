/**
 * Customer regexes run on a linear-time engine (RE2 semantics), so no pattern can stall the gateway.
 * The native `re2` binding is used when it loads; the pure-JS `re2js` port is the fallback. Both reject
 * back-references and look-arounds, which surface as a clear error at CreateGuardrail/UpdateGuardrail.
 */
import { RE2JS } from 're2js';

interface Re2Instance {
  lastIndex: number;
  exec(text: string | Buffer): { index: number; 0: { length: number } } | null;
}
type Re2Constructor = new (pattern: string, flags?: string) => Re2Instance;

const native: Re2Constructor | undefined = await import('re2').then(
  (m: { default: unknown }) => m.default as Re2Constructor,
  () => undefined,
);

export type RegexEngineName = 're2' | 're2js';

export interface SafeRegex {
  readonly source: string;
  readonly engine: RegexEngineName;
  /**
   * Every non-empty, non-overlapping match as [start, end) UTF-16 offsets, left to right. Pass a `RegexSubject`
   * to run several patterns over one text (the native engine then reads one UTF-8 copy of it).
   */
  findAll(text: string | RegexSubject): Array<[number, number]>;
}

/**
 * A text prepared for the native engine: its UTF-8 bytes, made once. Given a JS string, the `re2` binding
 * converts it to UTF-8 and keeps the copy behind weak handles for the next call with the same string object
 * only, so ten patterns over one request paid ten conversions (and the handle bookkeeping); given a Buffer it
 * reads the bytes as they are and answers in byte offsets, which this class maps back to UTF-16 offsets.
 */
export class RegexSubject {
  private bytes: Buffer | undefined;
  // Forward-only cursor of `unitOffset`: a byte offset and the UTF-16 offset it maps to.
  private cursorByte = 0;
  private cursorUnit = 0;

  constructor(readonly text: string) {}

  get utf8(): Buffer {
    this.bytes ??= Buffer.from(this.text, 'utf8');
    return this.bytes;
  }

  /** Whether byte offsets are UTF-16 offsets (an ASCII text). */
  get ascii(): boolean {
    return this.utf8.length === this.text.length;
  }

  /** Restart the forward-only offset mapping (before each pattern). */
  rewind(): void {
    this.cursorByte = 0;
    this.cursorUnit = 0;
  }

  /**
   * The UTF-16 offset of a byte offset (at a character boundary), counting like the binding does: a 4-byte
   * sequence is a surrogate pair, every shorter one a single unit. Offsets must not decrease between `rewind`s.
   */
  unitOffset(byte: number): number {
    if (this.ascii) return byte;
    if (byte < this.cursorByte) this.rewind();
    const b = this.utf8;
    let at = this.cursorByte;
    let unit = this.cursorUnit;
    while (at < byte) {
      const lead = b[at] as number;
      at += utf8SequenceLength(lead);
      unit += lead >= 0xf0 ? 2 : 1;
    }
    this.cursorByte = at;
    this.cursorUnit = unit;
    return unit;
  }

  /** Bytes of the character at a byte offset (1 at the end), to step over an empty match. */
  charBytesAt(byte: number): number {
    const lead = this.utf8[byte];
    return lead === undefined ? 1 : utf8SequenceLength(lead);
  }
}

function utf8SequenceLength(lead: number): number {
  return lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
}

export class RegexSyntaxError extends Error {}

/** Matches at most this many spans per text, so a pattern like `.` cannot blow up memory. */
export const MAX_MATCHES_PER_TEXT = 10_000;

export function regexEngineAvailable(): RegexEngineName {
  return native ? 're2' : 're2js';
}

const METACHARACTERS = new Set(['\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}']);

/**
 * Text that every match of `pattern` starts with, or '' when we cannot be sure: the pattern's leading run of
 * plain characters, without a last one that a quantifier may drop, and nothing for a pattern with an
 * alternation anywhere or with a character the UTF-8 conversion could alter (a surrogate, U+FFFD). Customer
 * patterns usually start with one ("ORD-", "tok_"), and most texts do not contain it: one substring search then
 * answers for the pattern without a call into the engine.
 */
export function literalPrefix(pattern: string): string {
  if (pattern.includes('|')) return '';
  let end = 0;
  while (end < pattern.length && !METACHARACTERS.has(pattern[end] as string)) {
    const c = pattern.charCodeAt(end);
    if ((c >= 0xd800 && c <= 0xdfff) || c === 0xfffd) break;
    end++;
  }
  const next = pattern[end];
  if (next === '?' || next === '*' || next === '{') end--;
  return end > 0 ? pattern.slice(0, end) : '';
}

export function compileSafeRegex(pattern: string, prefer: RegexEngineName = regexEngineAvailable()): SafeRegex {
  const prefix = literalPrefix(pattern);
  if (prefer === 're2' && native) {
    const Ctor = native;
    let re: Re2Instance;
    try {
      re = new Ctor(pattern, 'gu');
    } catch (e) {
      throw new RegexSyntaxError(describe(e));
    }
    return {
      source: pattern,
      engine: 're2',
      findAll(input) {
        const subject = typeof input === 'string' ? new RegexSubject(input) : input;
        if (prefix && !subject.text.includes(prefix)) return [];
        const bytes = subject.utf8;
        subject.rewind();
        const out: Array<[number, number]> = [];
        re.lastIndex = 0;
        for (;;) {
          // On a Buffer the binding's offsets, lengths and lastIndex are in bytes.
          const m = re.exec(bytes);
          if (!m) break;
          const len = m[0].length;
          if (len === 0) {
            // Step over the empty match (one character) and keep scanning.
            re.lastIndex = m.index + subject.charBytesAt(m.index);
            if (re.lastIndex > bytes.length) break;
            continue;
          }
          out.push([subject.unitOffset(m.index), subject.unitOffset(m.index + len)]);
          if (out.length >= MAX_MATCHES_PER_TEXT) break;
        }
        return out;
      },
    };
  }
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (e) {
    throw new RegexSyntaxError(describe(e));
  }
  return {
    source: pattern,
    engine: 're2js',
    findAll(input) {
      const text = typeof input === 'string' ? input : input.text;
      const out: Array<[number, number]> = [];
      if (prefix && !text.includes(prefix)) return out;
      const m = compiled.matcher(text);
      while (m.find()) {
        const s = m.start();
        const e = m.end();
        if (e > s) out.push([s, e]);
        if (out.length >= MAX_MATCHES_PER_TEXT) break;
      }
      return out;
    },
  };
}

function describe(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/^error parsing regexp: /, '');
}
