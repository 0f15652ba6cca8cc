/**
 * Context around a capitalised word that makes it a personal name even when the word is not in the
 * gazetteer ("says Rintanen.", "Vinka shouted at …", "Velimir, can I …", "Kalman: \"Who …\"",
 * "Unnsteinn's address"), or that makes a name out of place ("San Giovanni", "the Chad").
 *
 * Every check reads a bounded window (a few words) next to the candidate, so the cost per candidate
 * is constant.
 */
import { isCommonWord, isStopword } from '../../text/english.ts';

/** Verbs (and two-word phrases) after a word that make it the subject person: "Vinka shouted at", "Oline is from". */
const PERSON_VERBS_AFTER_RE = new RegExp(
  '^[ \\t]{1,2}(?:said|says|asked|asks|told|tells|replied|replies|answered|shouted|shouts|whispered|whispers|yelled|' +
    'screamed|laughed|smiled|nodded|sighed|frowned|winked|grinned|hugged|kissed|cried|' +
    '(?:had|has|have) given|grew up|was born|is from|was from|comes from|came from|lives in|lived in|works at|' +
    'worked at|spent|wants to|wanted to|married)' +
    '(?![\\p{L}])',
  'u',
);

/** Words before a capitalised word that introduce a person: "says Eklund.", "starring Kraft", "Hi Khasanbek,". */
const PERSON_WORDS_BEFORE_RE = new RegExp(
  '(?:^|[^\\p{L}])(?:said|says|asked|replied|added|explained|wrote|starring|featuring|feat\\.|ft\\.|hi|hello|hey|' +
    'thanks|thank you|calls me|called me|call me|named|(?:directed|written|produced|sung|painted|composed|founded|' +
    'signed|sent|approved|reviewed|authored) by)[ \\t]{1,2}$',
  'iu',
);

/** Plural and collective nouns that "say" things but are not people's names ("Officials said", "Police say"). */
const COLLECTIVE = new Set(
  (
    'police officials experts critics researchers scientists doctors witnesses sources authorities analysts residents ' +
    'investigators prosecutors lawyers officers reports studies data everyone everybody someone somebody nobody ' +
    'customers users students teachers parents fans voters republicans democrats conservatives liberals scholars ' +
    'historians economists engineers developers employees workers staff management leaders members supporters ' +
    'opponents protesters activists soldiers troops rebels militants firefighters paramedics nurses patients ' +
    'reviewers readers viewers listeners audiences journalists reporters editors publishers spokesman spokeswoman ' +
    'spokesperson government ministry department agency company firm court judge jury council committee board'
  ).split(' '),
);

/** Interjections and discourse words that start sentences before a comma ("Yep, we…", "Furthermore, I…"). */
const DISCOURSE = new Set(
  (
    'yep yup yeah yes yea nope nah no ok okay well hell heck wow whoa oh ah aha hmm huh oops ugh yay hooray alas ' +
    'furthermore moreover meanwhile anyway anyhow besides therefore thus hence still again otherwise instead ' +
    'however nevertheless nonetheless regardless accordingly consequently indeed besides sorry please listen look ' +
    'man dude bro bruh guys folks sir madam ma\'am honey babe baby darling sweetie buddy pal mate lol lmao omg btw ' +
    'fyi imo imho thanks cheers congrats bye goodbye hello hi hey welcome amen'
  ).split(' '),
);

function lowerKey(word: string): string {
  return word.toLowerCase().replace(/’/g, "'");
}

/**
 * Could this unknown capitalised word be a name at all? Not an English word, not a collective noun, not a
 * plural agent noun ("Researchers"), at least three letters.
 */
export function unknownCouldBeName(word: string): boolean {
  const key = lowerKey(word);
  if (key.length < 3 || isStopword(key) || isCommonWord(key) || COLLECTIVE.has(key) || DISCOURSE.has(key)) return false;
  // Plural agent nouns ("Researchers"), adverbs ("Honestly"), abstract nouns ("Atheism").
  if (/(?:ers|ists|ians|ents|ants|ors|ees|ies|als|ly|ism|isms|ness|tion|tions|ment|ments)$/.test(key)) return false;
  return !/^[\p{Lu}]+$/u.test(word);
}

/** Does a person verb follow the candidate ending at `end`? */
export function personVerbAfter(text: string, end: number): boolean {
  return PERSON_VERBS_AFTER_RE.test(text.slice(end, end + 48));
}

/** Does a word that introduces a person come right before `start`? */
export function personWordBefore(text: string, start: number): boolean {
  return PERSON_WORDS_BEFORE_RE.test(text.slice(Math.max(0, start - 24), start));
}

/** Addressing someone: "Velimir, can I …" at a sentence start, or ", Candice!" at a sentence end. */
export function vocative(text: string, start: number, end: number, sentenceStart: boolean): boolean {
  if (sentenceStart && /^,[ \t]{1,2}(?:can|could|would|will|please|i|we|you|do|did|have|are|is|what|where|why|how|when|thanks|thank|sorry|listen|look|let's|let|it's)(?![\p{L}])/iu.test(text.slice(end, end + 12))) {
    return true;
  }
  return /,[ \t]{1,2}$/.test(text.slice(Math.max(0, start - 3), start)) && /^[ \t]?[!?]/.test(text.slice(end, end + 2));
}

/** A speaker label at a line start: `Kalman: "Who are you?"`. */
export function dialogueLabel(text: string, start: number, end: number): boolean {
  let i = start - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t' || text[i] === '>')) i--;
  if (i >= 0 && text[i] !== '\n') return false;
  return /^:[ \t]{0,3}\\{0,3}["“'‘]/.test(text.slice(end, end + 8));
}

/** Nouns after a possessive that belong to a person: "Unnsteinn's address", "Jane's daughter". */
const PERSONAL_NOUNS_RE =
  /^[ \t]{1,2}(?:address|phone|number|email|e-mail|mobile|birthday|wife|husband|mother|father|mom|mum|dad|daughter|son|brother|sister|friend|boyfriend|girlfriend|partner|boss|family|children|kids|car|house|home|apartment|flat|account|passport|cousin|uncle|aunt|grandmother|grandfather|parents|colleague|room|office|desk|bag|wallet|fiancée?)(?![\p{L}])/iu;

export function possessiveOfPerson(text: string, possessiveEnd: number): boolean {
  return PERSONAL_NOUNS_RE.test(text.slice(possessiveEnd, possessiveEnd + 16));
}

/** Academic and generational suffixes that belong to a name: "Sean Vizirov DVM", "John Smith Jr.". */
const NAME_SUFFIX_RE = /^,?[ \t](?:PhD|Ph\.D\.|MD|M\.D\.|DDS|DVM|DMD|RN|CPA|Esq\.?|Jr\.?|Sr\.?|II|III|IV)(?![\p{L}])/u;

/** End of the name after its suffix, or `end` when there is none. */
export function nameSuffixEnd(text: string, end: number): number {
  const m = NAME_SUFFIX_RE.exec(text.slice(end, end + 8));
  return m === null ? end : end + m[0].length;
}

/** Place prefixes before a given name: "San Giovanni", "Santa Clara", "St Ulric", "São Paulo". */
export const PLACE_PREFIXES: ReadonlySet<string> = new Set('san santa santo são sao saint st sainte sankt mount mt fort ft port lake cape'.split(' '));
