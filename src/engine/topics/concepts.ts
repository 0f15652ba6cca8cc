/**
 * Lexicon tables built once at module load, and the mapping of one lowercase token onto evidence keys:
 * `c:<concept index>` for a lexicon concept, `w:<stem>` for any other content word.
 */
import { inflections, stem } from '../text/stem.ts';
import { isCommonWord, isStopword } from '../text/english.ts';
import {
  CONCEPTS,
  INTENT_INTERROGATIVES,
  INTENT_MODALS,
  INTENT_PHRASES,
  INTENT_TO_VERBS,
  TOPIC_META_WORDS,
  type ConceptStrength,
} from './lexicon.ts';

export const STRENGTH_P: Readonly<Record<ConceptStrength, number>> = { strong: 0.42, medium: 0.25, weak: 0.12 };

/** A concept membership of a single token: concept index and whether the member is ambiguous. */
export interface Membership {
  readonly c: number;
  readonly weak: boolean;
}

/** A multi-token lexicon member, keyed by the stem of its first token. */
export interface PhraseEntry {
  readonly rest: readonly string[]; // stems of the following tokens
  readonly c: number;
  readonly weak: boolean;
}

/** Split a lexicon term into lowercase tokens the way the tokenizer would (letters/digits, joiners kept). */
export function termTokens(term: string): string[] {
  return term
    .toLowerCase()
    .split(/[^\p{L}\p{N}'’-]+/u)
    .filter((t) => t.length > 0);
}

const explicit = new Map<string, Membership[]>();
const inflected = new Map<string, Membership[]>();
const phrases = new Map<string, PhraseEntry[]>();
const phraseFirstForms = new Set<string>();

/** Add a membership; for the same concept twice, the unambiguous flag wins. */
function addMember(map: Map<string, Membership[]>, key: string, m: Membership): void {
  const list = map.get(key);
  if (!list) {
    map.set(key, [m]);
    return;
  }
  const i = list.findIndex((x) => x.c === m.c);
  if (i < 0) list.push(m);
  else if (list[i]?.weak && !m.weak) list[i] = m;
}

CONCEPTS.forEach((concept, c) => {
  const add = (term: string, weak: boolean): void => {
    const toks = termTokens(term);
    const first = toks[0];
    if (first === undefined) return;
    if (toks.length === 1) {
      addMember(explicit, first, { c, weak });
      for (const form of inflections(first)) addMember(inflected, form, { c, weak });
      return;
    }
    const key = stem(first);
    phraseFirstForms.add(first);
    for (const form of inflections(first)) phraseFirstForms.add(form);
    const entry: PhraseEntry = { rest: toks.slice(1).map(stem), c, weak };
    const list = phrases.get(key);
    if (list) list.push(entry);
    else phrases.set(key, [entry]);
  };
  for (const t of concept.terms) add(t, false);
  for (const t of concept.weak ?? []) add(t, true);
});
for (const list of phrases.values()) list.sort((a, b) => b.rest.length - a.rest.length); // longest first

/** Concept memberships of a single lowercase token: listed forms first, then generated inflections. */
export function conceptMembers(lower: string): readonly Membership[] | undefined {
  return members.get(lower);
}
// Listed forms win over generated inflections of other words.
const members = new Map<string, readonly Membership[]>(inflected);
for (const [k, v] of explicit) members.set(k, v);

/** Multi-token members keyed by the stem of their first token, longest first. */
export const CONCEPT_PHRASES: ReadonlyMap<string, readonly PhraseEntry[]> = phrases;

/**
 * Cheap pre-check at match time: can a lexicon phrase start with this lowercase token (its first word or
 * a regular inflection of it)? Only then is the token stemmed and `CONCEPT_PHRASES` consulted.
 */
export function mayStartPhrase(lower: string): boolean {
  return phraseFirstForms.has(lower);
}

/** Concept index by id, and the related-concept indices of each concept. */
export const CONCEPT_INDEX: ReadonlyMap<string, number> = new Map(CONCEPTS.map((c, i) => [c.id, i]));
export const CONCEPT_RELATED: readonly (readonly number[])[] = CONCEPTS.map((c) =>
  (c.related ?? []).map((id) => CONCEPT_INDEX.get(id)).filter((i): i is number => i !== undefined),
);

const META = new Set<string>([...TOPIC_META_WORDS, ...TOPIC_META_WORDS.map(stem)]);
/** True for definition boilerplate ("advice", "questions", "person"). */
export function isMetaWord(lower: string, stemmed: string): boolean {
  return META.has(lower) || META.has(stemmed);
}

// Intent cues.
const intentPhrases = new Map<string, string[][]>();
for (const p of INTENT_PHRASES) {
  const toks = termTokens(p);
  const first = toks[0];
  if (first === undefined) continue;
  const list = intentPhrases.get(first);
  if (list) list.push(toks.slice(1));
  else intentPhrases.set(first, [toks.slice(1)]);
}
const INTERROGATIVES = new Set(INTENT_INTERROGATIVES);
const MODALS = new Set(INTENT_MODALS);
const TO_VERBS = new Set(INTENT_TO_VERBS);

/** Cheap pre-check: can an advice cue start at this lowercase token? (see `intentAt`) */
export function mayStartIntent(lower: string): boolean {
  return intentPhrases.has(lower) || INTERROGATIVES.has(lower);
}

/**
 * True when an advice/decision cue starts at token `i` of `lowers` (lowercase token texts): one of
 * `INTENT_PHRASES` (but not "can I"/"may I" after "how"/"where"), or an interrogative followed within four tokens by "should"/"shall"/"ought", or
 * (not "how") within three tokens by "to <decision verb>" ("which stock to buy").
 */
export function intentAt(lowers: readonly string[], i: number): boolean {
  const w = lowers[i];
  if (w === undefined) return false;
  const list = intentPhrases.get(w);
  // "how can I …" / "where can I …" ask for a procedure or a place, not for advice
  const procedural = (w === 'can' || w === 'may') && (lowers[i - 1] === 'how' || lowers[i - 1] === 'where');
  if (list && !procedural) {
    for (const rest of list) {
      let ok = true;
      for (let k = 0; k < rest.length; k++) {
        if (lowers[i + 1 + k] !== rest[k]) {
          ok = false;
          break;
        }
      }
      if (ok) return true;
    }
  }
  if (INTERROGATIVES.has(w)) {
    const lim = Math.min(lowers.length, i + 5);
    for (let j = i + 1; j < lim; j++) {
      const v = lowers[j];
      if (v === undefined) break;
      if (MODALS.has(v)) return true;
      // "which stock to buy", "what to say" — but not the procedural "how … to vote"
      if (v === 'to' && w !== 'how' && j <= i + 3) {
        const nx = lowers[j + 1];
        if (nx !== undefined && TO_VERBS.has(nx)) return true;
      }
    }
  }
  return false;
}

/** One piece of evidence from a token: a feature key and a factor in (0, 1]. */
export interface KeyEvidence {
  readonly key: string;
  readonly x: number;
  /** Concept index, or -1 for a word key. */
  readonly c: number;
  /** Word weight for word keys (1 rare, 0.3 common); concept strength p for concept keys. */
  readonly weight: number;
}

const ONLY_DIGITS = /^[0-9.,:]+$/;

/**
 * Evidence keys of one lowercase token (single-token lexicon members and the word stem; phrases are
 * matched separately). Stopwords and bare numbers give nothing. Hyphenated tokens that are not
 * themselves known fall back to their parts at half weight ("fund-raising" → fund × 0.5).
 * `meta` drops topic-definition boilerplate.
 */
export function tokenKeys(lower: string, dropMeta: boolean): KeyEvidence[] {
  if (isStopword(lower) || ONLY_DIGITS.test(lower)) return [];
  const s = stem(lower);
  if (dropMeta && isMetaWord(lower, s)) return [];
  const ms = conceptMembers(lower);
  if (ms) {
    return ms.map((m) => {
      const concept = CONCEPTS[m.c];
      const p = concept ? STRENGTH_P[concept.strength] : 0;
      return { key: `c:${m.c}`, x: m.weak ? 0.5 : 1, c: m.c, weight: p };
    });
  }
  if (lower.includes('-')) {
    const out: KeyEvidence[] = [];
    for (const part of lower.split('-')) {
      if (part.length === 0) continue;
      for (const e of tokenKeys(part, dropMeta)) out.push({ key: e.key, x: e.x * 0.5, c: e.c, weight: e.weight });
    }
    return out;
  }
  if (s.length < 2) return [];
  return [{ key: `w:${s}`, x: 1, c: -1, weight: isCommonWord(lower) || isCommonWord(s) ? 0.3 : 1 }];
}
