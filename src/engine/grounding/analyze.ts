/**
 * Sentence-level analysis for contextual grounding: content-word keys (stems, paraphrase groups merged) with IDF-like
 * weights, quantities (normalised numbers with their unit and whether they are approximate), named entities and
 * two-word names, and negation per clause.
 */
import { lowerToken, sentenceRanges, T_ALLCAPS, T_CAP, T_HYPHEN, T_NUMBER, T_SENT_START, tokenize, type Tokens } from '../text/tokenize.ts';
import { stem } from '../text/stem.ts';
import { isCommonWord, isNegation, isStopword, WEIGHT_COMMON, WEIGHT_RARE } from '../text/english.ts';
import { canonicalStem, isApproximator, isHedge, negatingWord } from './lexicon.ts';
import { type Quantity, unitAfter } from './units.ts';

/** Words that say where an answer comes from, not what it claims ("according to the document"). */
const META_WORDS: ReadonlySet<string> = new Set(
  [
    'according', 'document', 'documents', 'text', 'source', 'sources', 'context', 'passage', 'article',
    'provided', 'provide', 'based', 'mention', 'mentions', 'mentioned', 'state', 'states', 'stated', 'say',
    'says', 'said', 'answer', 'response', 'question', 'information', 'info', 'note', 'noted', 'indicate',
    'indicates', 'indicated', 'sure', 'certainly', 'hope', 'helps', 'glad', 'happy', 'help', 'let', 'know',
    'reference', 'given', 'describes', 'described', 'explains', 'explained', 'specifies', 'specified',
    'confirm', 'confirms', 'summary', 'summarize', 'great', 'absolutely', 'course', 'leaflet', 'policy',
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
  ['hundred', 100], ['thousand', 1000], ['million', 1e6], ['billion', 1e9], ['trillion', 1e12],
]);
const ORDINAL_WORDS: ReadonlyMap<string, number> = new Map([
  ['first', 1], ['second', 2], ['third', 3], ['fourth', 4], ['fifth', 5], ['sixth', 6], ['seventh', 7],
  ['eighth', 8], ['ninth', 9], ['tenth', 10], ['twelfth', 12], ['twentieth', 20], ['thirtieth', 30],
]);
/** Multiplicative words that are quantities by themselves ("twice a day" = 2 per day). */
const TIMES_WORDS: ReadonlyMap<string, number> = new Map([
  ['once', 1], ['twice', 2], ['thrice', 3],
]);

const MONTHS_AND_DAYS: ReadonlySet<string> = new Set([
  'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november',
  'december', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday',
]);

/** Words that open a new clause, so that "X is safe, but Y is not" negates only Y. */
const CLAUSE_OPENERS: ReadonlySet<string> = new Set([
  'but', 'whereas', 'although', 'though', 'however', 'yet', 'except', 'unless', 'while',
]);
/** Openers that start a clause only after a comma ("…, and cars must be booked"). */
const COMMA_OPENERS: ReadonlySet<string> = new Set(['and', 'or', 'which', 'so', 'who']);

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

/** Negation of one clause, and the keys it is about. */
export interface Clause {
  readonly keys: readonly string[];
  /** Weight of each key (parallel to `keys`; a key may repeat). */
  readonly weights: readonly number[];
  readonly negated: boolean;
}

export interface Sentence {
  /** Index of the text (source) the sentence belongs to. */
  readonly doc: number;
  /** Distinct content keys (canonical stems) and their weights. */
  readonly stems: readonly string[];
  readonly weights: readonly number[];
  /** Normalised numbers. */
  readonly numbers: readonly Quantity[];
  /** Named entities (lowercase) that must be supported: capitalised words, month and day names, codes. */
  readonly entities: readonly string[];
  /** The names the sentence opens with, before any other content word ("The Harbor View Inn has…"). */
  readonly lead: readonly string[];
  /** Two consecutive capitalised words ("riverside park"): a name that must appear as such. */
  readonly nameBigrams: readonly string[];
  /** Attribution words ("document", "information"): not claims, but they count for relevance. */
  readonly meta: readonly string[];
  readonly clauses: readonly Clause[];
  /** Any clause negated. */
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
  /** Comparison key: stem, or the head of its paraphrase group. */
  readonly stem: string;
  /** number text (digits normalised; ordinal word value); '' when none */
  readonly number: string;
  readonly value: number;
  readonly negation: boolean;
  readonly weight: number;
  readonly common: boolean;
}

