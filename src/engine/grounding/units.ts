/**
 * Units of measure and the comparison of two quantities for contextual grounding: "about 9 pounds" is supported by
 * "4.2 kg", "212 °F" by "100 degrees Celsius", "about 3 million" by "2,970,000"; "1946" is not supported by "1947".
 */
import { canonicalStem } from './lexicon.ts';

export interface UnitInfo {
  /** Dimension: length, area, mass, time, volume, temp, percent. */
  readonly dim: string;
  /** Factor to the dimension's base unit (metre, m², kg, second, litre, °C). */
  readonly factor: number;
  /** Added after the factor (temperatures only): base = value × factor + offset. */
  readonly offset: number;
}

const unit = (dim: string, factor: number, offset = 0): UnitInfo => ({ dim, factor, offset });

/** Keyed by canonical stem (lexicon.ts), so abbreviations and spellings share one entry. */
const UNITS: ReadonlyMap<string, UnitInfo> = new Map(
  (
    [
      ['kilometre', unit('length', 1000)],
      ['metre', unit('length', 1)],
      ['m', unit('length', 1)],
      ['centimetre', unit('length', 0.01)],
      ['millimetre', unit('length', 0.001)],
      ['mile', unit('length', 1609.344)],
      ['foot', unit('length', 0.3048)],
      ['inch', unit('length', 0.0254)],
      ['yard', unit('length', 0.9144)],
      ['kilogram', unit('mass', 1)],
      ['gram', unit('mass', 0.001)],
      ['g', unit('mass', 0.001)],
      ['pound', unit('mass', 0.45359237)],
      ['ounce', unit('mass', 0.0283495)],
      ['oz', unit('mass', 0.0283495)],
      ['tonne', unit('mass', 1000)],
      ['second', unit('time', 1)],
      ['sec', unit('time', 1)],
      ['minute', unit('time', 60)],
      ['hour', unit('time', 3600)],
      ['h', unit('time', 3600)],
      ['day', unit('time', 86400)],
      ['week', unit('time', 604800)],
      ['month', unit('time', 2629800)],
      ['year', unit('time', 31557600)],
      ['litre', unit('volume', 1)],
      ['ml', unit('volume', 0.001)],
      ['millilitre', unit('volume', 0.001)],
      ['gallon', unit('volume', 3.78541)],
      ['celsius', unit('temp', 1)],
      ['fahrenheit', unit('temp', 5 / 9, -32 * (5 / 9))],
      ['percent', unit('percent', 1)],
      ['acre', unit('area', 4046.86)],
      ['hectare', unit('area', 10000)],
    ] as const
  ).map(([w, u]) => [canonicalStem(w), u]),
);
const NAUTICAL_MILE = unit('length', 1852);

/**
 * The unit that follows a number, from the next words (lowercase): "km", "square metres", "nautical miles",
 * "degrees Celsius", "°F" (`degreeSign`: a ° was written right after the number). undefined when none.
 */
export function unitAfter(next: readonly string[], degreeSign: boolean): UnitInfo | undefined {
  const w0 = next[0];
  if (w0 === undefined) return undefined;
  if (degreeSign || w0 === 'degrees' || w0 === 'degree') {
    const t = degreeSign ? w0 : next[1];
    if (t === 'c' || t === 'celsius' || t === 'centigrade') return UNITS.get(canonicalStem('celsius'));
    if (t === 'f' || t === 'fahrenheit') return UNITS.get(canonicalStem('fahrenheit'));
    return undefined;
  }
  if (w0 === 'square' || w0 === 'sq') {
    const u = next[1] === undefined ? undefined : UNITS.get(canonicalStem(next[1]));
    return u && u.dim === 'length' ? unit('area', u.factor * u.factor) : undefined;
  }
  if (w0 === 'nautical' && (next[1] === 'miles' || next[1] === 'mile')) return NAUTICAL_MILE;
  return UNITS.get(canonicalStem(w0));
}

export interface Quantity {
  /** Normalised number as text ("1000", "3.5", "10:30"). */
  readonly key: string;
  /** NaN for times such as 10:30. */
  readonly value: number;
  /** Written with "about", "roughly", "nearly"… */
  readonly approx: boolean;
  /** A four-digit year (never matched approximately). */
  readonly year: boolean;
  readonly unit?: UnitInfo;
}

/** Tolerance for an approximate number ("about 3 million" for 2,970,000). */
const APPROX_TOLERANCE = 0.1;
/** Tolerance for a unit conversion, which writers round ("9 pounds" for 4.2 kg). */
const CONVERSION_TOLERANCE = 0.05;

function close(a: number, b: number, tol: number): boolean {
  return Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b));
}

/** Does quantity `a` (from a claim) say what `b` (from a source) says? */
export function sameQuantity(a: Quantity, b: Quantity): boolean {
  const ua = a.unit;
  const ub = b.unit;
  const approx = (a.approx || b.approx) && !a.year && !b.year;
  if (ua && ub && ua.dim === ub.dim && (ua.factor !== ub.factor || ua.offset !== ub.offset)) {
    // Different units of one dimension: compare in the base unit ("90 minutes" = "1.5 hours").
    if (!Number.isFinite(a.value) || !Number.isFinite(b.value)) return false;
    const tol = approx ? APPROX_TOLERANCE : CONVERSION_TOLERANCE;
    return close(a.value * ua.factor + ua.offset, b.value * ub.factor + ub.offset, tol);
  }
  if (a.key === b.key) return true;
  if (!approx || !Number.isFinite(a.value) || !Number.isFinite(b.value)) return false;
  if (ua && ub && ua.dim !== ub.dim) return false;
  return close(a.value, b.value, APPROX_TOLERANCE);
}

/** The dimension of a unit word's key ("kilometr" → length), or undefined. */
export function unitDimension(key: string): string | undefined {
  return UNITS.get(key)?.dim;
}
