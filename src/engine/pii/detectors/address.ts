/**
 * ADDRESS: postal addresses, reported whole (street, unit, city, region, postcode, country), the way a
 * guardrail ADDRESS is defined.
 *
 * A street is found first, in one of these shapes:
 * - English order: house number + 1-5 name words + street type ("221B Baker Street", "12 N Elm Rd");
 * - a name followed by its number ("Hauptstraße 5", "Calle Mayor 3", "Váci utca 12", "07 Rua Forno 76"),
 *   accepted when the street is typed (a street word or ending), follows address context ("address:",
 *   "lives at", "ship to"), or is followed by a unit, postcode, region or country;
 * - a number before a Romance street word ("12 rue de la Paix");
 * - P.O. boxes and US military addresses ("Unit 3906 Box 2810, DPO AE 08750");
 * - a street named without a number after a preposition ("on Baker Street").
 * The street is then extended over what follows on its line and on up to four short following lines:
 * units ("Apt. 4B"), places ("Springfield", "NEW YORK"), region codes (", IL"), postcodes (US, UK, Canadian,
 * 4-5 digit European) and country names. A continuation line must look like an address line as a whole, so
 * prose, phone numbers and e-mail lines end the address.
 *
 * Lower-case streets are accepted after address context, or as the first line of an address block, and their
 * words must not be common English words ("3 miles down the road" is not an address).
 *
 * Every repetition is bounded and the per-candidate work is bounded (windows of at most a few lines), so
 * scanning is linear in the text. Street cores are found by regexes that start with a digit, or from the
 * shared keyword pass.
 */
import { isCommonWord, isStopword } from '../../text/english.ts';
import type { Detector, KeywordHit, PiiFinding, ScanInput } from '../detector.ts';
import { clampScore } from '../detector.ts';
import { normalizePhrase } from '../keywords.ts';
import {
  COUNTRIES,
  REGION_CODES,
  REGION_NAMES,
  STREET_PREFIXES,
  STREET_SUFFIXES,
  STREET_WORD_ENDINGS,
  TRAILING_STREET_WORDS,
  UNIT_WORDS,
  UNNUMBERED_STREET_SUFFIXES,
} from '../lexicon/places.ts';
import { NAME_STOPWORDS } from '../lexicon/name-stopwords.ts';
import { contextScorer, forEachMatch } from '../scan-util.ts';

const SUFFIX_SET: ReadonlySet<string> = new Set(STREET_SUFFIXES);
const PREFIX_SET: ReadonlySet<string> = new Set(STREET_PREFIXES);
const TRAILING_SET: ReadonlySet<string> = new Set(TRAILING_STREET_WORDS);
const REGION_CODE_SET: ReadonlySet<string> = new Set(REGION_CODES);
const COUNTRY_SET: ReadonlySet<string> = new Set([...COUNTRIES, ...REGION_NAMES]);
const COUNTRY_MAX_WORDS = 6;
const UNIT_SET: ReadonlySet<string> = new Set(UNIT_WORDS);
const NAME_STOP_SET: ReadonlySet<string> = new Set(NAME_STOPWORDS);
/** Lower-case words allowed inside a capitalised street or place name ("Rua das Pedras", "Antigua and Barbuda"). */
const PARTICLES: ReadonlySet<string> = new Set(
  'de del della dei degli la las los le les da das do dos di du des van der den von vom zum zur am an auf im y e i of the and nad pod u sur sous en op het ter ten bei al el'.split(' '),
);
/** Particles that may also start a place name ("La Paz", "El Paso", "Den Haag"), not only sit inside one. */
const LEADING_PARTICLES: ReadonlySet<string> = new Set('de la le les el al los las den der van von san santa são st'.split(' '));

// --- word shapes ----------------------------------------------------------------------------

const WORD = "[\\p{L}][\\p{L}\\p{M}'’-]*";
const NOT_WORD_AFTER = '(?![\\p{L}\\p{N}])';
const UPPER_START_RE = /^\p{Lu}/u;
const HAS_UPPER_RE = /\p{Lu}/u;

function keyOf(word: string): string {
  return word.toLowerCase().replace(/’/g, "'").replace(/\.$/, '');
}

/** A lower-case word that reads as ordinary English (so cannot be part of a lower-case street or place). */
function isEnglishWord(key: string): boolean {
  return isStopword(key) || isCommonWord(key) || NAME_STOP_SET.has(key);
}

function endsWithStreetWord(key: string): boolean {
  for (const e of STREET_WORD_ENDINGS) if (key.length > e.length + 2 && key.endsWith(e)) return true;
  return false;
}

// --- street cores -----------------------------------------------------------------------------

const DIRECTIONS = '(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West|Northeast|Northwest|Southeast|Southwest)\\.?';
/** House number: digits (not glued to a word, a decimal or a list), "12-14", "221B", "21/3". */
const HOUSE = '\\d(?<![\\p{L}\\p{N}:./,#-]\\d)\\d{0,5}(?:[A-Za-z](?![\\p{L}]))?(?:[-/]\\d{1,5}[A-Za-z]?)?';
/** A street-name word: any word, an ordinal ("5th"), or an abbreviation with its dot ("St. John"). */
const NAME_WORD = `(?:${WORD}\\.?|\\d{1,3}(?:st|nd|rd|th)|[Cc]/)`;

function alternation(words: readonly string[]): string {
  return [...new Set(words)].sort((a, b) => b.length - a.length).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}

