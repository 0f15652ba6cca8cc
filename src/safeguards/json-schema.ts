/**
 * A small JSON Schema validator for the subset schemas/safeguards.schema.json uses ($ref into $defs, allOf,
 * type, const, enum, properties, required, additionalProperties: false, items, min/maxItems, min/maxLength,
 * pattern, minimum, maximum). The schema file is the single source of truth for editors and for the loader,
 * so the two cannot drift apart; a full validator would be a new dependency for no gain.
 */

export interface SchemaProblem {
  /** Where, as a path into the file: `guardrails[0].config.contentPolicyConfig`. */
  path: string;
  message: string;
}

type Schema = boolean | { [k: string]: unknown };

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(expected: string, v: unknown): boolean {
  const t = typeOf(v);
  return t === expected || (expected === 'number' && t === 'integer');
}

export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
}

const show = (v: unknown): string => JSON.stringify(v);

export function validateAgainstSchema(root: Record<string, unknown>, value: unknown): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const resolve = (ref: string): Schema => {
    const m = /^#\/\$defs\/(.+)$/.exec(ref);
    const defs = root.$defs as Record<string, Schema> | undefined;
    const s = m?.[1] !== undefined ? defs?.[m[1]] : undefined;
    if (s === undefined) throw new Error(`schema: unknown $ref ${ref}`);
    return s;
  };

  const visit = (schema: Schema, v: unknown, path: string): void => {
    if (schema === true) return;
    if (schema === false) {
      problems.push({ path, message: 'is not allowed here' });
      return;
    }
    const where = path || '(the file)';
    if (typeof schema.$ref === 'string') visit(resolve(schema.$ref), v, path);
    for (const s of (schema.allOf as Schema[] | undefined) ?? []) visit(s, v, path);
    if ('const' in schema && show(schema.const) !== show(v)) {
      problems.push({ path: where, message: `must be ${show(schema.const)}, not ${show(v)}` });
      return;
    }
    if (Array.isArray(schema.enum) && !schema.enum.some((e) => show(e) === show(v))) {
      problems.push({ path: where, message: `must be one of ${schema.enum.map(show).join(', ')}, not ${show(v)}` });
      return;
    }
    if (typeof schema.type === 'string' && !typeMatches(schema.type, v)) {
      problems.push({ path: where, message: `must be ${schema.type === 'array' || schema.type === 'object' ? 'an' : 'a'} ${schema.type}, not ${typeOf(v)}` });
      return;
    }
    if (typeof v === 'string') {
      if (typeof schema.minLength === 'number' && v.length < schema.minLength)
        problems.push({ path: where, message: schema.minLength === 1 ? 'must not be empty' : `must have at least ${schema.minLength} characters` });
      if (typeof schema.maxLength === 'number' && v.length > schema.maxLength)
        problems.push({ path: where, message: `must have at most ${schema.maxLength} characters` });
      if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(v))
        problems.push({ path: where, message: `${show(v)} does not match ${schema.pattern}` });
    }
    if (typeof v === 'number') {
      if (typeof schema.minimum === 'number' && v < schema.minimum) problems.push({ path: where, message: `must be ≥ ${schema.minimum}` });
      if (typeof schema.maximum === 'number' && v > schema.maximum) problems.push({ path: where, message: `must be ≤ ${schema.maximum}` });
    }
    if (Array.isArray(v)) {
      if (typeof schema.minItems === 'number' && v.length < schema.minItems)
        problems.push({ path: where, message: `must have at least ${schema.minItems} item(s)` });
      if (schema.items !== undefined) v.forEach((item, i) => visit(schema.items as Schema, item, childPath(path, i)));
    }
    if (typeOf(v) === 'object') {
      const obj = v as Record<string, unknown>;
      const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
      for (const r of (schema.required as string[] | undefined) ?? [])
        if (!(r in obj)) problems.push({ path: where, message: `needs "${r}"` });
      for (const [k, item] of Object.entries(obj)) {
        const p = props[k];
        if (p !== undefined) visit(p, item, childPath(path, k));
        else if (schema.additionalProperties === false) {
          const known = Object.keys(props).filter((x) => x !== '$schema');
          problems.push({ path: childPath(path, k), message: `is not a known field here (known: ${known.join(', ')})` });
        }
      }
    }
  };
  visit(root as Schema, value, '');
  return problems;
}
