/**
 * Relevance for contextual grounding: does the response answer the query? Pure, linear in the sizes of the texts.
 *
 * - direct = weighted share of the query's content keys found in the response (a lexicon concept of the query
 *   present in the response counts 0.7, e.g. "symptoms" answered with "fever"; a related concept 0.5).
 * - bridged = best over source sentences of √(query coverage of the sentence × share of the response — words and
 *   numbers — found in that sentence): "Paris." answers "What is the capital of France?" when a source sentence
 *   links them.
 * - answer type from the question word: how many/much → a number; how long/deep/far/heavy… → a quantity of that
 *   dimension (a unit or the dimension's noun: "310 metres", "its depth"); when/what year → a number or date word;
 *   who → a name; where → a name or place; why → a reason word; yes/no questions → always typed as answered.
 *   With a known type: 0.6 × min(1, best/0.7) + 0.4 × type match; otherwise min(1, best/0.7), where
 *   best = max(direct, 0.9 × bridged).
 * - focus: what the question asks about ("the population of X", "how many eggs", "how deep", the subject of a
 *   yes/no question). When no focus is answered — named in the response, or in a source sentence that states
 *   most of what the response adds to the query, or (for "how deep…") a quantity of that dimension — the score
 *   is halved:
 *   "X's main industries are…" does not answer "What is the population of X?" even though it names X.
 * - A query of several parts ("How often does it run, and how much are tickets?") is scored part by part and
 *   the best part counts: a partial answer is relevant.
 * - Empty or missing query → relevance 1: the check does not apply, so it must never block (the engine also
 *   skips RELEVANCE without a query). A response without content → 0.
 */
import { lowerToken, T_ALLCAPS, T_CAP, T_SENT_START } from '../text/tokenize.ts';
import { isCommonWord, isStopword, WEIGHT_COMMON } from '../text/english.ts';
import { CONCEPT_RELATED, conceptMembers } from '../topics/concepts.ts';
import { analyzeText, type CaseEvidence, prepare, type Prepared, type Sentence, type WordCache } from './analyze.ts';
import { clamp01, type SourceIndex } from './sources.ts';
import { type Quantity, sameQuantity, unitDimension } from './units.ts';

const REL_SCALE = 0.7;
const CONCEPT_CREDIT = 0.7;
const RELATED_CREDIT = 0.5;
/** Share of the response that must come from one source sentence for that sentence to answer for it. */
const RESTATES = 0.5;
const FOCUS_MISSING = 0.5;

type AnswerType = 'NUMBER' | 'DATE' | 'PERSON' | 'PLACE' | 'REASON' | 'YESNO' | 'NONE';

