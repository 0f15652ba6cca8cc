/**
 * Contextual grounding: a lexical scorer (pure, linear in the sizes of the texts).
 *
 * GROUNDING — is the response supported by the sources?
 * - The response is split into claims (sentences). Claims with no content (for example "Sure!" or
 *   "Hope this helps.") and attribution or hedge words ("according to the document", "I think") are ignored.
 *   Words are compared by key: stem, with paraphrase groups merged ("bicycle" = "bike", "annual" = "year").
 * - Support of a claim = 0.35 × global coverage + 0.65 × local coverage, where coverage is the
 *   IDF-like weighted share of the claim's content keys found in all sources (global) or in the best
 *   window of two consecutive sentences of one source (local); claim score = min(1, support / 0.8),
 *   since a faithful paraphrase rarely reuses every word.
 * - Hard penalties:
 *   - each quantity absent from the sources ×0.15 (present elsewhere than the best window ×0.6). Quantities
 *     compare by value across units ("9 pounds" = "4.2 kg", "212 °F" = "100 °C") within 5 %, and within 10 %
 *     when either side is approximate ("about 3 million" = "2,970,000"); years never approximately;
 *   - each named entity (capitalised word, month/day name, code such as "401k") absent from the sources ×0.2;
 *     a two-word name whose words occur but never together ("Riverside Park") ×0.3; a name that occurs only
 *     outside the best window while that window names someone else ×0.5 (a swapped role; the subjects of the
 *     sources — names that open a source or recur — are exempt, since later sentences say "it");
 *   - each clause whose best-matching source clause has the opposite polarity ×0.3 ("X is safe, but Y is
 *     not" negates only Y; "forbidden" = "not allowed").
 * - Score = 0.5 × worst claim + 0.5 × weighted mean of claims (weights = content weight), so one
 *   hallucinated claim among good ones still pulls the score under a 0.75 threshold.
 * - No checkable claim in the response → 1 (nothing is unsupported). Claims but no source content → 0.
 *
 * RELEVANCE — does the response answer the query? See relevance.ts.
 */
import { analyzeText, type Clause, lowercaseEvidence, prepare, type Sentence, WordCache } from './analyze.ts';
import { relevanceScore } from './relevance.ts';
import { clamp01, SourceIndex } from './sources.ts';
import { type Quantity, sameQuantity } from './units.ts';

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
const NAME_PAIR_MISSING = 0.3;
const ENTITY_SWAPPED = 0.5;
const NEGATION_MISMATCH = 0.3;
/** A clause is compared for polarity when at least half of its weight is in the source clause. */
const CLAUSE_MATCH = 0.5;
const MIN_CLAIM_WEIGHT = 0.6;

/** How many of `numbers` occur in the window starting at `win`. */
function numbersIn(index: SourceIndex, win: number, numbers: readonly Quantity[]): number {
  const sents = index.window(win);
  let n = 0;
  for (const x of numbers) if (sents.some((s) => s.numbers.some((y) => sameQuantity(x, y)))) n++;
  return n;
}

/** How many of the claim's names the window starting at `win` mentions. */
function namesIn(index: SourceIndex, win: number, claim: Sentence): number {
  const sents = index.window(win);
  let n = 0;
  for (const e of claim.entities) if (sents.some((s) => s.entities.includes(e))) n++;
  return n;
}

/** Does a sentence of the window name `e` (as an entity or as a word)? */
function namedIn(sents: readonly Sentence[], e: string, key: string): boolean {
  return sents.some((s) => s.entities.includes(e) || s.stems.includes(key));
}

/** Weight of the claim clause's keys found in a source clause. */
function clauseOverlap(claim: Clause, source: Clause): number {
  let got = 0;
  const seen = new Set<string>();
  claim.keys.forEach((k, i) => {
    if (seen.has(k)) return;
    seen.add(k);
    if (source.keys.includes(k)) got += claim.weights[i] ?? 0;
  });
  return got;
}

/**
 * Claim clauses that the sources state with the opposite polarity: the best-matching source clause (sharing at
 * least half of the clause's weight) is of the other polarity, and no clause of the same polarity matches as well.
 */
function polarityMismatches(claim: Sentence, index: SourceIndex): number {
  let n = 0;
  for (const c of claim.clauses) {
    const weight = distinctWeight(c);
    if (weight === 0) continue;
    // Only sentences holding at least half of the clause's weight can hold a matching clause.
    const inSentence = new Map<number, number>();
    const seen = new Set<string>();
    c.keys.forEach((k, i) => {
      if (seen.has(k)) return;
      seen.add(k);
      for (const sid of index.postings.get(k) ?? []) inSentence.set(sid, (inSentence.get(sid) ?? 0) + (c.weights[i] ?? 0));
    });
    let same = 0;
    let opposite = 0;
    for (const [sid, w] of inSentence) {
      if (w < CLAUSE_MATCH * weight) continue;
      for (const sc of index.sentences[sid]?.clauses ?? []) {
        const o = clauseOverlap(c, sc);
        if (sc.negated === c.negated) same = Math.max(same, o);
        else opposite = Math.max(opposite, o);
      }
    }
    if (opposite / weight >= CLAUSE_MATCH && opposite > same) n++;
  }
  return n;
}

function distinctWeight(c: Clause): number {
  const seen = new Map<string, number>();
  c.keys.forEach((k, i) => seen.set(k, Math.max(seen.get(k) ?? 0, c.weights[i] ?? 0)));
  let w = 0;
  for (const v of seen.values()) w += v;
  return w;
}

