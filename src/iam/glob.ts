/**
 * IAM wildcard matching: `*` matches any run of characters (including none), `?` exactly one character.
 * No RegExp: the classic greedy matcher that only backtracks to the most recent `*`. It never recurses and
 * runs in O(|pattern| · |text|) worst case (O(|text|) for patterns with at most one `*`), with no
 * exponential blow-up whatever the input.
 */
export function globMatch(pattern: string, text: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const t = ignoreCase ? text.toLowerCase() : text;
  let pi = 0;
  let ti = 0;
  let starP = -1; // index of the last `*` seen in the pattern
  let starT = 0; // text position that `*` is currently assumed to extend to
  while (ti < t.length) {
    const pc = p.charCodeAt(pi);
    if (pi < p.length && pc !== 42 /* * */ && (pc === 63 /* ? */ || pc === t.charCodeAt(ti))) {
      pi++;
      ti++;
    } else if (pi < p.length && pc === 42) {
      starP = pi;
      starT = ti;
      pi++;
    } else if (starP >= 0) {
      // let the last `*` swallow one more character and retry
      starT++;
      ti = starT;
      pi = starP + 1;
    } else {
      return false;
    }
  }
  while (pi < p.length && p.charCodeAt(pi) === 42) pi++;
  return pi === p.length;
}
