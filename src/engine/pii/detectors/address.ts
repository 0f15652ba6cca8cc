/**
 * ADDRESS: street addresses.
 *
 * - US/UK/CA/AU style: house number + (direction) + 1-4 capitalised name words + street suffix,
 *   optional unit ("Apt 4B", "Suite 200", "#12"), optional ", City, ST 12345" / ", City SW1A 1AA".
 * - P.O. boxes.
 * - Continental styles: "Hauptstraße 5", "Nassaustraat 123", "12 rue de la Paix", "Calle Mayor 3".
 * - After address context ("address:", "lives at", "ship to") the street shapes are also
 *   accepted in lower case.
 *
 * Every repetition is bounded and the pieces are separated by whitespace, so matching is linear.
 * Regexes start with a consuming character (a digit) so the engine skips ordinary text quickly.
 * Letters are Latin (ASCII, Latin-1, Latin Extended-A/B).
 */
import type { Detector, PiiFinding, ScanInput } from '../detector.ts';
import { clampScore } from '../detector.ts';
import { normalizePhrase } from '../keywords.ts';
import { contextScorer, forEachMatch } from '../scan-util.ts';

const UPPER = 'A-ZÀ-ÖØ-Þ';
const LETTER = 'A-Za-zÀ-ÖØ-öø-ɏ\\u0300-\\u036f';
/** A capitalised word ("Main", "O'Neil", "Saint-Denis"). */
const TITLE_WORD = `[${UPPER}][${LETTER}'’-]*`;
/** A word in any case. */
const ANY_WORD = `[${LETTER}][${LETTER}'’-]*`;
const NOT_WORD_AFTER = `(?![${LETTER}0-9])`;

/**
 * Case variants of a word list as a regex alternation (for the case-sensitive regex): as
 * written, upper case, and lower case for abbreviations only ("st", "rd"; not "place").
 */
function variants(words: readonly string[]): string {
  const out = new Set<string>();
  for (const w of words) {
    out.add(w);
    out.add(w.toUpperCase());
    if (w.length <= 4) out.add(w.toLowerCase());
  }
  return [...out].sort((a, b) => b.length - a.length).join('|');
}

const STREET_SUFFIXES = [
  'Street', 'St', 'Avenue', 'Ave', 'Av', 'Road', 'Rd', 'Boulevard', 'Blvd', 'Lane', 'Ln', 'Drive', 'Dr', 'Court',
  'Ct', 'Way', 'Place', 'Pl', 'Terrace', 'Ter', 'Terr', 'Parkway', 'Pkwy', 'Highway', 'Hwy', 'Circle', 'Cir',
  'Square', 'Sq', 'Trail', 'Trl', 'Crescent', 'Cres', 'Close', 'Grove', 'Gardens', 'Gdns', 'Row', 'Mews', 'Walk',
  'Alley', 'Loop', 'Pike', 'Plaza', 'Expressway', 'Expy', 'Freeway', 'Fwy', 'Turnpike', 'Tpke', 'Causeway',
  'Heights', 'Parade', 'Promenade', 'Quay', 'Wharf', 'Esplanade', 'Embankment', 'Route', 'Rte', 'Strasse', 'Straße',
];

const UNIT_WORDS = ['Apartment', 'Apt', 'Suite', 'Ste', 'Unit', 'Room', 'Rm', 'Floor', 'Fl', 'Building', 'Bldg', 'Flat', 'Lot'];

const US_STATES =
  'AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|PR|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|' +
  'ON|QC|BC|AB|MB|SK|NS|NB|NL|PE|YT|NT|NU';

const DIRECTIONS = '(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West|Northeast|Northwest|Southeast|Southwest)\\.?';

/** House number: digits (not preceded by a letter, digit or ':' '.' '/' ','), "12-14", "221B". */
const HOUSE = `\\d(?<![${LETTER}0-9:./,]\\d)\\d{0,5}(?:-\\d{1,6})?[A-Za-z]?`;

/** Optional unit: ", Apt 4B", " Suite 200", " #12". */
function unitSource(anyCase: boolean): string {
  const unit = anyCase ? UNIT_WORDS.join('|') : variants(UNIT_WORDS);
  return `(?:,?\\s{1,3}(?:(?:${unit})\\.?\\s{0,2}#?\\s{0,2}|#\\s{0,2})[A-Za-z0-9]{1,6}(?:-[A-Za-z0-9]{1,4})?(?![${LETTER}0-9]))?`;
}

