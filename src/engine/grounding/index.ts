/**
 * Contextual grounding: a first, lexical scorer (pure, linear in the sizes of the texts).
 *
 * GROUNDING — is the response supported by the sources?
 * - The response is split into claims (sentences). Claims with no content (for example "Sure!" or
 *   "Hope this helps.") and attribution words ("according to the document") are ignored.
 * - Support of a claim = 0.35 × global coverage + 0.65 × local coverage, where coverage is the
 *   IDF-like weighted share of the claim's content stems found in all sources (global) or in the best
 *   window of two consecutive sentences of one source (local); claim score = min(1, support / 0.8),
 *   since a faithful paraphrase rarely reuses every word.
 * - Hard penalties: each number (digits or number words, normalised: "1,000" = "one thousand") absent
 *   from the sources ×0.15 (present in the sources but not in the best window ×0.6); each named entity
 *   (capitalised word, month/day name, code such as "401k") absent from the sources ×0.2; a negation
 *   mismatch with the best-matching source sentence ×0.3.
 * - Score = 0.5 × worst claim + 0.5 × weighted mean of claims (weights = content weight), so one
 *   hallucinated claim among good ones still pulls the score under a 0.75 threshold.
 * - No checkable claim in the response → 1 (nothing is unsupported). Claims but no source content → 0.
 *
 * RELEVANCE — does the response answer the query?
 * - direct = weighted share of the query's content stems found in the response (a lexicon concept of
 *   the query present in the response counts 0.7, e.g. "symptoms" answered with "fever"; a related
 *   concept 0.5, e.g. "flu" answered with symptoms).
 * - bridged = best over source sentences of √(query coverage of the sentence × share of the response
 *   — words and numbers — found in that sentence): "Paris." answers "What is the capital of France?"
 *   when a source sentence links them.
 * - answer type from the question word: how many/much/long → a number; when/what year → a number or
 *   date word; who → a name; where → a name or place; why → a reason word; yes/no questions → always
 *   typed as answered. With a known type: 0.6 × min(1, best/0.7) + 0.4 × type match; otherwise
 *   min(1, best/0.7), where best = max(direct, 0.9 × bridged).
 * - Empty or missing query → relevance 1: the check does not apply, so it must never block
 *   (the engine also skips RELEVANCE without a query). A response without content → 0.
 */
import { lowerToken, T_ALLCAPS, T_CAP, T_SENT_START, tokenize } from '../text/tokenize.ts';
import { isStopword } from '../text/english.ts';
import { CONCEPT_RELATED, conceptMembers } from '../topics/concepts.ts';
import { analyzeText, WordCache, type Sentence } from './analyze.ts';

export interface GroundingInput {
  sources: readonly string[];
  query?: string;
  response: string;
}
export interface GroundingScores {
  /** 0..1 */
  grounding: number;
  /** 0..1 */
  relevance: number;
}

const GLOBAL_SHARE = 0.35;
const FULL_SUPPORT = 0.8;
const NUMBER_MISSING = 0.15;
const NUMBER_ELSEWHERE = 0.6;
const ENTITY_MISSING = 0.2;
const NEGATION_MISMATCH = 0.3;
const MIN_CLAIM_WEIGHT = 0.6;
const REL_SCALE = 0.7;
const CONCEPT_CREDIT = 0.7;
const RELATED_CREDIT = 0.5;

function clamp01(v: number): number {
  return v > 0 ? (v < 1 ? v : 1) : 0;
}

/** Index of all source sentences: stem → sentence ids, plus global sets. */
class SourceIndex {
  readonly sentences: Sentence[] = [];
  readonly postings = new Map<string, number[]>();
  readonly numbers = new Set<string>();
  readonly lowers = new Set<string>(); // entity support: any source token, lowercase
  total = 0;

  constructor(
    sources: readonly string[],
    private readonly stems: WordCache,
  ) {
    sources.forEach((src, doc) => {
      for (const s of analyzeText(src, doc, stems, this.lowers)) {
        const id = this.sentences.length;
        this.sentences.push(s);
        this.total += s.total;
        for (const st of s.stems) {
          const list = this.postings.get(st);
          if (!list) this.postings.set(st, [id]);
          else if (list[list.length - 1] !== id) list.push(id);
        }
        for (const n of s.numbers) this.numbers.add(n);
      }
    });
  }

