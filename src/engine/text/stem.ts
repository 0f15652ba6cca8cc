/**
 * A small, deterministic English suffix stripper (Porter-flavoured, much lighter).
 *
 * Goal: map inflections and common derivations of a word to one key, e.g.
 * stocks/stock, investing/invested/investment/invest, trading/traded/trade/trader, voting/vote,
 * cryptocurrencies/cryptocurrency, applied/applies/apply, refundable/refund, quickly/quick.
 * Stems are not words ("trad", "cryptocurrenci"); only equality of stems matters. Both sides of any
 * comparison must use this same function. Input is expected in lowercase; tokens containing digits,
 * and words of three letters or fewer, are returned unchanged.
 */

function isVowel(c: number): boolean {
  return c === 97 || c === 101 || c === 105 || c === 111 || c === 117; // a e i o u
}

function hasVowel(w: string, upto: number): boolean {
  for (let i = 0; i < upto; i++) {
    const c = w.charCodeAt(i);
    if (isVowel(c) || (c === 121 && i > 0)) return true;
  }
  return false;
}

/** Undouble a final double consonant left by -ed/-ing ("stopp" → "stop"), keeping ll/ss/zz. */
function undouble(w: string): string {
  const n = w.length;
  if (n < 3) return w;
  const a = w.charCodeAt(n - 1);
  if (a !== w.charCodeAt(n - 2) || isVowel(a)) return w;
  if (a === 108 || a === 115 || a === 122) return w; // l s z
  return w.slice(0, n - 1);
}

function isAsciiLower(w: string): boolean {
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c < 97 || c > 122) return false;
  }
  return true;
}

/** Stem one lowercase word. */
export function stem(word: string): string {
  let w = word;
  // possessives and trailing apostrophes
  if (w.endsWith("'s") || w.endsWith('’s')) w = w.slice(0, -2);
  if (w.length <= 3 || !isAsciiLower(w)) return w;

  // 1. plurals / 3rd person singular
  if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('ies')) {
    if (w.length > 4) w = w.slice(0, -2); // studies → studi
  } else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) {
    w = w.slice(0, -1); // stocks → stock, taxes → taxe (→ tax below), prices → price
  }

  // 2. -ed / -ing, then restore the e that "at"/"bl"/"iz" stems lost (allocated → allocate)
  let stripped = false;
  if (w.endsWith('ied') && w.length > 4) w = w.slice(0, -3) + 'i';
  else if (w.endsWith('eed')) {
    if (w.length > 4) w = w.slice(0, -1);
  } else if (w.endsWith('ed') && w.length - 2 >= 3 && hasVowel(w, w.length - 2)) {
    w = undouble(w.slice(0, -2));
    stripped = true;
  } else if (w.endsWith('ing') && w.length - 3 >= 3 && hasVowel(w, w.length - 3)) {
    w = undouble(w.slice(0, -3));
    stripped = true;
  }
  if (stripped && (w.endsWith('at') || w.endsWith('bl') || w.endsWith('iz'))) w += 'e';

  // 3. adverbs (quickly → quick, legally → legal), then terminal y after a consonant → i
  //    (study / studies / studied all reach "studi")
  if (w.endsWith('ly') && w.length - 2 >= 5) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('y') && !isVowel(w.charCodeAt(w.length - 2))) w = w.slice(0, -1) + 'i';

  // 4. a few derivational suffixes, guarded by the length of what remains
  if (w.endsWith('ation') && w.length - 5 >= 4) w = w.slice(0, -5);
  else if (w.endsWith('ment') && w.length - 4 >= 4) w = w.slice(0, -4);
  else if (w.endsWith('ness') && w.length - 4 >= 3) w = w.slice(0, -4);
  else if ((w.endsWith('able') || w.endsWith('ible')) && w.length - 4 >= 4) w = w.slice(0, -4);
  else if (w.endsWith('ate') && w.length - 3 >= 4) w = w.slice(0, -3);
  else if (w.endsWith('er') && w.length - 2 >= 3 && hasVowel(w, w.length - 2)) w = w.slice(0, -2);

  // 5. final e (trade / trading → "trad"; vote / voting → "vot")
  if (w.length >= 4 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

function isVowelChar(ch: string | undefined): boolean {
  return ch === 'a' || ch === 'e' || ch === 'i' || ch === 'o' || ch === 'u';
}

/**
 * Regular inflections of a lowercase base word: plural/3rd person, -ed and -ing, with e-drop, y→i and
 * final consonant doubling (stop → stops, stopped, stopping). Used to expand word lists into exact
 * surface forms, which keeps unrelated words apart better than stem equality does ("broker" does not
 * produce "broke"). Words that are not 3+ ASCII letters give nothing.
 */
export function inflections(w: string): string[] {
  if (!/^[a-z]{3,}$/.test(w)) return [];
  const out: string[] = [];
  const last = w[w.length - 1];
  const prev = w[w.length - 2];
  const consonantY = last === 'y' && !isVowelChar(prev);
  if (consonantY) out.push(`${w.slice(0, -1)}ies`, `${w.slice(0, -1)}ied`, `${w}ing`);
  else if (/(s|x|z|ch|sh)$/.test(w)) out.push(`${w}es`, `${w}ed`, `${w}ing`);
  else if (last === 'e') out.push(`${w}s`, `${w}d`, w.endsWith('ee') ? `${w}ing` : `${w.slice(0, -1)}ing`);
  else {
    out.push(`${w}s`, `${w}ed`, `${w}ing`);
    // stop → stopped/stopping (short consonant-vowel-consonant endings)
    const before = w[w.length - 3];
    if (last !== undefined && !isVowelChar(last) && !'wxy'.includes(last) && isVowelChar(prev) && !isVowelChar(before))
      out.push(`${w}${last}ed`, `${w}${last}ing`);
  }
  return out;
}
