/**
 * The content-category detector: tokens → phrase classes → rules → weighted evidence per category →
 * logistic score. One pass over the sentences; every rule looks at a bounded window of tokens, so the
 * cost is linear in the text length.
 *
 * The rules distinguish *requests and intent* (how do I…, I will…, imperatives, incitement) from
 * *mentions* (news, history, definitions, fiction): the same violent verb weighs ~5 in the first case
 * and ~1 in the second, and a violent verb only counts when its object is a person, a crowd, a
 * place or someone's property, not a process, a photo or a balloon.
 *
 * Evidence is keyed by feature: repeats of one feature saturate (×1.6 at most), distinct features add.
 * score = σ(BIAS + Σ weight), and `toConfidence` buckets it (`confidence.ts`).
 */

import { K } from './classes.ts';
import { tokenizeCached, TF_CAP, TF_POSS, TF_SENT_START, type TokenList } from './normalize.ts';
import { MatchScratch, MF_PAST, hasClass, matchTokens, termAt, termVal, type Matches } from './vocab.ts';
import { CONSUME_VERB_SET, CRIME_OBJECT_OF, EMPLOYMENT_VERB_SET, VOCAB, isKnownWord } from './vocabulary.ts';
import { DRUG_FILLERS, DRUG_FOLLOWERS } from './lexicon/misconduct.ts';

export type HarmCategory = 'HATE' | 'INSULTS' | 'SEXUAL' | 'VIOLENCE' | 'MISCONDUCT';
export const HARM_CATEGORIES: readonly HarmCategory[] = ['HATE', 'INSULTS', 'SEXUAL', 'VIOLENCE', 'MISCONDUCT'];

const HATE = 0;
const INSULTS = 1;
const SEXUAL = 2;
const VIOLENCE = 3;
const MISCONDUCT = 4;

/** Logistic bias: with no evidence a category scores σ(-4) ≈ 0.018. */
export const BIAS = -4;

/** One piece of evidence for the explanation of a score. */
export interface Feature {
  readonly feature: string;
  /** Contribution to the logit (after saturation). */
  readonly weight: number;
}

/** Cap on the summed weight of mention-level features per category: mentions alone stay below LOW. */
const MENTION_CAP = 2.6;

function isMention(key: string): boolean {
  return key.startsWith('mention:') || key.endsWith(':mention');
}

class Evidence {
  private readonly items = new Map<string, { cat: number; max: number; n: number }>();

  add(cat: number, key: string, w: number): void {
    if (!(w > 0.05)) return;
    const k = `${cat}:${key}`;
    const e = this.items.get(k);
    if (e === undefined) this.items.set(k, { cat, max: w, n: 1 });
    else {
      if (w > e.max) e.max = w;
      e.n++;
    }
  }

  logits(): number[] {
    const out = [BIAS, BIAS, BIAS, BIAS, BIAS];
    const mentions = [0, 0, 0, 0, 0];
    for (const [k, e] of this.items) {
      const c = contribution(e.max, e.n);
      if (isMention(k.slice(k.indexOf(':') + 1))) mentions[e.cat] = (mentions[e.cat] ?? 0) + c;
      else out[e.cat] = (out[e.cat] ?? BIAS) + c;
    }
    for (let c = 0; c < 5; c++) out[c] = (out[c] ?? BIAS) + Math.min(MENTION_CAP, mentions[c] ?? 0);
    return out;
  }

  features(cat: number): Feature[] {
    const out: Feature[] = [];
    for (const [k, e] of this.items) {
      if (e.cat === cat) out.push({ feature: k.slice(k.indexOf(':') + 1), weight: round2(contribution(e.max, e.n)) });
    }
    return out.sort((a, b) => b.weight - a.weight);
  }
}

function contribution(max: number, n: number): number {
  return n <= 1 ? max : max * Math.min(1.6, 1 + 0.3 * Math.log(n));
}
function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

// Words that end a verb's object window (prepositions and conjunctions after the first token).
const STOP = new Set([
  'with',
  'for',
  'to',
  'from',
  'in',
  'during',
  'about',
  'like',
  'than',
  'when',
  'while',
  'because',
  'and',
  'or',
  'but',
  'so',
  'if',
  'without',
  'by',
  'after',
  'before',
  'until',
  'since',
  'as',
  'through',
  'using',
  'via',
  'then',
  'that',
  'which',
  'who',
  'where',
  'what',
  'how',
  'why',
  'is',
  'are',
  'was',
  'were',
  'be',
  'instead',
  'at',
  'on',
  'into',
  'onto',
  'over',
  'under',
  'around',
  'near',
]);
// Particles allowed right after a verb (shoot at someone, beat up someone).
const PARTICLE = new Set(['at', 'on', 'into', 'onto', 'up', 'down', 'out', 'off', 'over', 'in', 'upon']);
// Words skipped when looking for an imperative at the start of a sentence.
const SKIP_START = new Set(['please', 'just', 'go', 'now', 'so', 'and', 'then', 'also', 'pls', 'plz', 'ok', 'okay', 'yes', 'hey', 'oh', 'well', 'but', 'quickly', 'first', 'next']);
// Possessive pronouns that may precede a body part or property.
const POSS_PRONOUN = new Set(['her', 'his', 'their', 'your', 'its']);
const OWN = new Set(['my', 'our']);
// Connectors allowed between a group and a trait (jews are all so…).
const CONNECT = new Set([
  'so',
  'much',
  'far',
  'way',
  'all',
  'just',
  'always',
  'really',
  'very',
  'too',
  'more',
  'most',
  'naturally',
  'inherently',
  'genetically',
  'basically',
  'mostly',
  'usually',
  'often',
  'generally',
  'nothing',
  'but',
  'like',
  'as',
  'such',
  'a',
  'an',
  'the',
  'bunch',
  'of',
  'pack',
  'filthy',
  'dirty',
  'disgusting',
  'fucking',
  'damn',
  'bloody',
  'stupid',
  'lazy',
  'are',
  'is',
  'were',
  'be',
  'being',
  'tend',
  'to',
  'seem',
  'known',
  'these',
  'those',
  'them',
]);

