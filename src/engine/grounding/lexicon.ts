/**
 * Small word tables for contextual grounding: paraphrase groups (so "bicycle" supports "bike" and "annual" supports
 * "a year"), irregular forms, words that negate by themselves ("forbidden" = not allowed), hedges and approximation
 * words. Groups are general English equivalences that a faithful paraphrase uses, kept tight: two members must be
 * interchangeable in a factual sentence, since the scorer treats them as the same word on both sides.
 */
import { stem } from '../text/stem.ts';

const GROUPS: readonly (readonly string[])[] = [
  // permission (the negative forms are in NEGATING below)
  ['allow', 'allowed', 'permit', 'permitted', 'accept', 'accepted', 'welcome'],
  ['require', 'required', 'need', 'needed', 'mandatory', 'compulsory', 'obligatory'],
  ['begin', 'start', 'commence'],
  ['finish', 'end', 'conclude'],
  ['buy', 'purchase'],
  ['receive', 'obtain'],
  ['increase', 'rise', 'rose', 'risen', 'grow', 'grew', 'grown', 'climb'],
  ['decrease', 'fall', 'fell', 'fallen', 'drop', 'decline', 'reduce', 'shrink', 'shrank'],
  ['usual', 'usually', 'typical', 'typically', 'normal', 'normally', 'generally', 'ordinarily'],
  ['locate', 'located', 'situated', 'lie', 'lies'],
  ['show', 'display'],
  ['cost', 'costs', 'price', 'fee', 'charge'],
  ['expensive', 'costly', 'pricey'],
  ['cheap', 'inexpensive'],
  ['large', 'big', 'huge'],
  ['small', 'tiny'],
  ['quick', 'fast', 'rapid'],
  ['error', 'mistake'],
  ['wrong', 'incorrect'],
  ['store', 'shop'],
  ['email', 'e-mail'],
  ['photo', 'photograph', 'picture'],
  // people and things
  ['child', 'children', 'kid', 'kids'],
  ['man', 'men'],
  ['woman', 'women'],
  ['employee', 'employees', 'staff', 'personnel', 'workforce'],
  ['population', 'inhabitant', 'inhabitants', 'resident', 'residents'],
  ['company', 'firm', 'corporation'],
  ['executive', 'ceo'],
  ['vehicle', 'car', 'cars', 'automobile'],
  ['bike', 'bicycle', 'cycle'],
  ['doctor', 'physician'],
  ['medicine', 'medication', 'drug'],
  // dimensions asked about with an adjective and answered with the noun ("how deep" → "depth")
  ['depth', 'deep'],
  ['height', 'high', 'tall'],
  ['width', 'wide', 'broad'],
  ['length', 'long', 'lengthy'],
  ['weight', 'weigh', 'weighs', 'heavy'],
  ['distance', 'far'],
  ['age', 'old'],
  // periods and directions
  ['day', 'days', 'daily'],
  ['week', 'weekly'],
  ['month', 'monthly'],
  ['year', 'yearly', 'annual', 'annually'],
  ['east', 'eastern'],
  ['west', 'western'],
  ['north', 'northern'],
  ['south', 'southern'],
  // units and their abbreviations
  ['kilometre', 'kilometer', 'km'],
  ['metre', 'meter'],
  ['centimetre', 'centimeter', 'cm'],
  ['millimetre', 'millimeter', 'mm'],
  ['mile', 'mi'],
  ['foot', 'feet', 'ft'],
  ['kilogram', 'kilo', 'kg'],
  ['gram', 'grams'],
  ['pound', 'lb', 'lbs'],
  ['litre', 'liter'],
  ['hour', 'hr', 'hrs'],
  ['minute', 'min', 'mins'],
  ['percent', 'percentage', 'pct'],
  ['dollar', 'usd'],
  ['euro', 'eur'],
];

