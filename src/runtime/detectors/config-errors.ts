/** Reading detector configuration (the detectors file, a model directory's manifest) with errors that say where. */

export class DetectorConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DetectorConfigError';
  }
}

export type Json = Record<string, unknown>;

export function object(v: unknown, at: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DetectorConfigError(`${at} must be a JSON object.`);
  return v as Json;
}

/** Refuses keys the format does not know: a typo must not silently turn a setting off. */
export function onlyKeys(o: Json, at: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) throw new DetectorConfigError(`${at}: unknown field '${k}' (allowed: ${allowed.join(', ')}).`);
}

export function string(o: Json, key: string, at: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.trim() === '') throw new DetectorConfigError(`${at}.${key} must be a non-empty string.`);
  return v;
}

export function optionalString(o: Json, key: string, at: string): string | undefined {
  return o[key] === undefined ? undefined : string(o, key, at);
}

export function integer(o: Json, key: string, at: string, min: number, max: number, fallback?: number): number {
  const v = o[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new DetectorConfigError(`${at}.${key} must be a whole number from ${min} to ${max}${v === undefined ? '' : `, got ${JSON.stringify(v)}`}.`);
  return v;
}

export function boolean(o: Json, key: string, at: string, fallback: boolean): boolean {
  const v = o[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new DetectorConfigError(`${at}.${key} must be true or false, got ${JSON.stringify(v)}.`);
  return v;
}

export function oneOf<T extends string>(o: Json, key: string, at: string, values: readonly T[], fallback?: T): T {
  const v = o[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'string' || !values.includes(v as T))
    throw new DetectorConfigError(`${at}.${key} must be one of ${values.map((x) => `"${x}"`).join(', ')}${v === undefined ? '' : `, got ${JSON.stringify(v)}`}.`);
  return v as T;
}

/** `{ "LOW": a, "MEDIUM": b, "HIGH": c }` with 0 < a <= b <= c <= 1: the lowest score of each confidence. */
export function thresholds(o: Json, key: string, at: string): { LOW: number; MEDIUM: number; HIGH: number } | undefined {
  if (o[key] === undefined) return undefined;
  const t = object(o[key], `${at}.${key}`);
  onlyKeys(t, `${at}.${key}`, ['LOW', 'MEDIUM', 'HIGH']);
  const { LOW, MEDIUM, HIGH } = t;
  const ok = (x: unknown): x is number => typeof x === 'number' && x > 0 && x <= 1;
  if (!ok(LOW) || !ok(MEDIUM) || !ok(HIGH) || LOW > MEDIUM || MEDIUM > HIGH)
    throw new DetectorConfigError(`${at}.${key} must give LOW <= MEDIUM <= HIGH, each a score above 0 and at most 1.`);
  return { LOW, MEDIUM, HIGH };
}
