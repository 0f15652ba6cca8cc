/**
 * Sentence-level analysis for contextual grounding: content-word stems with IDF-like weights, numbers
 * (normalised, number words included), named entities (capitalised words), negation.
 */
import { lowerToken, sentenceRanges, T_ALLCAPS, T_CAP, T_HYPHEN, T_NUMBER, tokenize } from '../text/tokenize.ts';
import { stem } from '../text/stem.ts';
import { isCommonWord, isNegation, isStopword, WEIGHT_COMMON, WEIGHT_RARE } from '../text/english.ts';

/** Words that say where an answer comes from, not what it claims ("according to the document"). */
const META_WORDS: ReadonlySet<string> = new Set(
  [
    'according', 'document', 'documents', 'text', 'source', 'sources', 'context', 'passage', 'article',
    'provided', 'provide', 'based', 'mention', 'mentions', 'mentioned', 'state', 'states', 'stated', 'say',
    'says', 'said', 'answer', 'response', 'question', 'information', 'info', 'note', 'noted', 'indicate',
    'indicates', 'indicated', 'sure', 'certainly', 'hope', 'helps', 'glad', 'happy', 'help', 'let', 'know',
    'reference', 'given', 'describes', 'described', 'explains', 'explained', 'specifies', 'specified',
    'confirm', 'confirms', 'summary', 'summarize', 'great', 'absolutely', 'course',
  ].flatMap((w) => [w, stem(w)]),
);

const UNITS: ReadonlyMap<string, number> = new Map([
  ['zero', 0], ['two', 2], ['three', 3], ['four', 4], ['five', 5], ['six', 6], ['seven', 7], ['eight', 8],
  ['nine', 9], ['ten', 10], ['eleven', 11], ['twelve', 12], ['thirteen', 13], ['fourteen', 14], ['fifteen', 15],
  ['sixteen', 16], ['seventeen', 17], ['eighteen', 18], ['nineteen', 19], ['twenty', 20], ['thirty', 30],
  ['forty', 40], ['fifty', 50], ['sixty', 60], ['seventy', 70], ['eighty', 80], ['ninety', 90],
  // "one" is left out on purpose: "one of the best" is not a quantity claim
]);
const SCALES: ReadonlyMap<string, number> = new Map([
  ['hundred', 100], ['thousand', 1000], ['million', 1e6], ['billion', 1e9],
]);
const ORDINAL_WORDS: ReadonlyMap<string, number> = new Map([
  ['first', 1], ['second', 2], ['third', 3], ['fourth', 4], ['fifth', 5], ['sixth', 6], ['seventh', 7],
  ['eighth', 8], ['ninth', 9], ['tenth', 10], ['twelfth', 12], ['twentieth', 20], ['thirtieth', 30],
]);

const MONTHS_AND_DAYS: ReadonlySet<string> = new Set([
  'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november',
  'december', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday',
]);

/** Normalise a numeric token ("1,000" → "1000", "30.00" → "30", "5th" → "5"); null when not a plain number. */
export function normalizeNumber(tok: string): string | null {
  const m = /^([0-9][0-9.,:]*)([a-z]*)$/.exec(tok);
  if (!m) return null;
  const digits = m[1] ?? '';
  const suffix = m[2] ?? '';
  if (suffix !== '' && suffix !== 'st' && suffix !== 'nd' && suffix !== 'rd' && suffix !== 'th') return null;
  if (digits.includes(':')) return digits; // times: 10:30
  let d = digits;
  // thousands separators: a comma followed by exactly three digits
  d = d.replace(/,(?=[0-9]{3}(?![0-9]))/g, '');
  d = d.replace(',', '.');
  const v = Number.parseFloat(d);
  return Number.isFinite(v) ? String(v) : digits;
}

export interface Sentence {
  /** Index of the text (source) the sentence belongs to. */
  readonly doc: number;
  /** Distinct content stems and their weights. */
  readonly stems: readonly string[];
  readonly weights: readonly number[];
  /** Normalised numbers. */
  readonly numbers: readonly string[];
  /** Named entities (lowercase) that must be supported: capitalised words, month and day names, codes. */
  readonly entities: readonly string[];
  readonly negated: boolean;
  /** Sum of weights. */
  readonly total: number;
}

const K_STOP = 0;
const K_DIGITS = 1;
const K_UNIT = 2;
const K_SCALE = 3;
const K_CONTENT = 4;
const K_META = 5;

/** What one distinct lowercase word is, computed once per call. */
interface WordInfo {
  readonly kind: number;
  readonly stem: string;
  /** number value (digits normalised, unit/scale/ordinal word value); '' when none */
  readonly number: string;
  readonly value: number;
  readonly negation: boolean;
  readonly weight: number;
  readonly common: boolean;
}

/** Per-call memo of word analysis (stems, kinds, weights). */
export class WordCache {
  private readonly cache = new Map<string, WordInfo>();

  stem(lower: string): string {
    return this.info(lower).stem;
  }

  info(lower: string): WordInfo {
    let w = this.cache.get(lower);
    if (w === undefined) {
      w = analyzeWord(lower);
      this.cache.set(lower, w);
    }
    return w;
  }
}