/**
 * Memo of word analysis shared by all calls: the analysis is a pure function of the word, and the same vocabulary
 * recurs from call to call (sources are often reused). Bounded: cleared when full, so odd inputs cannot grow it.
 */
const SHARED = new Map<string, WordInfo>();
const SHARED_MAX = 50_000;

/** Word analysis (keys, kinds, weights), memoised. */
export class WordCache {
  stem(lower: string): string {
    return this.info(lower).stem;
  }

  info(lower: string): WordInfo {
    let w = SHARED.get(lower);
    if (w === undefined) {
      w = analyzeWord(lower);
      if (SHARED.size >= SHARED_MAX) SHARED.clear();
      SHARED.set(lower, w);
    }
    return w;
  }
}

function analyzeWord(lower: string): WordInfo {
  const negating = negatingWord(lower);
  const negation = isNegation(lower) || lower === 'non' || negating !== undefined;
  const c0 = lower.charCodeAt(0);
  if (c0 >= 48 && c0 <= 57) {
    const n = normalizeNumber(lower);
    // codes such as 401k, 5mg, b2b are kept as names (number '' → entity)
    return { kind: K_DIGITS, stem: lower, number: n ?? '', value: n === null ? 0 : Number(n), negation, weight: 0, common: false };
  }
  const unit = UNITS.get(lower);
  if (unit !== undefined) return { kind: K_UNIT, stem: lower, number: '', value: unit, negation, weight: 0, common: false };
  const scale = SCALES.get(lower);
  const ord = ORDINAL_WORDS.get(lower) ?? TIMES_WORDS.get(lower);
  const ordinal = ord === undefined ? '' : String(ord);
  if (negating !== undefined) return { kind: K_CONTENT, stem: negating, number: '', value: 0, negation, weight: WEIGHT_COMMON, common: true };
  if (isStopword(lower)) {
    return { kind: scale !== undefined ? K_SCALE : K_STOP, stem: lower, number: ordinal, value: scale ?? 0, negation, weight: 0, common: true };
  }
  const s = canonicalStem(lower);
  if (isHedge(lower, s)) return { kind: K_STOP, stem: s, number: '', value: 0, negation, weight: 0, common: true };
  if (META_WORDS.has(lower) || META_WORDS.has(s))
    return { kind: K_META, stem: s, number: ordinal, value: 0, negation, weight: 0, common: true };
  const common = isCommonWord(lower) || isCommonWord(stem(lower));
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

const GO_KEY = canonicalStem('go');
const PERCENT_KEY = canonicalStem('percent');
/** $ € £ ¥ before a number, as the key of the currency's word. */
const CURRENCY_KEYS: ReadonlyMap<number, string> = new Map([
  [36, canonicalStem('dollar')],
  [0x20ac, canonicalStem('euro')],
  [0xa3, canonicalStem('pound')],
  [0xa5, canonicalStem('yen')],
]);
const PHRASAL_GO: ReadonlyMap<string, { key: string; weight: number }> = new Map([
  ['down', { key: canonicalStem('decrease'), weight: WEIGHT_RARE }],
  ['up', { key: canonicalStem('increase'), weight: WEIGHT_RARE }],
]);

const HAS_LETTER = /[a-z]/;
const INFLECTED = /(?:s|ed|ing)$/;
const NOT_INFLECTED = /(?:ss|us|is)$/;
const YEAR = /^[12][0-9]{3}$/;

/** One word of a sentence (a token, or one part of a hyphenated token). */
interface Word {
  readonly lower: string;
  readonly flags: number;
  readonly sentStart: boolean;
  /** Token offsets in the text (shared by the parts of a hyphenated token). */
  readonly start: number;
  readonly end: number;
  /** End of the previous token (the gap before the word is gap … start); -1 for a hyphen part after the first. */
  readonly gap: number;
}

/** A number being read over several words ("two hundred and fifty", "3 million", "four and a half"). */
interface PendingNumber {
  first: number; // index of its first word
  acc: number;
  total: number;
  key: string; // the digits' normalised text when the number is one digit token
  scaled: boolean;
  last: number; // index of its last word
}

/** Texts prepared once per call: tokens, and the words written in lowercase somewhere (evidence of common words). */
export interface Prepared {
  readonly text: string;
  readonly toks: Tokens;
}

export function prepare(text: string): Prepared {
  return { text, toks: tokenize(text) };
}

/** Evidence that a word is common: it is written in lowercase somewhere in the inputs. */
export interface CaseEvidence {
  has(lower: string): boolean;
}

/** Lowercase words written in lowercase in any of `texts`: a capitalised sentence start among them is no name. */
export function lowercaseEvidence(texts: readonly Prepared[]): Set<string> {
  const out = new Set<string>();
  for (const { text, toks } of texts) {
    for (let i = 0; i < toks.count; i++) {
      const f = toks.flags[i] ?? 0;
      if ((f & (T_CAP | T_ALLCAPS | T_NUMBER)) === 0) out.add(lowerToken(text, toks, i));
    }
  }
  return out;
}

/** Options of `analyzeText`. */
export interface AnalyzeOptions {
  /**
   * Collects every lowercase token, hyphen part and key (the sources: entity support in any case), each mapped to
   * whether the text writes it in lowercase somewhere (case evidence for the texts analysed after it).
   */
  vocab?: Map<string, boolean>;
  /** Collects two-word sequences with a capital (the sources: support of two-word names). */
  bigrams?: Set<string>;
  /** Words seen in lowercase in the inputs (see `lowercaseEvidence`). */
  lowercase?: CaseEvidence;
}

function hasCharBetween(text: string, from: number, to: number, code: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === code) return true;
  return false;
}