interface ClaimScore {
  score: number;
  weight: number;
}

interface Scratch {
  acc1: Float64Array;
  accW: Float64Array;
  mark: Int32Array;
}

/** The best window for a claim: the two-sentence window with the most claim weight (ties: more of its numbers and names). */
function bestWindow(claim: Sentence, index: SourceIndex, { acc1, accW, mark }: Scratch): { win: number; cov: number; global: number } {
  const n = index.sentences.length;
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
        if (mark[win] === k + 1) continue; // this key already counted for this window
        if ((acc1[win] ?? 0) === 0 && (accW[win] ?? 0) === 0) touched.push(win);
        mark[win] = k + 1;
        accW[win] = (accW[win] ?? 0) + w;
      }
    }
  }
  let win = -1;
  let cov = 0;
  let winAnchors = -1;
  for (const sid of touched) {
    const cw = accW[sid] ?? 0;
    if (cw < cov) continue;
    // equal coverage: prefer the window that also holds the claim's numbers and names
    const anchors = claim.numbers.length > 0 || claim.entities.length > 0 ? numbersIn(index, sid, claim.numbers) + namesIn(index, sid, claim) : 0;
    if (cw > cov || anchors > winAnchors || (anchors === winAnchors && sid < win)) {
      cov = cw;
      win = sid;
      winAnchors = anchors;
    }
  }
  for (const sid of touched) {
    acc1[sid] = 0;
    accW[sid] = 0;
    mark[sid] = 0;
  }
  return { win, cov, global };
}

function scoreClaim(claim: Sentence, index: SourceIndex, stems: WordCache, scratch: Scratch): ClaimScore {
  const total = claim.total;
  const { win, cov, global } = bestWindow(claim, index, scratch);
  const support = total > 0 ? GLOBAL_SHARE * (global / total) + (1 - GLOBAL_SHARE) * (cov / total) : 1;
  // A paraphrase rarely reuses every word: 80 % weighted support counts as fully supported.
  let score = Math.min(1, support / FULL_SUPPORT);
  const sents = win >= 0 ? index.window(win) : [];

  // Quantities: in the best window, elsewhere in the sources, or nowhere.
  for (const x of claim.numbers) {
    // a claim with no matching words ("0.") can only be checked against the sources as a whole
    if (win >= 0 ? numbersIn(index, win, [x]) > 0 : index.hasNumber(x)) continue;
    score *= index.hasNumber(x) ? NUMBER_ELSEWHERE : NUMBER_MISSING;
  }
  // Names: nowhere in the sources; two-word names never together; a role given to someone else.
  const windowNames = sents.flatMap((s) => s.entities).filter((e) => !index.topicEntities.has(e) && !claim.entities.includes(e));
  for (const e of claim.entities) {
    if (!index.hasEntity(e)) score *= ENTITY_MISSING;
    else if (sents.length > 0 && !index.topicEntities.has(e) && !namedIn(sents, e, stems.stem(e)) && windowNames.length > 0) score *= ENTITY_SWAPPED;
  }
  for (const pair of claim.nameBigrams) {
    const [a = '', b = ''] = pair.split(' ');
    if (!index.bigrams.has(pair) && index.hasEntity(a) && index.hasEntity(b)) score *= NAME_PAIR_MISSING;
  }
  // Negation, clause by clause.
  score *= NEGATION_MISMATCH ** polarityMismatches(claim, index);

  const weight = total + 0.5 * (claim.numbers.length + claim.entities.length);
  return { score: clamp01(score), weight };
}

function groundingScore(claims: readonly Sentence[], index: SourceIndex, stems: WordCache): number {
  const n = index.sentences.length;
  const scratch: Scratch = { acc1: new Float64Array(n + 1), accW: new Float64Array(n + 1), mark: new Int32Array(n + 1) };
  let min = 1;
  let sum = 0;
  let wsum = 0;
  let counted = 0;
  for (const c of claims) {
    if (c.total < MIN_CLAIM_WEIGHT && c.numbers.length === 0 && c.entities.length === 0) continue;
    const { score, weight } = scoreClaim(c, index, stems, scratch);
    counted++;
    if (score < min) min = score;
    sum += score * weight;
    wsum += weight;
  }
  if (counted === 0) return 1;
  const mean = wsum > 0 ? sum / wsum : 1;
  return clamp01(0.5 * min + 0.5 * mean);
}

/** Score how well `response` is grounded in `sources` and how relevant it is to `query`. */
export function scoreGrounding(input: GroundingInput): GroundingScores {
  const stems = new WordCache();
  const query = input.query ?? '';
  const response = prepare(input.response);
  const q = prepare(query);
  // Case evidence: a word that the response, the query or a source writes in lowercase is no name.
  const shortTexts = lowercaseEvidence([response, q]);
  const index = new SourceIndex(input.sources, stems, shortTexts);
  const lowercase = index.caseEvidence(shortTexts);
  const claims = analyzeText(response, 0, stems, { lowercase });
  const grounding = groundingScore(claims, index, stems);
  // Empty query: relevance does not apply; 1 so that it never blocks (documented in relevance.ts).
  const relevance = query.trim() === '' ? 1 : relevanceScore(q, response, claims, index, stems, lowercase);
  return { grounding: round4(grounding), relevance: round4(relevance) };
}

function round4(v: number): number {
  return Math.round(clamp01(v) * 10000) / 10000;
}
