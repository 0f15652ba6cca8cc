/**
 * Denied topics: a first, lexical "is this text about the topic?" detector.
 *
 * Compile time (`compileTopics`), per topic:
 * - the name, the definition and each example are tokenized, stemmed and mapped onto evidence keys:
 *   concepts of the hand-written lexicon (`lexicon.ts`: stock/share/etf/401k → one concept) and the
 *   stems of other content words. Definition boilerplate ("advice", "questions", "person") is dropped.
 * - each key gets a probability-like weight p: concepts by their specificity (strong 0.42, medium 0.25,
 *   weak 0.12), other words by an IDF stand-in from `text/english.ts` (rare 0.40, common 0.06), scaled
 *   by where it appeared (name ×1.1, definition ×1, examples ×0.9 for concepts and ×0.7 for words) and
 *   ×1.05 when it appears in two or more places; concepts marked `related` in the lexicon are added at
 *   ×0.55. p ≤ 0.45, so one key alone never reaches the threshold.
 * - each example also keeps its own weighted key set (and whether it is phrased as an advice request).
 * - a character-trigram index of the topics' longer words (and of the lexicon members it uses), bucketed
 *   by first three letters, catches misspellings ("etherium", "ibuprofin").
 * - paraphrase (`paraphrase.ts`, from the shipped WordNet resource `wordnet.ts`): every unambiguous topic
 *   word and two-word collocation of any field is linked through its WordNet concepts (senses,
 *   derivations, topic domains, hypernyms, definition words — weighted by specificity) to a *soft twin*
 *   of its key: private to the topic, same p, same example weights. Not linked: frequent words outside
 *   the name ("say", "take": too vague), words capitalised inside a sentence unless WordNet writes them
 *   so ("Potter" is a name, "Koran" a word), ambiguous lexicon members and words of lexicon phrases.
 *
 * Match time (`match`), linear in the text:
 * - tokens are mapped to evidence (remembered by the matcher, see `tokenInfo`, so a distinct word is analysed
 *   once); a text token maps to the same concepts as the topic, so "Tesla shares" meets "stocks". Ambiguous lexicon
 *   members ("party", "share") and hyphen parts count half; fuzzy trigram matches count by their
 *   Dice similarity. Multi-word lexicon members and advice cues ("should I", "is now a good time to",
 *   "which … to buy") are matched on the token sequence.
 * - paraphrase: a text word (or collocation) that shares WordNet concepts with a topic word gives
 *   evidence on that word's soft twin, x = ramp of their relatedness (0 below 0.3, 0.85 from 0.6 on;
 *   relatedness is ×0.35 when the text word is the more general one: "choose" does not say "vote",
 *   "vodka" says "spirits"). At most one soft key per text word and topic; none for a topic the word
 *   already matches, for words inside a lexicon phrase ("stock exchange"), for names (capitalised
 *   inside a sentence, unless WordNet capitalises the word); frequent words link only through their
 *   own senses ("fix" = repair); a WordNet collocation ("blood pressure") counts instead of its words.
 *   A soft twin is ignored in a window that has its topic word itself.
 * - the text is cut into windows of whole sentences (≤ 48 tokens, consecutive windows share one
 *   sentence; longer sentences are cut into overlapping chunks). Each token is in at most two windows.
 * - per window and topic: base = noisy-OR of the p of the three strongest distinct matched keys (so a
 *   long window full of loose hints does not add up); a second, different word of the same concept
 *   (unambiguous members only) counts again at half weight ("slot machines … casino").
 *   exampleSim = best weighted cosine between the window and one example (binary keys, IDF-like
 *   weights, the advice cue as one more key). score = 1 − (1 − base)(1 − 0.6·ramp(exampleSim, 0.45..1));
 *   then an advice cue in the window adds (1 − score)·0.55·min(1, base/0.4)³ — a cue alone, or with
 *   only weak evidence, does little. The topic score is the maximum over windows.
 *
 * `detected` is `score >= TOPIC_THRESHOLD` (0.5). Calibration (by construction and the test tables):
 * one key alone scores at most 0.45 (not detected: "What is the history of the New York Stock
 * Exchange?" ≈ 0.45); two strong concepts ≈ 0.7, one strong concept with an advice cue ≈ 0.7
 * (detected); a medium concept with a cue ≈ 0.4 ("Should I buy a new car?"); common words alone < 0.2.
 * A paraphrase counts like a slightly weaker topic word: "How much vodka does it take to get tipsy?"
 * against an Alcohol topic that says "spirits" and "drunk" ≈ 0.58 (the literal text ≈ 0.65).
 *
 * Any number of topics and examples is accepted (the API allows 30 topics × 5 examples).
 */
import { lowerToken, sentenceRanges, T_ALLCAPS, T_CAP, T_HYPHEN, T_SENT_START, tokenize, type Tokens } from '../text/tokenize.ts';
import { stem } from '../text/stem.ts';
import { isCommonWord, isStopword, WEIGHT_COMMON, WEIGHT_RARE } from '../text/english.ts';
import { CONCEPTS } from './lexicon.ts';
import {
  CONCEPT_PHRASES,
  CONCEPT_RELATED,
  STRENGTH_P,
  conceptMembers,
  intentAt,
  mayStartIntent,
  mayStartPhrase,
  tokenKeys,
  type KeyEvidence,
} from './concepts.ts';
import { collocationConcepts, ParaphraseIndex, wordConcepts, type SoftEv } from './paraphrase.ts';
import { lemmasOf, type Lemma, type WordConcepts } from './wordnet.ts';

export interface TopicSpec {
  name: string;
  definition: string;
  examples: readonly string[];
}
export interface TopicMatch {
  name: string;
  /** 0..1 */
  score: number;
  detected: boolean;
}
export interface TopicMatcher {
  /** One entry per topic, in config order. */
  match(text: string): TopicMatch[];
}

