/**
 * Paraphrase evidence for the denied-topics detector, from the shipped WordNet resource (`wordnet.ts`).
 *
 * At compile time every topic word (name, definition, examples) that carries a feature is linked, through
 * its WordNet concepts, to a *soft twin* of that feature: a feature private to the topic, with the same p
 * and example weights. At match time a text word that shares a concept with a topic word gives evidence
 * on the soft twin. Its factor x grows with the relatedness of the two words (the best product of their
 * weights of one shared concept; weights already include the concept's specificity, so "entity" or "act"
 * count ~0; a text word more general than the topic word counts little, see `support` in wordnet.ts):
 * nothing below `PARA_MIN_SIM`, then a ramp up to `PARA_MAX_X` — a paraphrase counts a little less than
 * the topic word itself. Per text word and topic only the strongest link counts (one word is one piece of
 * evidence, however many topic words it resembles), and none for a topic the word already matches
 * directly.
 */
import {
  allCollocations,
  collocationsAt,
  conceptsOf,
  lemmasOf,
  OWN_BIT,
  UP_LINK,
  wordnetConceptCount,
  type Collocation,
  type Lemma,
  type WordConcepts,
} from './wordnet.ts';

/** Below this relatedness a link is not evidence… */
export const PARA_MIN_SIM = 0.3;
/** …from this one on (synonyms, "whiskey" → spirits) it counts fully… */
export const PARA_FULL_SIM = 0.6;
/** …which is this much of an exact match. */
export const PARA_MAX_X = 0.85;
const RAMP_START = 0.25;

/** Factor of a link: a ramp over the relatedness, so that loose associations count little (0.4 → 0.36). */
function linkFactor(sim: number): number {
  const r = (sim - RAMP_START) / (PARA_FULL_SIM - RAMP_START);
  return r >= 1 ? PARA_MAX_X : PARA_MAX_X * r;
}

/** Evidence of one text word on a soft feature `f` of topic `t`: factor `x`, rank `r` = p·x. */
export interface SoftEv {
  readonly f: number;
  readonly x: number;
  readonly t: number;
  readonly r: number;
}

interface Link {
  /** Soft feature and its topic. */
  readonly f: number;
  readonly t: number;
  /** The topic word's weight of the concept. */
  readonly a: number;
  /** The concept is one of the topic word's own senses (not a relative). */
  readonly own: boolean;
  /** The soft feature's p (for ranking links within a topic). */
  readonly p: number;
}

/** Concepts of a lowercase word (itself and its base form), or undefined when WordNet does not know it. */
export function wordConcepts(lower: string): WordConcepts | undefined {
  const lemmas = lemmasOf(lower);
  return lemmas.length > 0 ? conceptsOf(lemmas) : undefined;
}

/** Concepts of the two-word collocations ("ask out", "blood pressure") starting at token `i`. */
export function collocationConcepts(lowers: readonly string[], i: number): WordConcepts | undefined {
  const lower = lowers[i];
  if (lower === undefined) return undefined;
  const found = collocationsAt(lowers, i, lemmasOf(lower));
  return found.length > 0 ? conceptsOf(found) : undefined;
}

const NO_COLLOCATIONS: ReadonlyMap<string, readonly Collocation[]> = new Map();
const NO_SOFT: SoftEv[] = [];

export class ParaphraseIndex {
  private readonly links = new Map<number, Link[]>();
  private readonly linked: Uint8Array;
  // Per-topic scratch of `evidence` (one call at a time).
  private readonly bestR: Float64Array;
  private readonly bestX: Float64Array;
  private readonly bestF: Int32Array;
  private readonly touched: Int32Array;
  private isEmpty = true;
  /** Collocations that can give evidence, by first word (see `finish`). */
  private collocFirst: ReadonlyMap<string, readonly Collocation[]> = NO_COLLOCATIONS;

  constructor(topicCount: number) {
    this.linked = new Uint8Array(wordnetConceptCount());
    this.bestR = new Float64Array(topicCount);
    this.bestX = new Float64Array(topicCount);
    this.bestF = new Int32Array(topicCount);
    this.touched = new Int32Array(topicCount);
  }