// Words before a capital I that make it a numeral (World War I, Henry I).
const ROMAN_CONTEXT = new Set(['war', 'henry', 'charles', 'james', 'elizabeth', 'louis', 'phase', 'part', 'chapter', 'volume', 'type', 'class', 'grade', 'stage', 'level', 'act', 'book']);

// Subject pronouns end an object window ("how do I bomb…": "do" has no object).
const SUBJECTS = new Set(['i', 'we', 'you', 'he', 'she', 'they', 'it']);

// Words that make a sentence about language rather than use of it.
const META = new Set(['word', 'words', 'term', 'terms', 'slur', 'slurs', 'mean', 'means', 'meaning', 'definition', 'define', 'origin', 'etymology', 'spell', 'spelled', 'pronounce', 'offensive', 'derogatory']);

// Credentials: asking for someone else's is intrusive whatever the verb.
const CREDENTIALS = new Set(['password', 'passwords', 'login', 'pin', 'passcode', 'ssn', 'account', 'accounts', 'security', 'credentials', 'id', 'email']);

// Very common verbs of the make/acquire lists: only a short window after them counts.
const GENERIC_VERBS = new Set(['do', 'take', 'try', 'use', 'move', 'pass', 'push', 'get', 'find', 'carry', 'hide', 'make', 'send', 'spread', 'print', 'design', 'develop', 'program', 'write', 'code', 'mix', 'prepare', 'plant', 'arm', 'convert', 'modify', 'turn into', 'order', 'mail', 'ship', 'source', 'supply', 'deal']);

// Class bits for fast mask tests (classes 32–63 live in the second mask).
const B2_REQ = 1 << (K.REQ - 32);
const B2_INTENT = 1 << (K.INTENT - 32);
const B2_NARR = 1 << (K.NARR - 32);
const B2_FICTION = 1 << (K.FICTION - 32);
const B2_PREVENT = 1 << (K.PREVENT - 32);
const B2_NORMATIVE = 1 << (K.NORMATIVE - 32);
const FRAME2 = B2_REQ | B2_INTENT | B2_NARR | B2_FICTION | B2_PREVENT | B2_NORMATIVE;
const B1_BUILDING = 1 << K.BUILDING;
const B1_ATROCITY = 1 << K.ATROCITY;
// Classes that only matter as context (frames, fillers, targets): a token with nothing else is skipped.
const CONTEXT1 =
  (1 << K.HUMAN) | (1 << K.SELF) | (1 << K.PLACE) | (1 << K.BODY) | (1 << K.PROPERTY) | (1 << K.BENIGN) | (1 << K.INCITE) | (1 << K.SYSTEM) | (1 << K.BUILDING) | (1 << K.CORPSE) | (1 << K.DOC) | (1 << K.ATROCITY);
const CONTEXT2 =
  FRAME2 |
  (1 << (K.NEG - 32)) |
  (1 << (K.YOU - 32)) |
  (1 << (K.THIRD - 32)) |
  (1 << (K.COPULA - 32)) |
  (1 << (K.FILLER - 32)) |
  (1 << (K.IDIOM - 32)) |
  (1 << (K.CAUSE - 32)) |
  (1 << (K.EMPLOY - 32)) |
  (1 << (K.MEDCTX - 32)) |
  (1 << (K.CLINICAL - 32));

const T_NONE = 0;
const T_HUMAN = 1;
const T_GROUP = 2;
const T_SELF = 3;
const T_PLACE = 4;
const T_PROPERTY = 5;
const T_BENIGN = 6;
const T_NAME = 7;
const T_BODY_OF = 8;

interface Target {
  kind: number;
  w: number;
  q: number;
}

interface Sentence {
  a: number;
  b: number;
  req: boolean;
  narr: boolean;
  fiction: boolean;
  prevent: boolean;
  atrocity: boolean;
  firstContent: number;
  meta?: boolean;
}

/** The detector's result before bucketing: logits per category (HARM_CATEGORIES order). */
export interface HarmAnalysis {
  readonly logits: readonly number[];
  readonly evidence: Evidence;
}

/** Buffers of the phrase matches (`analyzeHarm` runs one text at a time and keeps no match past its return). */
const MATCH_SCRATCH = new MatchScratch();

export function analyzeHarm(text: string): HarmAnalysis {
  const tokens = tokenizeCached(text, isKnownWord);
  const m = matchTokens(VOCAB, tokens, MATCH_SCRATCH);
  const ev = new Evidence();
  new Scanner(tokens, m, ev).run();
  return { logits: ev.logits(), evidence: ev };
}

export function explainFeatures(analysis: HarmAnalysis, cat: HarmCategory): Feature[] {
  return analysis.evidence.features(HARM_CATEGORIES.indexOf(cat));
}

class Scanner {
  private readonly n: number;
  private readonly lem: string[];
  private prevFiction = false;
  private medctx = 0;

  constructor(
    private readonly tokens: TokenList,
    private readonly m: Matches,
    private readonly ev: Evidence,
  ) {
    this.n = m.n;
    this.lem = m.lemmas;
  }

  private has(i: number, cls: number): boolean {
    return hasClass(this.m, i, cls);
  }
  private val(i: number, cls: number): number {
    const t = termAt(VOCAB, this.m, i, cls);
    return t === null ? 0 : termVal(VOCAB, t.id, cls);
  }
  private end(i: number, cls: number): number {
    const t = termAt(VOCAB, this.m, i, cls);
    return t === null ? i + 1 : t.end;
  }
  private text(i: number, cls: number): string {
    const t = termAt(VOCAB, this.m, i, cls);
    return t === null ? (this.lem[i] ?? '') : (VOCAB.terms[t.id]?.text ?? '');
  }
  private w(i: number): string {
    return this.lem[i] ?? '';
  }

  run(): void {
    const tf = this.tokens.flags;
    let a = 0;
    // Text-level medical context for the sexual category.
    for (let i = 0; i < this.n; i++) if (this.has(i, K.MEDCTX)) this.medctx++;
    while (a < this.n) {
      let b = a + 1;
      while (b < this.n && ((tf[b] ?? 0) & TF_SENT_START) === 0) b++;
      this.sentence(this.frame(a, b));
      a = b;
    }
  }