/** English order: house number, optional direction, 1-5 name words, street type (case checked in code). */
const SUFFIX_STREET_RE = new RegExp(
  `${HOUSE}[ \\t]{1,2}(?:${DIRECTIONS}[ \\t]{1,2})?((?:${NAME_WORD}[ \\t]{1,2}){1,5}?)(${alternation(STREET_SUFFIXES)})\\.?${NOT_WORD_AFTER}(?:[ \\t]{1,2}${DIRECTIONS}(?![\\p{L}]))?`,
  'giu',
);

/** A number right after a word on the same line: the end of a "name + number" street ("Hauptstraße 5"). */
const TRAILING_NUMBER_RE = /\d(?<=[\p{L}.][ \t]{1,2}\d)\d{0,4}(?:[a-zA-Z](?![\p{L}]))?(?:-\d{1,4})?(?![\p{L}\p{N}]|[-/.:]\d)/gu;
const HOUSE_BEFORE_RE = /(?:^|[^\p{L}\p{N}:./,#-])((?:\d{1,4}[ \t]{1,2})?\d{1,6}[A-Za-z]?(?:[-/]\d{1,5}[A-Za-z]?)?),?[ \t]{1,2}$/u;

/** Three or more numbers separated only by blanks or dashes. */
const NUMBER_RUN_RE = /(?<![\p{L}\p{N}])\d+(?:[ \t-]{1,2}\d+){2}(?![\p{L}\p{N}])/u;

/** P.O. Box: anchored on the digits, the "PO Box" words are checked behind them. */
const PO_BOX_RE =
  /\d(?<=(?<![\p{L}])(?:[Pp]\.?\s?[Oo]\.?\s?(?:[Bb]ox|BOX)|[Pp]ost [Oo]ffice [Bb]ox|POB)\s{0,2}#?\s{0,2}\d)\d{0,7}(?![\p{L}\p{N}])/gu;
const PO_BOX_PREFIX_RE = /(?:[Pp]\.?\s?[Oo]\.?\s?(?:[Bb]ox|BOX)|[Pp]ost [Oo]ffice [Bb]ox|POB)\s{0,2}#?\s{0,2}$/u;

/** US military post: "APO AE 09012", "FPO AP 96601", "DPO AA 34001". */
const MILITARY_RE = /(?<![\p{L}\p{N}])(?:APO|FPO|DPO)[ \t]{1,2}(?:AA|AE|AP)[ \t]{1,2}\d{5}(?:-\d{4})?(?![\p{L}\p{N}])/giu;
/**
 * What comes before the military line: "Unit 3906 Box 2810", "PSC 1234, Box 567", "CMR 450 Box 3", or a ship
 * ("USS Mason", "USNS Comfort", "USNV …", "USCGC Healy").
 */
const MILITARY_HEAD_RE =
  /(?:(?:Unit|PSC|CMR)[ \t]{1,2}\d{1,5}(?:,?[ \t]{1,2}Box[ \t]{1,2}\d{1,5})?|(?:USS|USNS|USNV|USCGC)[ \t]{1,2}\p{L}[\p{L}\p{M}'’ .-]{1,30})[ \t]*,?[ \t]*(?:\r?\n[ \t]*)?$/iu;

// --- what follows a street ---------------------------------------------------------------------

const UNIT_RE = new RegExp(`(?:(?:${alternation(UNIT_WORDS)})\\.?[ \\t]{0,2}(?:#|no\\.?)?[ \\t]{0,2}|#[ \\t]{0,2})[A-Za-z0-9]{1,6}(?:-[A-Za-z0-9]{1,4})?${NOT_WORD_AFTER}`, 'iuy');
const POSTCODE_RE =
  /(?:\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d|\d{4}(?: ?[A-Z]{2}(?![\p{L}]))?|\d{3} ?\d{2}|\d{2}-\d{3})(?![\p{L}\p{N}])/uy;
const LOWER_POSTCODE_RE = /(?:[a-z]{1,2}\d[a-z\d]? ?\d[a-z]{2}|[a-z]\d[a-z] ?\d[a-z]\d)(?![\p{L}\p{N}])/uy;
const REGION_RE = /\p{Lu}{2,3}(?![\p{L}\p{N}])/uy;
const LOWER_REGION_RE = /\p{Ll}{2}(?![\p{L}\p{N}])/uy;
/** A place word; a dot only after a short abbreviation ("St. Louis", "Mt. Vernon"). */
const PLACE_WORD_RE = new RegExp(`(?:\\p{Lu}[\\p{L}]{0,2}\\.(?= )|${WORD}(?![\\p{L}\\p{M}\\p{N}'’-]))`, 'uy');
/** Between parts on one line: spaces, optionally a comma; a dot only after a house number ("út 81. Suite 5"). */
const SAME_LINE_SEP_RE = /(\.(?=[ \t]))?[ \t]{0,3}(,)?[ \t]{0,3}/y;
/** Between lines: at most one blank line, e-mail quote marks, then an optional leading comma. */
const NEW_LINE_SEP_RE = /[ \t,.]{0,3}(?:\r?\n[ \t>]{0,8}){1,3}(,[ \t]{0,3})?/y;
const MAX_LINES = 4;
/**
 * A whole address line that ends with a postcode ("Haldenstein, xx 37659", "Springfield IL 62704"): starts with a
 * place word, holds only words, spaces and commas, is short, and is followed by the line end or prose.
 */
const POSTCODE_LINE_RE =
  /(?:\p{L}[\p{L}\p{M}'’.-]*)(?:[ \t,]{1,3}[\p{L}][\p{L}\p{M}'’.-]*){0,5},?[ \t]{1,3}(?:\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d)(?![\p{L}\p{N}])/uy;
/** A region code alone on its line after a comma (", BZ", ", on"); the comma is read with the line break. */
const REGION_LINE_RE = /^\p{L}{2,3}(?=[ \t]*$)/u;
/** What may follow an address inside a line it does not fill: punctuation, or prose (a lower-case word). */
const PROSE_AFTER_RE = /^(?:[ \t]*[.?!;:)\]"'”’,]|[ \t]+(?:\p{Ll}|[-–—(]))/u;

type PartKind = 'unit' | 'postcode' | 'region' | 'country' | 'place';

interface Part {
  kind: PartKind;
  end: number;
}

/** Reads one place or country name at `pos` (up to 4 words, particles inside): the longest country match wins. */
function readPlace(text: string, pos: number, lower: boolean): Part | null {
  const words: { start: number; end: number; key: string }[] = [];
  let p = pos;
  while (words.length < COUNTRY_MAX_WORDS) {
    PLACE_WORD_RE.lastIndex = p;
    const m = PLACE_WORD_RE.exec(text);
    if (m === null) break;
    words.push({ start: p, end: p + m[0].length, key: keyOf(m[0]) });
    const after = p + m[0].length;
    if (text[after] !== ' ' || !/[\p{L}]/u.test(text[after + 1] ?? '')) break;
    p = after + 1;
  }
  if (words.length === 0) return null;
  // Country or region names, longest first.
  for (let n = Math.min(words.length, COUNTRY_MAX_WORDS); n >= 1; n--) {
    const last = words[n - 1];
    const first = words[0];
    if (last === undefined || first === undefined) continue;
    const phrase = text.slice(first.start, last.end).toLowerCase().replace(/\s+/g, ' ').replace(/\.$/, '');
    if (!COUNTRY_SET.has(phrase)) continue;
    if (!lower && !UPPER_START_RE.test(text.slice(first.start, first.start + 1))) continue;
    return { kind: 'country', end: last.end };
  }
  // A place: capitalised words (particles inside), or in lower-case text words that are not English.
  let end = -1;
  let count = 0;
  for (let i = 0; i < words.length && count < 4; i++) {
    const w = words[i];
    if (w === undefined) break;
    const raw = text.slice(w.start, w.end);
    const capital = UPPER_START_RE.test(raw);
    const particle = PARTICLES.has(w.key) || (i === 0 && LEADING_PARTICLES.has(w.key));
    if (lower) {
      if (capital || (isEnglishWord(w.key) && !particle) || UNIT_SET.has(w.key)) break;
    } else if (!capital && !particle) break;
    // "Thanks", "The", "Please": ordinary words are not places.
    if (capital && !particle && (isStopword(w.key) || isCommonWord(w.key) || UNIT_SET.has(w.key))) break;
    if (!particle || i === 0) count++;
    if (!particle || (i === 0 && LEADING_PARTICLES.has(w.key))) end = w.end;
  }
  if (end <= pos) return null;
  // A district number after a place at the end of its part ("Praha 1", "Ústí nad Labem 2").
  const district = /^[ \t]\d{1,2}(?=[ \t]*(?:,|\r?\n|$))/.exec(text.slice(end, end + 8));
  return { kind: 'place', end: district === null ? end : end + district[0].length };
}

/** One part of an address at `pos` (no separator before it), or null. */
function readPart(text: string, pos: number, lower: boolean, allowUnit: boolean, afterSeparator: boolean): Part | null {
  if (allowUnit) {
    UNIT_RE.lastIndex = pos;
    const u = UNIT_RE.exec(text);
    if (u !== null && /\d/.test(u[0])) return { kind: 'unit', end: pos + u[0].length };
  }
  POSTCODE_RE.lastIndex = pos;
  const pc = POSTCODE_RE.exec(text);
  if (pc !== null) return { kind: 'postcode', end: pos + pc[0].length };
  if (lower) {
    LOWER_POSTCODE_RE.lastIndex = pos;
    const lp = LOWER_POSTCODE_RE.exec(text);
    if (lp !== null) return { kind: 'postcode', end: pos + lp[0].length };
  }
  const place = readPlace(text, pos, lower);
  if (place !== null && place.kind === 'country') return place;
  // Region codes: "IL", ", SO" (any two or three capitals after a separator), "ky" in lower-case text.
  if (afterSeparator || place === null) {
    const re = lower ? LOWER_REGION_RE : REGION_RE;
    re.lastIndex = pos;
    const rc = re.exec(text);
    if (rc !== null && (!lower || REGION_CODE_SET.has(rc[0]))) {
      if (afterSeparator || REGION_CODE_SET.has(rc[0].toLowerCase())) return { kind: 'region', end: pos + rc[0].length };
    }
  }
  return place;
}

/** Longest continuation line read: an address line is short, and the bound keeps the work per candidate constant. */
const MAX_LINE = 160;

/** End of the line starting at `pos` (before "\r\n" / "\n"), looking at most MAX_LINE characters ahead. */
function lineEndFrom(text: string, pos: number): number {
  const limit = Math.min(text.length, pos + MAX_LINE);
  for (let i = pos; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return limit;
}

interface Tail {
  end: number;
  /** A unit, postcode, region or country was read. */
  strong: boolean;
  /** Continuation lines read. */
  lines: number;
}

/**
 * Extends an address from `pos` (the end of its street) over units, places, regions, postcodes and countries on
 * the same line and on up to MAX_LINES following lines.
 */
function readTail(text: string, pos: number, lower: boolean): Tail {
  let end = pos;
  let strong = false;
  let lines = 0;
  let last: PartKind | 'street' = 'street';
  let unitAllowed = true;
  for (let guard = 0; guard < 12; guard++) {
    // Same line.
    SAME_LINE_SEP_RE.lastIndex = end;
    const sep = SAME_LINE_SEP_RE.exec(text);
    const sepLen = sep === null ? 0 : sep[0].length;
    const comma = sep?.[2] !== undefined;
    const dot = sep?.[1] !== undefined;
    if ((sepLen > 0 || end === pos) && (!dot || /\d/.test(text[end - 1] ?? ''))) {
      const q = end + sepLen;
      const part = q < text.length ? readPart(text, q, lower, unitAllowed, comma) : null;
      if (part !== null && (sepLen > 0 || part.kind === 'postcode')) {
        // Without a comma, a place only follows a unit, a postcode or a place ("Apt 5 Springfield", "10115
        // Berlin"), or precedes a region / postcode / country ("Springfield IL 62704"). After a dot, only a unit
        // or a postcode continues the address.
        let ok = comma || part.kind !== 'place' || last === 'unit' || last === 'postcode' || last === 'place';
        if (ok && dot && !comma) ok = part.kind === 'unit' || part.kind === 'postcode';
        if (!ok && !dot) {
          SAME_LINE_SEP_RE.lastIndex = part.end;
          const s2 = SAME_LINE_SEP_RE.exec(text);
          const q2 = part.end + (s2 === null ? 0 : s2[0].length);
          const next = s2 !== null && s2[0].length > 0 ? readPart(text, q2, lower, false, s2[2] !== undefined) : null;
          ok = next !== null && next.kind !== 'place' && next.kind !== 'unit';
        }
        if (ok && part.end > q) {
          end = part.end;
          if (part.kind !== 'place') strong = true;
          if (part.kind !== 'unit') unitAllowed = false;
          last = part.kind;
          continue;
        }
      }
    }
    // Next line: it must read as address parts up to its end, or up to prose that ends the address.
    if (lines >= MAX_LINES) break;
    NEW_LINE_SEP_RE.lastIndex = end;
    const nl = NEW_LINE_SEP_RE.exec(text);
    if (nl === null) break;
    const lineStart = end + nl[0].length;
    const lineEnd = lineEndFrom(text, lineStart);
    if (lineEnd <= lineStart) break;
    const line = readLine(text, lineStart, lineEnd, lower, unitAllowed, nl[1] !== undefined);
    if (line === null) break;
    end = line.end;
    lines++;
    strong ||= line.strong;
    if (line.kind !== 'unit') unitAllowed = false;
    last = line.kind;
    if (!line.complete) break;
  }
  return { end, strong, lines };
}

interface Line {
  end: number;
  strong: boolean;
  kind: PartKind;
  /** the whole line was read (the address may go on) */
  complete: boolean;
}

/** Reads one continuation line [lineStart, lineEnd) of an address, or null when it is not an address line. */
function readLine(text: string, lineStart: number, lineEnd: number, lower: boolean, unitAllowed: boolean, comma: boolean): Line | null {
  let p = lineStart;
  let kind: PartKind | null = null;
  let strong = false;
  let unit = unitAllowed;
  let complete = false;
  for (let k = 0; k < 6; k++) {
    const part = readPart(text, p, lower, unit, k === 0 || text[p - 1] === ',' || text[p - 2] === ',');
    if (part === null || part.end <= p) break;
    kind = part.kind;
    if (part.kind !== 'place') strong = true;
    if (part.kind !== 'unit') unit = false;
    p = part.end;
    SAME_LINE_SEP_RE.lastIndex = p;
    const s = SAME_LINE_SEP_RE.exec(text);
    const rest = p + (s === null ? 0 : s[0].length);
    if (rest >= lineEnd) {
      complete = true;
      break;
    }
    if (s === null || s[0].length === 0 || s[1] !== undefined) break;
    p = rest;
  }
  if (kind !== null && (complete || PROSE_AFTER_RE.test(text.slice(p, lineEnd)))) return { end: p, strong, kind, complete };
  // A line ending with a postcode ("Haldenstein, xx 37659"); a region alone after a comma (", BZ").
  POSTCODE_LINE_RE.lastIndex = lineStart;
  const pc = POSTCODE_LINE_RE.exec(text);
  if (pc !== null && (lower || UPPER_START_RE.test(pc[0]))) {
    const e = lineStart + pc[0].length;
    const rest = text.slice(e, lineEnd);
    if (rest.trim() === '' || PROSE_AFTER_RE.test(rest)) return { end: e, strong: true, kind: 'postcode', complete: rest.trim() === '' };
  }
  if (comma) {
    const rg = REGION_LINE_RE.exec(text.slice(lineStart, lineEnd));
    if (rg !== null) return { end: lineStart + rg[0].length, strong: true, kind: 'region', complete: true };
  }
  return null;
}

// --- context ----------------------------------------------------------------------------------

const ADDRESS_KEYWORDS = [
  'address', 'addresses', 'addr', 'home address', 'street address', 'mailing address', 'billing address',
  'shipping address', 'postal address', 'delivery address', 'live at', 'lives at', 'lived at', 'living at',
  'located at', 'location', 'reside at', 'resides at', 'residing at', 'ship to', 'shipped to', 'deliver to',
  'delivered to', 'send it to', 'send to', 'sent to', 'mail to', 'mailed to', 'moved to', 'move to', 'visit us at',
  'find us at', 'based at', 'stay at', 'staying at', 'return to', 'returned to', 'arrived at', 'meet me at',
  'meet at', 'office is at', 'is located at', 'live in', 'lives in', 'lived in', 'living in', 'headquarters',
  'hq', 'residence', 'domicile', 'ship it to', 'forward to', 'forwarded to', 'send a new one to', 'change my address to',
];
const ADDRESS_KEYWORD_SET: ReadonlySet<string> = new Set(ADDRESS_KEYWORDS.map(normalizePhrase));

/** A postal code announced by its keyword ("ZIP: 90210", "postcode SW1A 1AA") is address data. */
const POSTAL_KEYWORDS = ['zip', 'zip code', 'zipcode', 'postal code', 'postcode', 'post code', 'code postal'];
const POSTAL_KEYWORD_SET: ReadonlySet<string> = new Set(POSTAL_KEYWORDS.map(normalizePhrase));
const POSTAL_FOLLOW_RE =
  /\s{0,3}(?:is\s{1,2}|[:#=-]\s{0,3})?(\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d|\d{4})(?![A-Za-z0-9])/y;

/** Romance street words used as keywords: "12 rue de la Paix" (the number comes before). */
const ROMANCE_KEYWORDS = STREET_PREFIXES.filter((p) => p.length >= 3);
const ROMANCE_SET: ReadonlySet<string> = new Set(ROMANCE_KEYWORDS);
const ROMANCE_FOLLOW_RE = new RegExp(
  `\\.?[ \\t]{1,2}(?:(?:${[...PARTICLES].join('|')})[ \\t]{1,2}){0,2}\\p{Lu}[\\p{L}\\p{M}'’-]*(?:[ \\t](?:(?:${[...PARTICLES].join('|')})[ \\t]){0,2}\\p{Lu}[\\p{L}\\p{M}'’-]*){0,3}`,
  'uy',
);
const NUMBER_BEFORE_RE = /(?:^|[^\p{L}\p{N}])(\d{1,5}[a-z]?,?[ \t]{1,2})$/u;

/** An intersection after "corner of": two streets joined by "and", the second with its street type. */
const CORNER_FOLLOW_RE = new RegExp(
  `[ \\t]{1,2}(?:[\\p{L}\\p{N}][\\p{L}\\p{M}\\p{N}'’./-]*[ \\t]{1,2}){1,6}?(?:and|&)[ \\t]{1,2}(?:[\\p{L}\\p{N}][\\p{L}\\p{M}\\p{N}'’./-]*[ \\t]{1,2}){0,4}?(?:${alternation(STREET_SUFFIXES)})\\.?${NOT_WORD_AFTER}`,
  'iuy',
);
const THE_BEFORE_RE = /(?:^|[^\p{L}])(the[ \t]{1,2})$/iu;

/** Street types that may follow a street name given without a number ("on Baker Street"). */
const UNNUMBERED_SET: ReadonlySet<string> = new Set(UNNUMBERED_STREET_SUFFIXES);
const UNNUMBERED_BEFORE_RE =
  /(?:^|[^\p{L}])(?:on|in|at|along|off|near|down|onto|into|via|from)[ \t]{1,2}((?:\p{Lu}[\p{L}\p{M}'’-]*\.?[ \t]){1,3})$/u;

/** Filler between an address keyword and the address: "address: ", "lives at ", "address is\n". */
const KEYWORD_GAP_RE = /^[\s:=,-]{0,4}(?:(?:is|was|will be|of|with|to|at|in|here they are|as follows)[\s:,-]{1,4}){0,2}$/i;

const ADDRESS_CONTEXT = contextScorer({ positive: ADDRESS_KEYWORDS, before: 48 }, 0.1);

/** Does an address keyword end right before `start` (only filler between)? `hits` are sorted by start. */
function keywordBefore(text: string, hits: readonly KeywordHit[], start: number): boolean {
  let lo = 0;
  let hi = hits.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((hits[mid]?.end ?? 0) <= start) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo - 1; i >= 0 && i >= lo - 3; i--) {
    const h = hits[i];
    if (h === undefined || start - h.end > 32) break;
    if (!ADDRESS_KEYWORD_SET.has(h.phrase)) continue;
    if (KEYWORD_GAP_RE.test(text.slice(h.end, start))) return true;
  }
  return false;
}

/** Is `pos` the first word of its line (after blanks, e-mail quote marks or a bullet)? */
function atLineStart(text: string, pos: number): boolean {
  let i = pos - 1;
  while (i >= 0 && pos - i < 12 && ' \t>•*·-'.includes(text[i] ?? '')) i--;
  return i < 0 || text[i] === '\n' || text[i] === '\r';
}

interface StreetWords {
  start: number;
  /** any word typed as a street ("rue", "utca", "…straße") */
  typed: boolean;
  /** the street words are lower case */
  lower: boolean;
  /** number of words that are not particles or street types */
  names: number;
}

/** Months and weekdays: "5 February 2020" is a date. */
const CALENDAR_WORDS: ReadonlySet<string> = new Set(
  'january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday'.split(' '),
);

/** English inflected forms ("rendering", "wearing", "played"): not street names in lower-case text. */
const ENGLISH_FORM_RE = /(?:ing|ed|ly)$/;

/** May `raw` (key `key`) be a word of a street name? Lower-case words only when they are not English. */
function streetWordOk(raw: string, key: string, lowerText: boolean): boolean {
  if (CALENDAR_WORDS.has(key)) return false;
  const typed = PREFIX_SET.has(key) || TRAILING_SET.has(key) || (endsWithStreetWord(key) && !ENGLISH_FORM_RE.test(key));
  if (typed || PARTICLES.has(key)) return true;
  if (/^\d/.test(raw)) return /^\d{1,3}(?:st|nd|rd|th)$/i.test(raw);
  if (UPPER_START_RE.test(raw)) return lowerText ? false : !isStopword(key) && !UNIT_SET.has(key);
  return key.length >= 3 && !isEnglishWord(key) && !UNIT_SET.has(key) && !ENGLISH_FORM_RE.test(key);
}

/** A year rather than a house number: "in 2012 National…", "since 1961 World Series". */
function yearBefore(text: string, houseStart: number, house: string): boolean {
  if (!/^(?:1[89]|20)\d\d$/.test(house)) return false;
  return /(?:^|[^\p{L}])(?:in|since|of|from|by|until|till|during|before|after|around|circa|for|and|the|year|class|season|summer|winter|spring|fall|autumn)[ \t]{1,2}$/iu.test(
    text.slice(Math.max(0, houseStart - 12), houseStart),
  );
}

/**
 * Street-name words read from `words` (in text order) keeping the longest run that ends with the last one and
 * starts with a capitalised word (or a street word); in lower-case text, the run of non-English words.
 */
function streetRun(words: readonly { start: number; raw: string }[], lowerText: boolean): StreetWords | null {
  let from = words.length;
  for (let i = words.length - 1; i >= 0; i--) {
    const w = words[i];
    if (w === undefined || !streetWordOk(w.raw, keyOf(w.raw), lowerText)) break;
    from = i;
  }
  // The name starts at a capitalised word or a street word: "der Hauptstraße" → "Hauptstraße", "José matía" stays.
  while (from < words.length) {
    const w = words[from];
    if (w === undefined) break;
    const key = keyOf(w.raw);
    if (PREFIX_SET.has(key) || (lowerText ? !PARTICLES.has(key) : UPPER_START_RE.test(w.raw))) break;
    from++;
  }
  const kept = words.slice(from);
  if (kept.length === 0) return null;
  let typed = false;
  let names = 0;
  for (const w of kept) {
    const key = keyOf(w.raw);
    const streetWord = PREFIX_SET.has(key) || TRAILING_SET.has(key);
    if (streetWord || (endsWithStreetWord(key) && !ENGLISH_FORM_RE.test(key))) typed = true;
    if (!streetWord && !PARTICLES.has(key)) names++;
  }
  return { start: kept[0]?.start ?? 0, typed, lower: lowerText, names };
}

const LETTER_RE = /[\p{L}\p{M}]/u;

/** Letters (any script) and combining marks. */
function isLetterAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return LETTER_RE.test(text[i] ?? '');
}

/**
 * Up to 5 street-name words on the same line before `pos`, in text order: words ("O'Neil", "Saint-Denis"), an
 * abbreviation with its dot ("ul."), an ordinal ("5th") or "C/", one or two spaces apart. A backward scan, so the
 * cost is the length of the words read.
 */
function wordsBefore(text: string, pos: number): { start: number; raw: string }[] {
  const words: { start: number; raw: string }[] = [];
  let p = pos;
  for (let k = 0; k < 5; k++) {
    // One or two spaces or tabs.
    let g = p;
    while (g > 0 && p - g < 2 && (text[g - 1] === ' ' || text[g - 1] === '\t')) g--;
    if (g === p) break;
    const e = g;
    let s = e;
    if (text[s - 1] === '.' || text[s - 1] === '/') s--;
    const wordEnd = s;
    while (s > 0 && e - s < 40) {
      const c = text[s - 1] ?? '';
      if (isLetterAt(text, s - 1) || ((c === "'" || c === '’' || c === '-') && s - 1 > 0 && isLetterAt(text, s - 2))) s--;
      else break;
    }
    // Ordinals ("5th") and "C/".
    if (s === wordEnd) break;
    while (s > 0 && /\d/.test(text[s - 1] ?? '') && e - s < 8) s--;
    if (s > 0 && /[\p{L}\p{N}]/u.test(text[s - 1] ?? '')) break;
    const raw = text.slice(s, e);
    if (/^\d/.test(raw) && !/^\d{1,3}(?:st|nd|rd|th)$/i.test(raw)) break;
    if (raw.endsWith('/') && !/^[Cc]\/$/.test(raw)) break;
    words.unshift({ start: s, raw });
    p = s;
  }
  return words;
}

/** A house number (and a flat number before it) ending right before `pos`, or -1. */
function houseStartBefore(text: string, pos: number): number {
  const windowStart = Math.max(0, pos - 16);
  const m = HOUSE_BEFORE_RE.exec(text.slice(windowStart, pos));
  return m?.[1] === undefined ? -1 : windowStart + m.index + m[0].indexOf(m[1]);
}

/** House number then name words without a street type: "262 Pavlou Drandaki", "95 Dora Creek". */
const HOUSE_WORDS_RE = new RegExp(`${HOUSE}[ \\t]{1,2}((?:${NAME_WORD}[ \\t]{1,2}){0,3}${NAME_WORD})${NOT_WORD_AFTER}`, 'gu');

/** Score of an address from its street evidence and what was read after it. */
function scored(base: number, tail: Tail): number {
  return base + (tail.strong ? 0.05 : 0) + (tail.lines > 0 ? 0.05 : 0);
}

export const address: Detector = {
  type: 'ADDRESS',
  threshold: 0.5,
  keywords: [...ADDRESS_KEYWORDS, ...POSTAL_KEYWORDS, ...ROMANCE_KEYWORDS, ...UNNUMBERED_STREET_SUFFIXES, 'corner of'],
  detect(input: ScanInput, out: PiiFinding[]): void {
    const text = input.text;
    const hits = input.hits(address);
    const push = (start: number, end: number, score: number): void => {
      // Three numbers in a row ("vbv 4000 0000 0000 0002") are a card, account or phone number, not an address.
      if (NUMBER_RUN_RE.test(text.slice(start, end))) return;
      out.push({ type: 'ADDRESS', start, end, score: clampScore(ADDRESS_CONTEXT.score(score, text, start, end)) });
    };
    /** A leading second number ("21 3314 Harley Lane": flat 21) belongs to the address. */
    const withLeadingNumber = (start: number): number => {
      const m = /(?:^|[^\p{L}\p{N}:./,#-])(\d{1,4}[ \t]{1,2})$/u.exec(text.slice(Math.max(0, start - 8), start));
      return m?.[1] !== undefined ? start - m[1].length : start;
    };

    // 1. English order: "221B Baker Street".
    forEachMatch(SUFFIX_STREET_RE, text, (m) => {
      const nameWords = (m[1] ?? '').trim().split(/[ \t]+/);
      const suffix = m[2] ?? '';
      const firstKey = keyOf(nameWords[0] ?? '');
      // "88 and Whittaker Street": the name cannot start with a connective.
      if (PARTICLES.has(firstKey) && !LEADING_PARTICLES.has(firstKey)) return;
      const titled =
        UPPER_START_RE.test(suffix) && nameWords.every((w) => UPPER_START_RE.test(w) || /^\d/.test(w) || PARTICLES.has(keyOf(w)));
      if (yearBefore(text, m.index, /^\d+/.exec(m[0])?.[0] ?? '')) return;
      let start = withLeadingNumber(m.index);
      const streetEnd = m.index + m[0].length;
      let keyword = keywordBefore(text, hits, start);
      if (!keyword) {
        // "sent to Västra Husby 26 Veitonen Street": a district or building name between the context and the number.
        const before = wordsBefore(text, start);
        const run = streetRun(before, before.every((w) => !HAS_UPPER_RE.test(w.raw)));
        if (run !== null && run.names > 0 && keywordBefore(text, hits, run.start)) {
          start = run.start;
          keyword = true;
        }
      }
      let base: number;
      if (titled) {
        if (nameWords.every((w) => PARTICLES.has(keyOf(w)))) return;
        // "2 Google Drive", "3 Hard Drive", "the Supreme Court": a street type that is also an ordinary word, after
        // ordinary words or brand names, needs address context.
        const ordinary = nameWords.every((w) => PARTICLES.has(keyOf(w)) || isEnglishWord(keyOf(w)));
        if (ordinary && !UNNUMBERED_SET.has(keyOf(suffix)) && !keyword) return;
        base = 0.85;
      } else {
        // Lower case: words that are not English, or after address context any words but function words.
        const lowerOk =
          !HAS_UPPER_RE.test(m[0]) &&
          nameWords.every((w) => /^\d/.test(w) || (keyword ? !isStopword(keyOf(w)) : !isEnglishWord(keyOf(w))));
        if (!lowerOk) return;
        base = keyword || atLineStart(text, start) ? 0.85 : 0.6;
      }
      const tail = readTail(text, streetEnd, !titled);
      // A lower-case street in running text needs context, or a unit / postcode / more address lines after it.
      if (!titled && !keyword && !tail.strong && tail.lines === 0) return;
      push(start, tail.end, scored(keyword ? Math.max(base, 0.85) : base, tail));
    });

    // 2. Name + number: "Hauptstraße 5", "07 Rua Forno 76", "Váci utca 12", "árpád fejedelem útja 45".
    forEachMatch(TRAILING_NUMBER_RE, text, (m) => {
      const numStart = m.index;
      const before = wordsBefore(text, numStart);
      const lowerText = before.length > 0 && before.every((w) => !HAS_UPPER_RE.test(w.raw));
      const words = streetRun(before, lowerText);
      if (words === null || words.names === 0) return;
      let house = houseStartBefore(text, words.start);
      if (house >= 0 && yearBefore(text, house, /^\d+/.exec(text.slice(house, house + 6))?.[0] ?? '')) house = -1;
      const start = house >= 0 ? house : words.start;
      const keyword = keywordBefore(text, hits, start);
      const tail = readTail(text, numStart + m[0].length, words.lower);
      let base = 0;
      if (keyword) base = 0.85;
      else if (words.typed) base = words.lower && house < 0 ? 0.7 : 0.85;
      else if (house >= 0 && tail.strong) base = 0.8;
      else if (house >= 0 && atLineStart(text, start) && tail.lines > 0) base = 0.75;
      // "59 Metsanurga 48, Vadsa": numbers on both sides of a capitalised name, then a place.
      else if (house >= 0 && !words.lower && tail.end > numStart + m[0].length) base = 0.7;
      if (base === 0) return;
      push(start, tail.end, scored(base, tail));
    });

    // 3. House number + name words, no street type: only with address context or a unit / several lines after.
    forEachMatch(HOUSE_WORDS_RE, text, (m) => {
      const all = (m[1] ?? '').split(/[ \t]+/);
      // The street name stops at a unit word ("95 Dora Creek Apt. 604": the tail reads the unit).
      const unitAt = all.findIndex((w) => UNIT_SET.has(keyOf(w)));
      const raw = unitAt < 0 ? all : all.slice(0, unitAt);
      if (raw.length === 0) return;
      let pos = m.index + m[0].length - (m[1] ?? '').length;
      const words = raw.map((w) => {
        const r = { start: pos, raw: w };
        pos = text.indexOf(w, pos) + w.length;
        pos += /^[ \t]+/.exec(text.slice(pos, pos + 3))?.[0].length ?? 0;
        return r;
      });
      const lastWord = words[words.length - 1];
      const lowerText = raw.every((w) => !HAS_UPPER_RE.test(w));
      // The words must read as a street name from the first one on.
      for (const w of words) if (!streetWordOk(w.raw, keyOf(w.raw), lowerText)) return;
      const first = words[0];
      if (first === undefined || (!lowerText && !UPPER_START_RE.test(first.raw) && !PREFIX_SET.has(keyOf(first.raw)))) return;
      if (yearBefore(text, m.index, /^\d+/.exec(m[0])?.[0] ?? '')) return;
      const start = withLeadingNumber(m.index);
      const streetEnd = lastWord === undefined ? m.index + m[0].length : lastWord.start + lastWord.raw.length;
      const tail = readTail(text, streetEnd, lowerText);
      const keyword = keywordBefore(text, hits, start);
      let base = 0;
      if (keyword && (tail.strong || tail.lines > 0 || words.length >= 2)) base = 0.8;
      else if (lowerText) base = 0;
      else if (tail.strong && (tail.lines > 0 || /^[ \t,]*(?:#|\p{L}{2,10}\.?[ \t]{0,2}#?[ \t]{0,2}\d)/u.test(text.slice(streetEnd, streetEnd + 16)))) {
        // A unit right after the street, or an address block over several lines.
        base = 0.75;
      }
      if (base === 0) return;
      push(start, tail.end, scored(base, tail));
    });

    // 4. P.O. boxes.
    forEachMatch(PO_BOX_RE, text, (m) => {
      const prefix = PO_BOX_PREFIX_RE.exec(text.slice(Math.max(0, m.index - 24), m.index));
      if (prefix === null) return;
      const start = withLeadingNumber(m.index - prefix[0].length);
      const tail = readTail(text, m.index + m[0].length, !HAS_UPPER_RE.test(prefix[0]));
      push(start, tail.end, scored(0.85, tail));
    });

    // 5. US military addresses: the "Unit … Box …" / "PSC …" / "USS …" line before "APO AE 09012".
    forEachMatch(MILITARY_RE, text, (m) => {
      const head = MILITARY_HEAD_RE.exec(text.slice(Math.max(0, m.index - 64), m.index));
      const start = head === null ? m.index : m.index - head[0].length;
      push(start, m.index + m[0].length, head === null ? 0.75 : 0.9);
    });

    for (const hit of hits) {
      if (POSTAL_KEYWORD_SET.has(hit.phrase)) {
        // 6. "ZIP code: 90210".
        POSTAL_FOLLOW_RE.lastIndex = hit.end;
        const m = POSTAL_FOLLOW_RE.exec(text);
        const code = m?.[1];
        if (m === null || code === undefined) continue;
        const end = m.index + m[0].length;
        out.push({ type: 'ADDRESS', start: end - code.length, end, score: 0.7 });
      } else if (ROMANCE_SET.has(hit.phrase)) {
        // 7. "12 rue de la Paix": a number before a Romance street word, capitalised name words after it.
        ROMANCE_FOLLOW_RE.lastIndex = hit.end;
        const m = ROMANCE_FOLLOW_RE.exec(text);
        if (m === null) continue;
        const numberBefore = NUMBER_BEFORE_RE.exec(text.slice(Math.max(0, hit.start - 10), hit.start));
        if (numberBefore?.[1] === undefined) continue;
        const start = withLeadingNumber(hit.start - numberBefore[1].length);
        // The name stops before a unit word ("rue Victor Hugo Apt. 5": the tail reads the unit).
        const unit = /[ \t](?:apt|apartment|suite|ste|unit|flat|bldg|app|appt)\b/i.exec(m[0]);
        const tail = readTail(text, m.index + (unit === null ? m[0].length : unit.index), false);
        push(start, tail.end, scored(0.8, tail));
      } else if (hit.phrase === 'corner of') {
        // 9. "the corner of Auenweg 85 and Kesä Street": an intersection.
        CORNER_FOLLOW_RE.lastIndex = hit.end;
        const m = CORNER_FOLLOW_RE.exec(text);
        if (m === null) continue;
        const the = THE_BEFORE_RE.exec(text.slice(Math.max(0, hit.start - 6), hit.start));
        // A dot after a full street type ends the sentence; after "St" / "Rd" it abbreviates.
        const end = m.index + m[0].length - (/[\p{L}]{5}\.$/u.test(m[0]) ? 1 : 0);
        push(hit.start - (the?.[1]?.length ?? 0), end, 0.85);
      } else if (UNNUMBERED_SET.has(hit.phrase)) {
        // 8. "on Baker Street": a capitalised street type after capitalised name words and a preposition.
        if (!UPPER_START_RE.test(text.slice(hit.start, hit.start + 1))) continue;
        const m = UNNUMBERED_BEFORE_RE.exec(text.slice(Math.max(0, hit.start - 48), hit.start));
        const names = m?.[1];
        if (m === null || names === undefined) continue;
        const nameWords = names.trim().split(/[ \t]+/).map(keyOf);
        if (nameWords.every((w) => NAME_STOP_SET.has(w)) || nameWords.some((w) => SUFFIX_SET.has(w))) continue;
        let end = hit.end;
        if (text[end] === '.' && /^(?:st|rd|ave|blvd)$/.test(hit.phrase)) end++;
        push(hit.start - names.length, end, 0.6);
      }
    }
  },
};