/** Optional ", City, ST 12345" / ", City SW1A 1AA" / ", ST 12345"; `anyCase` relaxes capitalisation. */
function cityTailSource(anyCase: boolean): string {
  const word = anyCase ? ANY_WORD : TITLE_WORD;
  const city = `${word}(?: ${word}){0,2}`;
  const zip = '\\d{5}(?:-\\d{4})?';
  const caPostal = '[A-Z]\\d[A-Z] ?\\d[A-Z]\\d';
  const ukPostcode = '[A-Z]{1,2}\\d[A-Z\\d]? ?\\d[A-Z]{2}';
  const state = `(?:${US_STATES})(?![${LETTER}])`;
  // In any-case mode a bare state ("… road near me") is too weak: a postal code is required.
  const stateZip = anyCase ? `${state},?\\s{1,2}(?:${zip}|${caPostal})` : `${state}(?:,?\\s{1,2}(?:${zip}|${caPostal}))?`;
  return (
    `(?:,?\\s{1,3}${city},?\\s{1,3}(?:${stateZip}|${ukPostcode}|${zip})(?![${LETTER}0-9])` +
    `|,?\\s{1,3}(?:${state},?\\s{1,2}(?:${zip}|${caPostal})|${ukPostcode})(?![${LETTER}0-9]))?`
  );
}

function tailSource(anyCase: boolean): string {
  return unitSource(anyCase) + cityTailSource(anyCase);
}

/** House number + street name + suffix (or "Broadway"). */
function streetSource(anyCase: boolean): string {
  const word = anyCase ? ANY_WORD : TITLE_WORD;
  const nameWord = `(?:${word}|\\d{1,3}(?:st|nd|rd|th))`;
  const suffix = anyCase ? STREET_SUFFIXES.join('|') : variants(STREET_SUFFIXES);
  return (
    `(?:${HOUSE}\\s{1,2}(?:${DIRECTIONS}\\s{1,2})?(?:${nameWord}\\s{1,2}){1,4}(?:${suffix})\\.?${NOT_WORD_AFTER}(?:\\s{1,2}${DIRECTIONS}(?![${LETTER}]))?` +
    `|${HOUSE}\\s{1,2}(?:Broadway|BROADWAY|broadway)${NOT_WORD_AFTER})`
  );
}

const STREET_RE = new RegExp(streetSource(false) + tailSource(false), 'g');

/** P.O. Box: anchored on the digits, the "PO Box" words are checked behind them. */
const PO_BOX_RE = new RegExp(
  `\\d(?<=(?<![${LETTER}])(?:[Pp]\\.?\\s?[Oo]\\.?\\s?(?:[Bb]ox|BOX)|[Pp]ost [Oo]ffice [Bb]ox|POB)\\s{0,2}#?\\s{0,2}\\d)\\d{0,7}(?![${LETTER}0-9])${cityTailSource(false)}`,
  'g',
);
const PO_BOX_PREFIX_RE = new RegExp(`(?:[Pp]\\.?\\s?[Oo]\\.?\\s?(?:[Bb]ox|BOX)|[Pp]ost [Oo]ffice [Bb]ox|POB)\\s{0,2}#?\\s{0,2}$`);

const CONTINENTAL_SUFFIX =
  'straße|strasse|str\\.|straat|gasse|weg|laan|plein|platz|gracht|allee|kade|dijk|vej|gade|gatan|vägen|veien|utca|ulica|katu|kuja';
/** "Hauptstraße 5", "Nassaustraat 123a" (+ ", 10115 Berlin"): found from the house number back to the street word. */
const CONTINENTAL_RE = new RegExp(
  `\\d(?<=[${LETTER}](?:${CONTINENTAL_SUFFIX})\\s{1,2}\\d)\\d{0,4}[a-z]?(?![${LETTER}0-9])(?:,?\\s{1,2}\\d{4,5}\\s[${UPPER}][${LETTER}-]+)?`,
  'g',
);
const CONTINENTAL_WORD_RE = new RegExp(`[${UPPER}][${LETTER}]*?(?:${CONTINENTAL_SUFFIX})\\s{1,2}$`);

const ROMANCE_PREFIXES = [
  'rue', 'avenue', 'boulevard', 'bd', 'chemin', 'allée', 'impasse', 'quai', 'calle', 'avenida', 'paseo', 'carrer',
  'camino', 'via', 'viale', 'piazza', 'corso', 'largo', 'rua', 'praça', 'travessa', 'estrada', 'ulica', 'aleja', 'ul',
];
const PARTICLES = 'de|del|la|las|los|da|das|do|dos|di|du|des|le|les|della|dei|degli|van|der|den';
/** After a prefix: capitalised name words (particles allowed), then an optional number. */
const ROMANCE_FOLLOW_RE = new RegExp(
  `\\.?\\s{1,2}(?:(?:${PARTICLES})\\s{1,2}){0,2}[${UPPER}][${LETTER}'’-]*(?:\\s(?:(?:${PARTICLES})\\s){0,2}[${UPPER}][${LETTER}'’-]*){0,3}(,?\\s{1,2}\\d{1,5}[a-z]?(?![${LETTER}0-9]))?`,
  'y',
);
const NUMBER_BEFORE_RE = /(?:^|[^0-9A-Za-z])(\d{1,5}[a-z]?,?\s{1,2})$/;