const AUXILIARIES: ReadonlySet<string> = new Set([
  'is', 'are', 'was', 'were', 'do', 'does', 'did', 'can', 'could', 'will', 'would', 'should', 'has', 'have',
  'had', 'may', 'might', 'must', 'shall', "isn't", "aren't", "doesn't", "don't", "can't", "won't",
]);
const COPULAS: ReadonlySet<string> = new Set(['is', 'are', 'was', 'were', "'s"]);
const WH_WORDS: ReadonlySet<string> = new Set(['what', 'which', 'who', 'whom', 'whose', 'when', 'where', 'why', 'how', "what's", "who's", "where's", "how's"]);
const FILLERS: ReadonlySet<string> = new Set(['so', 'and', 'please', 'also', 'then', 'ok', 'okay', 'hi', 'hey', 'but', 'tell', 'me']);
const SKIPPED: ReadonlySet<string> = new Set([
  'the', 'a', 'an', 'my', 'your', 'our', 'its', 'their', 'his', 'her', 'this', 'that', 'these', 'those', 'i', 'you',
  'we', 'they', 'it', 'he', 'she', 'there', 'any', 'some',
]);
const DATE_WORDS: ReadonlySet<string> = new Set([
  'today', 'tomorrow', 'yesterday', 'ago', 'year', 'years', 'month', 'months', 'week', 'weeks', 'day', 'days',
  'century', 'decade', 'morning', 'evening', 'night', 'noon', 'midnight', 'am', 'pm', 'season', 'spring',
  'summer', 'autumn', 'fall', 'winter', 'weekend', 'hour', 'hours', 'minutes', 'soon', 'later', 'earlier',
  'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october',
  'november', 'december', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday',
]);
const REASON_WORDS: ReadonlySet<string> = new Set([
  'because', 'due', 'since', 'so', 'reason', 'reasons', 'cause', 'causes', 'caused', 'result', 'therefore',
  'thus', 'as', 'order', 'owing', 'thanks', 'lead', 'leads',
]);
const PERSON_WORDS: ReadonlySet<string> = new Set([
  'he', 'she', 'they', 'person', 'people', 'team', 'manager', 'author', 'founder', 'president', 'doctor',
  'customer', 'staff', 'owner', 'company', 'department', 'support', 'agent', 'administrator', 'admin', 'head',
]);
const NUMBER_WORDS: ReadonlySet<string> = new Set([
  'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'twenty',
  'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety', 'hundred', 'thousand', 'million',
  'billion', 'dozen', 'half', 'none', 'no', 'zero', 'several', 'few', 'free', 'once', 'twice',
]);
const FREQUENCY_WORDS: ReadonlySet<string> = new Set([
  'every', 'each', 'always', 'never', 'daily', 'weekly', 'monthly', 'yearly', 'annually', 'hourly', 'regularly',
  'once', 'twice', 'often', 'rarely', 'sometimes', 'usually',
]);
/** "how <adjective>": the dimensions of an answer, and the noun that names the dimension (its key). */
const HOW_DIMENSIONS: ReadonlyMap<string, readonly string[]> = new Map([
  ['long', ['time', 'length']],
  ['deep', ['length']],
  ['tall', ['length']],
  ['high', ['length']],
  ['wide', ['length']],
  ['far', ['length', 'time']],
  ['heavy', ['mass']],
  ['big', ['area', 'length', 'volume']],
  ['large', ['area', 'length', 'volume']],
  ['old', ['time']],
  ['soon', ['time']],
  ['hot', ['temp']],
  ['cold', ['temp']],
  ['warm', ['temp']],
]);

interface QueryShape {
  type: AnswerType;
  /** Dimensions a "how <adjective>" answer must have; null when any number will do. */
  dims: readonly string[] | null;
  /** The adjective of "how <adjective>" (its key also names the dimension: "deep" = "depth"). */
  dimWord: string;
  frequency: boolean;
  /** The keys the question asks about; [] = no identifiable focus (never penalised). */
  focus: string[];
}

interface QToken {
  lower: string;
  flags: number;
}

/**
 * The parts of a query as token ranges [first, last]: split at "and"/"or" before a question word or auxiliary
 * ("How often does it run, and how much are tickets?") and at sentence ends. A partial answer answers one part.
 */
function queryParts(toks: readonly QToken[]): [number, number][] {
  const parts: [number, number][] = [];
  let first = 0;
  toks.forEach((t, i) => {
    const next = toks[i + 1]?.lower ?? '';
    if ((t.lower === 'and' || t.lower === 'or') && (WH_WORDS.has(next) || AUXILIARIES.has(next))) {
      if (i > first) parts.push([first, i - 1]);
      first = i + 1;
    } else if ((t.flags & T_SENT_START) !== 0 && i > first) {
      parts.push([first, i - 1]);
      first = i;
    }
  });
  if (first < toks.length) parts.push([first, toks.length - 1]);
  return parts;
}

/** Content keys from `from` on: determiners and pronouns skipped before the first, up to the first function word after. */
function phraseKeys(tokens: readonly QToken[], from: number, stems: WordCache, max: number): { keys: string[]; allCommon: boolean } {
  const keys: string[] = [];
  let allCommon = true;
  // hyphenated words count part by part ("check-in" → check, in)
  const part = tokens.slice(from).flatMap((t) =>
    t.lower.includes('-') ? t.lower.split('-').filter(Boolean).map((lower, k) => ({ lower, flags: k === 0 ? t.flags : 0 })) : [t],
  );
  for (let i = 0; i < part.length && keys.length < max; i++) {
    const t = part[i];
    if (!t) break;
    if (SKIPPED.has(t.lower) || (keys.length === 0 && COPULAS.has(t.lower))) continue;
    if (isStopword(t.lower) || AUXILIARIES.has(t.lower)) break;
    // names are what the question is about, not what it asks ("the population of Valdoria")
    if ((t.flags & (T_CAP | T_ALLCAPS)) !== 0 && (t.flags & T_SENT_START) === 0) continue;
    const key = stems.stem(t.lower);
    if (key === '' || /^[0-9]/.test(t.lower) || isStopword(key)) continue;
    keys.push(key);
    if (!isCommonWord(t.lower) && !isCommonWord(key)) allCommon = false;
  }
  return { keys, allCommon };
}

