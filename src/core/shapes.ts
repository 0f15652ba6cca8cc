/**
 * A small Smithy-like shape validator. Request bodies are checked against shapes declared as data and
 * the errors read exactly like AWS's:
 *   `2 validation errors detected: Value 'X' at 'contentPolicyConfig.filtersConfig.1.member.type' failed to
 *    satisfy constraint: Member must satisfy enum value set: [SEXUAL, …]; Value null at 'name' …`
 * A value of the wrong JSON type is a SerializationException, as on AWS. Unknown members are dropped.
 */
import { ServiceError } from './errors.ts';

export type Shape =
  | { kind: 'string'; min?: number; max?: number; pattern?: RegExp; patternText?: string; enum?: readonly string[] }
  | { kind: 'boolean' }
  | { kind: 'integer'; min?: number; max?: number }
  | { kind: 'double'; min?: number; max?: number }
  | { kind: 'list'; member: Shape; min?: number; max?: number }
  | { kind: 'structure'; members: Readonly<Record<string, Member>> }
  | { kind: 'union'; members: Readonly<Record<string, Shape>> }
  | { kind: 'map'; value: Shape; min?: number; max?: number }
  /** Any JSON value, passed through (Smithy `Document`: tool schemas, tool input, model-specific fields). */
  | { kind: 'document' };

export interface Member {
  shape: Shape;
  required?: boolean;
}

export const str = (opts: Omit<Extract<Shape, { kind: 'string' }>, 'kind'> = {}): Shape => ({ kind: 'string', ...opts });
export const enumOf = (values: readonly string[]): Shape => ({ kind: 'string', enum: values });
export const bool: Shape = { kind: 'boolean' };
export const int = (min?: number, max?: number): Shape => ({ kind: 'integer', min, max });
export const double = (min?: number, max?: number): Shape => ({ kind: 'double', min, max });
export const list = (member: Shape, min?: number, max?: number): Shape => ({ kind: 'list', member, min, max });
export const struct = (members: Record<string, Member | Shape>): Shape => ({
  kind: 'structure',
  members: Object.fromEntries(
    Object.entries(members).map(([k, v]) => [k, 'kind' in v ? { shape: v } : v]),
  ) as Record<string, Member>,
});
export const req = (shape: Shape): Member => ({ shape, required: true });
export const document: Shape = { kind: 'document' };
export const union = (members: Record<string, Shape>): Shape => ({ kind: 'union', members });
/** A pattern that must match the whole value. `text` is what the error message shows. */
export const pattern = (text: string, opts: { min?: number; max?: number } = {}): Shape => ({
  kind: 'string',
  pattern: new RegExp(`^(?:${text})$`, 's'),
  patternText: text,
  ...opts,
});

/** Past this many, further constraint failures are counted but not described. */
const MAX_ISSUES_KEPT = 100;

class Issues extends Array<Issue> {
  dropped = 0;
  override push(...items: Issue[]): number {
    for (const i of items) {
      if (this.length < MAX_ISSUES_KEPT) super.push(i);
      else this.dropped++;
    }
    return this.length;
  }
}

interface Issue {
  path: string;
  value: unknown;
  constraint: string;
}

const MAX_ERRORS_SHOWN = 10;

