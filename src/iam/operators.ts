/** Condition operators: parsing operator names and matching one context value against one policy value. */
import { globMatch } from './glob.ts';
import { cidrContains, parseCidr, parseIp } from './ip.ts';

export type Family = 'String' | 'Numeric' | 'Date' | 'Bool' | 'Binary' | 'Ip' | 'Arn' | 'Null';

interface BaseOp {
  family: Family;
  /** negated operators (StringNotEquals, NotIpAddress …) are the NOR of their positive form */
  negated: boolean;
  /** positive match of a context value against one policy value */
  match: (ctxValue: string, policyValue: string) => boolean;
}

export interface ParsedOperator {
  base: string;
  op: BaseOp;
  set: 'ForAnyValue' | 'ForAllValues' | undefined;
  ifExists: boolean;
}

const ci = (s: string): string => s.toLowerCase();

function num(s: string): number | undefined {
  const t = s.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

/** ISO 8601 date/time or epoch seconds → epoch milliseconds. */
export function parseDate(s: string): number | undefined {
  const t = s.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}([Tt ][\d:.]+([Zz]|[+-]\d{2}:?\d{2})?)?$/.test(t)) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

function cmp<T>(parse: (s: string) => T | undefined, test: (a: T, b: T) => boolean) {
  return (c: string, p: string): boolean => {
    const a = parse(c);
    const b = parse(p);
    return a !== undefined && b !== undefined && test(a, b);
  };
}

/** ARN matching: the six colon-separated parts are compared part by part; the last part may contain colons. */
function splitArn(s: string): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < 5; i++) {
    const idx = s.indexOf(':', start);
    if (idx < 0) return undefined;
    parts.push(s.slice(start, idx));
    start = idx + 1;
  }
  parts.push(s.slice(start));
  return parts;
}

export function arnLike(ctxValue: string, pattern: string): boolean {
  const a = splitArn(ctxValue);
  const p = splitArn(pattern);
  if (!p) return pattern === '*' && a !== undefined; // a bare `*` matches any ARN
  if (!a || a[0] !== 'arn') return false;
  for (let i = 0; i < 6; i++) if (!globMatch(p[i] ?? '', a[i] ?? '')) return false;
  return true;
}

const ipMatch = (c: string, p: string): boolean => {
  const ip = parseIp(c);
  const cidr = parseCidr(p);
  return ip !== undefined && cidr !== undefined && cidrContains(cidr, ip);
};

const strEq = (c: string, p: string): boolean => c === p;
const strEqCi = (c: string, p: string): boolean => ci(c) === ci(p);
const strLike = (c: string, p: string): boolean => globMatch(p, c);
const numEq = cmp(num, (a, b) => a === b);
const dateEq = cmp(parseDate, (a, b) => a === b);

const pos = (family: Family, match: BaseOp['match']): BaseOp => ({ family, negated: false, match });
const neg = (family: Family, match: BaseOp['match']): BaseOp => ({ family, negated: true, match });

export const BASE_OPERATORS: ReadonlyMap<string, BaseOp> = new Map<string, BaseOp>([
  ['StringEquals', pos('String', strEq)],
  ['StringNotEquals', neg('String', strEq)],
  ['StringEqualsIgnoreCase', pos('String', strEqCi)],
  ['StringNotEqualsIgnoreCase', neg('String', strEqCi)],
  ['StringLike', pos('String', strLike)],
  ['StringNotLike', neg('String', strLike)],
  ['NumericEquals', pos('Numeric', numEq)],
  ['NumericNotEquals', neg('Numeric', numEq)],
  ['NumericLessThan', pos('Numeric', cmp(num, (a, b) => a < b))],
  ['NumericLessThanEquals', pos('Numeric', cmp(num, (a, b) => a <= b))],
  ['NumericGreaterThan', pos('Numeric', cmp(num, (a, b) => a > b))],
  ['NumericGreaterThanEquals', pos('Numeric', cmp(num, (a, b) => a >= b))],
  ['DateEquals', pos('Date', dateEq)],
  ['DateNotEquals', neg('Date', dateEq)],
  ['DateLessThan', pos('Date', cmp(parseDate, (a, b) => a < b))],
  ['DateLessThanEquals', pos('Date', cmp(parseDate, (a, b) => a <= b))],
  ['DateGreaterThan', pos('Date', cmp(parseDate, (a, b) => a > b))],
  ['DateGreaterThanEquals', pos('Date', cmp(parseDate, (a, b) => a >= b))],
  ['Bool', pos('Bool', strEqCi)],
  ['BinaryEquals', pos('Binary', strEq)],
  ['IpAddress', pos('Ip', ipMatch)],
  ['NotIpAddress', neg('Ip', ipMatch)],
  ['ArnEquals', pos('Arn', arnLike)],
  ['ArnLike', pos('Arn', arnLike)],
  ['ArnNotEquals', neg('Arn', arnLike)],
  ['ArnNotLike', neg('Arn', arnLike)],
  ['Null', pos('Null', strEqCi)],
]);

/** Parses `[ForAnyValue:|ForAllValues:]<Base>[IfExists]`; `undefined` for an unknown operator. */
export function parseOperator(name: string): ParsedOperator | undefined {
  let rest = name;
  let set: ParsedOperator['set'];
  if (rest.startsWith('ForAnyValue:')) {
    set = 'ForAnyValue';
    rest = rest.slice('ForAnyValue:'.length);
  } else if (rest.startsWith('ForAllValues:')) {
    set = 'ForAllValues';
    rest = rest.slice('ForAllValues:'.length);
  }
  let ifExists = false;
  let op = BASE_OPERATORS.get(rest);
  if (!op && rest.endsWith('IfExists')) {
    rest = rest.slice(0, -'IfExists'.length);
    op = BASE_OPERATORS.get(rest);
    ifExists = true;
  }
  if (!op) return undefined;
  if (op.family === 'Null' && (ifExists || set !== undefined)) return undefined;
  return { base: rest, op, set, ifExists };
}

/** Checks that a literal policy value (no `${…}` variables) is valid for the family; returns a problem or undefined. */
export function checkPolicyValue(family: Family, value: string): string | undefined {
  if (value.includes('${')) return undefined;
  switch (family) {
    case 'Numeric':
      return num(value) === undefined ? 'is not a number' : undefined;
    case 'Date':
      return parseDate(value) === undefined ? 'is not an ISO 8601 date or epoch seconds' : undefined;
    case 'Bool':
    case 'Null':
      return ci(value) === 'true' || ci(value) === 'false' ? undefined : "must be 'true' or 'false'";
    case 'Ip':
      return parseCidr(value) === undefined ? 'is not an IPv4/IPv6 address or CIDR block' : undefined;
    case 'Arn':
      return value === '*' || splitArn(value) !== undefined ? undefined : 'is not an ARN';
    default:
      return undefined;
  }
}