  private frame(a: number, b: number): Sentence {
    const s: Sentence = {
      a,
      b,
      req: false,
      narr: false,
      fiction: false,
      prevent: false,
      atrocity: false,
      firstContent: a,
    };
    const pm2 = this.m.pm2;
    for (let i = a; i < b; i++) {
      const x = pm2[i] ?? 0;
      const y = this.m.pm1[i] ?? 0;
      if ((x & FRAME2) === 0 && (y & (B1_BUILDING | B1_ATROCITY)) === 0) continue;
      if (y & B1_ATROCITY) s.atrocity = true;
      if (x & (B2_REQ | B2_INTENT)) s.req = true;
      if (x & B2_NARR) s.narr = true;
      if (x & B2_FICTION && !(this.has(i, K.BUILDING) && this.end(i, K.BUILDING) > this.end(i, K.FICTION))) s.fiction = true;
      if (x & B2_PREVENT) s.prevent = true;
    }
    let f = a;
    while (f < b && SKIP_START.has(this.w(f))) f++;
    s.firstContent = f;
    return s;
  }

  /** Instruction/intent mode for a harmful verb at i: 2 = request/intent/imperative/incitement, 1 = narrative, 0 = mention. */
  private mode(s: Sentence, i: number): number {
    if (s.req) return 2;
    if (i === s.firstContent) return 2; // imperative
    if (this.firstPersonBefore(s, i)) return 2; // first-person statement or intent
    for (let q = Math.max(s.a, i - 4); q < i; q++) {
      if (this.has(q, K.NORMATIVE) || this.has(q, K.INCITE)) return 2; // incitement
    }
    if (s.narr) return 1;
    return 0;
  }

  /** Damping for fiction, prevention and negation. */
  private damp(s: Sentence, i: number, fictionFactor: number): number {
    let f = 1;
    if (s.fiction) f *= fictionFactor;
    else if (this.prevFiction) f *= Math.min(1, fictionFactor + 0.3);
    if (s.prevent) f *= 0.3;
    for (let q = Math.max(s.a, i - 3); q < i; q++) if (this.has(q, K.NEG)) f *= 0.25;
    return f;
  }

  private sentence(s: Sentence): void {
    const { a, b } = s;
    let lastStrongSex = -100;
    let lastMinor = -100;
    let minorHit = false;
    for (let i = a; i < b; i++) {
      const p1 = this.m.pm1[i] ?? 0;
      const p2 = this.m.pm2[i] ?? 0;
      if ((p1 & ~CONTEXT1) === 0 && (p2 & ~CONTEXT2) === 0) {
        // "what is my wife's password": a question for someone else's credential.
        if (i + 2 < b && (this.w(i) === 'what' || this.w(i) === 'tell') && (this.w(i + 1) === 'is' || this.w(i + 1) === 'are' || this.w(i + 1) === 'me') && this.ownedBySomeone(s, i + 2) === 2)
          this.ev.add(MISCONDUCT, 'credential-of-someone:request', 4.5 * this.damp(s, i, 0.45));
        continue;
      }
      // --- violence ---
      if (this.has(i, K.VVERB)) this.violentVerb(s, i);
      if (this.has(i, K.ITV)) this.intransitive(s, i);
      if (this.has(i, K.REPLICATE)) this.replicate(s, i);
      if (this.has(i, K.THREAT)) {
        const v = this.val(i, K.THREAT);
        this.ev.add(VIOLENCE, `threat:${this.text(i, K.THREAT)}`, v * this.damp(s, i, 0.35));
      }
      if (this.has(i, K.VNOUN)) this.ev.add(VIOLENCE, `mention:${this.text(i, K.VNOUN)}`, this.val(i, K.VNOUN));
      if (this.has(i, K.GORE)) this.ev.add(VIOLENCE, `gore:${this.text(i, K.GORE)}`, this.val(i, K.GORE) * (s.fiction ? 0.7 : 1));
      if (this.has(i, K.SELFHARM)) this.selfHarm(s, i);
      if (this.has(i, K.VACT)) {
        const md = this.mode(s, i);
        const v = this.val(i, K.VACT);
        this.ev.add(VIOLENCE, `act:${this.text(i, K.VACT)}${md === 2 ? '' : ':mention'}`, (md === 2 ? v : v * 0.3) * this.damp(s, i, 0.3));
        if (md === 2 && v >= 4) this.ev.add(MISCONDUCT, 'violent-act:request', 2.5 * this.damp(s, i, 0.45));
      }
      if (this.has(i, K.WEAPON) && s.req) this.ev.add(VIOLENCE, 'weapon-in-request', 1 * this.damp(s, i, 0.3));
      if (this.has(i, K.HARASS)) this.harass(s, i);
      // --- misconduct ---
      if (this.has(i, K.CRIME)) this.crimeVerb(s, i);
      if (this.has(i, K.CRIMEUSE)) this.crimeUse(s, i);
      if (this.has(i, K.CRIMEN)) this.ev.add(MISCONDUCT, `mention:${this.text(i, K.CRIMEN)}`, 0.4 * this.val(i, K.CRIMEN));
      if (this.has(i, K.MAKE) || this.has(i, K.ACQUIRE)) this.makeOrAcquire(s, i);
      if (this.has(i, K.EVASION)) {
        const v = this.val(i, K.EVASION);
        const md = this.mode(s, i);
        this.ev.add(MISCONDUCT, `evasion:${this.text(i, K.EVASION)}`, (md === 2 ? v + 0.5 : v * 0.6) * this.damp(s, i, 0.5));
      }
      if (this.has(i, K.DISPOSE)) this.dispose(s, i);
      // --- hate ---
      if (this.has(i, K.SLUR)) {
        const v = this.val(i, K.SLUR) * (this.metaSentence(s) ? 0.35 : 1);
        this.ev.add(HATE, `slur:${this.text(i, K.SLUR)}`, v);
        this.ev.add(INSULTS, `slur:${this.text(i, K.SLUR)}`, 0.6 * v);
      }
      if (this.has(i, K.GROUP)) this.group(s, i);
      if (this.has(i, K.SUPREMACY)) this.ev.add(HATE, `supremacy:${this.text(i, K.SUPREMACY)}`, this.val(i, K.SUPREMACY));
      if (this.has(i, K.DENIAL) && s.atrocity) {
        this.ev.add(HATE, 'atrocity-denial', s.req ? 5 : 4);
      }
      // --- insults ---
      if (this.has(i, K.INSULT)) this.insult(s, i);
      if (this.has(i, K.INSULTPH)) this.ev.add(INSULTS, `phrase:${this.text(i, K.INSULTPH)}`, this.val(i, K.INSULTPH));
      if (this.has(i, K.PROFANITY)) this.ev.add(INSULTS, `profanity:${this.text(i, K.PROFANITY)}`, this.val(i, K.PROFANITY));
      // --- sexual ---
      if (this.has(i, K.SEX)) {
        const t = termAt(VOCAB, this.m, i, K.SEX);
        if (t !== null && !this.idiomCovers(i, t.end)) {
          let v = termVal(VOCAB, t.id, K.SEX);
          const clinical = this.has(i, K.CLINICAL);
          if (this.medctx > 0) v *= clinical ? 0.35 : 0.8;
          if (v >= 2.5) lastStrongSex = i;
          this.ev.add(SEXUAL, `term:${VOCAB.terms[t.id]?.text ?? ''}`, v);
        }
      }
      if (this.has(i, K.MINOR) || (this.has(i, K.AGE) && i > a && isMinorAge(this.w(i - 1)))) lastMinor = i;
      if (lastStrongSex >= 0 && lastMinor >= 0 && Math.abs(lastStrongSex - lastMinor) <= 8) minorHit = true;
      if (this.has(i, K.PEDO)) this.pedo(s, i);
    }
    if (minorHit) {
      this.ev.add(SEXUAL, 'sexual+minor', 4.5);
      this.ev.add(MISCONDUCT, 'sexual+minor', 3);
    }
    this.prevFiction = s.fiction;
  }

