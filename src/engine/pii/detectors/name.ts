/**
 * NAME: personal names without a statistical model.
 *
 * Evidence, strongest first:
 * - an honorific before capitalised words ("Dr. Lindqvist", "Mrs Amy Novak");
 * - name context ("my name is", "Dear", "Sincerely,", "last name:");
 * - a known given name (shipped gazetteer) followed by capitalised surname-like words;
 * - a known given name on its own (not for given names that are also common words or places,
 *   which need a surname, context or — for word-like names — a mid-sentence capital);
 * - an unknown capitalised word followed by a known surname, mid-sentence ("met Zoltar Smith");
 * - an unknown capitalised word with person cues (`name-context.ts`): speech verbs ("says Eklund."),
 *   addressing ("Velimir, can I …"), speaker labels, possessions ("Unnsteinn's address");
 * - lists whose items are mostly known names ("our founders: Mazzi, Bowman and Hill").
 * Contrary context lowers the score: place nouns ("Jordan River"), saint prefixes ("San Giovanni"),
 * country names ("El Salvador"), organisation suffixes ("Drake PLC"), articles ("the Chad").
 * Lower-case names are taken right after strong context ("my name is john smith"), and on lines
 * typed without any capital (`name-lowercase.ts`).
 *
 * Capitalised words that are never names (sentence starters, months, organisations, places)
 * come from a stop list.
 */
import type { Detector, PiiFinding, ScanInput } from '../detector.ts';
import { clampScore } from '../detector.ts';
import { AMBIGUOUS_WORD_NAMES, FIRST_NAMES, PLACE_LIKE_NAMES } from '../lexicon/first-names.ts';
import { MORE_AMBIGUOUS_WORD_NAMES, MORE_FIRST_NAMES } from '../lexicon/first-names-more.ts';
import { COUNTRIES, REGION_NAMES } from '../lexicon/places.ts';
import { SURNAMES } from '../lexicon/surnames.ts';
import { NAME_STOPWORDS, SURNAME_REQUIRED_NAMES } from '../lexicon/name-stopwords.ts';
import {
  dialogueLabel,
  nameSuffixEnd,
  personVerbAfter,
  personWordBefore,
  PLACE_PREFIXES,
  possessiveOfPerson,
  unknownCouldBeName,
  vocative,
} from './name-context.ts';
import { detectLowercaseNames } from './name-lowercase.ts';

const FIRST: ReadonlySet<string> = new Set([...FIRST_NAMES, ...MORE_FIRST_NAMES]);
const WORDLIKE: ReadonlySet<string> = new Set([...AMBIGUOUS_WORD_NAMES, ...MORE_AMBIGUOUS_WORD_NAMES]);
/** Given names that also name places: the lexicon's, the country and region names, and a few more cities. */
const PLACELIKE: ReadonlySet<string> = new Set([
  ...PLACE_LIKE_NAMES,
  ...COUNTRIES.filter((c) => !c.includes(' ')),
  ...REGION_NAMES.filter((c) => !c.includes(' ')),
  ...'israel salvador houston angeles soledad guadalupe concepcion socorro paris adelaide marshall'.split(' '),
]);
/** Country and region names of several words ("El Salvador", "Sri Lanka"): a given name inside one is the place. */
const PLACE_PHRASES: ReadonlySet<string> = new Set([...COUNTRIES, ...REGION_NAMES].filter((c) => c.includes(' ')));
const SURNAME: ReadonlySet<string> = new Set(SURNAMES);
const STOP: ReadonlySet<string> = new Set(NAME_STOPWORDS);
const CALENDAR: ReadonlySet<string> = new Set(SURNAME_REQUIRED_NAMES);

/** Surnames that are also everyday words: not enough on their own to make an unknown word a first name. */
const WORDLIKE_SURNAMES: ReadonlySet<string> = new Set(
  (
    'white brown green black gray grey young king long hill wood woods rose stone love day may little small strong ' +
    'best good golden rich short frank house case church branch cherry snow moon bush cross page sharp hardy noble ' +
    'price bell ford banks fields rivers waters holmes lane hunt wolf fox lamb lake park street summers winters ' +
    'english french person power powers wall walls ware wise mills miles marks mayo glass frost knight bond mason ' +
    'baker cook carpenter parker porter turner walker hunter fisher farmer gardener potter butler cooper tanner ' +
    'taylor weaver archer bishop dean major prince duke sterling ray may case best good hale hall hart holt horn ' +
    'house hood just kind law lord lucky mark moss nash pace page pope post rush salt sands sparks star swift ' +
    'tate tower vale wade ward west north south east'
  ).split(' '),
);

