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
 *
 * Match time (`match`), linear in the text:
 * - tokens are mapped to evidence (per-call cache, so each distinct word is analysed once); a text
 *   token maps to the same concepts as the topic, so "Tesla shares" meets "stocks". Ambiguous lexicon
 *   members ("party", "share") and hyphen parts count half; fuzzy trigram matches count by their
 *   Dice similarity. Multi-word lexicon members and advice cues ("should I", "is now a good time to",
 *   "which … to buy") are matched on the token sequence.
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
 *
 * Any number of topics and examples is accepted (the API allows 30 topics × 5 examples).
 */
import { lowerToken, sentenceRanges, T_ALLCAPS, T_CAP, T_HYPHEN, T_SENT_START, tokenize } from '../text/tokenize.ts';
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
}

const ONLY_DIGITS = /^[0-9.,:]+$/;
const STOP_INFO: TokInfo = { ev: [], w: 0, phrase: false, intent: false };

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
function phraseKeys(text: string): { keys: FieldKey[]; intent: boolean } {
  const toks = tokenize(text);
  const lowers: string[] = [];
  for (let i = 0; i < toks.count; i++) lowers.push(lowerToken(text, toks, i));
  const stems = lowers.map(stem);
  const keys: FieldKey[] = [];
  let intent = false;
  for (let i = 0; i < lowers.length; i++) {
    const lower = lowers[i] ?? '';
    const f = toks.flags[i] ?? 0;
    const entity = ((f & T_CAP) !== 0 && (f & T_SENT_START) === 0) || (f & T_ALLCAPS) !== 0;
    for (const k of tokenKeys(lower, true)) keys.push({ ...k, entity, lower });
    for (const ph of matchPhrases((j) => stems[j], i)) {
      const concept = CONCEPTS[ph.c];
      const weight = concept ? STRENGTH_P[concept.strength] : 0;
      keys.push({ key: `c:${ph.c}`, x: ph.weak ? 0.5 : 1, c: ph.c, weight, entity: false, lower: '' });
    }
    if (!intent && intentAt(lowers, i)) intent = true;
  }
  return { keys, intent };
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

  constructor(topics: readonly TopicSpec[]) {
    this.names = topics.map((t) => t.name);
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

    topics.forEach((topic, t) => {
      const fields: Array<{ text: string; factor: number; example: boolean }> = [
        { text: topic.name, factor: FIELD_NAME, example: false },
        { text: topic.definition, factor: FIELD_DEFINITION, example: false },
        ...topic.examples.map((e) => ({ text: e, factor: FIELD_EXAMPLE, example: true })),
      ];
      const pOf = new Map<number, number>();
      const fieldsSeen = new Map<number, number>();
      const fullConcepts = new Set<number>(); // concepts named by an unambiguous member
      for (const field of fields) {
        const { keys, intent } = phraseKeys(field.text);
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
      topicPost.push(pOf);
    });

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
        total += w;
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
  }

  /**
   * Evidence of one distinct lowercase token against the compiled features — the match-time twin of
   * `tokenKeys`, with cheap pre-checks so that most tokens are never stemmed: stopword → nothing;
   * lexicon member → its concepts; otherwise the stem is computed only when its first three letters
   * start some topic word, and the trigram index is tried for unknown longer words.
   */
  private analyze(lower: string, hyphen: boolean, gramBuf: Int32Array): TokInfo {
    if (isStopword(lower)) {
      const phrase = mayStartPhrase(lower);
      const intent = mayStartIntent(lower);
      return phrase || intent ? { ev: [], w: 0, phrase, intent } : STOP_INFO;
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
      return { ev, w, phrase: mayStartPhrase(lower), intent: mayStartIntent(lower) };
    }
    if (hyphen) {
      for (const part of lower.split('-')) {
        if (part.length === 0) continue;
        const sub = this.analyze(part, false, gramBuf);
        for (const e of sub.ev) ev.push({ f: e.f, x: e.x * 0.5 });
        w = Math.max(w, sub.w * 0.6);
      }
      return { ev, w, phrase: false, intent: false };
    }
    const c0 = lower.charCodeAt(0);
    if (c0 >= 48 && c0 <= 57 && ONLY_DIGITS.test(lower)) return mayStartPhrase(lower) ? { ev: [], w: 0, phrase: true, intent: false } : STOP_INFO;
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
    return { ev, w, phrase: mayStartPhrase(lower), intent: mayStartIntent(lower) };
  }

  match(text: string): TopicMatch[] {
    const nt = this.names.length;
    const best = new Float64Array(nt);
    const toks = tokenize(text);
    const n = toks.count;
    if (n > 0 && nt > 0) this.scoreInto(text, toks, best);
    const out: TopicMatch[] = [];
    for (let t = 0; t < nt; t++) {
      const score = Math.round(clamp01(best[t] ?? 0) * 10000) / 10000;
      out.push({ name: this.names[t] ?? '', score, detected: score >= TOPIC_THRESHOLD });
    }
    return out;
  }

  private scoreInto(text: string, toks: ReturnType<typeof tokenize>, bestOut: Float64Array): void {
    const n = toks.count;
    const cache = new Map<string, TokInfo>();
    const gramBuf = new Int32Array(128);
    const lowers: string[] = new Array<string>(n);
    const infos: TokInfo[] = new Array<TokInfo>(n);
    for (let i = 0; i < n; i++) {
      const lower = lowerToken(text, toks, i);
      let info = cache.get(lower);
      if (!info) {
        info = this.analyze(lower, ((toks.flags[i] ?? 0) & T_HYPHEN) !== 0, gramBuf);
        cache.set(lower, info);
      }
      lowers[i] = lower;
      infos[i] = info;
    }
    // Stems only where needed (phrase matching, members of evidence), memoised per distinct word.
    const stemCache = new Map<string, string>();
    const stemAt = (j: number): string | undefined => {
      const lower = lowers[j];
      if (lower === undefined) return undefined;
      let st = stemCache.get(lower);
      if (st === undefined) {
        st = stem(lower);
        stemCache.set(lower, st);
      }
      return st;
    };
    // Evidence stream in token order, with per-token start offsets; intent prefix counts.
    const evStart = new Int32Array(n + 1);
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
    const intentPrefix = new Int32Array(n + 1);
    const weightPrefix = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) {
      evStart[i] = evF.length;
      const info = infos[i];
      weightPrefix[i + 1] = (weightPrefix[i] ?? 0) + (info ? info.w : 0);
      intentPrefix[i + 1] = (intentPrefix[i] ?? 0) + (info?.intent && intentAt(lowers, i) ? 1 : 0);
      if (!info) continue;
      if (info.ev.length > 0) {
        const m = member(stemAt(i) ?? '');
        for (const e of info.ev) {
          evF.push(e.f);
          evX.push(e.x);
          evM.push(m);
        }
      }
      if (info.phrase) {
        for (const ph of matchPhrases(stemAt, i)) {
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

    const nf = this.postTopic.length;
    const seen = new Int32Array(nf);
    const bestX = new Float64Array(nf);
    const bestM = new Int32Array(nf);
    const secondX = new Float64Array(nf);
    const coll = new Int32Array(nf);
    const nt = bestOut.length;
    const top1 = new Float64Array(nt);
    const top2 = new Float64Array(nt);
    const top3 = new Float64Array(nt);
    const nex = this.exTopic.length;
    const exDot = new Float64Array(nex);
    const exBest = new Float64Array(nt);
    let stamp = 0;
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
      stamp++;
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

/** Compile denied topics into a reusable matcher. All tables are built here, once. */
export function compileTopics(topics: readonly TopicSpec[]): TopicMatcher {
  return new CompiledTopics(topics);
}
