/**
 * Context words: phrases near a candidate that raise (positive) or lower (negative) its score,
 * and keyword-anchored extraction ("password: X") for entity types that only exist in context.
 *
 * Every regex here is compiled once at module load / detector construction and only ever runs on
 * a bounded window of text around a candidate, or (for keyword scans) is a plain alternation of
 * literals followed by a sticky, bounded value pattern, so total work stays linear.
 */

export interface ContextWords {
  /** Phrases that make the candidate more likely (case-insensitive, whole words). */
  readonly positive: readonly string[];
  /** Phrases that make the candidate less likely. The phrase nearest the candidate wins. */
  readonly negative?: readonly string[];
  /** Characters scanned before the candidate (default 48). */
  readonly before?: number;
  /** Characters scanned after the candidate (default 0: none). */
  readonly after?: number;
}

export interface CompiledContext {
  readonly all: RegExp;
  readonly negative: RegExp | null;
  readonly before: number;
  readonly after: number;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Regex source for a phrase: words separated by any run of spaces, `_`, `-` or nothing. */
export function phraseSource(phrase: string): string {
  return phrase
    .trim()
    .split(/\s+/)
    .map(escapeRegExp)
    .join('[\\s_-]{0,3}');
}

/** An alternation of phrases (longest first) as a whole-word regex source. */
export function phrasesSource(phrases: readonly string[]): string {
  const sorted = [...new Set(phrases.map((p) => p.trim().toLowerCase()))].filter((p) => p.length > 0);
  sorted.sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  return `(?<![A-Za-z0-9])(?:${sorted.map(phraseSource).join('|')})(?![A-Za-z0-9])`;
}

export function compileContext(words: ContextWords): CompiledContext {
  const negative = words.negative ?? [];
  return {
    all: new RegExp(phrasesSource([...words.positive, ...negative]), 'gi'),
    negative: negative.length > 0 ? new RegExp(`^(?:${phrasesSource(negative)})$`, 'i') : null,
    before: words.before ?? 48,
    after: words.after ?? 0,
  };
}

/**
 * +1 when the nearest context phrase is positive, -1 when it is negative, 0 when there is none.
 * The window before the candidate is searched first (the phrase closest to the candidate wins),
 * then the window after it.
 */
export function contextSignal(ctx: CompiledContext, text: string, start: number, end: number): -1 | 0 | 1 {
  const re = ctx.all;
  if (ctx.before > 0 && start > 0) {
    const window = text.slice(Math.max(0, start - ctx.before), start);
    re.lastIndex = 0;
    let last: string | null = null;
    for (let m = re.exec(window); m !== null; m = re.exec(window)) {
      last = m[0];
      if (m[0].length === 0) re.lastIndex++;
    }
    if (last !== null) return ctx.negative !== null && ctx.negative.test(last) ? -1 : 1;
  }
  if (ctx.after > 0 && end < text.length) {
    const window = text.slice(end, Math.min(text.length, end + ctx.after));
    re.lastIndex = 0;
    const m = re.exec(window);
    if (m !== null) return ctx.negative !== null && ctx.negative.test(m[0]) ? -1 : 1;
  }
  return 0;
}

/**
 * Filler allowed between a keyword and its value: punctuation such as `:`, `=`, `#`, quotes,
 * and a few words ("is", "number", "no.", "of my"). Bounded, so the sticky match is O(1).
 */
export const GAP_SOURCE =
  "(?:[\\s:=#\\-–—*\"'“‘(]|\\.(?=\\s)|(?<![A-Za-z])(?:is|was|are|number|num|no|nr|code|id|of|my|the|reads|will be|would be)(?![A-Za-z])){0,12}";