function render(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return `'${value.length > 256 ? `${value.slice(0, 256)}…` : value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return `'${String(value)}'`;
  if (Array.isArray(value)) return `'[${value.length} items]'`;
  return "'{…}'";
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function jsonTypeError(path: string, expected: string, value: unknown): ServiceError {
  return new ServiceError(
    'SerializationException',
    `Expected ${expected} at '${path || '(root)'}' but found ${typeName(value)}`,
  );
}

function walk(shape: Shape, value: unknown, path: string, issues: Issue[]): unknown {
  switch (shape.kind) {
    case 'string': {
      if (typeof value !== 'string') throw jsonTypeError(path, 'a string', value);
      const len = shape.min === undefined && shape.max === undefined ? 0 : codePointLength(value, shape.max);
      if (shape.min !== undefined && len < shape.min)
        issues.push({ path, value, constraint: `Member must have length greater than or equal to ${shape.min}` });
      if (shape.max !== undefined && len > shape.max)
        issues.push({ path, value, constraint: `Member must have length less than or equal to ${shape.max}` });
      if (shape.enum && !shape.enum.includes(value))
        issues.push({ path, value, constraint: `Member must satisfy enum value set: [${shape.enum.join(', ')}]` });
      if (shape.pattern && !shape.pattern.test(value))
        issues.push({
          path,
          value,
          constraint: `Member must satisfy regular expression pattern: ${shape.patternText ?? shape.pattern.source}`,
        });
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw jsonTypeError(path, 'a boolean', value);
      return value;
    case 'integer':
    case 'double': {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw jsonTypeError(path, 'a number', value);
      if (shape.kind === 'integer' && !Number.isInteger(value)) throw jsonTypeError(path, 'an integer', value);
      if (shape.min !== undefined && value < shape.min)
        issues.push({ path, value, constraint: `Member must have value greater than or equal to ${shape.min}` });
      if (shape.max !== undefined && value > shape.max)
        issues.push({ path, value, constraint: `Member must have value less than or equal to ${shape.max}` });
      return value;
    }
    case 'list': {
      if (!Array.isArray(value)) throw jsonTypeError(path, 'a list', value);
      if (shape.min !== undefined && value.length < shape.min)
        issues.push({ path, value, constraint: `Member must have length greater than or equal to ${shape.min}` });
      if (shape.max !== undefined && value.length > shape.max)
        issues.push({ path, value, constraint: `Member must have length less than or equal to ${shape.max}` });
      return value.map((item, i) => {
        const p = `${path}.${i + 1}.member`;
        if (item === null) {
          issues.push({ path: p, value: null, constraint: 'Member must not be null' });
          return item;
        }
        return walk(shape.member, item, p, issues);
      });
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw jsonTypeError(path, 'a map', value);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(shape.value, v, `${path}.${k}`, issues);
      return out;
    }
    case 'document':
      return value;
    case 'union': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw jsonTypeError(path, 'a structure', value);
      const set = Object.entries(value).filter(
        ([k, v]) => v !== null && v !== undefined && Object.hasOwn(shape.members, k),
      );
      if (set.length !== 1) {
        issues.push({
          path,
          value,
          constraint: `Member must have exactly one of: [${Object.keys(shape.members).join(', ')}]`,
        });
        return value;
      }
      const [[key, v]] = set as [[string, unknown]];
      const memberShape = shape.members[key];
      return memberShape ? { [key]: walk(memberShape, v, join(path, key), issues) } : value;
    }
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw jsonTypeError(path, 'a structure', value);
      const obj = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members)) {
        const v = obj[name];
        const p = join(path, name);
        if (v === undefined || v === null) {
          if (member.required) issues.push({ path: p, value: null, constraint: 'Member must not be null' });
          continue;
        }
        out[name] = walk(member.shape, v, p, issues);
      }
      return out;
    }
  }
}

/** Length in code points; stops counting once past `cap` (enough to know the limit is exceeded). */
function codePointLength(value: string, cap = Number.POSITIVE_INFINITY): number {
  if (value.length <= cap) {
    let n = 0;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c < 0xd800 || c > 0xdbff || i + 1 >= value.length) n++;
      else {
        const d = value.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
        n++;
      }
    }
    return n;
  }
  // UTF-16 length ≥ code points; at most two units per code point.
  return value.length > cap * 2 ? value.length : codePointLength(value.slice(0, cap * 2 + 2));
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

export function formatIssues(
  issues: readonly { path: string; value: unknown; constraint: string }[],
  dropped = 0,
): string {
  const shown = issues.slice(0, MAX_ERRORS_SHOWN).map(
    (i) => `Value ${render(i.value)} at '${i.path}' failed to satisfy constraint: ${i.constraint}`,
  );
  const n = issues.length + dropped;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${shown.join('; ')}`;
}

/**
 * Validate `value` against `shape`. Returns the value with unknown members removed, typed as `T`
 * (the caller vouches that `T` matches the shape). Throws a ValidationException listing every
 * constraint that failed, or a SerializationException for a value of the wrong JSON type.
 */
export function validateShape<T>(shape: Shape, value: unknown, path = ''): T {
  const issues = new Issues();
  const out = walk(shape, value, path, issues);
  if (issues.length > 0) throw new ServiceError('ValidationException', formatIssues(issues, issues.dropped));
  return out as T;
}