function bare(lower: string): string {
  return lower.endsWith("'s") ? lower.slice(0, -2) : lower;
}

/**
 * Two consecutive words of which one is capitalised and neither is a function word, as the claims' two-word names
 * (a name followed by a capitalised content word) are checked against them.
 */
function addBigrams(ws: readonly Word[], out: Set<string>): void {
  for (let j = 1; j < ws.length; j++) {
    const a = ws[j - 1];
    const b = ws[j];
    if (!a || !b || ((a.flags | b.flags) & (T_CAP | T_ALLCAPS)) === 0) continue;
    if (isStopword(a.lower) || isStopword(b.lower)) continue;
    out.add(`${bare(a.lower)} ${bare(b.lower)}`);
  }
}

/** Split a prepared text into sentences and analyse each. */
export function analyzeText(p: Prepared, doc: number, words: WordCache, opts: AnalyzeOptions = {}): Sentence[] {
  const { text, toks } = p;
  const out: Sentence[] = [];
  for (const [a, b] of sentenceRanges(toks)) {
    let capsTokens = 0;
    let letterTokens = 0;
    const ws: Word[] = [];
    for (let i = a; i < b; i++) {
      const f = toks.flags[i] ?? 0;
      if ((f & T_NUMBER) === 0) {
        letterTokens++;
        if ((f & T_ALLCAPS) !== 0) capsTokens++;
      }
      const lower = lowerToken(text, toks, i);
      const start = toks.start[i] ?? 0;
      const end = toks.end[i] ?? 0;
      const gap = i > a ? (toks.end[i - 1] ?? 0) : start;
      const vocab = opts.vocab;
      if (vocab) {
        if ((f & (T_CAP | T_ALLCAPS | T_NUMBER)) === 0) vocab.set(lower, true);
        else if (!vocab.has(lower)) vocab.set(lower, false);
      }
      if ((f & T_HYPHEN) !== 0) {
        // "30-day" → 30, day; "non-refundable" → non, refundable
        const parts = lower.split('-');
        let first = true;
        for (const part of parts) {
          if (part.length === 0) continue;
          if (opts.vocab && !opts.vocab.has(part)) opts.vocab.set(part, false);
          ws.push({ lower: part, flags: first ? f : f & T_ALLCAPS, sentStart: i === a && first, start, end, gap: first ? gap : -1 });
          first = false;
        }
      } else ws.push({ lower, flags: f, sentStart: i === a, start, end, gap });
    }
    if (opts.bigrams) addBigrams(ws, opts.bigrams);
    const shouting = letterTokens > 0 && capsTokens / letterTokens > 0.6;
    const sentence = new SentenceBuilder(text, ws, words, shouting, opts.lowercase).build(doc);
    if (opts.vocab) for (const st of sentence.stems) if (!opts.vocab.has(st)) opts.vocab.set(st, false);
    out.push(sentence);
  }
  return out;
}