  /** Is this entity (lowercase) mentioned anywhere in the sources, in any case or inflection? */
  hasEntity(e: string): boolean {
    return this.lowers.has(e) || this.lowers.has(this.stems.stem(e));
  }
}

/** How many of `numbers` occur in the window of sentences `win` and `win + 1` (same source). */
function numbersIn(index: SourceIndex, win: number, numbers: readonly string[]): number {
  const a = index.sentences[win];
  const b = index.sentences[win + 1];
  let n = 0;
  for (const x of numbers) {
    if (a?.numbers.includes(x) || (b && b.doc === a?.doc && b.numbers.includes(x))) n++;
  }
  return n;
}

interface ClaimScore {
  score: number;
  weight: number;
}

function scoreClaim(claim: Sentence, index: SourceIndex, acc1: Float64Array, accW: Float64Array, mark: Int32Array): ClaimScore {
  const n = index.sentences.length;
  const total = claim.total;
  // Global coverage and per-sentence / per-window accumulation through the inverted index.
  let global = 0;
  const touched: number[] = [];
  for (let k = 0; k < claim.stems.length; k++) {
    const st = claim.stems[k] ?? '';
    const w = claim.weights[k] ?? 0;
    const list = index.postings.get(st);
    if (!list) continue;
    global += w;
    for (const sid of list) {
      if ((acc1[sid] ?? 0) === 0 && (accW[sid] ?? 0) === 0) touched.push(sid);
      acc1[sid] = (acc1[sid] ?? 0) + w;
      // windows starting at sid and at sid - 1 (same document) contain this sentence
      for (const win of [sid, sid - 1]) {
        if (win < 0 || win >= n) continue;
        const a = index.sentences[win];
        const b = index.sentences[win + 1];
        if (win !== sid && (!a || !b || a.doc !== b.doc)) continue;
        if (mark[win] === k + 1) continue; // this stem already counted for this window
        if ((acc1[win] ?? 0) === 0 && (accW[win] ?? 0) === 0) touched.push(win);
        mark[win] = k + 1;
        accW[win] = (accW[win] ?? 0) + w;
      }
    }
  }
  let bestWin = -1;
  let bestWinCov = 0;
  let bestSent = -1;
  let bestSentCov = -1;
  let bestWinNums = -1;
  for (const sid of touched) {
    const cw = accW[sid] ?? 0;
    if (cw < bestWinCov) continue;
    // equal coverage: prefer the window that also holds the claim's numbers
    const nums = claim.numbers.length > 0 ? numbersIn(index, sid, claim.numbers) : 0;
    if (cw > bestWinCov || nums > bestWinNums || (nums === bestWinNums && sid < bestWin)) {
      bestWinCov = cw;
      bestWin = sid;
      bestWinNums = nums;
    }
    const c1 = acc1[sid] ?? 0;
    const sent = index.sentences[sid];
    // ties prefer the sentence whose polarity matches the claim
    if (
      sent &&
      (c1 > bestSentCov || (c1 === bestSentCov && sent.negated === claim.negated && index.sentences[bestSent]?.negated !== claim.negated))
    ) {
      bestSentCov = c1;
      bestSent = sid;
    }
  }
  for (const sid of touched) {
    acc1[sid] = 0;
    accW[sid] = 0;
    mark[sid] = 0;
  }

  const support = total > 0 ? GLOBAL_SHARE * (global / total) + (1 - GLOBAL_SHARE) * (bestWinCov / total) : 1;
  // A paraphrase rarely reuses every word: 80 % weighted support counts as fully supported.
  let score = Math.min(1, support / FULL_SUPPORT);

  // Numbers: in the best window, elsewhere in the sources, or nowhere.
  for (const x of claim.numbers) {
    // a claim with no matching words ("0.") can only be checked against the sources as a whole
    if ((bestWin >= 0 && numbersIn(index, bestWin, [x]) > 0) || (bestWin < 0 && index.numbers.has(x))) continue;
    score *= index.numbers.has(x) ? NUMBER_ELSEWHERE : NUMBER_MISSING;
  }
  for (const e of claim.entities) if (!index.hasEntity(e)) score *= ENTITY_MISSING;
  // Negation: compare with the best single sentence when it is about the same thing.
  const best = index.sentences[bestSent];
  if (best && total > 0 && bestSentCov / total >= 0.5 && best.negated !== claim.negated) score *= NEGATION_MISMATCH;

  const weight = total + 0.5 * (claim.numbers.length + claim.entities.length);
  return { score: clamp01(score), weight };
}