/** Gap between two tokens of one name: a space, an initial's ". ", or particles ("van der", "de la", "al-"). */
const JOIN_GAP_RE =
  /^(?: |\. ?| (?:(?:van|von|de|da|del|della|di|du|la|le|bin|ibn|ben|al|el|ter|ten|den|der|dos|das|do|y|zu|af|mac|st\.?)[ -]){1,3})$/;

const HONORIFICS: ReadonlySet<string> = new Set(
  (
    'mr mrs ms miss mx dr prof professor sir dame lady lord rev reverend fr capt captain sgt lt col gen mme mlle ' +
    'herr frau senor señor senora señora sr sra srta sheikh shaikh shri sri smt hon judge mister madam madame dott ing'
  ).split(' '),
);

/** Single words right before a token that make it a name even when it is not in the gazetteer. */
const STRONG_SINGLE: ReadonlySet<string> = new Set(
  'dear sincerely regards signed named attn attention cardholder beneficiary addressee surname forename name\'s'.split(' '),
);
/** Words that, followed by "name" (and optionally "is"), introduce a name. */
const NAME_OWNERS: ReadonlySet<string> = new Set(
  'my your his her their our first last full given family maiden middle sur legal birth patient customer client user account the'.split(' '),
);
/** Single words before a token that support a gazetteer name ("ask for Will", "thanks Grace"). */
const WEAK_SINGLE: ReadonlySet<string> = new Set(
  (
    "hi hello hey thanks from to with contact met meet tell told by called patient client customer son daughter wife " +
    "husband mother father mom mum dad brother sister friend colleague boss manager partner kid child baby uncle aunt " +
    "cousin nephew niece grandson granddaughter i'm im am"
  ).split(' '),
);
/** Words before a place-like given name that mark it as the place ("in Paris", "the Jordan"). */
const PLACE_WORDS: ReadonlySet<string> = new Set(
  (
    'in to from at near visit visited visiting via of the a an around across through into outside inside toward ' +
    'towards downtown central north south east west northern southern eastern western st saint new fly flew drive ' +
    'drove moved live lives lived born trip'
  ).split(' '),
);

/**
 * Words that turn a preceding given name into the name of a place or organisation ("Jordan
 * River", "Lincoln Center", "Victoria Station", "Elizabeth Street").
 */
const PROPER_NOUN_SUFFIXES: ReadonlySet<string> = new Set(
  (
    'street st avenue ave road rd lane drive boulevard blvd way place square park river lake mountain mount bay ' +
    'beach island islands valley hill hills heights falls springs forest center centre station university college ' +
    'school academy institute hospital clinic church cathedral chapel airport bridge tower hall house building ' +
    'museum library gallery theatre theater stadium arena hotel restaurant cafe bar club company corporation corp ' +
    'inc ltd llc plc group bank foundation association society council committee department ministry agency county ' +
    'city state province district parish township village town harbor harbour port bridge memorial monument ' +
    'highway freeway square plaza mall market square gardens garden zoo cemetery county'
  ).split(' '),
);

/** Capitalised particles that do not end a name ("San Giovanni Di Casarsa"). */
const TRAILING_PARTICLES: ReadonlySet<string> = new Set('di de da del della van von der den du la le dos das do'.split(' '));

/** Words before a word-like given name that make it the common word ("for Autumn", "this Spring"). */
const DETERMINERS: ReadonlySet<string> = new Set(
  'for the a an this that these those next last every each during until till since my your his her our their its no some any all'.split(' '),
);

interface Token {
  start: number;
  end: number;
  /** lower case, diacritics removed, possessive removed */
  key: string;
  /** true when the token ends in a possessive "'s" (the span then ends before it) */
  possessive: boolean;
  /** single capital letter */
  initial: boolean;
}

const NON_ASCII_RE = /[^\x00-\x7f]/;
const MARKS_RE = /[\u0300-\u036f]/g;

function normalizeKey(word: string): string {
  const lower = word.toLowerCase();
  return NON_ASCII_RE.test(lower) ? lower.normalize('NFD').replace(MARKS_RE, '') : lower;
}

// --- character classes (Latin script) ------------------------------------------------------

