/**
 * Placeholders for server-specific ids inside policy documents: `${organization.id}`, `${ou:<path>}`,
 * `${account:<name>}`, `${guardrail:<region>/<name>}` (the guardrail ARN, without version) and
 * `${version:<region>/<name>}` (the version apply publishes). Desired documents are written with them; actual
 * documents are rewritten into them (`symbolize`), so both compare equal on any server; apply fills them in
 * (`render`). They never clash with IAM policy variables such as `${aws:username}`.
 */
import { type ServerIds, MANAGEMENT } from './state.ts';

export const orgSymbol = '${organization.id}';
export const unitSymbol = (path: string): string => `\${ou:${path}}`;
export const accountSymbol = (name: string): string => `\${account:${name}}`;
export const guardrailSymbol = (region: string, name: string): string => `\${guardrail:${region}/${name}}`;
export const versionSymbol = (region: string, name: string): string => `\${version:${region}/${name}}`;

export const guardrailArn = (region: string, accountId: string, id: string): string =>
  `arn:aws:bedrock:${region}:${accountId}:guardrail/${id}`;

/** A placeholder that `ids` cannot fill in yet (the thing is not created). */
export class UnresolvedSymbol extends Error {}

const SYMBOL_RE = /\$\{(organization\.id|ou:[^}]+|account:[^}]+|guardrail:[^}/]+\/[^}]+|version:[^}/]+\/[^}]+)\}/g;

function valueOf(symbol: string, ids: ServerIds): string {
  const [kind, rest = ''] = symbol.startsWith('organization') ? ['organization', ''] : [symbol.slice(0, symbol.indexOf(':')), symbol.slice(symbol.indexOf(':') + 1)];
  let v: string | number | undefined;
  if (kind === 'organization') v = ids.orgId;
  else if (kind === 'ou') v = ids.units.get(rest);
  else if (kind === 'account') v = ids.accounts.get(rest);
  else if (kind === 'guardrail') {
    const id = ids.guardrails.get(rest);
    v = id === undefined ? undefined : guardrailArn(rest.slice(0, rest.indexOf('/')), ids.managementAccountId, id);
  } else if (kind === 'version') v = ids.published.get(rest);
  if (v === undefined) throw new UnresolvedSymbol(`\${${symbol}} is not known yet`);
  return String(v);
}

/** Fills in every placeholder of every string in `value`. */
export function render<T>(value: T, ids: ServerIds): T {
  if (typeof value === 'string') return value.replace(SYMBOL_RE, (_, s: string) => valueOf(s, ids)) as T;
  if (Array.isArray(value)) return value.map((v) => render(v, ids)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [render(k, ids), render(v, ids)])) as T;
  return value;
}

/** The opposite of render: the known ids of `ids` in every string of `value` become placeholders. */
export function symbolize<T>(value: T, ids: ServerIds): T {
  const pairs: Array<[string, string]> = [];
  for (const [key, id] of ids.guardrails) {
    const region = key.slice(0, key.indexOf('/'));
    pairs.push([guardrailArn(region, ids.managementAccountId, id), `\${guardrail:${key}}`]);
  }
  if (ids.orgId) pairs.push([ids.orgId, orgSymbol]);
  for (const [path, id] of ids.units) pairs.push([id, unitSymbol(path)]);
  // Longest first, so an ARN is replaced before any id inside it could be.
  pairs.sort((a, b) => b[0].length - a[0].length);
  const accountByWholeId = new Map([...ids.accounts].filter(([n]) => n !== MANAGEMENT).map(([n, id]) => [id, accountSymbol(n)]));
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      // A bare account id is only replaced as a whole string: 12 digits could appear inside anything.
      const whole = accountByWholeId.get(v);
      if (whole) return whole;
      let s = v;
      for (const [from, to] of pairs) if (s.includes(from)) s = s.split(from).join(to);
      return s;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [walk(k) as string, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** JSON with sorted keys: two documents that differ only in key order compare equal. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
    return v;
  };
  return JSON.stringify(sort(value));
}

export const sameJson = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);
