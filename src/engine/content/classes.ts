/**
 * Word classes of the content vocabulary (ids 0–63, see `vocab.ts`). A phrase can be in several classes.
 * The values attached to a phrase (severity, weight) are documented per class.
 */
export const K = {
  // --- violence -----------------------------------------------------------------------------
  /** Violent verb; value = severity 1 (scuffle) … 3 (lethal). */
  VVERB: 0,
  /** Verb that can be aimed at places and crowds (bomb, blow up, shoot up, burn down…). */
  HEAVY: 1,
  /** A person or people as a target; value = weight (1, or less for vague pronouns). */
  HUMAN: 2,
  /** A reflexive target (myself). */
  SELF: 3,
  /** An identity group (religion, ethnicity, nationality, sexuality, gender, disability…); value = 1 protected, 0.7 generic. */
  GROUP: 4,
  /** A place or crowd that can be attacked (school, concert, city…). */
  PLACE: 5,
  /** A body part. */
  BODY: 6,
  /** Property (car, house, tires…). */
  PROPERTY: 7,
  /** A non-human object that makes a violent or criminal verb benign (process, photo, balloon, time…). */
  BENIGN: 8,
  /** Weapon; value 3 = explosive/chemical/untraceable, 1 = ordinary weapon. */
  WEAPON: 9,
  /** Violent noun (murder, massacre, genocide…); value = mention weight. */
  VNOUN: 10,
  /** Gore / injury description; value = weight. */
  GORE: 11,
  /** Fixed threat or incitement phrase; value = weight. */
  THREAT: 12,
  /** Atrocity (terror attack, genocide, school shooting…) for the "replicate" rule. */
  ATROCITY: 13,
  /** Replicate / repeat / recreate / copy. */
  REPLICATE: 14,
  /** Self-harm phrase (kill myself, commit suicide, slit my wrists…); value = weight. */
  SELFHARM: 15,
  /** Passive incitement before a violent verb (should be, deserve to be, need…). */
  INCITE: 16,
  // --- misconduct ---------------------------------------------------------------------------
  /** Crime verb (steal, launder, hack…); the object it needs is in `CRIME_OBJECTS`. */
  CRIME: 17,
  /** Crime noun (fraud, money laundering, arson…); value = severity. */
  CRIMEN: 18,
  /** Make / build / synthesize / write… */
  MAKE: 19,
  /** Buy / get / sell / smuggle / smoke… */
  ACQUIRE: 20,
  /** Drug; value 3 = hard drug, 1.5 = cannabis-like. */
  DRUG: 21,
  /** Word that is a drug only in drug context (coke, crack, ecstasy, weed, molly). */
  DRUGAMB: 22,
  /** Malware / phishing kit and the like. */
  CYBER: 23,
  /** Something you can hack into (account, wifi, server…). */
  SYSTEM: 24,
  /** Something you can break into (house, vault, car…). */
  BUILDING: 25,
  /** Evading detection or the police; value = weight. */
  EVASION: 26,
  /** A corpse. */
  CORPSE: 27,
  /** Dispose of / hide / bury. */
  DISPOSE: 28,
  /** Document or money that can be forged. */
  DOC: 29,
  // --- insults ------------------------------------------------------------------------------
  /** Insulting word; value 1 mild/ambiguous, 1.5 clear, 2 strong. */
  INSULT: 30,
  /** Profanity; value = weight. */
  PROFANITY: 31,
  // --- hate ---------------------------------------------------------------------------------
  /** Slur; value = weight. */
  SLUR: 32,
  /** Dehumanising noun (vermin, animals, parasites…). */
  DEHUMAN: 33,
  /** Negative trait (lazy, criminals, inferior…). */
  NEGTRAIT: 34,
  /** Exclusion or unequal treatment (should not be allowed, be deported, earn less…). */
  EXCLUSION: 35,
  /** Supremacist / genocidal phrase; value = weight. */
  SUPREMACY: 36,
  /** Denial of an atrocity (never happened, hoax…). */
  DENIAL: 37,
  /** Hate verb (hate, despise, can't stand…). */
  HATEVERB: 38,
  // --- sexual -------------------------------------------------------------------------------
  /** Sexual word or phrase; value = weight. */
  SEX: 39,
  /** Clinical / anatomical sexual word (weighted down in medical context). */
  CLINICAL: 40,
  /** Medical, educational or artistic context. */
  MEDCTX: 41,
  /** Minor (child, underage…). */
  MINOR: 42,
  /** Paedophilia words. */
  PEDO: 43,
  /** "year old" / "yo" after a number (age check). */
  AGE: 44,
  // --- frames -------------------------------------------------------------------------------
  /** Request for instructions (how do I, ways to, best way to, where can I…). */
  REQ: 45,
  /** First-person intent (I will, I want to, let's, we should…). */
  INTENT: 46,
  /** Narrative / historical / definitional question (how did, what happened, during, history…). */
  NARR: 47,
  /** Fiction, games and sport (in a film, novel, game titles, judo…). */
  FICTION: 48,
  /** Prevention / safety / help (protect, prevent, signs of, report…). */
  PREVENT: 49,
  /** Negation (not, never). */
  NEG: 50,
  /** Second person (you, your). */
  YOU: 51,
  /** Third-person target (he, she, they, this guy…). */
  THIRD: 52,
  /** Normative marker (should, must, deserve, it is right for…). */
  NORMATIVE: 53,
  /** Copula (be, look like, seem). */
  COPULA: 54,
  /** Words allowed between a target and an insult (a, such, so, fucking…). */
  FILLER: 55,
  /** Noun after an insult word that makes it an idiom (idiot box, stupid question…). */
  IDIOM: 56,
  /** Fixed insult phrase; value = weight. */
  INSULTPH: 57,
  /** Causative verb (make, cause, let, force). */
  CAUSE: 58,
  /** Intransitive harm verb (explode, die, bleed, suffer…). */
  ITV: 59,
  /** Verbs that use a crime noun (commit, engage in, get away with…). */
  CRIMEUSE: 60,
  /** Employment objects (employee, staff, contract…): benign for terminate/fire/eliminate. */
  EMPLOY: 61,
  /** Violent act phrase with the object inside it (knock someone out, beat him up); value = weight when requested. */
  VACT: 62,
  /** Harassment verb (bully, defame, humiliate, troll…). */
  HARASS: 63,
} as const;

export type ClassId = (typeof K)[keyof typeof K];