function analyzeWord(lower: string): WordInfo {
  const negation = isNegation(lower) || lower === 'non';
  const c0 = lower.charCodeAt(0);
  if (c0 >= 48 && c0 <= 57) {
    const n = normalizeNumber(lower);
    // codes such as 401k, 5mg, b2b are kept as names (number '' → entity)
    return { kind: K_DIGITS, stem: lower, number: n ?? '', value: 0, negation, weight: 0, common: false };
  }
  const unit = UNITS.get(lower);
  if (unit !== undefined) return { kind: K_UNIT, stem: lower, number: '', value: unit, negation, weight: 0, common: false };
  const scale = SCALES.get(lower);
  const ord = ORDINAL_WORDS.get(lower);
  const ordinal = ord === undefined ? '' : String(ord);
  if (isStopword(lower)) {
    return { kind: scale !== undefined ? K_SCALE : K_STOP, stem: lower, number: ordinal, value: scale ?? 0, negation, weight: 0, common: true };
  }
  const s = stem(lower);
  if (META_WORDS.has(lower) || META_WORDS.has(s))
    return { kind: K_META, stem: s, number: ordinal, value: 0, negation, weight: 0, common: true };
  const common = isCommonWord(lower) || isCommonWord(s);
  return {
    kind: scale !== undefined ? K_SCALE : K_CONTENT,
    stem: s,
    number: ordinal,
    value: scale ?? 0,
    negation,
    weight: common ? WEIGHT_COMMON : WEIGHT_RARE,
    common,
  };
}

const HAS_LETTER = /[a-z]/;
const INFLECTED = /(?:s|ed|ing)$/;
const NOT_INFLECTED = /(?:ss|us|is)$/;

/** Mutable per-sentence accumulator. */
class SentenceBuilder {
  stems: string[] = [];
  weights: number[] = [];
  seen = new Map<string, number>();
  numbers = new Set<string>();
  entities = new Set<string>();
  negated = false;
  numAcc = -1; // number-word accumulator ("two hundred and five")
  numTotal = 0;

  flushNumber(): void {
    if (this.numAcc >= 0) this.numbers.add(String(this.numTotal + this.numAcc));
    this.numAcc = -1;
    this.numTotal = 0;
  }

  /** One word (or hyphen part). `flags` are the token's; `sentStart` only for the sentence's first word. */
  add(lower: string, flags: number, sentStart: boolean, shouting: boolean, words: WordCache): void {
    const info = words.info(lower);
    if (info.negation) this.negated = true;
    switch (info.kind) {
      case K_DIGITS:
        this.flushNumber();
        if (info.number !== '') this.numbers.add(info.number);
        else this.entities.add(lower);
        return;
      case K_UNIT:
        if (this.numAcc < 0) this.numAcc = 0;
        this.numAcc += info.value;
        return;
      case K_SCALE:
        if (this.numAcc >= 0) {
          if (info.value === 100) this.numAcc *= 100;
          else {
            this.numTotal += this.numAcc * info.value;
            this.numAcc = 0;
          }
          return;
        }
        break;
      default:
        if (lower === 'and' && this.numAcc >= 0) return;
    }
    this.flushNumber();
    if (info.number !== '') this.numbers.add(info.number);
    if (info.kind === K_STOP || info.kind === K_META) return;
    const s = info.stem;
    // named entities
    if (!shouting && (flags & (T_CAP | T_ALLCAPS)) !== 0 && HAS_LETTER.test(lower)) {
      if (MONTHS_AND_DAYS.has(lower)) this.entities.add(lower);
      else if ((flags & T_ALLCAPS) !== 0 && lower.length >= 2) this.entities.add(lower);
      else if (!info.common && (!sentStart || !looksInflected(lower))) this.entities.add(lower);
    }
    const w = info.weight;
    const at = this.seen.get(s);
    if (at === undefined) {
      this.seen.set(s, this.stems.length);
      this.stems.push(s);
      this.weights.push(w);
    } else if ((this.weights[at] ?? 0) < w) this.weights[at] = w;
  }

  build(doc: number): Sentence {
    this.flushNumber();
    let total = 0;
    for (const w of this.weights) total += w;
    return {
      doc,
      stems: this.stems,
      weights: this.weights,
      numbers: [...this.numbers],
      entities: [...this.entities],
      negated: this.negated,
      total,
    };
  }
}

/**
 * Split a text into sentences and analyse each. `lowers`, when given, collects every lowercase token,
 * hyphen part and content stem: the sources use it to check entities in any case or inflection.
 */
export function analyzeText(text: string, doc: number, words: WordCache, lowers?: Set<string>): Sentence[] {
  const toks = tokenize(text);
  const out: Sentence[] = [];
  for (const [a, b] of sentenceRanges(toks)) {
    let capsTokens = 0;
    let letterTokens = 0;
    for (let i = a; i < b; i++) {
      const f = toks.flags[i] ?? 0;
      if ((f & T_NUMBER) === 0) {
        letterTokens++;
        if ((f & T_ALLCAPS) !== 0) capsTokens++;
      }
    }
    const shouting = letterTokens > 0 && capsTokens / letterTokens > 0.6;
    const sb = new SentenceBuilder();
    for (let i = a; i < b; i++) {
      const f = toks.flags[i] ?? 0;
      const lower = lowerToken(text, toks, i);
      if (lowers) lowers.add(lower);
      if ((f & T_HYPHEN) !== 0) {
        // "30-day" → 30, day; "non-refundable" → non, refundable
        const parts = lower.split('-');
        for (let k = 0; k < parts.length; k++) {
          const p = parts[k] ?? '';
          if (p.length === 0) continue;
          if (lowers) lowers.add(p);
          sb.add(p, k === 0 ? f : f & T_ALLCAPS, i === a && k === 0, shouting, words);
        }
      } else sb.add(lower, f, i === a, shouting, words);
    }
    const sentence = sb.build(doc);
    if (lowers) for (const st of sentence.stems) lowers.add(st);
    out.push(sentence);
  }
  return out;
}

/**
 * A sentence-initial capitalised word is taken for a name only if it does not look like an inflected
 * common noun or verb ("Customers", "Refunds", "Returned" are not names; "London", "Paris" are).
 */
function looksInflected(lower: string): boolean {
  return INFLECTED.test(lower) && !NOT_INFLECTED.test(lower);
}