/** The focus of one part of a query (see the module comment); [] when none can be told. */
function partFocus(part: readonly QToken[], stems: WordCache): string[] {
  let i = 0;
  while (i < part.length && FILLERS.has(part[i]?.lower ?? '')) i++;
  const w = part[i]?.lower ?? '';
  const next = part[i + 1]?.lower ?? '';
  if (w === 'what' || w === 'which' || w === 'who' || w === "what's" || w === "who's") {
    // "what is the population of…", "who is the CEO of…": the noun after the copula; "what filter…": the noun
    const copula = w.endsWith("'s") || COPULAS.has(next);
    if (!copula && (w === 'who' || AUXILIARIES.has(next))) return [];
    const { keys, allCommon } = phraseKeys(part, copula && !w.endsWith("'s") ? i + 2 : i + 1, stems, 3);
    return allCommon ? [] : keys;
  }
  if (w === 'how' && (next === 'many' || next === 'much')) {
    const { keys, allCommon } = phraseKeys(part, i + 2, stems, 2);
    return allCommon ? [] : keys;
  }
  if (w === 'how' && AUXILIARIES.has(next)) {
    const { keys, allCommon } = phraseKeys(part, i + 2, stems, 2);
    return allCommon ? [] : keys;
  }
  if (AUXILIARIES.has(w)) return phraseKeys(part, i + 1, stems, 2).keys; // yes/no: its subject, common or not
  return [];
}

function queryShape(toks: readonly QToken[], stems: WordCache): QueryShape {
  const lowers = toks.map((t) => t.lower);
  const base = { dims: null, dimWord: '', frequency: false, focus: partFocus(toks, stems) };
  // Look at the first words (skipping fillers like "so," "and", "please").
  const words = lowers.slice(0, 4);
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const next = words[i + 1] ?? '';
    if (w === 'how') {
      if (next === 'many' || next === 'much') return { ...base, type: 'NUMBER' };
      if (next === 'often') return { ...base, type: 'NUMBER', frequency: true };
      const dims = HOW_DIMENSIONS.get(next);
      // the dimension is what is asked: "how deep is the lake?" is not answered by "it is fed by three rivers"
      if (dims) return { ...base, type: 'NUMBER', dims, dimWord: stems.stem(next), focus: [stems.stem(next)] };
      return { ...base, type: 'NONE' };
    }
    if ((w === 'what' || w === "what's") && ['percentage', 'number', 'amount', 'price', 'cost'].includes(next)) return { ...base, type: 'NUMBER' };
    if (w === 'when' || ((w === 'what' || w === 'which') && ['year', 'date', 'time', 'day', 'month'].includes(next)))
      return { ...base, type: 'DATE' };
    if (w === 'who' || w === 'whom' || w === 'whose' || w === "who's") return { ...base, type: 'PERSON' };
    if (w === 'where' || w === "where's") return { ...base, type: 'PLACE' };
    if (w === 'why') return { ...base, type: 'REASON' };
    if (w === 'what' || w === "what's" || w === 'which' || w === 'how' || w === "how's") return { ...base, type: 'NONE' };
    if (!FILLERS.has(w ?? '')) break;
  }
  const first = lowers[0];
  return { ...base, type: first !== undefined && AUXILIARIES.has(first) ? 'YESNO' : 'NONE' };
}

interface TextProfile {
  lowers: string[];
  tokens: QToken[];
  keys: Map<string, number>; // content key → weight
  concepts: Set<number>;
  /** Unambiguous lexicon concepts of each content key. */
  keyConcepts: Map<string, number[]>;
  numbers: Set<string>;
  quantities: Quantity[];
  /** Dimensions of the quantities and unit words. */
  dims: Set<string>;
  hasNumber: boolean;
  hasName: boolean;
  total: number;
}