const ADDRESS_KEYWORDS = [
  'address', 'addresses', 'addr', 'home address', 'street address', 'mailing address', 'billing address',
  'shipping address', 'postal address', 'delivery address', 'live at', 'lives at', 'living at', 'located at',
  'reside at', 'resides at', 'residing at', 'ship to', 'deliver to', 'send it to', 'send to', 'mail to', 'moved to',
  'move to', 'visit us at', 'find us at', 'based at', 'stay at', 'staying at',
];
const ADDRESS_KEYWORD_SET: ReadonlySet<string> = new Set(ADDRESS_KEYWORDS.map(normalizePhrase));

/** A postal code announced by its keyword ("ZIP: 90210", "postcode SW1A 1AA") is address data. */
const POSTAL_KEYWORDS = ['zip', 'zip code', 'zipcode', 'postal code', 'postcode', 'post code', 'code postal'];
const POSTAL_KEYWORD_SET: ReadonlySet<string> = new Set(POSTAL_KEYWORDS.map(normalizePhrase));
const POSTAL_FOLLOW_RE =
  /\s{0,3}(?:is\s{1,2}|[:#=-]\s{0,3})?(\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d|\d{4})(?![A-Za-z0-9])/y;

/** Sticky, any-case variant used right after an address keyword (gap, then street). */
const STREET_AFTER_KEYWORD_RE = new RegExp(
  `(?:\\s{0,2}(?:is|was|:|-)?\\s{1,3}|:)(${streetSource(true)}${tailSource(true)})`,
  'iy',
);

const ADDRESS_CONTEXT = contextScorer({ positive: ADDRESS_KEYWORDS, before: 48 }, 0.1);

export const address: Detector = {
  type: 'ADDRESS',
  threshold: 0.5,
  keywords: [...ADDRESS_KEYWORDS, ...POSTAL_KEYWORDS, ...ROMANCE_PREFIXES],
  detect(input: ScanInput, out: PiiFinding[]): void {
    const text = input.text;
    const push = (start: number, end: number, base: number): void => {
      out.push({ type: 'ADDRESS', start, end, score: clampScore(ADDRESS_CONTEXT.score(base, text, start, end)) });
    };
    forEachMatch(STREET_RE, text, (m) => push(m.index, m.index + m[0].length, 0.85));
    forEachMatch(PO_BOX_RE, text, (m) => {
      const prefix = PO_BOX_PREFIX_RE.exec(text.slice(Math.max(0, m.index - 24), m.index));
      if (prefix === null) return;
      push(m.index - prefix[0].length, m.index + m[0].length, 0.85);
    });
    forEachMatch(CONTINENTAL_RE, text, (m) => {
      const word = CONTINENTAL_WORD_RE.exec(text.slice(Math.max(0, m.index - 40), m.index));
      if (word === null) return;
      const start = m.index - word[0].length;
      if (start > 0 && /[A-Za-zÀ-ɏ0-9]/.test(text[start - 1] ?? '')) return;
      push(start, m.index + m[0].length, 0.75);
    });
    for (const hit of input.hits(address)) {
      if (POSTAL_KEYWORD_SET.has(hit.phrase)) {
        POSTAL_FOLLOW_RE.lastIndex = hit.end;
        const m = POSTAL_FOLLOW_RE.exec(text);
        const code = m?.[1];
        if (m === null || code === undefined) continue;
        const end = m.index + m[0].length;
        out.push({ type: 'ADDRESS', start: end - code.length, end, score: 0.7 });
      } else if (ADDRESS_KEYWORD_SET.has(hit.phrase)) {
        STREET_AFTER_KEYWORD_RE.lastIndex = hit.end;
        const m = STREET_AFTER_KEYWORD_RE.exec(text);
        const street = m?.[1];
        if (m === null || street === undefined) continue;
        const end = m.index + m[0].length;
        push(end - street.length, end, 0.85);
      } else {
        // Romance prefix: "12 rue de la Paix" or "Calle Mayor 3" (a number is required).
        ROMANCE_FOLLOW_RE.lastIndex = hit.end;
        const m = ROMANCE_FOLLOW_RE.exec(text);
        if (m === null) continue;
        const numberBefore = NUMBER_BEFORE_RE.exec(text.slice(Math.max(0, hit.start - 10), hit.start));
        if (numberBefore === null && m[1] === undefined) continue;
        const start = hit.start - (numberBefore?.[1]?.length ?? 0);
        push(start, m.index + m[0].length, 0.7);
      }
    }
  },
};
