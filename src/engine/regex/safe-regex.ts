/**
 * Customer regexes run on a linear-time engine (RE2 semantics), so no pattern can stall the gateway.
 * The native `re2` binding is used when it loads; the pure-JS `re2js` port is the fallback. Both reject
 * back-references and look-arounds, which surface as a clear error at CreateGuardrail/UpdateGuardrail.
 */
import { RE2JS } from 're2js';

interface Re2Instance {
  lastIndex: number;
  exec(text: string): { index: number; 0: string } | null;
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
  /** Every non-empty, non-overlapping match as [start, end) UTF-16 offsets, left to right. */
  findAll(text: string): Array<[number, number]>;
}

export class RegexSyntaxError extends Error {}

/** Matches at most this many spans per text, so a pattern like `.` cannot blow up memory. */
export const MAX_MATCHES_PER_TEXT = 10_000;

export function regexEngineAvailable(): RegexEngineName {
  return native ? 're2' : 're2js';
}

export function compileSafeRegex(pattern: string, prefer: RegexEngineName = regexEngineAvailable()): SafeRegex {
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
      findAll(text) {
        const out: Array<[number, number]> = [];
        re.lastIndex = 0;
        for (;;) {
          const m = re.exec(text);
          if (!m) break;
          const len = m[0].length;
          if (len === 0) {
            // Step over the empty match (by code point) and keep scanning.
            const cp = text.codePointAt(m.index);
            re.lastIndex = m.index + (cp !== undefined && cp > 0xffff ? 2 : 1);
            if (re.lastIndex > text.length) break;
            continue;
          }
          out.push([m.index, m.index + len]);
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
    findAll(text) {
      const out: Array<[number, number]> = [];
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