  /** A sentence about words (what does the word X mean, the term X, origin of the slur). */
  private metaSentence(s: Sentence): boolean {
    if (s.meta === undefined) {
      s.meta = false;
      for (let q = s.a; q < s.b; q++) if (META.has(this.w(q))) s.meta = true;
    }
    return s.meta;
  }

  /** Is the sexual word at i part of a longer benign idiom (cum laude, anal retentive, pussy willow)? */
  private idiomCovers(i: number, end: number): boolean {
    for (let q = Math.max(0, i - 2); q <= i; q++) {
      if (this.has(q, K.BENIGN) && this.end(q, K.BENIGN) > i && this.end(q, K.BENIGN) >= (q === i ? end : i + 1)) return true;
    }
    return false;
  }

  // --- violence rules -------------------------------------------------------------------------

  /** Find the object of a verb in the window after it. */
  private target(s: Sentence, from: number, heavy: boolean, employment: boolean, maxLen = 6): Target {
    const limit = Math.min(s.b, from + maxLen);
    for (let q = from; q < limit; q++) {
      const w = this.w(q);
      if (q > from && STOP.has(w)) break;
      if (q === from && STOP.has(w) && !PARTICLE.has(w)) break;
      if (q > from && (this.has(q, K.VVERB) || this.has(q, K.CRIME))) break;
      if (this.has(q, K.SELF)) return { kind: T_SELF, w: 1, q };
      if (this.has(q, K.BENIGN)) {
        // A longer people/place phrase starting here wins over a benign one-word reading.
        const bEnd = this.end(q, K.BENIGN);
        const hEnd = this.has(q, K.HUMAN) ? this.end(q, K.HUMAN) : this.has(q, K.GROUP) ? this.end(q, K.GROUP) : 0;
        const pEnd = heavy && this.has(q, K.PLACE) ? this.end(q, K.PLACE) : 0;
        if (hEnd <= bEnd && pEnd <= bEnd) return { kind: T_BENIGN, w: 0, q };
      }
      if (employment && this.has(q, K.EMPLOY)) return { kind: T_BENIGN, w: 0, q };
      if (this.has(q, K.GROUP) && this.val(q, K.GROUP) >= 1) return { kind: T_GROUP, w: 1, q };
      if (this.has(q, K.HUMAN)) {
        const hw = this.val(q, K.HUMAN);
        const he = this.end(q, K.HUMAN);
        if (he < limit && this.has(he, K.BENIGN) && ((this.tokens.flags[q] ?? 0) & TF_POSS) === 0 && !POSS_PRONOUN.has(w)) return { kind: T_BENIGN, w: 0, q: he };
        const possessive = ((this.tokens.flags[q] ?? 0) & TF_POSS) !== 0 || POSS_PRONOUN.has(w);
        if (possessive) {
          const after = this.end(q, K.HUMAN);
          for (let r = after; r < Math.min(s.b, after + 3); r++) {
            if (this.has(r, K.BODY) || this.w(r) === 'life') return { kind: T_BODY_OF, w: 1, q };
            if (this.has(r, K.PROPERTY)) return { kind: T_PROPERTY, w: 1, q: r };
            if (this.has(r, K.BENIGN)) return { kind: T_BENIGN, w: 0, q: r };
          }
          if (((this.tokens.flags[q] ?? 0) & TF_POSS) !== 0) return { kind: T_HUMAN, w: hw, q };
        }
        return { kind: T_HUMAN, w: hw, q };
      }
      if (OWN.has(w) && q + 1 < limit && this.has(q + 1, K.BODY)) return { kind: T_SELF, w: 1, q };
      if (POSS_PRONOUN.has(w) && q + 1 < limit) {
        if (this.has(q + 1, K.BODY)) return { kind: T_BODY_OF, w: 1, q };
        if (this.has(q + 1, K.PROPERTY)) return { kind: T_PROPERTY, w: 1, q: q + 1 };
      }
      if (heavy && this.has(q, K.PLACE)) return { kind: T_PLACE, w: 1, q };
      if (this.has(q, K.PROPERTY)) {
        // Property counts only when it belongs to someone else (handled above); own or unowned: benign.
        return { kind: T_BENIGN, w: 0, q };
      }
      if ((((this.tokens.flags[q] ?? 0) & TF_CAP) !== 0) && !isKnownWord(w)) {
        const nx = q + 1 < s.b ? q + 1 : -1;
        const nextCap = nx >= 0 && ((this.tokens.flags[nx] ?? 0) & TF_CAP) !== 0;
        if (nx < 0 || nextCap || STOP.has(this.w(nx))) return { kind: T_NAME, w: 1, q };
      }
    }
    return { kind: T_NONE, w: 0, q: -1 };
  }

