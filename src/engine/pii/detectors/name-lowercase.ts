/**
 * Personal names in lines typed without capitals ("follow up with jessica kadyrov in 2 months"),
 * where capitalisation gives no evidence: a known given name that is not an ordinary word, with the
 * word after it when that reads as a surname (a known surname, or a word that is not English).
 *
 * Only lines with no upper-case letter are read; in normally written text, lower-case words are not
 * names. Linear: one pass over each such line.
 */
import { isCommonWord, isStopword } from '../../text/english.ts';

export interface NameLexicons {
  readonly first: ReadonlySet<string>;
  readonly surname: ReadonlySet<string>;
  /** Given names that are also common words or places or months: not taken alone in lower case. */
  readonly ambiguous: (key: string) => boolean;
  readonly stop: ReadonlySet<string>;
  readonly normalize: (word: string) => string;
  /** Is this two-word phrase a place name ("el salvador")? */
  readonly placePhrase: (phrase: string) => boolean;
}

const LOWER_WORD_RE = /[a-zß-öø-ÿ\u0100-\u024f][a-zß-öø-ÿ\u0100-\u024f\u0300-\u036f'’-]*/g;
const HAS_UPPER_RE = /[A-ZÀ-ÖØ-Þ]/;
/** Endings of English inflected forms and adverbs: such a word after a given name is not its surname. */
const ENGLISH_FORM_RE = /(?:ed|ing|ly|s|'s|’s)$/;
const SUFFIXES: ReadonlySet<string> = new Set(['jr', 'sr', 'phd', 'md', 'dds', 'dvm', 'ii', 'iii']);
const ARTICLES: ReadonlySet<string> = new Set(['the', 'a', 'an', 'san', 'santa', 'saint', 'st']);

interface Word {
  start: number;
  end: number;
  key: string;
}

function isEnglish(key: string, lex: NameLexicons): boolean {
  return isStopword(key) || isCommonWord(key) || lex.stop.has(key);
}

/** Can `w` be the surname after a given name? */
function surnameLike(w: Word, lex: NameLexicons): boolean {
  if (lex.surname.has(w.key)) return !isStopword(w.key);
  if (w.key.length < 3 || isEnglish(w.key, lex) || lex.first.has(w.key)) return false;
  return !ENGLISH_FORM_RE.test(w.key);
}

export function detectLowercaseNames(
  text: string,
  lex: NameLexicons,
  push: (start: number, end: number, score: number) => void,
): void {
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd);
    if (line.length >= 3 && !HAS_UPPER_RE.test(line) && line === line.toLowerCase()) scanLine(line, lineStart, lex, push);
    lineStart = lineEnd + 1;
  }
}

function scanLine(line: string, offset: number, lex: NameLexicons, push: (start: number, end: number, score: number) => void): void {
  const words: Word[] = [];
  LOWER_WORD_RE.lastIndex = 0;
  for (let m = LOWER_WORD_RE.exec(line); m !== null; m = LOWER_WORD_RE.exec(line)) {
    // A possessive is not part of the name ("ashley spencer's tales").
    const possessive = /['’]s$/.test(m[0]) ? 2 : 0;
    words.push({ start: m.index, end: m.index + m[0].length - possessive, key: lex.normalize(m[0].slice(0, m[0].length - possessive)) });
  }
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === undefined) break;
    if (!lex.first.has(w.key) || w.key.length < 3 || lex.ambiguous(w.key) || isEnglish(w.key, lex)) continue;
    // Handles and addresses ("@john", "john@…", "john.smith") are not running text.
    const before = line[w.start - 1] ?? ' ';
    if (before === '@' || before === '#' || before === '.' || line[w.end] === '@' || line[w.end] === '_') continue;
    const prev = words[i - 1];
    if (prev !== undefined && ARTICLES.has(prev.key) && w.start - prev.end <= 2) continue;
    // "el salvador", "costa rica": part of a place name.
    const next0 = words[i + 1];
    if ((prev !== undefined && lex.placePhrase(`${prev.key} ${w.key}`)) || (next0 !== undefined && lex.placePhrase(`${w.key} ${next0.key}`))) continue;
    let end = w.end;
    let score = 0.6;
    let k = i + 1;
    const next = words[k];
    if (next !== undefined && line.slice(w.end, next.start) === ' ' && surnameLike(next, lex)) {
      end = next.end;
      score = lex.surname.has(next.key) ? 0.8 : 0.7;
      k++;
    }
    const suffix = words[k];
    if (suffix !== undefined && end > w.end && line.slice(end, suffix.start) === ' ' && SUFFIXES.has(suffix.key)) end = suffix.end;
    push(offset + w.start, offset + end, score);
    while (i + 1 < words.length && (words[i + 1]?.start ?? 0) < end) i++;
  }
}