  /** Link the concepts of a topic word to soft feature `f` of topic `t` (p: that feature's p). */
  add(concepts: WordConcepts, f: number, t: number, p: number): void {
    concepts.ids.forEach((id, k) => {
      const a = concepts.weights[k] ?? 0;
      if (a < PARA_MIN_SIM) return; // can never reach the threshold (weights are at most 1)
      const link: Link = { f, t, a, own: concepts.own[k] === true, p };
      let list = this.links.get(id);
      if (!list) this.links.set(id, (list = []));
      const at = list.findIndex((l) => l.f === f);
      if (at < 0) list.push(link);
      else if ((list[at]?.a ?? 0) < a) list[at] = link;
      this.linked[id] = 1;
    });
  }

  /** Call once after the last `add`: keeps the collocations whose concepts reach some topic. */
  finish(): void {
    this.isEmpty = this.links.size === 0;
    if (this.isEmpty) return;
    const keep = new Map<string, Collocation[]>();
    for (const [first, list] of allCollocations()) {
      for (const c of list) {
        if (!this.reaches(c.lemma)) continue;
        const kept = keep.get(first);
        if (kept) kept.push(c);
        else keep.set(first, [c]);
      }
    }
    this.collocFirst = keep;
  }

  /** Can this lemma link to some topic word (a linked concept with a weight that can reach the threshold)? */
  private reaches(lemma: Lemma): boolean {
    for (let k = 0; k < lemma.ids.length; k++) {
      if (this.linked[lemma.ids[k] ?? 0] === 1 && ((lemma.codes[k] ?? 0) & 31) / 31 >= PARA_MIN_SIM) return true;
    }
    return false;
  }

  /** True when no topic word has WordNet concepts (nothing to look up at match time). */
  get empty(): boolean {
    return this.isEmpty;
  }

  /** Can a useful collocation start with a word of these lemmas (the word or its base form)? */
  mayStartCollocation(lemmas: readonly Lemma[]): boolean {
    if (this.collocFirst.size === 0) return false;
    for (let i = 0; i < lemmas.length; i++) {
      const l = lemmas[i];
      if (l?.startsCollocation && this.collocFirst.has(l.text)) return true;
    }
    return false;
  }

  /** Useful collocations starting at token `i` of `lowers` (`lemmas`: those of the first word). */
  collocationsAt(lowers: readonly string[], i: number, lemmas: readonly Lemma[]): Lemma[] {
    return collocationsAt(lowers, i, lemmas, this.collocFirst);
  }

  /**
   * Soft evidence of a word given by its lemmas (the first as written, a second one as its base form,
   * ×0.8), or of a collocation. `direct[t]` ≠ 0 marks topics the word already matches directly;
   * `ownOnly` keeps only links between the two words' own senses (synonyms, derivations).
   */
  evidence(lemmas: readonly Lemma[], direct: Uint8Array | undefined, ownOnly: boolean): readonly SoftEv[] {
    let nTouched = 0;
    for (let j = 0; j < lemmas.length; j++) {
      const lemma = lemmas[j];
      if (!lemma) continue;
      const scale = j === 0 ? 1 : 0.8;
      const { ids, codes } = lemma;
      for (let k = 0; k < ids.length; k++) {
        const id = ids[k] ?? 0;
        if (this.linked[id] !== 1) continue;
        const code = codes[k] ?? 0;
        const own = (code & OWN_BIT) !== 0;
        if (ownOnly && !own) continue;
        const b = ((code & 31) / 31) * scale;
        for (const link of this.links.get(id) ?? []) {
          const t = link.t;
          if ((direct && direct[t] !== 0) || (ownOnly && !link.own)) continue;
          // A general text word does not say its specific topic word ("choose" → vote): see `support`.
          const sim = link.a * b * (own && !link.own ? UP_LINK : 1);
          if (sim < PARA_MIN_SIM) continue;
          const x = linkFactor(sim);
          const r = x * link.p;
          const cur = this.bestR[t] ?? 0;
          if (cur === 0) this.touched[nTouched++] = t;
          if (r > cur) {
            this.bestR[t] = r;
            this.bestX[t] = x;
            this.bestF[t] = link.f;
          }
        }
      }
    }
    if (nTouched === 0) return NO_SOFT;
    const out: SoftEv[] = [];
    for (let i = 0; i < nTouched; i++) {
      const t = this.touched[i] ?? 0;
      out.push({ f: this.bestF[t] ?? 0, x: this.bestX[t] ?? 0, t, r: this.bestR[t] ?? 0 });
      this.bestR[t] = 0;
    }
    return out;
  }
}