  private violentVerb(s: Sentence, i: number): void {
    const t = termAt(VOCAB, this.m, i, K.VVERB);
    if (t === null) return;
    const sev = termVal(VOCAB, t.id, K.VVERB);
    const verb = VOCAB.terms[t.id]?.text ?? '';
    const heavy = this.has(i, K.HEAVY);
    const tg = this.target(s, t.end, heavy, EMPLOYMENT_VERB_SET.has(verb));
    let md = this.mode(s, i);
    const past = (this.m.mflags[i] ?? 0) & MF_PAST;
    if (past && md === 2 && !s.req) md = this.firstPersonBefore(s, i) ? 2 : 0;
    const damp = this.damp(s, i, 0.3);
    let kind = tg.kind;
    let tw = tg.w;
    if (kind === T_NONE) {
      // Object before the verb: "people to shoot", "southerners need killin", "gays should be killed".
      const back = this.targetBefore(s, i);
      if (back !== null) {
        kind = back.kind;
        tw = back.w;
        md = 2;
      }
    }
    switch (kind) {
      case T_HUMAN:
      case T_BODY_OF:
      case T_NAME: {
        if (kind === T_NAME && sev < 2) return;
        const w = md === 2 ? 2.5 + sev : md === 1 ? 0.5 + 0.3 * sev : 0.8 + 0.5 * sev;
        this.ev.add(VIOLENCE, md === 2 ? 'harm-person:request' : 'harm-person:mention', w * tw * damp);
        if (md === 2 && sev >= 2) this.ev.add(MISCONDUCT, 'harm-person:request', 2 * tw * damp);
        return;
      }
      case T_GROUP: {
        const w = md === 2 ? 3 + sev : 1 + 0.5 * sev;
        this.ev.add(VIOLENCE, md === 2 ? 'harm-group:request' : 'harm-group:mention', w * damp);
        this.ev.add(HATE, md === 2 ? 'harm-group:request' : 'harm-group:mention', (md === 2 ? 4.5 : 2) * damp);
        return;
      }
      case T_SELF: {
        if (sev < 2) return;
        if (past && !s.req) md = 0;
        const w = md === 2 ? 6 : 2.5;
        this.ev.add(MISCONDUCT, 'self-harm', w * this.damp(s, i, 0.5));
        this.ev.add(VIOLENCE, 'self-harm', (md === 2 ? 3.5 : 1.5) * this.damp(s, i, 0.5));
        return;
      }
      case T_PLACE: {
        const w = md === 2 ? 3 + sev : 1 + 0.3 * sev;
        this.ev.add(VIOLENCE, md === 2 ? 'attack-place:request' : 'attack-place:mention', w * damp);
        if (md === 2) this.ev.add(MISCONDUCT, 'attack-place:request', 3.5 * damp);
        return;
      }
      case T_PROPERTY: {
        if (sev < 2) return;
        this.ev.add(VIOLENCE, md === 2 ? 'damage-property:request' : 'damage-property:mention', (md === 2 ? 4.2 : 1.2) * damp);
        if (md === 2) this.ev.add(MISCONDUCT, 'damage-property:request', 4 * damp);
        return;
      }
      default:
        return;
    }
  }

  /** "i"/"we" one or two tokens before the verb (i kill, i will kill, we just killed), not "World War I". */
  private firstPersonBefore(s: Sentence, i: number): boolean {
    for (let q = Math.max(s.a, i - 2); q < i; q++) {
      const w = this.w(q);
      if ((w === 'i' || w === 'we') && !(q > s.a && ROMAN_CONTEXT.has(this.w(q - 1)))) return true;
    }
    return false;
  }

  /** A person or group before the verb: "find people to shoot", "X need killin", "X should be killed". */
  private targetBefore(s: Sentence, i: number): Target | null {
    const lo = Math.max(s.a, i - 6);
    let incite = false;
    let to = false;
    if (i - 1 >= s.a && this.w(i - 1) === 'to') to = true;
    for (let q = Math.max(s.a, i - 4); q < i; q++) if (this.has(q, K.INCITE) || this.has(q, K.NORMATIVE)) incite = true;
    if (!incite && !to) return null;
    for (let q = i - 1; q >= lo; q--) {
      if (this.has(q, K.GROUP) && this.val(q, K.GROUP) >= 1) return { kind: T_GROUP, w: 1, q };
      if (this.has(q, K.HUMAN) && this.w(q) !== 'you' && this.w(q) !== 'i') {
        // "people to shoot" needs the person right before "to"; incitement may be further away.
        if (to && !incite && q < i - 3) return null;
        return { kind: T_HUMAN, w: this.val(q, K.HUMAN), q };
      }
    }
    return null;
  }

  /** "make someone's car explode", "make him bleed" (not "explode with laughter"). */
  private intransitive(s: Sentence, i: number): void {
    const e = this.end(i, K.ITV);
    if (e < s.b && (this.w(e) === 'with' || this.w(e) === 'of' || this.w(e) === 'onto' || this.w(e) === 'into')) return;
    for (let q = i - 1; q >= Math.max(s.a, i - 6); q--) {
      if (!this.has(q, K.CAUSE)) continue;
      const tg = this.target(s, this.end(q, K.CAUSE), false, false, i - this.end(q, K.CAUSE));
      if (tg.kind === T_HUMAN || tg.kind === T_BODY_OF || tg.kind === T_PROPERTY || tg.kind === T_GROUP) {
        const md = this.mode(s, i);
        const w = md === 2 ? (tg.kind === T_PROPERTY ? 4.2 : 5) : 1.2;
        this.ev.add(VIOLENCE, 'cause-harm', w * this.damp(s, i, 0.3));
        if (tg.kind === T_GROUP) this.ev.add(HATE, 'harm-group:request', 4 * this.damp(s, i, 0.3));
      }
      return;
    }
  }