interface MutableClause {
  keys: string[];
  weights: number[];
  negated: boolean;
  /** Opened by "but", "whereas"… */
  contrast: boolean;
}

function newClause(contrast = false): MutableClause {
  return { keys: [], weights: [], negated: false, contrast };
}

/** A negated contrast clause this light ("…, but the blade cannot") elides the predicate of the clause before it. */
const ELLIPSIS_WEIGHT = 1.5;

/** "The lid can go in the dishwasher, but the blade cannot": the second clause is about going in the dishwasher. */
function resolveEllipsis(clauses: MutableClause[]): void {
  for (let i = 1; i < clauses.length; i++) {
    const c = clauses[i];
    const prev = clauses[i - 1];
    if (!c || !prev || !c.negated || !c.contrast || prev.negated) continue;
    if (c.weights.reduce((a, b) => a + b, 0) >= ELLIPSIS_WEIGHT) continue;
    c.keys.push(...prev.keys);
    c.weights.push(...prev.weights);
  }
}

/** Reads one sentence's words into a `Sentence`. */
class SentenceBuilder {
  private readonly stems: string[] = [];
  private readonly weights: number[] = [];
  private readonly seen = new Map<string, number>();
  private readonly numbers: Quantity[] = [];
  private readonly entities = new Set<string>();
  private readonly lead: string[] = [];
  /** A content word other than a name was read: the sentence's opening names are complete. */
  private pastLead = false;
  private readonly bigrams: string[] = [];
  private readonly meta: string[] = [];
  private readonly clauses: MutableClause[] = [newClause()];
  private pending: PendingNumber | null = null;
  /** Index of a word already read as part of a number's unit ("F" of "212 °F"): not a name, not content. */
  private consumed = -1;

  constructor(
    private readonly text: string,
    private readonly ws: readonly Word[],
    private readonly cache: WordCache,
    private readonly shouting: boolean,
    private readonly lowercase: CaseEvidence | undefined,
  ) {}

  private clause(): MutableClause {
    return this.clauses[this.clauses.length - 1] ?? newClause();
  }

  private startNumber(j: number, value: number, key: string): void {
    this.flushNumber();
    this.pending = { first: j, acc: value, total: 0, key, scaled: false, last: j };
  }