function isLetter(c: number): boolean {
  if (c < 128) return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7) || (c >= 0x300 && c <= 0x36f);
}

function isUpper(c: number): boolean {
  if (c < 128) return c >= 65 && c <= 90;
  if (c >= 0xc0 && c <= 0xde) return c !== 0xd7;
  if (c > 0xff && c <= 0x24f) {
    const ch = String.fromCharCode(c);
    return ch !== ch.toLowerCase();
  }
  return false;
}

function isLower(c: number): boolean {
  if (c < 128) return c >= 97 && c <= 122;
  if (c >= 0xdf && c <= 0xff) return c !== 0xf7;
  if (c >= 0x300 && c <= 0x36f) return true; // combining marks continue a lower-case run
  if (c > 0xff && c <= 0x24f) {
    const ch = String.fromCharCode(c);
    return ch !== ch.toUpperCase();
  }
  return false;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isApostrophe(c: number): boolean {
  return c === 39 || c === 0x2019;
}

/**
 * Is text[s, e) a name-shaped word? "Smith", "McDonald", "O'Brien", "Smith-Jones", "José", or a
 * single capital (an initial). All-caps words and words with digits are not.
 */
function nameShaped(text: string, s: number, e: number): boolean {
  if (!isUpper(text.charCodeAt(s))) return false;
  if (e - s === 1) return true;
  let i = s + 1;
  let internalCap = false;
  // [lower]* then optional one internal capital followed by lower+
  while (i < e) {
    const c = text.charCodeAt(i);
    if (isLower(c)) {
      i++;
      continue;
    }
    if (isUpper(c) && !internalCap && i + 1 < e && isLower(text.charCodeAt(i + 1)) && i > s + 1) {
      internalCap = true;
      i++;
      continue;
    }
    if ((isApostrophe(c) || c === 45) && i + 1 < e && isLetter(text.charCodeAt(i + 1))) {
      // segment after ' or -: a letter (any case) then lower case
      i += 2;
      while (i < e && isLower(text.charCodeAt(i))) i++;
      continue;
    }
    return false;
  }
  // "O'" alone or "Mc" alone is not a name; require at least one lower-case letter overall
  return true;
}

function makeToken(text: string, start: number, end: number): Token {
  let word = text.slice(start, end);
  let possessive = false;
  if (word.length > 2 && (word.endsWith("'s") || word.endsWith('’s'))) {
    word = word.slice(0, -2);
    possessive = true;
  }
  return { start, end: possessive ? end - 2 : end, key: normalizeKey(word), possessive, initial: word.length === 1 };
}

/** Capital letters (Latin) not preceded by a letter, digit, apostrophe or underscore: candidate word starts. */
const CAPITAL_START_RE = /(?<![A-Za-z0-9\u00c0-\u024f'’_])[A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u024f]/g;

/** All name-shaped tokens of the text, in order. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  const re = CAPITAL_START_RE;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const s = m.index;
    // The word: letters, digits, marks, and ' or - between letters.
    let i = s + 1;
    let hasDigit = false;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (isLetter(d)) i++;
      else if (isDigit(d)) {
        hasDigit = true;
        i++;
      } else if ((isApostrophe(d) || d === 45) && i + 1 < n && isLetter(text.charCodeAt(i + 1))) i += 2;
      else break;
    }
    re.lastIndex = i;
    // Handles, hashtags and identifiers ("@Mick_P", "#Justin", "Foo_bar") are not names.
    const before = s > 0 ? text.charCodeAt(s - 1) : 32;
    if (before === 64 || before === 35 || text.charCodeAt(i) === 95) continue;
    if (hasDigit || !nameShaped(text, s, i)) continue;
    const t = makeToken(text, s, i);
    // Plain stop words ("The", "I") can neither start nor continue a name: leaving them out
    // breaks runs exactly as keeping them would, and saves work on capitalised text.
    if (STOP.has(t.key) && !FIRST.has(t.key) && !SURNAME.has(t.key)) continue;
    tokens.push(t);
  }
  return tokens;
}

function isStop(t: Token): boolean {
  if (STOP.has(t.key)) return true;
  const apostrophe = t.key.search(/['’]/);
  return apostrophe >= 1 && STOP.has(t.key.slice(0, apostrophe));
}

/** True at the start of the text, a line, or a sentence (ignoring opening quotes/brackets). */
function isSentenceStart(text: string, pos: number): boolean {
  let i = pos - 1;
  while (i >= 0) {
    const c = text[i] ?? '';
    if (c === ' ' || c === '\t' || c === '"' || c === "'" || c === '“' || c === '‘' || c === '(' || c === '[') i--;
    else break;
  }
  if (i < 0) return true;
  const c = text[i] ?? '';
  return '.!?\n\r:;…•*>#|'.includes(c);
}

interface PrevWord {
  /** lower case */
  word: string;
  /** the characters between this word and what follows it */
  gap: string;
  /** offset where the word starts */
  start: number;
}

/** The word before offset `pos` (skipping at most 5 punctuation/space characters), or null. */
function previousWord(text: string, pos: number): PrevWord | null {
  let g = pos;
  while (g > 0 && pos - g < 6 && !isLetter(text.charCodeAt(g - 1)) && !isDigit(text.charCodeAt(g - 1))) g--;
  if (g === 0 || pos - g >= 6) return null;
  let w = g;
  while (w > 0 && g - w < 24 && (isLetter(text.charCodeAt(w - 1)) || isApostrophe(text.charCodeAt(w - 1)))) w--;
  if (w === g) return null;
  const raw = text.slice(w, g).toLowerCase();
  return { word: raw.includes('’') ? raw.replace(/’/g, "'") : raw, gap: text.slice(g, pos), start: w };
}

/** First words of two/three-word contexts: only for these is the word before them read. */
const NEEDS_SECOND: ReadonlySet<string> = new Set(['name', 'is', 'me', 'wishes', 'truly', 'person', 'holder', 'you', 'for', 'to', 'with']);

interface NameContext {
  honorific: boolean;
  strong: boolean;
  weak: boolean;
  /** the word before is a place preposition ("in", "to", "from") or article */
  placeWord: boolean;
  /** the word before makes a following common word a noun phrase ("for Autumn", "last Summer") */
  determiner: boolean;
}

function nameContext(text: string, pos: number): NameContext {
  const ctx: NameContext = { honorific: false, strong: false, weak: false, placeWord: false, determiner: false };
  const w1 = previousWord(text, pos);
  if (w1 === null) return ctx;
  const a = w1.word;
  const w2 = NEEDS_SECOND.has(a) ? previousWord(text, w1.start) : null;
  const b = w2?.word ?? '';
  const w3 = a === 'is' && b === 'name' && w2 !== null ? previousWord(text, w2.start) : null;
  const c = w3?.word ?? '';
  ctx.honorific = HONORIFICS.has(a) && /^\.?\s{1,2}$/.test(w1.gap);
  ctx.placeWord = PLACE_WORDS.has(a);
  ctx.determiner = DETERMINERS.has(a);
  if (
    STRONG_SINGLE.has(a) ||
    (a === 'name' && (/[:=]/.test(w1.gap) || NAME_OWNERS.has(b))) ||
    (a === 'is' && b === 'name' && NAME_OWNERS.has(c)) ||
    (a === 'me' && b === 'call') ||
    (a === 'wishes' && b === 'best') ||
    (a === 'truly' && b === 'yours') ||
    ((a === 'from' || a === 'to' || a === 'cc') && w1.gap.includes(':')) ||
    (a === 'person' && b === 'contact') ||
    (a === 'holder' && (b === 'card' || b === 'account'))
  ) {
    ctx.strong = true;
  } else if (
    WEAK_SINGLE.has(a) ||
    (a === 'you' && b === 'thank') ||
    (a === 'for' && b === 'ask') ||
    ((a === 'to' || a === 'with') && (b === 'speak' || b === 'spoke' || b === 'talk' || b === 'talked')) ||
    (a === 'is' && b === 'this')
  ) {
    ctx.weak = true;
  }
  return ctx;
}

/** Is text[start, end) alone on its line (apart from spaces and list/quote markers)? */
function isWholeLine(text: string, start: number, end: number): boolean {
  let i = start - 1;
  while (i >= 0 && text[i] !== '\n') {
    if (!' \t>*-•?'.includes(text[i] ?? '')) return false;
    i--;
  }
  let j = end;
  while (j < text.length && text[j] !== '\n' && text[j] !== '\r') {
    if (!' \t,.'.includes(text[j] ?? '')) return false;
    j++;
  }
  return true;
}

interface CaseCounts {
  /** words of 4+ letters */
  words: number;
  /** of which capitalised, known names not counted */
  capitals: number;
}

/** Calls `visit(start, end)` for each word of 4+ letters starting in [from, to) (a word may run past `to`). */
function eachLongWord(text: string, from: number, to: number, visit: (start: number, end: number) => void): void {
  let i = from;
  while (i < to) {
    if (!isLetter(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const s = i;
    while (i < text.length && isLetter(text.charCodeAt(i))) i++;
    if (i - s >= 4) visit(s, i);
  }
}

/**
 * How a word counts for the title-case test: 0 not at all (a capitalised known name: other names do not make a
 * text title case, "They had three: Hans, Linda and Amber"), 1 a word, 2 a capitalised word.
 */
function caseWeight(text: string, s: number, e: number): 0 | 1 | 2 {
  if (!isUpper(text.charCodeAt(s))) return 1;
  const key = normalizeKey(text.slice(s, e));
  return FIRST.has(key) || SURNAME.has(key) ? 0 : 2;
}

/** Counts the words of 4+ letters starting in [from, to) and the capitalised ones that are not known names. */
function caseCounts(text: string, from: number, to: number): CaseCounts {
  let words = 0;
  let capitals = 0;
  eachLongWord(text, from, to, (s, e) => {
    const w = caseWeight(text, s, e);
    if (w > 0) words++;
    if (w === 2) capitals++;
  });
  return { words, capitals };
}

/**
 * Word counts of one scanned text for the title-case test. The first queries scan the text around the candidate;
 * past QUICK_QUERIES (a text full of names) one pass indexes every word so later queries are binary searches.
 */
class TitleCaseIndex {
  private queries = 0;
  private starts: number[] | null = null;
  /** prefix sums: words[k] / capitals[k] over the first k indexed words */
  private words: number[] = [];
  private capitals: number[] = [];

  constructor(private readonly text: string) {}

  counts(from: number, to: number): CaseCounts {
    if (++this.queries <= QUICK_QUERIES) return caseCounts(this.text, from, to);
    const starts = this.starts ?? this.build();
    const lo = lowerBound(starts, from);
    const hi = lowerBound(starts, to);
    return { words: (this.words[hi] ?? 0) - (this.words[lo] ?? 0), capitals: (this.capitals[hi] ?? 0) - (this.capitals[lo] ?? 0) };
  }

  private build(): number[] {
    const text = this.text;
    const starts: number[] = [];
    const words = [0];
    const capitals = [0];
    eachLongWord(text, 0, text.length, (s, e) => {
      const w = caseWeight(text, s, e);
      starts.push(s);
      words.push((words[words.length - 1] ?? 0) + (w > 0 ? 1 : 0));
      capitals.push((capitals[capitals.length - 1] ?? 0) + (w === 2 ? 1 : 0));
    });
    this.words = words;
    this.capitals = capitals;
    this.starts = starts;
    return starts;
  }
}

const QUICK_QUERIES = 32;

/** First index whose value is ≥ x. */
function lowerBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] ?? 0) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Is the text around a candidate name [start, end) (same line, ±80 characters; the candidate itself and other
 * known names not counted) title case: at least 4 words of 4+ letters, 75% or more capitalised?
 */
function inTitleCaseText(text: string, start: number, end: number, index: TitleCaseIndex): boolean {
  const from = Math.max(0, start - 80);
  const to = Math.min(text.length, end + 80);
  let lineStart = start;
  while (lineStart > from && text[lineStart - 1] !== '\n') lineStart--;
  let lineEnd = end;
  while (lineEnd < to && text[lineEnd] !== '\n') lineEnd++;
  const around = index.counts(lineStart, lineEnd);
  const own = index.counts(start, end);
  const words = around.words - own.words;
  const capitals = around.capitals - own.capitals;
  return words >= 4 && capitals / words >= 0.75;
}

/** Can `t` continue a name started before it? */
function continuesName(t: Token, text: string): boolean {
  if (t.initial) return text[t.end] === '.';
  return !isStop(t) || (SURNAME.has(t.key) && !CALENDAR.has(t.key));
}

/** Lower-case names are only taken after these (value: any word allowed, or gazetteer only). */
const LOWERCASE_KEYS: ReadonlyMap<string, boolean> = new Map([
  ['my name is', false],
  ["my name's", false],
  ['name', true],
  ['full name', true],
  ['i am called', false],
  ["i'm called", false],
  ['call me', false],
]);
const AFTER_KEY_RE = /\s{0,2}(?:is\s|[:=-])?\s{0,3}(?=[a-z])/y;
const AFTER_NAME_KEY_RE = /\s{0,2}[:=]\s{0,3}(?=[a-z])/y;
const LOWER_WORD_RE = /[a-zß-öø-ÿ][a-zß-öø-ÿ'’-]{1,30}/y;

/** Is the word at [start, end) part of a country or region name of several words ("El Salvador", "Costa Rica")? */
function inPlacePhrase(text: string, start: number, end: number, key: string): boolean {
  const prev = previousWord(text, start);
  if (prev !== null && /^ $/.test(prev.gap) && PLACE_PHRASES.has(`${normalizeKey(prev.word)} ${key}`)) return true;
  const next = /^ ([\p{L}][\p{L}\p{M}'’-]*)/u.exec(text.slice(end, end + 24));
  return next?.[1] !== undefined && PLACE_PHRASES.has(`${key} ${normalizeKey(next[1])}`);
}

/** An organisation suffix after a name: "H. J. Wilson & Company", "Drake PLC", "Smith and Sons". */
const ORG_AFTER_RE = /^,?[ \t]{1,2}(?:(?:&|and)[ \t]{1,2}(?:Co\b|Company|Sons|Associates|Partners|Brothers|Bros)|(?:Inc|Ltd|LLC|LLP|PLC|plc|Corp|Corporation|GmbH|AG|SA|S\.A\.|BV|NV|Group|Holdings)(?![\p{L}]))/u;

/** Between items of a list of names: ", ", " and ", ", and ", " & ", " or ". */
const LIST_SEP_RE = /^(?:,[ \t]{1,2}(?:(?:and|&|or)[ \t]{1,2})?|[ \t]{1,2}(?:and|&|or)[ \t]{1,2})$/;

const LOWERCASE_LEXICONS = {
  first: FIRST,
  surname: SURNAME,
  ambiguous: (key: string): boolean => WORDLIKE.has(key) || PLACELIKE.has(key) || CALENDAR.has(key),
  stop: STOP,
  normalize: normalizeKey,
  placePhrase: (phrase: string): boolean => PLACE_PHRASES.has(phrase),
};

export const name: Detector = {
  type: 'NAME',
  threshold: 0.5,
  keywords: [...LOWERCASE_KEYS.keys()],
  detect(input: ScanInput, out: PiiFinding[]): void {
    const text = input.text;
    // 1. Name-shaped tokens grouped into runs of adjacent words.
    const runs: Token[][] = [];
    let run: Token[] = [];
    let prevEnd = -1;
    const tokens = tokenize(text);
    const caseIndex = new TitleCaseIndex(text);
    for (const t of tokens) {
      const prev = run[run.length - 1];
      let joined = false;
      if (prev !== undefined && !prev.possessive && t.start - prevEnd <= 16) {
        const gap = text.slice(prevEnd, t.start);
        joined = JOIN_GAP_RE.test(gap) && (gap[0] !== '.' || prev.initial);
      }
      if (!joined && run.length > 0) {
        runs.push(run);
        run = [];
      }
      run.push(t);
      prevEnd = t.possessive ? t.end + 2 : t.end;
    }
    if (run.length > 0) runs.push(run);

    const push = (start: number, end: number, score: number): void => {
      if (end > start) out.push({ type: 'NAME', start, end, score: clampScore(score) });
    };

    // 2. Decide names inside each run.
    for (const r of runs) {
      let i = 0;
      let rejectedPrev = false;
      while (i < r.length) {
        const t = r[i];
        if (t === undefined) break;
        const stop = isStop(t);
        const first = FIRST.has(t.key);
        const surnameKnown = SURNAME.has(t.key);
        // Cheap exit: stop words that are not names, unknown single tokens with nothing after them.
        if (stop && !first && !surnameKnown) {
          rejectedPrev = true;
          i++;
          continue;
        }
        // Extend over following surname-like tokens (at most 4 tokens in all, at most one of
        // them neither a known given name nor a known surname).
        let j = i + 1;
        let unknown = 0;
        while (j < r.length && j - i < 4) {
          const prevTok = r[j - 1];
          const next = r[j];
          if (next === undefined || prevTok === undefined || prevTok.possessive || !continuesName(next, text)) break;
          if (!next.initial && !FIRST.has(next.key) && !SURNAME.has(next.key)) {
            if (unknown === 1) break;
            unknown++;
          }
          j++;
        }
        // A trailing initial, or a particle ("San Giovanni Di"), without a surname after it is not part of the name.
        while (j > i + 1 && (r[j - 1]?.initial === true || TRAILING_PARTICLES.has(r[j - 1]?.key ?? ''))) j--;
        const last = r[j - 1] ?? t;
        const hasSurname = j > i + 1;
        const lastIsKnownSurname = hasSurname && SURNAME.has(last.key) && !CALENDAR.has(last.key);
        if (!first && !hasSurname && !surnameKnown && t.initial) {
          rejectedPrev = true;
          i++;
          continue;
        }
        const ctx = nameContext(text, t.start);
        const sentenceStart = isSentenceStart(text, t.start);
        const nextTok = r[i + 1];
        // "Jordan River", "Lincoln Center": the given name names a place or organisation.
        const placeName = nextTok !== undefined && PROPER_NOUN_SUFFIXES.has(nextTok.key);
        // A word right after a capitalised word that is not a name ("Jordan River", "Apple Pie")
        // is part of that proper noun, not the start of a name.
        const afterNonName = i > 0 && rejectedPrev;
        const prevWord = previousWord(text, t.start);
        // "San Giovanni", "Santa Clara", "St Ulric": a place named after a saint.
        const saintPlace = prevWord !== null && PLACE_PREFIXES.has(prevWord.word) && /^[ .]{1,2}$/.test(prevWord.gap) && isUpper(text.charCodeAt(prevWord.start));
        // "the Chad", "a Grace": an article before a lone given name makes it a thing or a place.
        const article = prevWord !== null && (prevWord.word === 'the' || prevWord.word === 'a' || prevWord.word === 'an') && !hasSurname;
        // "El Salvador", "Costa Rica", "Drake PLC": the word names a place or an organisation.
        const notPerson = (!hasSurname && inPlacePhrase(text, t.start, t.end, t.key)) || ORG_AFTER_RE.test(text.slice(last.end, last.end + 16));
        /** Person cues around a single word: speech verbs, greetings, addressing, speaker labels, possessions. */
        const personCue = (): boolean =>
          personWordBefore(text, t.start) ||
          personVerbAfter(text, last.end) ||
          vocative(text, t.start, last.end, sentenceStart) ||
          dialogueLabel(text, t.start, last.end) ||
          (last.possessive && possessiveOfPerson(text, last.end + 2));
        let score = 0;

        if (t.initial) {
          // "J. Smith": an initial, then a known surname.
          const next = r[i + 1];
          if (text[t.end] === '.' && next !== undefined && SURNAME.has(next.key) && !isStop(next)) {
            score = ctx.honorific || ctx.strong ? 0.85 : 0.6;
          }
        } else if (ctx.honorific && (!stop || first || surnameKnown) && !notPerson) {
          score = 0.9;
        } else if (first) {
          const calendar = CALENDAR.has(t.key);
          const place = PLACELIKE.has(t.key);
          const wordlike = WORDLIKE.has(t.key) || stop || t.key.length <= 2;
          if ((placeName || saintPlace || notPerson) && !ctx.strong) {
            score = 0;
          } else if (afterNonName && (wordlike || place || calendar) && !ctx.strong) {
            score = 0;
          } else if (calendar) {
            score = lastIsKnownSurname ? 0.7 : ctx.strong ? 0.85 : 0.1;
          } else if (place) {
            if (hasSurname) score = lastIsKnownSurname ? 0.75 : 0.45;
            else score = sentenceStart || ctx.placeWord ? 0.25 : 0.55;
          } else if (wordlike) {
            if (hasSurname) score = lastIsKnownSurname ? 0.8 : sentenceStart ? 0.4 : 0.6;
            else score = sentenceStart || ctx.placeWord || ctx.determiner ? 0.25 : 0.6;
          } else {
            score = hasSurname ? 0.85 : sentenceStart ? 0.6 : 0.65;
          }
          if (article && !ctx.strong) score = Math.min(score, 0.2);
          if (ctx.strong) score = Math.max(score, 0.9);
          else if ((ctx.weak || (score >= 0.2 && score < 0.9 && personCue())) && score >= 0.2) score = Math.min(0.95, score + 0.25);
        } else if (!stop && t.key.length >= 2 && !saintPlace && !notPerson) {
          const second = r[i + 1];
          if (ctx.strong) score = 0.85;
          else if (
            second !== undefined &&
            hasSurname &&
            SURNAME.has(second.key) &&
            !WORDLIKE_SURNAMES.has(second.key) &&
            second.key.length >= 3 &&
            !ctx.placeWord &&
            (!sentenceStart || unknownCouldBeName(text.slice(t.start, t.end)))
          ) {
            // "met Zoltar Smith"; at a sentence start only for a word that is not English ("Kellie Bruce will…").
            score = sentenceStart ? 0.55 : 0.6;
          } else if (!hasSurname && !article && unknownCouldBeName(text.slice(t.start, t.end)) && personCue()) {
            // An unknown word with person cues: "says Rintanen.", "Vinka shouted at", "Velimir, can I".
            score = 0.65;
          }
        }

        if (score > 0 && !ctx.honorific && !ctx.strong) {
          // A line holding only this name (signature, address block) is strong evidence;
          // title-case text (headlines, product names) is weak evidence.
          if (first && hasSurname && isWholeLine(text, t.start, last.end)) score = Math.max(score, 0.7);
          else if (score < 0.9 && inTitleCaseText(text, t.start, last.end, caseIndex)) score -= 0.25;
        }
        if (score > 0) {
          push(t.start, nameSuffixEnd(text, last.end), score);
          rejectedPrev = false;
          i = j;
        } else {
          rejectedPrev = true;
          i++;
        }
      }
    }

    // 3. Lists of names: "They had six: Hans, Linda, Amber and Geraldino." When most items are known given
    // names or surnames (not places), every item is a name.
    for (let k = 0; k < tokens.length; ) {
      let e = k + 1;
      while (e < tokens.length && e - k < 12) {
        const a = tokens[e - 1];
        const b = tokens[e];
        if (a === undefined || b === undefined || a.possessive || b.start - a.end > 7 || !LIST_SEP_RE.test(text.slice(a.end, b.start))) break;
        e++;
      }
      if (e - k >= 3) {
        const items = tokens.slice(k, e);
        const known = items.filter((x) => (FIRST.has(x.key) || SURNAME.has(x.key)) && !PLACELIKE.has(x.key) && !CALENDAR.has(x.key) && !STOP.has(x.key));
        // Firm names are lists of surnames too ("Davis, Reynolds and Williamson"): the list must follow a colon
        // ("our founders: …") or hold given names for at least half of its items.
        const given = items.filter((x) => FIRST.has(x.key) && !WORDLIKE.has(x.key) && !PLACELIKE.has(x.key) && !CALENDAR.has(x.key));
        const announced = /:[ \t]{0,2}$/.test(text.slice(Math.max(0, (items[0]?.start ?? 0) - 3), items[0]?.start ?? 0));
        if (known.length * 2 > items.length && (announced || given.length * 2 >= items.length) && !inTitleCaseText(text, items[0]?.start ?? 0, items[items.length - 1]?.end ?? 0, caseIndex)) {
          for (const x of items) {
            if (x.initial || STOP.has(x.key)) continue;
            if (known.includes(x) || unknownCouldBeName(text.slice(x.start, x.end))) push(x.start, x.end, 0.7);
          }
        }
      }
      k = e;
    }

    // 4. Lines typed in lower case: "follow up with jessica kadyrov".
    detectLowercaseNames(text, LOWERCASE_LEXICONS, push);

    // 5. Lower-case names right after strong context: "my name is john smith".
    for (const hit of input.hits(name)) {
      const anyWord = LOWERCASE_KEYS.get(hit.phrase) === true;
      const follow = anyWord ? AFTER_NAME_KEY_RE : AFTER_KEY_RE;
      follow.lastIndex = hit.end;
      const g = follow.exec(text);
      if (g === null) continue;
      let pos = hit.end + g[0].length;
      const start = pos;
      let end = -1;
      let count = 0;
      while (count < 3) {
        LOWER_WORD_RE.lastIndex = pos;
        const w = LOWER_WORD_RE.exec(text);
        if (w === null) break;
        const key = normalizeKey(w[0]);
        if (STOP.has(key)) break;
        if (count === 0 && !anyWord && !FIRST.has(key) && !SURNAME.has(key)) break;
        end = pos + w[0].length;
        count++;
        if (text[end] !== ' ') break;
        pos = end + 1;
      }
      if (end > start) push(start, end, 0.75);
    }
  },
};