  private replicate(s: Sentence, i: number): void {
    const e = this.end(i, K.REPLICATE);
    for (let q = e; q < Math.min(s.b, e + 9); q++) {
      if (this.has(q, K.ATROCITY)) {
        const md = this.mode(s, i);
        this.ev.add(VIOLENCE, md === 2 ? 'replicate-atrocity:request' : 'replicate-atrocity:mention', (md === 2 ? 5.5 : 1.2) * this.damp(s, i, 0.3));
        if (md === 2) this.ev.add(HATE, 'replicate-atrocity', 1.5);
        return;
      }
    }
  }

  private selfHarm(s: Sentence, i: number): void {
    const v = this.val(i, K.SELFHARM);
    let md = this.mode(s, i);
    // "I want to die", "I'm going to kill myself": first person is intent for self-harm.
    if (md !== 2 && this.firstPersonBefore(s, i)) md = 2;
    const damp = this.damp(s, i, 0.5);
    const key = `self-harm:${this.text(i, K.SELFHARM)}`;
    if (md === 2) {
      this.ev.add(MISCONDUCT, key, Math.min(6.5, v + 1.2) * damp);
      this.ev.add(VIOLENCE, key, v * 0.6 * damp);
    } else {
      this.ev.add(MISCONDUCT, key, v * 0.45 * damp);
      this.ev.add(VIOLENCE, key, v * 0.25 * damp);
    }
  }

  // --- misconduct rules ------------------------------------------------------------------------

  private crimeVerb(s: Sentence, i: number): void {
    const t = termAt(VOCAB, this.m, i, K.CRIME);
    if (t === null) return;
    const verb = VOCAB.terms[t.id]?.text ?? '';
    const need = CRIME_OBJECT_OF.get(verb) ?? 'any';
    const limit = Math.min(s.b, t.end + 6);
    let ok = need === 'any';
    let credential = false;
    for (let q = t.end; q < limit; q++) {
      const w = this.w(q);
      if (STOP.has(w) && w !== 'into' && w !== 'of') break;
      if (this.has(q, K.BENIGN) || this.has(q, K.BODY)) {
        const bEnd = Math.max(this.has(q, K.BENIGN) ? this.end(q, K.BENIGN) : 0, this.has(q, K.BODY) ? this.end(q, K.BODY) : 0);
        const strong = Math.max(
          this.has(q, K.BUILDING) ? this.end(q, K.BUILDING) : 0,
          this.has(q, K.SYSTEM) ? this.end(q, K.SYSTEM) : 0,
          this.has(q, K.DOC) ? this.end(q, K.DOC) : 0,
        );
        if (strong <= bEnd) return;
      }
      if (OWN.has(w) && q + 1 < limit && !this.has(q + 1, K.HUMAN) && need !== 'any' && need !== 'human' && need !== 'contraband') return;
      if (need === 'private' || need === 'private-soft') {
        const owned = this.ownedBySomeone(s, q);
        if (owned > 0) {
          ok = true;
          if (owned === 2) credential = true;
          break;
        }
      }
      if (need === 'system' && this.has(q, K.SYSTEM)) ok = true;
      else if (need === 'building' && (this.has(q, K.BUILDING) || this.has(q, K.SYSTEM))) ok = true;
      else if (need === 'document' && this.has(q, K.DOC)) ok = true;
      else if (
        need === 'contraband' &&
        (this.has(q, K.HUMAN) || this.has(q, K.GROUP) || this.has(q, K.DRUG) || this.has(q, K.WEAPON) || this.has(q, K.DRUGAMB) || this.has(q, K.DOC))
      )
        ok = true;
      else if (need === 'human' && (this.has(q, K.HUMAN) || this.has(q, K.GROUP))) ok = true;
      if (ok && need !== 'any') break;
    }
    if (!ok) return;
    const md = this.mode(s, i);
    const damp = this.damp(s, i, 0.45);
    let w = md === 2 ? 5.2 : md === 1 ? 0.8 : 1.5;
    if (need === 'private-soft' && md === 2 && !credential) w = 3.4;
    this.ev.add(MISCONDUCT, md === 2 ? `crime:${verb}:request` : `crime:${verb}:mention`, w * damp);
  }

  /** Someone else's private thing at q ("someone's password", "their account", "my wife's phone"):
   * 0 = no, 1 = a private thing, 2 = a credential. */
  private ownedBySomeone(s: Sentence, q: number): number {
    const w = this.w(q);
    let after = -1;
    if (this.has(q, K.HUMAN) && ((this.tokens.flags[q] ?? 0) & TF_POSS) !== 0) after = this.end(q, K.HUMAN);
    else if (w === 'their' || w === 'his' || w === 'her') after = q + 1;
    else if (OWN.has(w) && q + 1 < s.b && this.has(q + 1, K.HUMAN)) {
      const e = this.end(q + 1, K.HUMAN);
      if (((this.tokens.flags[e - 1] ?? 0) & TF_POSS) !== 0) after = e;
    }
    if (after < 0) return 0;
    for (let r = after; r < Math.min(s.b, after + 3); r++) {
      if (this.has(r, K.SYSTEM)) {
        for (let t = r; t < Math.min(s.b, r + 3); t++) if (CREDENTIALS.has(this.w(t))) return 2;
        return 1;
      }
    }
    return 0;
  }