function profile(p: Prepared, sents: readonly Sentence[], stems: WordCache): TextProfile {
  const { text, toks } = p;
  const tokens: QToken[] = [];
  const lowers: string[] = [];
  for (let i = 0; i < toks.count; i++) {
    const lower = lowerToken(text, toks, i);
    lowers.push(lower);
    tokens.push({ lower, flags: toks.flags[i] ?? 0 });
  }
  const keys = new Map<string, number>();
  let total = 0;
  const add = (k: string, w: number): void => {
    const old = keys.get(k);
    if (old === undefined) {
      total += w;
      keys.set(k, w);
    } else if (old < w) {
      total += w - old;
      keys.set(k, w);
    }
  };
  let hasNumber = false;
  let hasName = false;
  const numbers = new Set<string>();
  const quantities: Quantity[] = [];
  const dims = new Set<string>();
  for (const s of sents) {
    s.stems.forEach((k, i) => add(k, s.weights[i] ?? 0));
    // attribution words count here ("Up to 20 users can edit a document" answers "…edit a document…")
    for (const m of s.meta) add(m, WEIGHT_COMMON);
    for (const n of s.numbers) {
      hasNumber = true;
      numbers.add(n.key);
      quantities.push(n);
      if (n.unit) dims.add(n.unit.dim);
    }
    if (s.entities.length > 0) hasName = true;
  }
  for (const k of keys.keys()) {
    const d = unitDimension(k);
    if (d) dims.add(d);
  }
  const concepts = new Set<number>();
  const keyConcepts = new Map<string, number[]>();
  for (let i = 0; i < lowers.length; i++) {
    const lower = lowers[i] ?? '';
    if (isStopword(lower)) continue;
    for (const m of conceptMembers(lower) ?? []) {
      if (m.weak) continue;
      concepts.add(m.c);
      const st = stems.stem(lower);
      const list = keyConcepts.get(st);
      if (list) list.push(m.c);
      else keyConcepts.set(st, [m.c]);
    }
    const f = toks.flags[i] ?? 0;
    if ((f & T_ALLCAPS) !== 0 || ((f & T_CAP) !== 0 && (f & T_SENT_START) === 0)) hasName = true;
    if (NUMBER_WORDS.has(lower)) hasNumber = true;
  }
  return { lowers, tokens, keys, concepts, keyConcepts, numbers, quantities, dims, hasNumber, hasName, total };
}

function typeMatches(shape: QueryShape, r: TextProfile): boolean {
  switch (shape.type) {
    case 'NUMBER':
      if (shape.frequency) return r.hasNumber || r.lowers.some((w) => FREQUENCY_WORDS.has(w));
      // "how deep" wants a length ("310 metres") or the dimension itself ("its depth"); any number is not enough
      if (shape.dims) return shape.dims.some((d) => r.dims.has(d)) || r.keys.has(shape.dimWord);
      return r.hasNumber;
    case 'DATE':
      return r.hasNumber || r.lowers.some((w) => DATE_WORDS.has(w));
    case 'PERSON':
      return r.hasName || r.lowers.some((w) => PERSON_WORDS.has(w));
    case 'PLACE':
      return r.hasName || r.lowers.some((w) => w === 'in' || w === 'at' || w === 'near' || w === 'online' || w === 'here' || w === 'on');
    case 'REASON':
      return r.lowers.some((w) => REASON_WORDS.has(w));
    case 'YESNO':
    case 'NONE':
      return true;
  }
}

/** Share of the response (keys and numbers) found in source sentence `s`. */
function responseShare(s: Sentence, r: TextProfile): number {
  const rTotal = r.total + r.numbers.size;
  if (rTotal === 0) return 0;
  let rc = 0;
  for (const st of s.stems) rc += r.keys.get(st) ?? 0;
  for (const x of s.numbers) if (r.numbers.has(x.key)) rc += 1;
  return Math.min(1, rc / rTotal);
}

/**
 * How much of what the response adds to the query (its keys not in the query, and its quantities) source sentence
 * `s` states: the better of words alone (a wrong number does not hide which sentence is restated) and words with
 * quantities ("about 3 million" restates "2,970,000").
 */
