/**
 * The compiled content vocabulary: every lexicon registered under its class (see `classes.ts`).
 * Built once at module load.
 */

import { K } from './classes.ts';
import { VocabularyBuilder, expandPattern, type Vocabulary } from './vocab.ts';
import * as F from './lexicon/frames.ts';
import * as V from './lexicon/violence.ts';
import * as M from './lexicon/misconduct.ts';
import * as H from './lexicon/hate.ts';
import * as I from './lexicon/insults.ts';
import * as S from './lexicon/sexual.ts';

function build(): Vocabulary {
  const b = new VocabularyBuilder();
  b.irregular(V.IRREGULAR_VERBS).plurals(V.IRREGULAR_PLURALS);

  // Frames.
  b.addAll(F.REQUEST, K.REQ)
    .addAll(F.INTENT, K.INTENT)
    .addAll(F.NARRATIVE, K.NARR)
    .addAll(F.FICTION, K.FICTION)
    .addAll(F.PREVENT, K.PREVENT)
    .addAll(F.NEGATION, K.NEG)
    .addAll(F.SECOND_PERSON, K.YOU)
    .addAll(F.THIRD_PERSON, K.THIRD)
    .addAll(F.NORMATIVE, K.NORMATIVE)
    .addAll(F.COPULA, K.COPULA)
    .addAll(F.FILLER, K.FILLER)
    .addAll(F.IDIOM, K.IDIOM);

  // Violence.
  b.addWeighted(V.VIOLENT_VERBS, K.VVERB, 'v')
    .addAll(V.HEAVY_VERBS, K.HEAVY, 1, 'v')
    .addWeighted(V.HUMAN_TARGETS, K.HUMAN)
    .addAll(V.SELF_TARGETS, K.SELF)
    .addAll(V.PLACES, K.PLACE, 1, 'n')
    .addAll(V.BODY_PARTS, K.BODY)
    .addAll(V.PROPERTY, K.PROPERTY)
    .addAll(V.BENIGN_OBJECTS, K.BENIGN)
    .addWeighted(V.WEAPONS, K.WEAPON)
    .addWeighted(V.VIOLENT_NOUNS, K.VNOUN)
    .addWeighted(V.GORE, K.GORE)
    .addWeighted(V.THREATS, K.THREAT)
    .addAll(V.ATROCITIES, K.ATROCITY)
    .addAll(V.REPLICATE, K.REPLICATE, 1, 'v')
    .addWeighted(V.SELF_HARM, K.SELFHARM)
    .addAll(V.INCITE, K.INCITE)
    .addAll(V.INTRANSITIVE_HARM, K.ITV, 1, 'v')
    .addAll(V.CAUSATIVE, K.CAUSE, 1, 'v')
    .addAll(V.EMPLOYMENT_OBJECTS, K.EMPLOY)
    .addWeighted(V.VIOLENT_ACTS, K.VACT)
    .addAll(M.HARASS_VERBS, K.HARASS, 1, 'v');

  // Misconduct.
  for (const verb of Object.keys(M.CRIME_VERBS)) b.add(verb, K.CRIME, 1, 'v');
  b.addWeighted(M.CRIME_NOUNS, K.CRIMEN)
    .addAll(M.CRIME_USE, K.CRIMEUSE, 1, 'v')
    .addAll(M.MAKE_VERBS, K.MAKE, 1, 'v')
    .addAll(M.ACQUIRE_VERBS, K.ACQUIRE, 1, 'v')
    .addWeighted(M.DRUGS, K.DRUG)
    .addAll(M.AMBIGUOUS_DRUGS, K.DRUGAMB)
    .addAll(M.CYBER_TOOLS, K.CYBER)
    .addAll(M.SYSTEMS, K.SYSTEM)
    .addAll(M.BUILDINGS, K.BUILDING)
    .addWeighted(M.EVASION, K.EVASION)
    .addAll(M.CORPSES, K.CORPSE)
    .addAll(M.DISPOSE, K.DISPOSE, 1, 'v')
    .addAll(M.DOCUMENTS, K.DOC);

  // Hate.
  b.addAll(H.GROUPS, K.GROUP, 1)
    .addAll(H.GENERIC_GROUP, K.GROUP, 0.7)
    .addWeighted(H.SLURS, K.SLUR)
    .addAll(H.DEHUMANIZING, K.DEHUMAN)
    .addAll(H.NEGATIVE_TRAITS, K.NEGTRAIT)
    .addAll(H.EXCLUSION, K.EXCLUSION)
    .addWeighted(H.SUPREMACY, K.SUPREMACY)
    .addAll(H.DENIAL, K.DENIAL)
    .addAll(H.HATE_VERBS, K.HATEVERB, 1, 'v');

  // Insults.
  b.addWeighted(I.INSULT_WORDS, K.INSULT)
    .addWeighted(I.INSULT_PHRASES, K.INSULTPH)
    .addWeighted(I.PROFANITY, K.PROFANITY);

  // Sexual.
  b.addWeighted(S.SEXUAL_TERMS, K.SEX)
    .addAll(S.CLINICAL, K.CLINICAL)
    .addAll(S.MEDICAL_CONTEXT, K.MEDCTX)
    .addAll(S.MINORS, K.MINOR)
    .addWeighted(S.PEDO_TERMS, K.PEDO)
    .addAll(S.AGE_PHRASES, K.AGE)
    .addAll(S.SEXUAL_IDIOMS, K.BENIGN);

  return b.build();
}

export const VOCAB: Vocabulary = build();

/** Lemmatised crime verb phrase → the object it needs. */
export const CRIME_OBJECT_OF: ReadonlyMap<string, M.CrimeObject> = (() => {
  const out = new Map<string, M.CrimeObject>();
  for (const [pattern, obj] of Object.entries(M.CRIME_VERBS)) {
    for (const ph of expandPattern(pattern)) out.set(lemmaPhrase(ph), obj);
  }
  return out;
})();

/** Lemmatised violent verbs that are benign on employment objects. */
export const EMPLOYMENT_VERB_SET: ReadonlySet<string> = new Set([...V.EMPLOYMENT_VERBS].map(lemmaPhrase));
export const CONSUME_VERB_SET: ReadonlySet<string> = new Set([...M.CONSUME_VERBS].map(lemmaPhrase));

export function lemmaPhrase(phrase: string): string {
  return phrase
    .split(' ')
    .map((w) => VOCAB.lemmas.get(w) ?? w)
    .join(' ');
}

export function isKnownWord(w: string): boolean {
  return VOCAB.known.has(w);
}