  /** Harassment: bully / defame / humiliate … someone. */
  private harass(s: Sentence, i: number): void {
    const e = this.end(i, K.HARASS);
    let found = false;
    for (let q = e; q < Math.min(s.b, e + 5); q++) {
      const w = this.w(q);
      if (q > e && STOP.has(w)) break;
      if (this.has(q, K.BENIGN)) return;
      if ((this.has(q, K.HUMAN) && w !== 'me' && w !== 'us') || this.has(q, K.GROUP) || w === 'their' || w === 'his' || w === 'her') {
        found = true;
        break;
      }
    }
    const phrase = this.end(i, K.HARASS) - i > 1; // "make him cry": the object is in the phrase
    if (!found && !phrase) return;
    const md = this.mode(s, i);
    const damp = this.damp(s, i, 0.45);
    if (md === 2) {
      this.ev.add(MISCONDUCT, 'harass:request', 4.2 * damp);
      this.ev.add(INSULTS, 'harass:request', 3.2 * damp);
    } else {
      this.ev.add(MISCONDUCT, 'harass:mention', 0.8 * damp);
      this.ev.add(INSULTS, 'harass:mention', 0.8 * damp);
    }
  }

  private crimeUse(s: Sentence, i: number): void {
    const e = this.end(i, K.CRIMEUSE);
    for (let q = e; q < Math.min(s.b, e + 5); q++) {
      if (this.has(q, K.BENIGN) && this.end(q, K.BENIGN) >= (this.has(q, K.CRIMEN) ? this.end(q, K.CRIMEN) : 0)) return;
      if (!this.has(q, K.CRIMEN)) continue;
      const v = this.val(q, K.CRIMEN);
      let md = this.mode(s, i);
      if ((this.m.mflags[i] ?? 0) & MF_PAST && !s.req) md = 0; // "he committed fraud": a report
      const damp = this.damp(s, i, 0.45);
      const vdamp = this.damp(s, i, 0.3);
      const noun = this.text(q, K.CRIMEN);
      if (md === 2) {
        this.ev.add(MISCONDUCT, `commit-crime:${noun}`, (3.2 + v) * damp);
        if (this.has(q, K.VNOUN) || noun === 'suicide') {
          if (noun === 'suicide') this.ev.add(VIOLENCE, 'self-harm', 3 * vdamp);
          else this.ev.add(VIOLENCE, `commit-crime:${noun}`, (2.5 + v) * vdamp);
        }
      } else {
        this.ev.add(MISCONDUCT, `commit-crime:${noun}:mention`, 1.2 * damp);
      }
      return;
    }
  }

  private makeOrAcquire(s: Sentence, i: number): void {
    const isMake = this.has(i, K.MAKE);
    const isAcq = this.has(i, K.ACQUIRE);
    const e = Math.max(isMake ? this.end(i, K.MAKE) : 0, isAcq ? this.end(i, K.ACQUIRE) : 0);
    const verb = this.w(i);
    const limit = Math.min(s.b, e + (GENERIC_VERBS.has(verb) ? 3 : 5));
    for (let q = e; q < limit; q++) {
      const w = this.w(q);
      if ((q > e && STOP.has(w) && w !== 'of') || SUBJECTS.has(w)) return;
      if (this.has(q, K.BENIGN)) {
        const bEnd = this.end(q, K.BENIGN);
        const wEnd = Math.max(
          this.has(q, K.WEAPON) ? this.end(q, K.WEAPON) : 0,
          this.has(q, K.DRUG) ? this.end(q, K.DRUG) : 0,
          this.has(q, K.CYBER) ? this.end(q, K.CYBER) : 0,
        );
        if (wEnd <= bEnd) return;
      }
      const md = this.mode(s, i);
      if (this.has(q, K.WEAPON) && (isMake || isAcq)) {
        const v = this.val(q, K.WEAPON);
        const damp = this.damp(s, i, 0.5);
        if (v >= 3) {
          this.ev.add(MISCONDUCT, md === 2 ? 'make-weapon:request' : 'make-weapon:mention', (md === 2 ? (isMake ? 6.2 : 5) : 1.5) * damp);
          if (md === 2) this.ev.add(VIOLENCE, 'make-weapon:request', 3 * damp);
        } else if (md === 2) {
          this.ev.add(MISCONDUCT, 'get-weapon:request', (1.5 + 0.6 * v) * damp);
          this.ev.add(VIOLENCE, 'get-weapon:request', 0.8 * v * damp);
        }
        return;
      }
      if (this.has(q, K.DRUG)) {
        const v = this.val(q, K.DRUG);
        const damp = this.damp(s, i, 0.6);
        const consume = CONSUME_VERB_SET.has(verb) ? 1.2 : 0;
        this.ev.add(MISCONDUCT, md === 2 ? 'drug:request' : 'drug:mention', (md === 2 ? 2.5 + 1.2 * v - consume : 0.4 * v) * damp);
        return;
      }
      if (this.has(q, K.DRUGAMB) && isAcq) {
        // Only right after the verb (fillers allowed) and followed by nothing or a function word.
        let ok = true;
        for (let r = e; r < q; r++) if (!DRUG_FILLERS.has(this.w(r))) ok = false;
        const after = this.end(q, K.DRUGAMB);
        if (after < s.b && !DRUG_FOLLOWERS.has(this.w(after))) ok = false;
        if (q > e && this.w(q - 1) === 'of') ok = false;
        if (ok && md === 2) {
          const consume = CONSUME_VERB_SET.has(verb) ? 1 : 0;
          this.ev.add(MISCONDUCT, 'drug:request', (4.6 - consume) * this.damp(s, i, 0.6));
        }
        if (ok) return;
      }
      if (this.has(q, K.CYBER)) {
        const damp = this.damp(s, i, 0.5);
        this.ev.add(MISCONDUCT, md === 2 ? 'cybercrime:request' : 'cybercrime:mention', (md === 2 ? 5.8 : 1) * damp);
        return;
      }
    }
  }

  private dispose(s: Sentence, i: number): void {
    const e = this.end(i, K.DISPOSE);
    for (let q = e; q < Math.min(s.b, e + 4); q++) {
      const deadPerson = this.w(q) === 'dead' && q + 1 < s.b && this.has(q + 1, K.HUMAN);
      if (this.has(q, K.CORPSE) || deadPerson) {
        const md = this.mode(s, i);
        const damp = this.damp(s, i, 0.45);
        this.ev.add(MISCONDUCT, md === 2 ? 'dispose-body:request' : 'dispose-body:mention', (md === 2 ? 5.5 : 1.5) * damp);
        if (md === 2) this.ev.add(VIOLENCE, 'dispose-body:request', 2.5 * damp);
        return;
      }
      if (this.has(q, K.BENIGN)) return;
    }
  }