function restatedShare(s: Sentence, r: TextProfile, q: TextProfile): number {
  let words = 0;
  let got = 0;
  for (const [k, w] of r.keys) {
    if (q.keys.has(k)) continue;
    words += w;
    if (s.stems.includes(k)) got += w;
  }
  let nums = 0;
  for (const x of r.quantities) if (s.numbers.some((y) => sameQuantity(x, y))) nums++;
  const wordsOnly = words > 0 ? got / words : 0;
  const all = words + r.quantities.length > 0 ? (got + nums) / (words + r.quantities.length) : 0;
  return Math.max(wordsOnly, all);
}

function hasConcept(key: string, q: TextProfile, r: TextProfile): boolean {
  return (q.keyConcepts.get(key) ?? []).some((c) => r.concepts.has(c));
}

/** Is some focus of the query answered: named in the response, or in a source sentence the response restates? */
function focusAnswered(shape: QueryShape, q: TextProfile, r: TextProfile, index: SourceIndex): boolean {
  if (shape.focus.length === 0) return true;
  if (shape.dims && shape.dims.some((d) => r.dims.has(d))) return true;
  for (const key of shape.focus) {
    if (r.keys.has(key) || hasConcept(key, q, r)) return true;
    for (const sid of index.postings.get(key) ?? []) {
      const s = index.sentences[sid];
      if (s && restatedShare(s, r, q) >= RESTATES) return true;
    }
  }
  return false;
}

/** Relevance of the response to one part of the query. */
function partScore(q: TextProfile, r: TextProfile, index: SourceIndex, stems: WordCache): number {
  const shape = queryShape(q.tokens, stems);
  let direct = 0;
  if (q.total > 0) {
    let got = 0;
    for (const [st, w] of q.keys) {
      if (r.keys.has(st)) got += w;
      else {
        // concept credit: the query word's concept (or a related one) appears in the response
        const cs = q.keyConcepts.get(st) ?? [];
        if (cs.some((c) => r.concepts.has(c))) got += CONCEPT_CREDIT * w;
        else if (cs.some((c) => (CONCEPT_RELATED[c] ?? []).some((rc) => r.concepts.has(rc)))) got += RELATED_CREDIT * w;
      }
    }
    direct = got / q.total;
  }
  // Bridged through the sources (the response's numbers count as words here: "In 1889.").
  let bridged = 0;
  if (q.total > 0 && index.sentences.length > 0) {
    for (const s of index.sentences) {
      let qc = 0;
      for (const st of s.stems) qc += q.keys.get(st) ?? 0;
      if (qc === 0) continue;
      const share = responseShare(s, r);
      if (share === 0) continue;
      const v = Math.sqrt((qc / q.total) * share);
      if (v > bridged) bridged = v;
    }
  }
  const best = Math.max(direct, 0.9 * bridged);
  const lexical = Math.min(1, best / REL_SCALE);
  const typed = shape.type === 'NONE' || shape.type === 'YESNO' ? lexical : 0.6 * lexical + 0.4 * (typeMatches(shape, r) ? 1 : 0);
  return focusAnswered(shape, q, r, index) ? typed : FOCUS_MISSING * typed;
}

/** Relevance of the response to the query: the best over the query's parts (a partial answer is relevant). */
export function relevanceScore(
  query: Prepared,
  response: Prepared,
  responseSentences: readonly Sentence[],
  index: SourceIndex,
  stems: WordCache,
  lowercase: CaseEvidence,
): number {
  const r = profile(response, responseSentences, stems);
  if (r.total === 0 && !r.hasNumber && !r.hasName) return 0;
  const { text, toks } = query;
  const tokens: QToken[] = [];
  for (let i = 0; i < toks.count; i++) tokens.push({ lower: lowerToken(text, toks, i), flags: toks.flags[i] ?? 0 });
  let best = 0;
  for (const [first, last] of queryParts(tokens)) {
    const part = prepare(text.slice(toks.start[first] ?? 0, toks.end[last] ?? text.length));
    const q = profile(part, analyzeText(part, 0, stems, { lowercase }), stems);
    best = Math.max(best, partScore(q, r, index, stems));
  }
  return clamp01(best);
}
