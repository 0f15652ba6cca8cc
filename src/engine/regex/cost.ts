/**
 * A static cost bound for customer regexes. RE2 is linear in the text, but the constant grows with the
 * size of the compiled program, and nested *variable* counted repetitions such as `(\w{1,30}){1,10}`
 * overflow RE2's DFA cache and fall back to a slow simulation (seconds per MB). Patterns over these
 * bounds are refused at CreateGuardrail/UpdateGuardrail with a message that says why.
 */

/** Upper bound on the expanded program size (atoms after repetition). */
export const MAX_PROGRAM_WEIGHT = 2000;
/** Upper bound on (outer repetition bound × inner variable repetition bound). */
export const MAX_NESTED_REPETITION = 100;
/** `*` and `+` inside a counted group count as this bound for the nesting rule. */
const UNBOUNDED_INNER = 10;

interface Frame {
  weight: number;
  lastAtom: number;
  /** Largest variable repetition bound seen inside this group (1 = none). */
  innerVariable: number;
  lastInnerVariable: number;
}

export interface RegexCost {
  weight: number;
  nested: number;
}

const COUNTED = /^\{(\d{1,6})(,(\d{0,6}))?\}/;

export function regexCost(pattern: string): RegexCost {
  const stack: Frame[] = [{ weight: 0, lastAtom: 0, innerVariable: 1, lastInnerVariable: 1 }];
  let nested = 1;
  const top = (): Frame => stack[stack.length - 1] as Frame;
  const atom = (w: number, innerVariable = 1) => {
    const f = top();
    f.weight += w;
    f.lastAtom = w;
    f.lastInnerVariable = innerVariable;
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      atom(1);
    } else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      i = j;
      atom(1);
    } else if (c === '(') {
      stack.push({ weight: 0, lastAtom: 0, innerVariable: 1, lastInnerVariable: 1 });
      if (pattern[i + 1] === '?') {
        // (?:…), (?i), (?P<name>…): skip the group's flags/name.
        const close = pattern.indexOf(':', i);
        const paren = pattern.indexOf(')', i);
        if (close > 0 && (paren < 0 || close < paren)) i = close;
      }
    } else if (c === ')') {
      if (stack.length === 1) continue;
      const f = stack.pop() as Frame;
      atom(Math.max(1, f.weight), f.innerVariable);
    } else if (c === '*' || c === '+' || c === '?') {
      const f = top();
      if (c !== '?') {
        nested = Math.max(nested, f.lastInnerVariable > 1 ? f.lastInnerVariable * UNBOUNDED_INNER : 1);
        f.innerVariable = Math.max(f.innerVariable, UNBOUNDED_INNER);
      }
      if (pattern[i + 1] === '?') i++; // lazy
    } else if (c === '{') {
      const m = COUNTED.exec(pattern.slice(i));
      if (!m) {
        atom(1);
        continue;
      }
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] ? Number(m[3]) : min + 1;
      const f = top();
      f.weight += f.lastAtom * (Math.max(min, max) - 1);
      f.lastAtom *= Math.max(min, max);
      if (max > min || f.lastInnerVariable > 1) {
        if (f.lastInnerVariable > 1) nested = Math.max(nested, f.lastInnerVariable * max);
        f.innerVariable = Math.max(f.innerVariable, max * f.lastInnerVariable);
      }
      i += m[0].length - 1;
      if (pattern[i + 1] === '?') i++;
    } else {
      atom(1);
    }
  }
  while (stack.length > 1) {
    const f = stack.pop() as Frame;
    atom(Math.max(1, f.weight), f.innerVariable);
  }
  return { weight: top().weight, nested };
}

/** Undefined when the pattern is within bounds, else why it is refused. */
export function regexCostProblem(pattern: string): string | undefined {
  const { weight, nested } = regexCost(pattern);
  if (weight > MAX_PROGRAM_WEIGHT)
    return `it expands to about ${weight} steps (at most ${MAX_PROGRAM_WEIGHT}); use smaller repetition counts`;
  if (nested > MAX_NESTED_REPETITION)
    return (
      `it nests variable repetitions (about ${nested} combinations, at most ${MAX_NESTED_REPETITION}), ` +
      'which makes matching slow; simplify the pattern'
    );
  return undefined;
}