  private flushNumber(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    const value = p.total + p.acc;
    const key = p.key !== '' && !p.scaled ? p.key : String(value);
    let approx = false;
    for (let k = Math.max(0, p.first - 3); k < p.first; k++) if (isApproximator(this.ws[k]?.lower ?? '')) approx = true;
    const next: string[] = [];
    for (let k = p.last + 1; k < Math.min(this.ws.length, p.last + 3); k++) next.push(this.ws[k]?.lower ?? '');
    const lastWord = this.ws[p.last];
    const nextWord = this.ws[p.last + 1];
    const degreeSign = lastWord !== undefined && nextWord !== undefined && hasCharBetween(this.text, lastWord.end, nextWord.start, 176);
    const percentSign = lastWord !== undefined && this.text.charCodeAt(lastWord.end) === 37;
    const unit = percentSign ? unitAfter(['percent'], false) : unitAfter(next, degreeSign);
    // "3%" says "3 percent", "$45" says "45 dollars": the symbols count as those words
    if (percentSign) this.addKey(PERCENT_KEY, WEIGHT_COMMON);
    const firstWord = this.ws[p.first];
    const currency = firstWord && firstWord.start > 0 ? CURRENCY_KEYS.get(this.text.charCodeAt(firstWord.start - 1)) : undefined;
    if (currency !== undefined) this.addKey(currency, WEIGHT_COMMON);
    if (degreeSign && unit) this.consumed = p.last + 1; // the "C" or "F" after "°"

    const year = p.key !== '' && !p.scaled && YEAR.test(p.key) && !(lastWord?.lower ?? '').includes(',');
    this.numbers.push(unit ? { key, value, approx, year, unit } : { key, value, approx, year });
  }

  private addKey(s: string, w: number): void {
    const at = this.seen.get(s);
    if (at === undefined) {
      this.seen.set(s, this.stems.length);
      this.stems.push(s);
      this.weights.push(w);
    } else if ((this.weights[at] ?? 0) < w) this.weights[at] = w;
    const c = this.clause();
    c.keys.push(s);
    c.weights.push(w);
  }

  build(doc: number): Sentence {
    const ws = this.ws;
    for (let j = 0; j < ws.length; j++) {
      const word = ws[j];
      if (!word) continue;
      const { lower } = word;
      const info = this.cache.info(lower);
      // clause boundaries
      const opensAfterComma = (COMMA_OPENERS.has(lower) || info.negation) && word.gap >= 0 && hasCharBetween(this.text, word.gap, word.start, 44);
      if (j > 0 && (CLAUSE_OPENERS.has(lower) || opensAfterComma)) {
        if (this.clause().keys.length > 0 || this.clause().negated) this.clauses.push(newClause(CLAUSE_OPENERS.has(lower)));
      }
      if (info.negation) this.clause().negated = true;
      const p = this.pending;
      switch (info.kind) {
        case K_DIGITS:
          if (info.number !== '') this.startNumber(j, info.value, info.number);
          else {
            this.flushNumber();
            this.entities.add(lower);
          }
          continue;
        case K_UNIT:
          if (p && p.key === '' && p.last === j - 1) {
            p.acc += info.value;
            p.last = j;
          } else this.startNumber(j, info.value, '');
          continue;
        case K_SCALE:
          if (p && p.last === j - 1) {
            if (info.value === 100) p.acc *= 100;
            else {
              p.total += p.acc * info.value;
              p.acc = 0;
            }
            p.scaled = true;
            p.last = j;
            continue;
          }
          break;
        default:
          if (p && p.last === j - 1 && lower === 'and') {
            // "four and a half", "two hundred and five"
            if (ws[j + 1]?.lower === 'a' && ws[j + 2]?.lower === 'half') {
              p.acc += 0.5;
              p.scaled = true;
              p.last = j + 2;
              j += 2;
              continue;
            }
            if (p.key === '' && UNITS.has(ws[j + 1]?.lower ?? '')) {
              p.last = j;
              continue;
            }
          }
          if (lower === 'half' && (ws[j + 1]?.lower === 'a' || ws[j + 1]?.lower === 'an')) {
            // "half a kilometre": the number ends after "a", so the unit word is read next
            this.startNumber(j, 0.5, '');
            if (this.pending) this.pending.last = j + 1;
            j += 1;
            continue;
          }
          if ((lower === 'a' || lower === 'an') && ws[j + 2]?.lower === 'and' && ws[j + 3]?.lower === 'a' && ws[j + 4]?.lower === 'half') {
            // "an hour and a half": the unit word follows the number
            this.flushNumber();
            this.numbers.push(quantityWithUnit(1.5, ws[j + 1]?.lower ?? '', ws, j));
            // keep the unit word ("hour") as content; skip "and a half" after it
            const unitWord = ws[j + 1] as Word;
            this.word(unitWord, j + 1, this.cache.info(unitWord.lower));
            j += 4;
            continue;
          }
      }
      this.flushNumber();
      if (info.number !== '') this.numbers.push({ key: info.number, value: Number(info.number), approx: false, year: false });
      this.word(word, j, info);
    }
    this.flushNumber();
    let total = 0;
    for (const w of this.weights) total += w;
    resolveEllipsis(this.clauses);
    const clauses: Clause[] = this.clauses.filter((c) => c.keys.length > 0 || c.negated);
    return {
      doc,
      stems: this.stems,
      weights: this.weights,
      numbers: this.numbers,
      entities: [...this.entities],
      lead: this.lead,
      nameBigrams: this.bigrams,
      meta: this.meta,
      clauses,
      negated: clauses.some((c) => c.negated),
      total,
    };
  }