  private pedo(s: Sentence, i: number): void {
    const v = this.val(i, K.PEDO);
    const key = `csam:${this.text(i, K.PEDO)}`;
    if (v >= 3) {
      this.ev.add(SEXUAL, key, v);
      this.ev.add(MISCONDUCT, key, v - 1);
      return;
    }
    // "my pedophilia", "I am a pedo", "where can I satisfy my pedophilia"
    let own = s.req;
    for (let q = Math.max(s.a, i - 3); q < i; q++) if (this.w(q) === 'my' || this.w(q) === 'i') own = true;
    if (own) {
      this.ev.add(SEXUAL, 'paedophilia:intent', 5.5);
      this.ev.add(MISCONDUCT, 'paedophilia:intent', 3.5);
    } else {
      this.ev.add(SEXUAL, key, v);
    }
  }

  // --- hate rules --------------------------------------------------------------------------------

  private group(s: Sentence, i: number): void {
    const gv = this.val(i, K.GROUP) * (s.prevent ? 0.3 : 1);
    const e = this.end(i, K.GROUP);
    // Group then trait: "jews are vermin", "immigrants are all criminals", "non-binary people so much
    // weaker"; after a copula, up to two other words may come first ("gypsies are thieving vermin").
    let copula = false;
    let free = 0;
    for (let q = e; q < Math.min(s.b, e + 6); q++) {
      if (this.has(q, K.NEG)) break;
      if (this.has(q, K.DEHUMAN)) {
        this.ev.add(HATE, 'group-dehumanized', 5.5 * gv);
        break;
      }
      if (this.has(q, K.NEGTRAIT)) {
        this.ev.add(HATE, 'group-negative-trait', 4.5 * gv);
        break;
      }
      const w = this.w(q);
      if (this.has(q, K.COPULA)) copula = true;
      if (CONNECT.has(w) || this.has(q, K.COPULA) || this.has(q, K.FILLER)) continue;
      if (copula && free < 2 && !STOP.has(w)) {
        free++;
        continue;
      }
      break;
    }
    // Trait right before the group: "filthy jews", "vermin like muslims".
    if (i - 1 >= s.a) {
      if (this.has(i - 1, K.NEGTRAIT) || this.has(i - 1, K.DEHUMAN)) this.ev.add(HATE, 'group-negative-trait', 4 * gv);
      else if (i - 2 >= s.a && (this.w(i - 1) === 'like' || this.w(i - 1) === 'called') && (this.has(i - 2, K.DEHUMAN) || this.has(i - 2, K.NEGTRAIT)))
        this.ev.add(HATE, 'group-dehumanized', 5 * gv);
    }
    // Exclusion: "why should X not be allowed…", "X should be deported".
    for (let q = e; q < Math.min(s.b, e + 8); q++) {
      if (!this.has(q, K.EXCLUSION)) continue;
      let normative = false;
      for (let r = s.a; r < q; r++) if (this.has(r, K.NORMATIVE)) normative = true;
      if (normative) this.ev.add(HATE, 'group-exclusion', 5 * gv);
      else this.ev.add(HATE, 'group-exclusion:statement', (s.narr ? 0.8 : 1.8) * gv);
      break;
    }
    // Hatred: "I hate muslims", "sick of these immigrants".
    for (let q = Math.max(s.a, i - 4); q < i; q++) {
      if (!this.has(q, K.HATEVERB)) continue;
      let first = false;
      for (let r = Math.max(s.a, q - 3); r < q; r++) if (this.w(r) === 'i' || this.w(r) === 'we') first = true;
      this.ev.add(HATE, 'hate-group', (first ? 4.8 : 2.5) * gv);
      break;
    }
  }

  // --- insult rules ------------------------------------------------------------------------------

  private insult(s: Sentence, i: number): void {
    const v = this.val(i, K.INSULT);
    const e = this.end(i, K.INSULT);
    const idiom = e < s.b && this.has(e, K.IDIOM);
    // Target before: "you are such an idiot", "he is a moron", "your mom is a whore".
    let target = 0;
    if (!idiom) {
      for (let q = i - 1; q >= Math.max(s.a, i - 7); q--) {
        if (this.has(q, K.YOU)) {
          target = 2;
          break;
        }
        if (this.has(q, K.THIRD)) {
          target = 3;
          break;
        }
        if (this.has(q, K.FILLER) || this.has(q, K.COPULA) || this.has(q, K.INSULT) || this.has(q, K.PROFANITY) || this.w(q) === 'guys' || this.w(q) === 'all')
          continue;
        break;
      }
      // After: "idiots like you", "idiot, you".
      if (target === 0 && e < s.b) {
        const w0 = this.w(e);
        if ((w0 === 'like' || w0 === 'as') && e + 1 < s.b && this.has(e + 1, K.YOU)) target = 2;
        else if (this.has(e, K.YOU) && (i === s.firstContent || this.w(i - 1) === 'you')) target = 2;
      }
      if (target === 0 && i === s.firstContent && e >= s.b) target = 2; // a one-word insult sentence: "Idiot."
    }
    const key = `insult:${this.text(i, K.INSULT)}`;
    if (target === 2) this.ev.add(INSULTS, `targeted:${key}`, 2.5 + 1.5 * v);
    else if (target === 3) this.ev.add(INSULTS, `third-person:${key}`, 1.5 + 1.5 * v);
    else this.ev.add(INSULTS, key, v >= 2 ? 2.5 : v >= 1.5 ? 1.2 : 0.3);
  }
}

function isMinorAge(w: string): boolean {
  if (w.length === 0 || w.length > 2) return false;
  for (let q = 0; q < w.length; q++) {
    const c = w.charCodeAt(q);
    if (c < 48 || c > 57) return false;
  }
  const n = Number(w);
  return n >= 1 && n < 18;
}
