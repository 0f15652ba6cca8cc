/** parse → validate → normalize an IAM policy document (identity-based or resource-based). */
import { JsonSyntaxError, parseJson } from './json.ts';
import type { JsonValue } from './json.ts';
import { checkPolicyValue, parseOperator } from './operators.ts';
import type { ConditionBlock, Effect, PolicyDocument, PolicyKind, PrincipalSpec, Statement } from './types.ts';

const TOP_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set([
  'Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition',
]);
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
/** Policy documents above this size are rejected (resource policies on Bedrock allow 20,480 characters). */
export const MAX_POLICY_CHARS = 20_480 * 4;

type Obj = { [key: string]: JsonValue };
const isObj = (v: JsonValue | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (o: Obj, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function stringList(v: JsonValue | undefined, where: string, errors: string[]): string[] | undefined {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) {
    errors.push(`${where} must not be empty`);
    return undefined;
  }
  const out: string[] = [];
  for (const item of list) {
    if (typeof item !== 'string' || item === '') {
      errors.push(`${where} must be a non-empty string or an array of non-empty strings`);
      return undefined;
    }
    out.push(item);
  }
  return out;
}

function checkAction(a: string): boolean {
  if (a === '*') return true;
  const colon = a.indexOf(':');
  return colon > 0 && colon < a.length - 1 && /^[A-Za-z0-9*?-]+:[A-Za-z0-9*?_-]+$/.test(a);
}

function parsePrincipal(v: JsonValue | undefined, where: string, errors: string[]): PrincipalSpec | undefined {
  if (v === '*') return '*';
  if (!isObj(v)) {
    errors.push(`${where} must be "*" or an object such as {"AWS": "arn:aws:iam::123456789012:root"}`);
    return undefined;
  }
  const out: { [type: string]: string[] } = {};
  const types = Object.keys(v);
  if (types.length === 0) errors.push(`${where} must not be empty`);
  for (const type of types) {
    if (!PRINCIPAL_TYPES.has(type)) {
      errors.push(`${where}: unknown principal type '${type}' (expected AWS, Service, Federated or CanonicalUser)`);
      continue;
    }
    const list = stringList(v[type], `${where}.${type}`, errors);
    if (!list) continue;
    if (type === 'AWS') {
      for (const p of list) {
        if (p !== '*' && !/^\d{12}$/.test(p) && !/^arn:[^:]+:(iam|sts)::[^:]*:.+$/.test(p)) {
          errors.push(`${where}.AWS: invalid principal '${p}' (expected "*", a 12-digit account id or an IAM/STS ARN)`);
        }
      }
    }
    out[type] = list;
  }
  return out;
}

function parseCondition(v: JsonValue | undefined, where: string, errors: string[]): ConditionBlock | undefined {
  if (!isObj(v)) {
    errors.push(`${where} must be an object of condition operators`);
    return undefined;
  }
  const out: { [op: string]: { [key: string]: string[] } } = {};
  for (const opName of Object.keys(v)) {
    const op = parseOperator(opName);
    if (!op) {
      errors.push(`${where}: unknown condition operator '${opName}'`);
      continue;
    }
    const body = v[opName];
    if (!isObj(body) || Object.keys(body).length === 0) {
      errors.push(`${where}.${opName} must be a non-empty object of condition keys`);
      continue;
    }
    const keys: { [key: string]: string[] } = {};
    for (const key of Object.keys(body)) {
      const raw = body[key];
      const list = Array.isArray(raw) ? raw : [raw];
      const vals: string[] = [];
      if (list.length === 0) errors.push(`${where}.${opName}.${key} must not be empty`);
      for (const item of list) {
        if (typeof item === 'string') vals.push(item);
        else if (typeof item === 'number' || typeof item === 'boolean') vals.push(String(item));
        else {
          errors.push(`${where}.${opName}.${key}: values must be strings, numbers or booleans`);
          break;
        }
      }
      for (const val of vals) {
        const problem = checkPolicyValue(op.op.family, val);
        if (problem) errors.push(`${where}.${opName}.${key}: value '${val}' ${problem}`);
      }
      keys[key] = vals;
    }
    out[opName] = keys;
  }
  return out;
}

function parseStatement(s: JsonValue | undefined, idx: number, kind: PolicyKind, errors: string[]): Statement | undefined {
  const where = `Statement[${idx}]`;
  if (!isObj(s)) {
    errors.push(`${where} must be an object`);
    return undefined;
  }
  const before = errors.length;
  for (const k of Object.keys(s)) if (!STATEMENT_KEYS.has(k)) errors.push(`${where}: unknown element '${k}'`);

  const st: Statement = { Effect: 'Allow' };
  if (has(s, 'Sid')) {
    const sid = s['Sid'];
    if (typeof sid !== 'string' || !/^[A-Za-z0-9 _.-]*$/.test(sid)) errors.push(`${where}: Sid must be a string of letters, digits, spaces, '_', '.' or '-'`);
    else st.Sid = sid;
  }
  const effect = s['Effect'];
  if (effect === undefined) errors.push(`${where}: Effect is required`);
  else if (effect !== 'Allow' && effect !== 'Deny') errors.push(`${where}: Effect must be "Allow" or "Deny"`);
  else st.Effect = effect satisfies Effect;

  const pair = (a: 'Action' | 'Resource', na: 'NotAction' | 'NotResource'): void => {
    const hasA = has(s, a);
    const hasN = has(s, na);
    if (hasA && hasN) errors.push(`${where}: ${a} and ${na} cannot both be present`);
    else if (!hasA && !hasN) errors.push(`${where}: ${a} is required`);
    const name = hasA ? a : na;
    if (!has(s, name)) return;
    const list = stringList(s[name], `${where}.${name}`, errors);
    if (!list) return;
    for (const item of list) {
      if (a === 'Action' && !checkAction(item)) errors.push(`${where}.${name}: invalid action '${item}' (expected "service:Action")`);
      if (a === 'Resource' && item !== '*' && !item.startsWith('arn:')) errors.push(`${where}.${name}: invalid resource '${item}' (expected "*" or an ARN)`);
    }
    st[name] = list;
  };
  pair('Action', 'NotAction');
  pair('Resource', 'NotResource');

  const hasP = has(s, 'Principal');
  const hasNP = has(s, 'NotPrincipal');
  if (kind === 'identity') {
    if (hasP || hasNP) errors.push(`${where}: ${hasP ? 'Principal' : 'NotPrincipal'} is not allowed in an identity-based policy`);
  } else if (hasP && hasNP) {
    errors.push(`${where}: Principal and NotPrincipal cannot both be present`);
  } else if (!hasP && !hasNP) {
    errors.push(`${where}: Principal is required in a resource-based policy`);
  } else {
    const name = hasP ? 'Principal' : 'NotPrincipal';
    const p = parsePrincipal(s[name], `${where}.${name}`, errors);
    if (p) st[name] = p;
  }
  if (has(s, 'Condition')) {
    const c = parseCondition(s['Condition'], `${where}.Condition`, errors);
    if (c) st.Condition = c;
  }
  return errors.length === before ? st : undefined;
}

export type ParsedPolicy = { policy: PolicyDocument } | { errors: string[] };

/** Documents remembered by `parsePolicy`, weighed by their length (characters), oldest use dropped first. */
const MEMO_MAX_CHARS = 4 * 1024 * 1024;
const memo = new Map<string, ParsedPolicy>();
let memoChars = 0;

/**
 * Parses and validates a policy document. Errors are AWS-like, one per problem, all reported at once.
 *
 * Every authorization parses the policies it applies (a guardrail's resource policy on every ApplyGuardrail
 * call), and the same few documents come back again and again: results are remembered by the document's text
 * (so an edited policy is simply another key; nothing to invalidate). They are shared, hence deep-frozen.
 */
export function parsePolicy(json: string, kind: PolicyKind): ParsedPolicy {
  const key = `${kind}\u0000${json}`;
  const hit = memo.get(key);
  if (hit) {
    // Most recently used last, so the oldest use is dropped first.
    memo.delete(key);
    memo.set(key, hit);
    return hit;
  }
  const parsed = deepFreeze(parseUncached(json, kind));
  if (key.length <= MEMO_MAX_CHARS / 16) {
    memo.set(key, parsed);
    memoChars += key.length;
    for (const [k] of memo) {
      if (memoChars <= MEMO_MAX_CHARS) break;
      memo.delete(k);
      memoChars -= k.length;
    }
  }
  return parsed;
}

/** Freezes `value` and everything it holds (a parsed policy is plain JSON-like data). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function parseUncached(json: string, kind: PolicyKind): ParsedPolicy {
  if (json.length > MAX_POLICY_CHARS) return { errors: [`policy document is too large (${json.length} characters, max ${MAX_POLICY_CHARS})`] };
  let doc: JsonValue;
  try {
    doc = parseJson(json);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return { errors: [e.message] };
    throw e;
  }
  const errors: string[] = [];
  if (!isObj(doc)) return { errors: ['policy document must be a JSON object'] };
  for (const k of Object.keys(doc)) if (!TOP_KEYS.has(k)) errors.push(`unknown top-level element '${k}'`);
  const policy: PolicyDocument = { Statement: [] };
  const version = doc['Version'];
  if (version !== undefined) {
    if (version !== '2012-10-17' && version !== '2008-10-17') errors.push(`Version must be "2012-10-17" or "2008-10-17"`);
    else policy.Version = version;
  }
  if (has(doc, 'Id')) {
    const id = doc['Id'];
    if (typeof id !== 'string') errors.push('Id must be a string');
    else policy.Id = id;
  }
  const raw = doc['Statement'];
  if (raw === undefined) errors.push('Statement is required');
  else {
    const list = Array.isArray(raw) ? raw : [raw];
    if (list.length === 0) errors.push('Statement must not be empty');
    const sids = new Set<string>();
    list.forEach((s, idx) => {
      const st = parseStatement(s, idx, kind, errors);
      if (!st) return;
      if (st.Sid !== undefined && st.Sid !== '') {
        if (sids.has(st.Sid)) errors.push(`Statement[${idx}]: duplicate Sid '${st.Sid}'`);
        sids.add(st.Sid);
      }
      policy.Statement.push(st);
    });
  }
  return errors.length > 0 ? { errors } : { policy };
}

/** Serializes a normalized policy; `parsePolicy(serializePolicy(p), kind)` gives back `p`. */
export function serializePolicy(policy: PolicyDocument): string {
  return JSON.stringify(policy);
}