  /** A non-number word: meta, entity, content key. */
  private word(word: Word, j: number, info: WordInfo): void {
    if (j === this.consumed) return;
    const { lower, flags, sentStart } = word;
    if (info.kind === K_META) {
      this.meta.push(info.stem);
      return;
    }
    if (info.kind === K_STOP || info.weight === 0) return;
    const capital = !this.shouting && (flags & (T_CAP | T_ALLCAPS)) !== 0 && HAS_LETTER.test(lower);
    const entitiesBefore = this.entities.size;
    if (capital) {
      if (MONTHS_AND_DAYS.has(lower)) this.entities.add(lower);
      else if ((flags & T_ALLCAPS) !== 0 && lower.length >= 2) this.entities.add(lower);
      else if (!info.common && (!sentStart || this.nameAtSentenceStart(lower))) this.entities.add(lower);
      // two-word names ("Riverside Park"): the first word must be a name itself, not a capitalised sentence start
      const prev = this.ws[j - 1];
      if (prev && (flags & T_SENT_START) === 0 && !sentStart && this.entities.has(prev.lower)) this.bigrams.push(`${bare(prev.lower)} ${bare(lower)}`);
    }
    if (this.entities.size > entitiesBefore && !this.pastLead) this.lead.push(lower);
    else this.pastLead = true;
    // "went down" says "decreased", "goes up" says "increased"
    const particle = this.ws[j + 1]?.lower;
    const phrasal = info.stem === GO_KEY && particle !== undefined ? PHRASAL_GO.get(particle) : undefined;
    if (phrasal) this.addKey(phrasal.key, phrasal.weight);
    else this.addKey(info.stem, info.weight);
  }

  /**
   * A sentence-initial capitalised word is taken for a name only if nothing says it is a common word: it is not
   * written in lowercase elsewhere in the inputs, is not an -ly adverb, and does not look like an inflected common
   * noun or verb ("Customers", "Refunds", "Roughly" are not names; "London", "Paris" are).
   */
  private nameAtSentenceStart(lower: string): boolean {
    if (this.lowercase?.has(lower)) return false;
    if (lower.endsWith('ly')) return false;
    return !(INFLECTED.test(lower) && !NOT_INFLECTED.test(lower));
  }
}

function quantityWithUnit(value: number, unitWord: string, ws: readonly Word[], j: number): Quantity {
  let approx = false;
  for (let k = Math.max(0, j - 3); k < j; k++) if (isApproximator(ws[k]?.lower ?? '')) approx = true;
  const unit = unitAfter([unitWord], false);
  return unit ? { key: String(value), value, approx, year: false, unit } : { key: String(value), value, approx, year: false };
}