function groundingScore(claims: readonly Sentence[], index: SourceIndex): number {
  const n = index.sentences.length;
  const acc1 = new Float64Array(n + 1);
  const accW = new Float64Array(n + 1);
  const mark = new Int32Array(n + 1);
  let min = 1;
  let sum = 0;
  let wsum = 0;
  let counted = 0;
  for (const c of claims) {
    if (c.total < MIN_CLAIM_WEIGHT && c.numbers.length === 0 && c.entities.length === 0) continue;
    const { score, weight } = scoreClaim(c, index, acc1, accW, mark);
    counted++;
    if (score < min) min = score;
    sum += score * weight;
    wsum += weight;
  }
  if (counted === 0) return 1;
  const mean = wsum > 0 ? sum / wsum : 1;
  return clamp01(0.5 * min + 0.5 * mean);
}

type AnswerType = 'NUMBER' | 'DATE' | 'PERSON' | 'PLACE' | 'REASON' | 'YESNO' | 'NONE';

const AUXILIARIES: ReadonlySet<string> = new Set([
  'is', 'are', 'was', 'were', 'do', 'does', 'did', 'can', 'could', 'will', 'would', 'should', 'has', 'have',
  'had', 'may', 'might', 'must', 'shall', "isn't", "aren't", "doesn't", "don't", "can't", "won't",
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
  'customer', 'staff', 'owner', 'company', 'department', 'support', 'agent', 'administrator', 'admin',
]);
const NUMBER_WORDS: ReadonlySet<string> = new Set([
  'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'twenty',
  'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety', 'hundred', 'thousand', 'million',
  'billion', 'dozen', 'half', 'none', 'no', 'zero', 'several', 'few', 'free',
]);

function answerType(lowers: readonly string[]): AnswerType {
  // Look at the first words (skipping fillers like "so," "and", "please").
  const words = lowers.slice(0, 4);
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const next = words[i + 1];
    if (w === 'how' && (next === 'many' || next === 'much' || next === 'long' || next === 'old' || next === 'far' || next === 'often' || next === 'big' || next === 'large'))
      return 'NUMBER';
    if (w === 'what' && (next === 'percentage' || next === 'number' || next === 'amount' || next === 'price' || next === 'cost')) return 'NUMBER';
    if (w === 'when' || (w === 'what' && (next === 'year' || next === 'date' || next === 'time' || next === 'day' || next === 'month')))
      return 'DATE';
    if (w === 'who' || w === 'whom' || w === 'whose') return 'PERSON';
    if (w === 'where') return 'PLACE';
    if (w === 'why') return 'REASON';
    if (w === 'what' || w === 'which' || w === 'how') return 'NONE';
  }
  const first = lowers[0];
  return first !== undefined && AUXILIARIES.has(first) ? 'YESNO' : 'NONE';
}

interface TextProfile {
  lowers: string[];
  stems: Map<string, number>; // content stem → weight
  concepts: Set<number>;
  /** Unambiguous lexicon concepts of each content stem. */
  stemConcepts: Map<string, number[]>;
  /** Normalised numbers. */
  numbers: Set<string>;
  hasNumber: boolean;
  hasName: boolean;
  total: number;
}

function profile(text: string, sents: readonly Sentence[], stems: WordCache): TextProfile {
  const toks = tokenize(text);
  const lowers: string[] = [];
  for (let i = 0; i < toks.count; i++) lowers.push(lowerToken(text, toks, i));
  const stemWeights = new Map<string, number>();
  let total = 0;
  let hasNumber = false;
  const numbers = new Set<string>();
  let hasName = false;
  for (const s of sents) {
    for (let k = 0; k < s.stems.length; k++) {
      const st = s.stems[k] ?? '';
      const w = s.weights[k] ?? 0;
      const old = stemWeights.get(st);
      if (old === undefined) {
        total += w;
        stemWeights.set(st, w);
      } else if (old < w) {
        total += w - old;
        stemWeights.set(st, w);
      }
    }
    if (s.numbers.length > 0) hasNumber = true;
    for (const x of s.numbers) numbers.add(x);
    if (s.entities.length > 0) hasName = true;
  }
  const concepts = new Set<number>();
  const stemConcepts = new Map<string, number[]>();
  for (let i = 0; i < lowers.length; i++) {
    const lower = lowers[i] ?? '';
    if (isStopword(lower)) continue;
    for (const m of conceptMembers(lower) ?? []) {
      if (m.weak) continue;
      concepts.add(m.c);
      const st = stems.stem(lower);
      const list = stemConcepts.get(st);
      if (list) list.push(m.c);
      else stemConcepts.set(st, [m.c]);
    }
    const f = toks.flags[i] ?? 0;
    if ((f & T_ALLCAPS) !== 0 || ((f & T_CAP) !== 0 && (f & T_SENT_START) === 0)) hasName = true;
    if (NUMBER_WORDS.has(lower)) hasNumber = true;
  }
  return { lowers, stems: stemWeights, concepts, stemConcepts, numbers, hasNumber, hasName, total };
}