/** A topic is detected when its score reaches this value. */
export const TOPIC_THRESHOLD = 0.5;

// Tunables (documented in the module comment).
const WORD_P_RARE = 0.4;
const WORD_P_COMMON = 0.06;
const FIELD_NAME = 1.1;
const FIELD_DEFINITION = 1;
const FIELD_EXAMPLE = 0.9;
const FIELD_EXAMPLE_WORD = 0.7;
const SECOND_MEMBER = 0.5;
const MULTI_FIELD = 1.05;
const RELATED = 0.55;
const WEAK_TOPIC_MEMBER = 0.8;
const P_MAX = 0.45;
const EX_WEIGHT = 0.6;
const EX_FLOOR = 0.45;
const EX_INTENT_W = 0.6;
const INTENT_BOOST = 0.55;
const INTENT_REF = 0.4;
const WINDOW_TOKENS = 48;
const CHUNK_STRIDE = 32;
const FUZZY_MIN_LEN = 6;
const FUZZY_MIN_DICE = 0.6;
/** Distinct words whose evidence a matcher remembers across calls. */
const TOKEN_MEMO_SIZE = 20_000;
/** Slots of the matcher's "seen once" table (a power of two). */
const SEEN_SLOTS = 1 << 15;

/** A 30-bit FNV-1a hash of a string (the key of the "seen once" tables). */
function stringKey(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h & 0x3fffffff;
}

/** Evidence in compiled form: feature id and factor. */
interface Ev {
  readonly f: number;
  readonly x: number;
}

interface TokInfo {
  readonly ev: readonly Ev[];
  /** Content weight of the token (0 for stopwords), the text side of the example cosine. */
  readonly w: number;
  /** A lexicon phrase may start here. */
  readonly phrase: boolean;
  /** An advice cue may start here. */
  readonly intent: boolean;
  /** Paraphrase evidence (WordNet), at most one per topic. */
  readonly soft: readonly SoftEv[];
  /** WordNet lemmas of the word, when a useful two-word collocation may start here (else undefined). */
  readonly colloc?: readonly Lemma[];
  /** WordNet writes the word with a capital: capitalised inside a sentence, it is still the word. */
  readonly proper?: boolean;
}

const ONLY_DIGITS = /^[0-9.,:]+$/;
const NO_SOFT: readonly SoftEv[] = [];
const NO_PHRASES: ReturnType<typeof matchPhrases> = [];
const STOP_INFO: TokInfo = { ev: [], w: 0, phrase: false, intent: false, soft: NO_SOFT };

/** A remembered ASCII token: its lowercase form and evidence (`CompiledTopics.asciiToken`). */
interface AsciiToken {
  readonly lower: string;
  readonly info: TokInfo;
  /** The next remembered token with the same hash. */
  sameHash: AsciiToken | undefined;
}

/** Is `lower` the lowercase form of the ASCII text[start, end)? */
function sameLowercase(lower: string, text: string, start: number, end: number): boolean {
  if (lower.length !== end - start) return false;
  for (let k = 0; k < lower.length; k++) {
    const c = text.charCodeAt(start + k);
    if (lower.charCodeAt(k) !== (c >= 65 && c <= 90 ? c + 32 : c)) return false;
  }
  return true;
}

interface FuzzyTarget {
  readonly len: number;
  readonly grams: Int32Array; // sorted trigram hashes
  readonly ev: readonly Ev[];
}

/** Sorted trigram hashes of `w` padded with a space on both sides, written into `out`; returns the count. */
function trigrams(w: string, out: Int32Array): number {
  const n = w.length + 2;
  let k = 0;
  for (let i = 0; i + 3 <= n && k < out.length; i++) {
    const a = i === 0 ? 32 : w.charCodeAt(i - 1);
    const b = i + 1 === n - 1 ? 32 : w.charCodeAt(i);
    const c = i + 2 === n - 1 ? 32 : w.charCodeAt(i + 1);
    out[k++] = (a * 65599 + b) * 65599 + c;
  }
  out.subarray(0, k).sort();
  return k;
}