/** Irregular surface forms that the suffix stemmer cannot reach (only those outside GROUPS). */
const IRREGULAR: ReadonlyMap<string, string> = new Map([
  ['teeth', 'tooth'],
  ['mice', 'mouse'],
  ['geese', 'goose'],
  ['lives', 'life'],
  ['wives', 'wife'],
  ['knives', 'knife'],
  ['halves', 'half'],
  ['bought', 'buy'],
  ['sold', 'sell'],
  ['paid', 'pay'],
  ['went', 'go'],
  ['gave', 'give'],
  ['given', 'give'],
  ['took', 'take'],
  ['taken', 'take'],
  ['built', 'build'],
  ['held', 'hold'],
  ['led', 'lead'],
  ['won', 'win'],
  ['wrote', 'write'],
  ['written', 'write'],
  ['began', 'begin'],
  ['became', 'become'],
  ['came', 'come'],
  ['begun', 'begin'],
]);

/** Words that carry their own negation: "forbidden" says what "not allowed" says. Value: the positive word. */
const NEGATING: ReadonlyMap<string, string> = new Map([
  ['forbidden', 'allow'],
  ['forbid', 'allow'],
  ['forbids', 'allow'],
  ['prohibited', 'allow'],
  ['prohibit', 'allow'],
  ['prohibits', 'allow'],
  ['banned', 'allow'],
  ['disallowed', 'allow'],
  ['unavailable', 'available'],
  ['unsuitable', 'suitable'],
  ['ineligible', 'eligible'],
  ['impossible', 'possible'],
  ['unable', 'able'],
  ['unsupported', 'supported'],
  ['invalid', 'valid'],
  ['optional', 'require'],
]);

/** Hedges: they qualify a claim without adding content ("I think", "probably", "it seems"). */
const HEDGES: readonly string[] = [
  'think', 'believe', 'seem', 'seems', 'seemingly', 'appear', 'appears', 'apparently', 'probably', 'possibly',
  'perhaps', 'likely', 'presumably', 'guess', 'suppose', 'assume', 'certain', 'uncertain', 'correctly', 'roughly',
  'approximately', 'nearly', 'circa', 'approx',
];

/**
 * Words that make a nearby number approximate ("about 3 million", "just over 500", "nearly 20,000"). Bounds such as
 * "under 12" or "more than 5" are not here: they are exact claims about a limit.
 */
const APPROXIMATORS: ReadonlySet<string> = new Set([
  'about', 'around', 'roughly', 'approximately', 'approx', 'nearly', 'almost', 'circa', 'some', 'close', 'upwards',
  'little', 'just', 'estimated',
]);

const CANONICAL = new Map<string, string>();
for (const group of GROUPS) {
  const head = stem(group[0] ?? '');
  for (const w of group) {
    CANONICAL.set(w, head);
    CANONICAL.set(stem(w), head);
  }
}
const NEGATING_CANON = new Map<string, string>();
for (const [w, positive] of NEGATING) NEGATING_CANON.set(w, canonicalStem(positive));
const HEDGE_SET: ReadonlySet<string> = new Set([...HEDGES, ...HEDGES.map(stem)]);

/** The comparison key of a lowercase word: its stem, or the head of its paraphrase group. */
export function canonicalStem(lower: string): string {
  const direct = CANONICAL.get(lower);
  if (direct !== undefined) return direct;
  const base = IRREGULAR.get(lower) ?? lower;
  const s = stem(base);
  return CANONICAL.get(s) ?? s;
}

/** For a self-negating word ("forbidden"), the key of its positive counterpart ("allow"); otherwise undefined. */
export function negatingWord(lower: string): string | undefined {
  return NEGATING_CANON.get(lower);
}

export function isHedge(lower: string, stemmed: string): boolean {
  return HEDGE_SET.has(lower) || HEDGE_SET.has(stemmed);
}

export function isApproximator(lower: string): boolean {
  return APPROXIMATORS.has(lower);
}