function typeMatches(type: AnswerType, r: TextProfile): boolean {
  switch (type) {
    case 'NUMBER':
      return r.hasNumber;
    case 'DATE':
      return r.hasNumber || r.lowers.some((w) => DATE_WORDS.has(w));
    case 'PERSON':
      return r.hasName || r.lowers.some((w) => PERSON_WORDS.has(w));
    case 'PLACE':
      return r.hasName || r.lowers.some((w) => w === 'in' || w === 'at' || w === 'near' || w === 'online' || w === 'here');
    case 'REASON':
      return r.lowers.some((w) => REASON_WORDS.has(w));
    case 'YESNO':
    case 'NONE':
      return true;
  }
}

function relevanceScore(
  query: string,
  response: string,
  responseSentences: readonly Sentence[],
  index: SourceIndex,
  stems: WordCache,
): number {
  const q = profile(query, analyzeText(query, 0, stems), stems);
  const r = profile(response, responseSentences, stems);
  if (r.total === 0 && !r.hasNumber && !r.hasName) return 0;
  const type = answerType(q.lowers);
  let direct = 0;
  if (q.total > 0) {
    let got = 0;
    for (const [st, w] of q.stems) {
      if (r.stems.has(st)) got += w;
      else {
        // concept credit: the query word's concept appears in the response
        // concept credit: the query word's concept (or a related one) appears in the response
        const cs = q.stemConcepts.get(st) ?? [];
        if (cs.some((c) => r.concepts.has(c))) got += CONCEPT_CREDIT * w;
        else if (cs.some((c) => (CONCEPT_RELATED[c] ?? []).some((rc) => r.concepts.has(rc)))) got += RELATED_CREDIT * w;
      }
    }
    direct = got / q.total;
  }
  // Bridged through the sources (the response's numbers count as words here: "In 1889.").
  let bridged = 0;
  const rTotal = r.total + r.numbers.size;
  if (q.total > 0 && rTotal > 0 && index.sentences.length > 0) {
    for (const s of index.sentences) {
      let qc = 0;
      let rc = 0;
      for (const st of s.stems) {
        const qw = q.stems.get(st);
        if (qw !== undefined) qc += qw;
        const rw = r.stems.get(st);
        if (rw !== undefined) rc += rw;
      }
      for (const x of s.numbers) if (r.numbers.has(x)) rc += 1;
      if (qc === 0 || rc === 0) continue;
      const v = Math.sqrt((qc / q.total) * Math.min(1, rc / rTotal));
      if (v > bridged) bridged = v;
    }
  }
  const best = Math.max(direct, 0.9 * bridged);
  const lexical = Math.min(1, best / REL_SCALE);
  if (type === 'NONE' || type === 'YESNO') return clamp01(lexical);
  return clamp01(0.6 * lexical + 0.4 * (typeMatches(type, r) ? 1 : 0));
}

/** Score how well `response` is grounded in `sources` and how relevant it is to `query`. */
export function scoreGrounding(input: GroundingInput): GroundingScores {
  const stems = new WordCache();
  const index = new SourceIndex(input.sources, stems);
  const claims = analyzeText(input.response, 0, stems);
  const grounding = groundingScore(claims, index);
  const query = input.query ?? '';
  // Empty query: relevance does not apply; 1 so that it never blocks (documented above).
  const relevance = query.trim() === '' ? 1 : relevanceScore(query, input.response, claims, index, stems);
  return { grounding: round4(grounding), relevance: round4(relevance) };
}

function round4(v: number): number {
  return Math.round(clamp01(v) * 10000) / 10000;
}