function sortedOverlap(a: Int32Array, na: number, b: Int32Array): number {
  let i = 0;
  let j = 0;
  let m = 0;
  const nb = b.length;
  while (i < na && j < nb) {
    const x = a[i] ?? 0;
    const y = b[j] ?? 0;
    if (x === y) {
      m++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return m;
}

/** Numeric key of the first three (or two) characters: a stem shares them with its word. */
function prefixKey(w: string): number {
  const c2 = w.length > 2 ? w.charCodeAt(2) : 0;
  return (w.charCodeAt(0) * 65536 + w.charCodeAt(1)) * 65536 + c2;
}

function clamp01(v: number): number {
  return v > 0 ? (v < 1 ? v : 1) : 0; // also maps NaN to 0
}

/** Weight of a key in the example cosine: concepts by strength, words by rarity; ambiguous ×0.6. */
function exampleWeight(k: KeyEvidence): number {
  return (k.c >= 0 ? k.weight / STRENGTH_P.strong : k.weight) * (k.x < 1 ? 0.6 : 1);
}

/** A key of a topic field; `entity` marks a capitalised word inside a sentence ("Globex"). */
interface FieldKey extends KeyEvidence {
  readonly entity: boolean;
  /** The token's lowercase text (fuzzy-match target for word keys). */
  readonly lower: string;
}

/** Evidence keys of a short phrase (topic name, definition or example), including lexicon phrases. */
function phraseKeys(text: string): {
  keys: FieldKey[];
  intent: boolean;
  lowers: string[];
  tokOf: number[];
  /** Tokens inside a lexicon phrase ("index fund"). */
  inPhrase: Set<number>;
} {
  const toks = tokenize(text);
  const lowers: string[] = [];
  for (let i = 0; i < toks.count; i++) lowers.push(lowerToken(text, toks, i));
  const stems = lowers.map(stem);
  const keys: FieldKey[] = [];
  const tokOf: number[] = []; // token index of each key
  const inPhrase = new Set<number>();
  let intent = false;
  for (let i = 0; i < lowers.length; i++) {
    const lower = lowers[i] ?? '';
    const f = toks.flags[i] ?? 0;
    const entity = ((f & T_CAP) !== 0 && (f & T_SENT_START) === 0) || (f & T_ALLCAPS) !== 0;
    for (const k of tokenKeys(lower, true)) {
      keys.push({ ...k, entity, lower });
      tokOf.push(i);
    }
    for (const ph of matchPhrases((j) => stems[j], i)) {
      const concept = CONCEPTS[ph.c];
      const weight = concept ? STRENGTH_P[concept.strength] : 0;
      keys.push({ key: `c:${ph.c}`, x: ph.weak ? 0.5 : 1, c: ph.c, weight, entity: false, lower: '' });
      tokOf.push(i);
      for (let j = i; j < i + ph.len; j++) inPhrase.add(j);
    }
    if (!intent && intentAt(lowers, i)) intent = true;
  }
  return { keys, intent, lowers, tokOf, inPhrase };
}

/** A capitalised token inside a sentence (not all capitals): a name, unless WordNet writes the word so. */
function midCapital(flags: number): boolean {
  return (flags & T_CAP) !== 0 && (flags & (T_SENT_START | T_ALLCAPS)) === 0;
}

/** Lowercase forms of the words capitalised inside a sentence somewhere in `texts` ("Harry Potter"). */
function capitalisedWords(texts: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const text of texts) {
    const toks = tokenize(text);
    for (let i = 0; i < toks.count; i++) if (midCapital(toks.flags[i] ?? 0)) out.add(lowerToken(text, toks, i));
  }
  return out;
}

/** True when WordNet writes the word with a capital in its main sense ("Koran", "Islam"). */
function isProperWord(lower: string): boolean {
  return lemmasOf(lower)[0]?.proper === true;
}

/**
 * Paraphrase sources of one topic field: its keys (by index) with the WordNet concepts of their word, or
 * of the two-word collocation ("blood pressure") they are part of — whose words alone are not sources.
 * Not sources either: ambiguous lexicon members ("share", "index"), words of lexicon phrases, frequent
 * words outside the topic name (too vague: "say", "take") and names ("Potter" is not a craftsman).
 */
function paraphraseSources(
  parsed: ReturnType<typeof phraseKeys>,
  nameField: boolean,
  isName: (lower: string) => boolean,
  conceptsOfWord: (lower: string) => WordConcepts | undefined,
): Array<{ key: number; concepts: WordConcepts }> {
  const { keys, lowers, tokOf, inPhrase } = parsed;
  const out: Array<{ key: number; concepts: WordConcepts }> = [];
  const source = (k: FieldKey): boolean =>
    k.lower !== '' && k.x >= 1 && (nameField || !isCommonWord(k.lower)) && !isName(k.lower);
  const inCollocation = new Set<number>();
  for (let i = 0; i + 1 < lowers.length; i++) {
    const concepts = collocationConcepts(lowers, i);
    if (!concepts) continue;
    inCollocation.add(i).add(i + 1);
    keys.forEach((k, j) => {
      const at = tokOf[j];
      if ((at === i || at === i + 1) && source(k)) out.push({ key: j, concepts });
    });
  }
  keys.forEach((k, j) => {
    const at = tokOf[j] ?? -1;
    if (inPhrase.has(at) || inCollocation.has(at) || !source(k)) return;
    const concepts = conceptsOfWord(k.lower);
    if (concepts) out.push({ key: j, concepts });
  });
  return out;
}

/** Lexicon phrases starting at token `i` (longest first; all that match). */
function matchPhrases(
  stemAt: (i: number) => string | undefined,
  i: number,
): Array<{ c: number; weak: boolean; len: number }> {
  const s = stemAt(i);
  if (s === undefined) return [];
  const list = CONCEPT_PHRASES.get(s);
  if (!list) return [];
  const out: Array<{ c: number; weak: boolean; len: number }> = [];
  for (const ph of list) {
    let ok = true;
    for (let k = 0; k < ph.rest.length; k++) {
      if (stemAt(i + 1 + k) !== ph.rest[k]) {
        ok = false;
        break;
      }
    }
    if (ok && !out.some((o) => o.c === ph.c)) out.push({ c: ph.c, weak: ph.weak, len: ph.rest.length + 1 });
  }
  return out;
}

class CompiledTopics implements TopicMatcher {
  private readonly names: readonly string[];
  private readonly featureIds: ReadonlyMap<string, number>;
  // Per feature: topic postings (topic index, p) and example postings (example index, weight).
  private readonly postTopic: readonly Int32Array[];
  private readonly postP: readonly Float64Array[];
  private readonly postEx: readonly Int32Array[];
  private readonly postExW: readonly Float64Array[];
  private readonly exTopic: Int32Array;
  private readonly exTotal: Float64Array;
  private readonly exIntentW: Float64Array;
  private readonly fuzzy: ReadonlyMap<number, readonly FuzzyTarget[]>;
  private readonly conceptFeature: ReadonlyMap<number, number>;
  /** First three letters of every word-feature stem (a stem's first three letters are the token's). */
  private readonly wordPrefixes: ReadonlySet<number>;
  /** WordNet links from concepts to the topics' soft features (see `paraphrase.ts`). */
  private readonly para: ParaphraseIndex;
  /** Per feature: the feature a soft feature twins, or −1. */
  private readonly softBase: Int32Array;
  /** Memos of `tokenInfo`, `asciiToken` and `stemOf`, and the scratch buffers of `analyze`. */
  private readonly infoMemo = new Map<string, TokInfo>();
  private readonly asciiMemo = new Map<number, AsciiToken>();
  /** Words of the current call that are not remembered (yet), and the "seen once" table of `admit`. */
  private readonly callInfo = new Map<string, TokInfo>();
  private readonly seenOnce = new Int32Array(SEEN_SLOTS);
  private readonly stemMemo = new Map<string, string>();
  private readonly gramBuf = new Int32Array(128);
  private readonly direct: Uint8Array;
  /** The last text's tokens, whose arrays the next `match` reuses. */
  private tokens: Tokens | undefined;
  /** Per-token scratch of `scoreInto` (grown to the longest text seen). */
  private evStartBuf = new Int32Array(0);
  private intentPrefixBuf = new Int32Array(0);
  private weightPrefixBuf = new Float64Array(0);
  /** Per-feature / per-topic / per-example scratch of the window scoring. */
  private readonly windowScratch: {
    readonly seen: Int32Array;
    readonly bestX: Float64Array;
    readonly bestM: Int32Array;
    readonly secondX: Float64Array;
    readonly coll: Int32Array;
    readonly top1: Float64Array;
    readonly top2: Float64Array;
    readonly top3: Float64Array;
    readonly exDot: Float64Array;
    readonly exBest: Float64Array;
  };
  private windowStamp = 0;

  constructor(topics: readonly TopicSpec[], paraphrase: boolean) {
    this.names = topics.map((t) => t.name);
    this.direct = new Uint8Array(topics.length);
    const featureIds = new Map<string, number>();
    const featureKeys: KeyEvidence[] = [];
    const fid = (k: KeyEvidence): number => {
      let id = featureIds.get(k.key);
      if (id === undefined) {
        id = featureKeys.length;
        featureIds.set(k.key, id);
        featureKeys.push(k);
      }
      return id;
    };
    const topicPost: Array<Map<number, number>> = []; // per topic: feature → p
    const exPost: Array<Map<number, number>> = []; // per example: feature → weight
    const exTopic: number[] = [];
    const exIntent: boolean[] = [];
    const wordForms = new Map<string, number>(); // surface form of a topic word → its feature
    const para = new ParaphraseIndex(topics.length);
    const softBaseOf = new Map<number, number>(); // soft feature → the feature it twins
    const conceptCache = new Map<string, WordConcepts | undefined>();
    const conceptsOfWord = (lower: string): WordConcepts | undefined => {
      if (!conceptCache.has(lower)) conceptCache.set(lower, wordConcepts(lower));
      return conceptCache.get(lower);
    };

    topics.forEach((topic, t) => {
      const fields: Array<{ text: string; factor: number; example: boolean; name: boolean }> = [
        { text: topic.name, factor: FIELD_NAME, example: false, name: true },
        { text: topic.definition, factor: FIELD_DEFINITION, example: false, name: false },
        ...topic.examples.map((e) => ({ text: e, factor: FIELD_EXAMPLE, example: true, name: false })),
      ];
      const names = paraphrase ? capitalisedWords(fields.map((f) => f.text)) : new Set<string>();
      const isName = (lower: string): boolean => names.has(lower) && !isProperWord(lower);
      const pOf = new Map<number, number>();
      const fieldsSeen = new Map<number, number>();
      const fullConcepts = new Set<number>(); // concepts named by an unambiguous member
      const exStart = exPost.length;
      // Topic words (unambiguous keys) and collocations with their WordNet concepts: paraphrase sources.
      const sources: Array<{ f: number; concepts: WordConcepts }> = [];
      for (const field of fields) {
        const parsed = phraseKeys(field.text);
        const { keys, intent } = parsed;
        if (paraphrase) {
          for (const src of paraphraseSources(parsed, field.name, isName, conceptsOfWord)) {
            const k = keys[src.key];
            if (k) sources.push({ f: fid(k), concepts: src.concepts });
          }
        }
        const inField = new Map<number, number>();
        for (const k of keys) {
          const id = fid(k);
          if (k.c >= 0 && k.x >= 1) fullConcepts.add(id);
          if (k.c < 0 && k.x >= 1) wordForms.set(k.lower, id);
          const base = k.c >= 0 ? k.weight * (k.x < 1 ? WEAK_TOPIC_MEMBER : 1) : k.weight >= 1 ? WORD_P_RARE : WORD_P_COMMON;
          // Words of examples are partly incidental, except names ("Globex") which are specific.
          const factor = k.c < 0 && field.example ? (k.entity && k.weight >= 1 ? 1 : FIELD_EXAMPLE_WORD) : field.factor;
          const p = base * factor * (k.c < 0 ? k.x : 1);
          inField.set(id, Math.max(inField.get(id) ?? 0, p));
        }
        for (const [id, p] of inField) {
          pOf.set(id, Math.max(pOf.get(id) ?? 0, p));
          fieldsSeen.set(id, (fieldsSeen.get(id) ?? 0) + 1);
        }
        if (field.example) {
          const w = new Map<number, number>();
          for (const k of keys) {
            const id = fid(k);
            w.set(id, Math.max(w.get(id) ?? 0, exampleWeight(k)));
          }
          if (w.size > 0 || intent) {
            exPost.push(w);
            exTopic.push(t);
            exIntent.push(intent);
          }
        }
      }
      for (const [id, n] of fieldsSeen) if (n >= 2) pOf.set(id, (pOf.get(id) ?? 0) * MULTI_FIELD);
      // Related concepts (only from concepts the topic names unambiguously).
      for (const [id, p] of [...pOf]) {
        const k = featureKeys[id];
        if (!k || k.c < 0 || !fullConcepts.has(id)) continue;
        for (const rc of CONCEPT_RELATED[k.c] ?? []) {
          const concept = CONCEPTS[rc];
          if (!concept) continue;
          const rid = fid({ key: `c:${rc}`, x: 1, c: rc, weight: STRENGTH_P[concept.strength] });
          const rp = Math.min(p, STRENGTH_P[concept.strength]) * RELATED;
          if ((pOf.get(rid) ?? 0) < rp) pOf.set(rid, rp);
        }
      }
      for (const [id, p] of pOf) pOf.set(id, Math.min(P_MAX, p));
      // Soft twins of the topic's features, private to this topic, with the same p and example weights.
      const softOf = new Map<number, number>();
      for (const { f, concepts } of sources) {
        const p = pOf.get(f);
        if (p === undefined) continue;
        let sf = softOf.get(f);
        if (sf === undefined) {
          sf = fid({ key: `s:${t}:${f}`, x: 1, c: -1, weight: 0 });
          softOf.set(f, sf);
          softBaseOf.set(sf, f);
        }
        para.add(concepts, sf, t, p);
      }
      for (const [f, sf] of softOf) pOf.set(sf, pOf.get(f) ?? 0);
      for (let e = exStart; e < exPost.length; e++) {
        const m = exPost[e];
        if (!m) continue;
        for (const [f, sf] of softOf) {
          const w = m.get(f);
          if (w !== undefined) m.set(sf, w);
        }
      }
      topicPost.push(pOf);
    });
    para.finish();

    // Invert into per-feature postings.
    const nf = featureKeys.length;
    const tT: number[][] = Array.from({ length: nf }, () => []);
    const tP: number[][] = Array.from({ length: nf }, () => []);
    topicPost.forEach((m, t) => {
      for (const [id, p] of m) {
        tT[id]?.push(t);
        tP[id]?.push(p);
      }
    });
    const eE: number[][] = Array.from({ length: nf }, () => []);
    const eW: number[][] = Array.from({ length: nf }, () => []);
    const exTotal: number[] = [];
    const exIntentW: number[] = [];
    exPost.forEach((m, e) => {
      let total = exIntent[e] ? EX_INTENT_W : 0;
      for (const [id, w] of m) {
        eE[id]?.push(e);
        eW[id]?.push(w);
        if (!softBaseOf.has(id)) total += w; // a soft twin stands in for its feature, it does not add to the norm
      }
      exTotal.push(total);
      exIntentW.push(exIntent[e] ? EX_INTENT_W : 0);
    });
    this.featureIds = featureIds;
    this.postTopic = tT.map((a) => Int32Array.from(a));
    this.postP = tP.map((a) => Float64Array.from(a));
    this.postEx = eE.map((a) => Int32Array.from(a));
    this.postExW = eW.map((a) => Float64Array.from(a));
    this.exTopic = Int32Array.from(exTopic);
    this.exTotal = Float64Array.from(exTotal);
    this.exIntentW = Float64Array.from(exIntentW);

    const conceptFeature = new Map<number, number>();
    featureKeys.forEach((k, id) => {
      if (k.c >= 0) conceptFeature.set(k.c, id);
    });
    this.conceptFeature = conceptFeature;
    this.para = para;
    this.softBase = new Int32Array(nf).fill(-1);
    for (const [sf, f] of softBaseOf) this.softBase[sf] = f;
    const wordPrefixes = new Set<number>();
    for (const k of featureKeys) if (k.c < 0 && k.key.startsWith('w:')) wordPrefixes.add(prefixKey(k.key.slice(2)));
    this.wordPrefixes = wordPrefixes;

    // Fuzzy targets: topic words and single-word members of the concepts in use, bucketed by their
    // first three letters.
    const fuzzy = new Map<number, FuzzyTarget[]>();
    const seenTarget = new Set<string>();
    const gramBuf = new Int32Array(128);
    const addTarget = (s: string, ev: readonly Ev[]): void => {
      if (s.length < FUZZY_MIN_LEN || s.length > 60 || seenTarget.has(s) || !/^[a-z]+$/.test(s)) return;
      seenTarget.add(s);
      const n = trigrams(s, gramBuf);
      const target: FuzzyTarget = { len: s.length, grams: gramBuf.slice(0, n), ev };
      const key = prefixKey(s);
      const list = fuzzy.get(key);
      if (list) list.push(target);
      else fuzzy.set(key, [target]);
    };
    for (const [form, id] of wordForms) addTarget(form, [{ f: id, x: 1 }]);
    CONCEPTS.forEach((concept, c) => {
      const id = conceptFeature.get(c);
      if (id === undefined) return;
      for (const term of concept.terms) if (!term.includes(' ')) addTarget(term.toLowerCase(), [{ f: id, x: 1 }]);
    });
    this.fuzzy = fuzzy;
    const nt = topics.length;
    this.windowScratch = {
      seen: new Int32Array(nf),
      bestX: new Float64Array(nf),
      bestM: new Int32Array(nf),
      secondX: new Float64Array(nf),
      coll: new Int32Array(nf),
      top1: new Float64Array(nt),
      top2: new Float64Array(nt),
      top3: new Float64Array(nt),
      exDot: new Float64Array(this.exTopic.length),
      exBest: new Float64Array(nt),
    };
  }

  /**
   * Evidence of one distinct lowercase token against the compiled features — the match-time twin of
   * `tokenKeys`, with cheap pre-checks so that most tokens are never stemmed: stopword → nothing;
   * lexicon member → its concepts; otherwise the stem is computed only when its first three letters
   * start some topic word, and the trigram index is tried for unknown longer words.
   */
  private analyze(lower: string, hyphen: boolean, gramBuf: Int32Array, direct: Uint8Array): TokInfo {
    const info = this.analyzeDirect(lower, hyphen, gramBuf);
    // Stopwords and numbers give no paraphrase evidence.
    if (info.w === 0 || this.para.empty) return info;
    const lemmas = lemmasOf(lower);
    if (lemmas.length === 0) return info;
    // Frequent words are vague: only their own senses count ("fix" = repair), not their relatives.
    const soft = this.para.evidence(lemmas, info.ev.length > 0 ? this.directTopics(info.ev, direct) : undefined, isCommonWord(lower));
    const colloc = this.para.mayStartCollocation(lemmas) ? lemmas : undefined;
    if (soft.length === 0 && !colloc) return info;
    const proper = lemmas[0]?.proper === true;
    return { ev: info.ev, w: info.w, phrase: info.phrase, intent: info.intent, soft, colloc, proper };
  }

  /** Marks in `direct` (cleared first) the topics that evidence `ev` already reaches. */
  private directTopics(ev: readonly Ev[], direct: Uint8Array): Uint8Array {
    direct.fill(0);
    for (const e of ev) for (const t of this.postTopic[e.f] ?? []) direct[t] = 1;
    return direct;
  }

  /** Evidence of a token from the lexicon, the topics' own words and their misspellings. */
  private analyzeDirect(lower: string, hyphen: boolean, gramBuf: Int32Array): TokInfo {
    if (isStopword(lower)) {
      const phrase = mayStartPhrase(lower);
      const intent = mayStartIntent(lower);
      return phrase || intent ? { ev: [], w: 0, phrase, intent, soft: NO_SOFT } : STOP_INFO;
    }
    const ev: Ev[] = [];
    let w = 0;
    const ms = conceptMembers(lower);
    if (ms) {
      for (const m of ms) {
        const concept = CONCEPTS[m.c];
        const x = m.weak ? 0.5 : 1;
        w = Math.max(w, concept ? (STRENGTH_P[concept.strength] / STRENGTH_P.strong) * (m.weak ? 0.6 : 1) : 0);
        const f = this.conceptFeature.get(m.c);
        if (f !== undefined) ev.push({ f, x });
      }
      return { ev, w, phrase: mayStartPhrase(lower), intent: mayStartIntent(lower), soft: NO_SOFT };
    }
    if (hyphen) {
      for (const part of lower.split('-')) {
        if (part.length === 0) continue;
        const sub = this.analyzeDirect(part, false, gramBuf);
        for (const e of sub.ev) ev.push({ f: e.f, x: e.x * 0.5 });
        w = Math.max(w, sub.w * 0.6);
      }
      return { ev, w, phrase: false, intent: false, soft: NO_SOFT };
    }
    const c0 = lower.charCodeAt(0);
    if (c0 >= 48 && c0 <= 57 && ONLY_DIGITS.test(lower)) {
      return mayStartPhrase(lower) ? { ev: [], w: 0, phrase: true, intent: false, soft: NO_SOFT } : STOP_INFO;
    }
    w = isCommonWord(lower) ? WEIGHT_COMMON : WEIGHT_RARE;
    if (lower.length >= 2 && this.wordPrefixes.has(prefixKey(lower))) {
      const f = this.featureIds.get(`w:${stem(lower)}`);
      if (f !== undefined) ev.push({ f, x: 1 });
    }
    // Fuzzy (misspellings): unknown plain words only.
    // Candidates share the first three letters (typos there are rare) and a similar length.
    if (ev.length === 0 && lower.length >= FUZZY_MIN_LEN) {
      const cands = this.fuzzy.get(prefixKey(lower));
      if (cands) {
        let n = -1;
        let best = 0;
        let bestEv: readonly Ev[] | undefined;
        for (const t of cands) {
          if (Math.abs(t.len - lower.length) > 2) continue;
          if (n < 0) n = trigrams(lower, gramBuf);
          const dice = (2 * sortedOverlap(gramBuf, n, t.grams)) / (n + t.grams.length);
          if (dice >= FUZZY_MIN_DICE && dice > best) {
            best = dice;
            bestEv = t.ev;
          }
        }
        if (bestEv) for (const e of bestEv) ev.push({ f: e.f, x: e.x * best });
      }
    }
    return { ev, w, phrase: mayStartPhrase(lower), intent: mayStartIntent(lower), soft: NO_SOFT };
  }

  match(text: string): TopicMatch[] {
    const nt = this.names.length;
    const best = new Float64Array(nt);
    const toks = tokenize(text, this.tokens);
    this.tokens = toks;
    const n = toks.count;
    if (n > 0 && nt > 0) this.scoreInto(text, toks, best);
    const out: TopicMatch[] = [];
    for (let t = 0; t < nt; t++) {
      const score = Math.round(clamp01(best[t] ?? 0) * 10000) / 10000;
      out.push({ name: this.names[t] ?? '', score, detected: score >= TOPIC_THRESHOLD });
    }
    return out;
  }

  /**
   * The evidence of a distinct lowercase token (`analyze`), remembered across calls: it depends on the word and
   * the compiled topics only, and most words of a text are words seen before. A word is remembered from the second
   * call that meets it on (words met once, half of a vocabulary, stay in the per-call map); bounded, emptied when
   * full.
   */
  private tokenInfo(lower: string, hyphen: boolean): TokInfo {
    let info = this.infoMemo.get(lower) ?? this.callInfo.get(lower);
    if (info === undefined) {
      info = this.analyze(lower, hyphen, this.gramBuf, this.direct);
      // Remembered across calls from the second call that meets the word on (words met once stay per call).
      if (this.admit(stringKey(lower))) {
        if (this.infoMemo.size >= TOKEN_MEMO_SIZE) this.infoMemo.clear();
        this.infoMemo.set(lower, info);
      } else this.callInfo.set(lower, info);
    }
    return info;
  }

  /** True when `key` was seen before (see `seenOnce`); otherwise records it. */
  private admit(key: number): boolean {
    const slot = key & (SEEN_SLOTS - 1);
    if (this.seenOnce[slot] === key + 1) return true;
    this.seenOnce[slot] = key + 1;
    return false;
  }

  /**
   * The lowercase form and evidence of the ASCII token text[start, end), or undefined for a token with other
   * characters. Known tokens are found by a hash of their lowercase characters, checked character by character,
   * so they cost neither a substring nor a lower-cased copy (the remembered `lower` is returned instead).
   */
  private asciiToken(text: string, start: number, end: number, hyphen: boolean): AsciiToken | undefined {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) return undefined;
      h = Math.imul(h ^ (c >= 65 && c <= 90 ? c + 32 : c), 0x01000193);
    }
    const key = h & 0x3fffffff;
    const first = this.asciiMemo.get(key);
    for (let e = first; e !== undefined; e = e.sameHash) if (sameLowercase(e.lower, text, start, end)) return e;
    const lower = text.slice(start, end).toLowerCase();
    const info = this.tokenInfo(lower, hyphen);
    const entry: AsciiToken = { lower, info, sameHash: undefined };
    // Indexed by hash only once `tokenInfo` remembers the word across calls.
    if (this.infoMemo.get(lower) === info) {
      if (this.asciiMemo.size >= TOKEN_MEMO_SIZE) this.asciiMemo.clear();
      else entry.sameHash = first;
      this.asciiMemo.set(key, entry);
    }
    return entry;
  }

  /** Per-token scratch arrays for `n` tokens (`evStart` and the prefix sums have n + 1 entries). */
  private tokenScratch(n: number): { evStart: Int32Array; intentPrefix: Int32Array; weightPrefix: Float64Array } {
    if (this.evStartBuf.length < n + 1) {
      const cap = Math.max(n + 1, this.evStartBuf.length * 2, 256);
      this.evStartBuf = new Int32Array(cap);
      this.intentPrefixBuf = new Int32Array(cap);
      this.weightPrefixBuf = new Float64Array(cap);
    }
    return { evStart: this.evStartBuf, intentPrefix: this.intentPrefixBuf, weightPrefix: this.weightPrefixBuf };
  }

  /** A stamp no entry of `seen` holds yet (the array is cleared before the Int32 range runs out). */
  private nextWindowStamp(): number {
    if (this.windowStamp >= 0x7ffffff0) {
      this.windowScratch.seen.fill(0);
      this.windowStamp = 0;
    }
    return ++this.windowStamp;
  }

  /** `stem(lower)`, remembered like `tokenInfo`. */
  private stemOf(lower: string): string {
    let st = this.stemMemo.get(lower);
    if (st === undefined) {
      st = stem(lower);
      if (this.stemMemo.size >= TOKEN_MEMO_SIZE) this.stemMemo.clear();
      this.stemMemo.set(lower, st);
    }
    return st;
  }

  private scoreInto(text: string, toks: ReturnType<typeof tokenize>, bestOut: Float64Array): void {
    const n = toks.count;
    this.callInfo.clear();
    const direct = this.direct;
    const lowers: string[] = new Array<string>(n);
    const infos: TokInfo[] = new Array<TokInfo>(n);
    for (let i = 0; i < n; i++) {
      const hyphen = ((toks.flags[i] ?? 0) & T_HYPHEN) !== 0;
      const ascii = this.asciiToken(text, toks.start[i] ?? 0, toks.end[i] ?? 0, hyphen);
      if (ascii !== undefined) {
        lowers[i] = ascii.lower;
        infos[i] = ascii.info;
      } else {
        const lower = lowerToken(text, toks, i);
        lowers[i] = lower;
        infos[i] = this.tokenInfo(lower, hyphen);
      }
    }
    // Stems only where needed (phrase matching, members of evidence).
    const stemAt = (j: number): string | undefined => {
      const lower = lowers[j];
      return lower === undefined ? undefined : this.stemOf(lower);
    };
    // Evidence stream in token order, with per-token start offsets; intent prefix counts.
    const { evStart, intentPrefix, weightPrefix } = this.tokenScratch(n);
    const evF: number[] = [];
    const evX: number[] = [];
    // Member of each piece of evidence (interned stem; a phrase counts as its first word), so that two
    // different words of one concept ("slot machines … casino") count more than one word twice.
    const evM: number[] = [];
    const memberIds = new Map<string, number>();
    const member = (s: string): number => {
      let id = memberIds.get(s);
      if (id === undefined) {
        id = memberIds.size;
        memberIds.set(s, id);
      }
      return id;
    };
    intentPrefix[0] = 0;
    weightPrefix[0] = 0;
    let phraseUntil = 0;
    for (let i = 0; i < n; i++) {
      evStart[i] = evF.length;
      const info = infos[i];
      weightPrefix[i + 1] = (weightPrefix[i] ?? 0) + (info ? info.w : 0);
      intentPrefix[i + 1] = (intentPrefix[i] ?? 0) + (info?.intent && intentAt(lowers, i) ? 1 : 0);
      if (!info) continue;
      // Words inside a lexicon phrase ("stock exchange", "wall street") or a WordNet collocation ("blood
      // pressure") mean the phrase, not themselves.
      const phrases = info.phrase ? matchPhrases(stemAt, i) : NO_PHRASES;
      for (const ph of phrases) if (i + ph.len > phraseUntil) phraseUntil = i + ph.len;
      const paraOk = i >= phraseUntil && (info.proper === true || !midCapital(toks.flags[i] ?? 0));
      let soft = paraOk ? info.soft : NO_SOFT;
      if (info.colloc && paraOk) {
        const found = this.para.collocationsAt(lowers, i, info.colloc);
        if (found.length > 0) {
          const directOf = info.ev.length > 0 ? this.directTopics(info.ev, direct) : undefined;
          soft = this.para.evidence(found, directOf, false);
          phraseUntil = i + 2;
        }
      }
      if (info.ev.length > 0 || soft.length > 0) {
        const m = member(stemAt(i) ?? '');
        for (const e of info.ev) {
          evF.push(e.f);
          evX.push(e.x);
          evM.push(m);
        }
        for (const e of soft) {
          evF.push(e.f);
          evX.push(e.x);
          evM.push(m);
        }
      }
      if (phrases.length > 0) {
        for (const ph of phrases) {
          const f = this.conceptFeature.get(ph.c);
          if (f !== undefined) {
            evF.push(f);
            evX.push(ph.weak ? 0.5 : 1);
            evM.push(member(stemAt(i) ?? ''));
          }
        }
      }
    }
    evStart[n] = evF.length;
    if (evF.length === 0) return; // nothing topical anywhere

    // Per-feature and per-topic scratch, allocated once per matcher; `seen` holds window stamps that only grow.
    const { seen, bestX, bestM, secondX, coll, top1, top2, top3, exDot, exBest } = this.windowScratch;
    const nt = bestOut.length;
    const nex = this.exTopic.length;
    const pushTop = (t: number, v: number): void => {
      if (v <= (top3[t] ?? 0)) return;
      if (v > (top2[t] ?? 0)) {
        top3[t] = top2[t] ?? 0;
        if (v > (top1[t] ?? 0)) {
          top2[t] = top1[t] ?? 0;
          top1[t] = v;
        } else top2[t] = v;
      } else top3[t] = v;
    };

    const scoreWindow = (a: number, b: number): void => {
      const e0 = evStart[a] ?? 0;
      const e1 = evStart[b] ?? 0;
      if (e1 <= e0) return;
      const stamp = this.nextWindowStamp();
      let nc = 0;
      for (let k = e0; k < e1; k++) {
        const f = evF[k] ?? 0;
        const x = evX[k] ?? 0;
        const m = evM[k] ?? 0;
        if (seen[f] !== stamp) {
          seen[f] = stamp;
          bestX[f] = x;
          bestM[f] = m;
          secondX[f] = 0;
          coll[nc++] = f;
        } else if (m === bestM[f]) {
          if (x > (bestX[f] ?? 0)) bestX[f] = x;
        } else if (x > (bestX[f] ?? 0)) {
          if ((bestX[f] ?? 0) >= 1) secondX[f] = 1;
          bestX[f] = x;
          bestM[f] = m;
        } else if (x >= 1) secondX[f] = 1; // only unambiguous members count as a second word
      }
      top1.fill(0);
      top2.fill(0);
      top3.fill(0);
      exDot.fill(0);
      for (let k = 0; k < nc; k++) {
        const f = coll[k] ?? 0;
        const base = this.softBase[f] ?? -1;
        if (base >= 0 && seen[base] === stamp) continue; // the topic word itself is in the window
        const x = bestX[f] ?? 0;
        const x2 = (secondX[f] ?? 0) * SECOND_MEMBER;
        const pt = this.postTopic[f];
        const pp = this.postP[f];
        if (pt && pp) {
          for (let j = 0; j < pt.length; j++) {
            const t = pt[j] ?? 0;
            const p = pp[j] ?? 0;
            pushTop(t, p * x);
            if (x2 > 0) pushTop(t, p * x2);
          }
        }
        const pe = this.postEx[f];
        const pw = this.postExW[f];
        if (pe && pw) {
          for (let j = 0; j < pe.length; j++) {
            const e = pe[j] ?? 0;
            exDot[e] = (exDot[e] ?? 0) + (pw[j] ?? 0) * x;
          }
        }
      }
      const intent = (intentPrefix[b] ?? 0) - (intentPrefix[a] ?? 0) > 0;
      exBest.fill(0);
      const windowW = (weightPrefix[b] ?? 0) - (weightPrefix[a] ?? 0) + (intent ? EX_INTENT_W : 0);
      for (let e = 0; e < nex; e++) {
        const total = this.exTotal[e] ?? 0;
        if (total <= 0 || windowW <= 0) continue;
        const sim = ((exDot[e] ?? 0) + (intent ? (this.exIntentW[e] ?? 0) : 0)) / Math.sqrt(total * windowW);
        const t = this.exTopic[e] ?? 0;
        if (sim > (exBest[t] ?? 0)) exBest[t] = sim;
      }
      for (let t = 0; t < nt; t++) {
        const base = 1 - (1 - (top1[t] ?? 0)) * (1 - (top2[t] ?? 0)) * (1 - (top3[t] ?? 0));
        if (base <= 0) continue;
        const exBonus = EX_WEIGHT * clamp01(((exBest[t] ?? 0) - EX_FLOOR) / (1 - EX_FLOOR));
        let s = 1 - (1 - base) * (1 - exBonus);
        if (intent) {
          const r = Math.min(1, base / INTENT_REF);
          s += (1 - s) * INTENT_BOOST * r * r * r;
        }
        if (s > (bestOut[t] ?? 0)) bestOut[t] = s;
      }
    };

    // Windows of whole sentences, consecutive windows sharing one sentence.
    const sents = sentenceRanges(toks);
    let i = 0;
    while (i < sents.length) {
      const si = sents[i];
      if (!si) break;
      const len = si[1] - si[0];
      if (len > WINDOW_TOKENS) {
        for (let a = si[0]; ; a += CHUNK_STRIDE) {
          const b = Math.min(si[1], a + WINDOW_TOKENS);
          scoreWindow(a, b);
          if (b >= si[1]) break;
        }
        i++;
        continue;
      }
      let j = i;
      let total = 0;
      while (j < sents.length) {
        const sj = sents[j];
        if (!sj) break;
        const l = sj[1] - sj[0];
        if (total + l > WINDOW_TOKENS) break;
        total += l;
        j++;
      }
      const last = sents[j - 1];
      if (last) scoreWindow(si[0], last[1]);
      if (j >= sents.length) break;
      i = j - 1 > i ? j - 1 : j;
    }
  }
}

/** Options of `compileTopics`. */
export interface TopicCompileOptions {
  /** Use WordNet paraphrase evidence (default true; off only to measure what it adds). */
  readonly paraphrase?: boolean;
}

/** Compile denied topics into a reusable matcher. All tables are built here, once. */
export function compileTopics(topics: readonly TopicSpec[], options: TopicCompileOptions = {}): TopicMatcher {
  return new CompiledTopics(topics, options.paraphrase ?? true);
}
