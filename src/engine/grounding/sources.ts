/** The grounding sources, analysed once per call and indexed for the claim and relevance checks. */
import { analyzeText, type CaseEvidence, prepare, type Sentence, type WordCache } from './analyze.ts';
import { type Quantity, sameQuantity } from './units.ts';

export function clamp01(v: number): number {
  return v > 0 ? (v < 1 ? v : 1) : 0;
}

/** Index of all source sentences: key → sentence ids, plus global sets. */
export class SourceIndex {
  readonly sentences: Sentence[] = [];
  readonly postings = new Map<string, number[]>();
  readonly numbers: Quantity[] = [];
  readonly numberKeys = new Set<string>();
  /** Every source token, hyphen part and key, lowercase (entity support in any case) → written in lowercase. */
  readonly vocab = new Map<string, boolean>();
  readonly bigrams = new Set<string>();
  /**
   * The subjects of the sources: names that open a source's first sentence ("Valdoria is…", "The Harbor View Inn
   * has…") or occur in two sentences or more. Later sentences say "it" or "the city", so such a name is supported
   * wherever a claim uses it.
   */
  readonly topicEntities = new Set<string>();
  total = 0;

  constructor(
    sources: readonly string[],
    private readonly stems: WordCache,
    lowercase: CaseEvidence,
  ) {
    const seenIn = new Map<string, number>();
    sources.forEach((src, doc) => {
      const sents = analyzeText(prepare(src), doc, stems, { vocab: this.vocab, bigrams: this.bigrams, lowercase });
      sents.forEach((s, k) => {
        const id = this.sentences.length;
        this.sentences.push(s);
        this.total += s.total;
        for (const st of s.stems) {
          const list = this.postings.get(st);
          if (!list) this.postings.set(st, [id]);
          else if (list[list.length - 1] !== id) list.push(id);
        }
        for (const n of s.numbers) {
          this.numbers.push(n);
          this.numberKeys.add(n.key);
        }
        for (const e of s.entities) {
          const count = (seenIn.get(e) ?? 0) + 1;
          seenIn.set(e, count);
          if (count >= 2) this.topicEntities.add(e);
        }
        if (k === 0) for (const e of s.lead) this.topicEntities.add(e);
      });
    });
  }

  /** Is this entity (lowercase) mentioned anywhere in the sources, in any case or inflection? */
  hasEntity(e: string): boolean {
    return this.vocab.has(e) || this.vocab.has(this.stems.stem(e));
  }

  /** Case evidence of the sources and of `others`: a word written in lowercase anywhere is no name. */
  caseEvidence(others: ReadonlySet<string>): CaseEvidence {
    const vocab = this.vocab;
    return { has: (w) => others.has(w) || vocab.get(w) === true };
  }

  /** Is this quantity stated anywhere in the sources? (The same digits in another unit are not.) */
  hasNumber(q: Quantity): boolean {
    if (!q.unit && this.numberKeys.has(q.key)) return true;
    return this.numbers.some((n) => sameQuantity(q, n));
  }

  /** The sentences of the window starting at `win`: it and the next one of the same source. */
  window(win: number): Sentence[] {
    const a = this.sentences[win];
    const b = this.sentences[win + 1];
    if (!a) return [];
    return b && b.doc === a.doc ? [a, b] : [a];
  }
}
