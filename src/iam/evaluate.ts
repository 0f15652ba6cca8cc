/**
 * Policy evaluation. The decision table (the spec):
 *   any matching Deny                → ExplicitDeny  (reasons: the Deny statements)
 *   else any matching Allow          → Allow         (reasons: the Allow statements)
 *   else                             → ImplicitDeny  (reasons: empty)
 * `authorize` combines identity and resource policies (see there); an explicit Deny anywhere wins.
 *
 * Actions: a statement's Action/NotAction is matched against the requested action and each of its aliases
 * (`ACTION_ALIASES` plus `ctx.actionAliases`), so `bedrock:PutGuardrailPolicy` ≡ `bedrock:PutResourcePolicy`.
 *
 * Principal ARNs with wildcards (`arn:aws:iam::*:root`): real IAM only supports a bare `*`, but we treat such
 * an entry as a glob pattern (`*`/`?`) over the principal's account (for `:root`) or ARN (otherwise).
 */
import { aliasesOf } from './actions.ts';
import { globMatch } from './glob.ts';
import { type ParsedOperator, parseOperator } from './operators.ts';
import type { Effect, Evaluation, LabelledPolicy, PolicyDocument, PrincipalSpec, RequestContext, Statement } from './types.ts';

type Keys = ReadonlyMap<string, readonly string[]>;

function contextKeys(ctx: RequestContext): Keys {
  const m = new Map<string, readonly string[]>();
  m.set('aws:principalaccount', [ctx.principal.accountId]);
  m.set('aws:principalarn', [ctx.principal.arn]);
  for (const [k, v] of Object.entries(ctx.conditionKeys)) {
    m.set(k.toLowerCase(), typeof v === 'string' ? [v] : v);
  }
  return m;
}

/**
 * Substitutes `${key}` policy variables (Version 2012-10-17 only; keys case-insensitive; `${key, 'default'}`
 * supported). Returns undefined when a referenced key is missing or multi-valued: the value then matches nothing.
 */
export function substitute(value: string, keys: Keys, enabled: boolean): string | undefined {
  if (!enabled || !value.includes('${')) return value;
  let out = '';
  let i = 0;
  while (i < value.length) {
    const open = value.indexOf('${', i);
    if (open < 0) break;
    const close = value.indexOf('}', open + 2);
    if (close < 0) break;
    out += value.slice(i, open);
    const inner = value.slice(open + 2, close);
    const comma = inner.indexOf(',');
    const name = (comma >= 0 ? inner.slice(0, comma) : inner).trim();
    const dflt = comma >= 0 ? /^\s*'([^']*)'\s*$/.exec(inner.slice(comma + 1))?.[1] : undefined;
    if (name === '*' || name === '?' || name === '$') {
      out += name;
    } else {
      const v = keys.get(name.toLowerCase());
      if (v && v.length === 1 && v[0] !== undefined) out += v[0];
      else if (dflt !== undefined) out += dflt;
      else return undefined;
    }
    i = close + 1;
  }
  return out + value.slice(i);
}

/**
 * How a resource-policy principal entry names the caller: `account` when it names the caller's whole account
 * (12-digit id or `…:root`), which in IAM delegates to that account's own identity policies; `direct` when it
 * names the caller itself (`*`, its user/role ARN, its session).
 */
type PrincipalMatch = 'none' | 'account' | 'direct';

function principalEntryMatch(entry: string, ctx: RequestContext): PrincipalMatch {
  if (entry === '*') return 'direct';
  const { arn, accountId } = ctx.principal;
  if (/^\d{12}$/.test(entry)) return entry === accountId ? 'account' : 'none';
  const root = /^arn:[^:]+:iam::([^:]*):root$/.exec(entry);
  if (root) return globMatch(root[1] ?? '', accountId) ? 'account' : 'none';
  if (globMatch(entry, arn)) return 'direct';
  // a role ARN also matches that role's sessions: arn:aws:sts::A:assumed-role/<name>/<session>
  const role = /^arn:([^:]+):iam::([^:]*):role\/(?:.*\/)?([^/]+)$/.exec(entry);
  const session = /^arn:([^:]+):sts::([^:]*):assumed-role\/([^/]+)\/[^/]+$/.exec(arn);
  if (role && session) {
    const hit = globMatch(role[1] ?? '', session[1] ?? '') && globMatch(role[2] ?? '', session[2] ?? '') && globMatch(role[3] ?? '', session[3] ?? '');
    return hit ? 'direct' : 'none';
  }
  return 'none';
}

function principalMatch(spec: PrincipalSpec, ctx: RequestContext): PrincipalMatch {
  if (spec === '*') return 'direct';
  let best: PrincipalMatch = 'none';
  for (const e of spec['AWS'] ?? []) {
    const m = principalEntryMatch(e, ctx);
    if (m === 'direct') return m;
    if (m === 'account') best = m;
  }
  return best;
}

type ConditionOperator = ParsedOperator['op'];

/** Does the context value match any of the policy values (the operator's positive form)? */
function matchesAny(op: ConditionOperator, ctxValue: string, values: readonly string[]): boolean {
  for (const p of values) if (op.match(ctxValue, p)) return true;
  return false;
}

/** Per context value: does it satisfy the operator (negated operators: it matches none of the values)? */
function satisfies(op: ConditionOperator, ctxValue: string, values: readonly string[]): boolean {
  return op.negated ? !matchesAny(op, ctxValue, values) : matchesAny(op, ctxValue, values);
}

function conditionMatches(stmt: Statement, keys: Keys, vars: boolean): boolean {
  const cond = stmt.Condition;
  if (!cond) return true;
  for (const [opName, body] of Object.entries(cond)) {
    const op = parseOperator(opName);
    // INVARIANT: parsePolicy rejects unknown operators; a hand-built unknown one fails closed (no match).
    if (!op) return false;
    for (const [key, rawValues] of Object.entries(body)) {
      const ctxVals = keys.get(key.toLowerCase());
      const present = ctxVals !== undefined && ctxVals.length > 0;
      if (op.op.family === 'Null') {
        // "true" → key must be absent, "false" → present; values ORed
        if (!rawValues.some((v) => (v.toLowerCase() === 'true') === !present)) return false;
        continue;
      }
      const values: string[] = [];
      for (const v of rawValues) {
        const s = substitute(v, keys, vars);
        if (s !== undefined) values.push(s);
      }
      let ok: boolean;
      if (!present) {
        if (op.ifExists) ok = true;
        else if (op.set === 'ForAllValues') ok = true; // vacuous truth, as in IAM
        else if (op.set === 'ForAnyValue') ok = false;
        else ok = op.op.negated; // a missing key never equals anything
      } else if (op.set === 'ForAllValues') {
        ok = ctxVals.every((c) => satisfies(op.op, c, values));
      } else if (op.set === 'ForAnyValue') {
        ok = ctxVals.some((c) => satisfies(op.op, c, values));
      } else {
        const hit = ctxVals.some((c) => matchesAny(op.op, c, values));
        ok = op.op.negated ? !hit : hit;
      }
      if (!ok) return false;
    }
  }
  return true;
}

/** The names the request's action goes by: itself, its catalogue aliases and `ctx.actionAliases`. */
function actionNames(ctx: RequestContext): string[] {
  return [...new Set([ctx.action, ...aliasesOf(ctx.action), ...(ctx.actionAliases ?? [])])];
}

/** Does any of the action patterns match any name of the requested action (case-insensitively)? */
function anyActionMatches(patterns: readonly string[], names: readonly string[]): boolean {
  for (const p of patterns) for (const n of names) if (globMatch(p, n, true)) return true;
  return false;
}

/** Does any of the resource patterns (policy variables substituted) match the requested resource? */
function anyResourceMatches(patterns: readonly string[], resource: string, keys: Keys, vars: boolean): boolean {
  for (const p of patterns) {
    const s = substitute(p, keys, vars);
    if (s !== undefined && globMatch(s, resource)) return true;
  }
  return false;
}

/**
 * Does the statement apply? `'none'` if not; otherwise how its principal named the caller (statements
 * without Principal count as `account`, so an authorization never rests on them alone — fail closed).
 * (Plain loops rather than closures: this runs for every statement of every authorization.)
 */
function statementApplies(stmt: Statement, ctx: RequestContext, names: readonly string[], keys: Keys, vars: boolean): PrincipalMatch {
  let who: PrincipalMatch = 'account';
  if (stmt.Principal !== undefined) {
    who = principalMatch(stmt.Principal, ctx);
    if (who === 'none') return 'none';
  }
  if (stmt.NotPrincipal !== undefined) {
    if (principalMatch(stmt.NotPrincipal, ctx) !== 'none') return 'none';
    who = 'direct';
  }
  if (stmt.Action !== undefined && !anyActionMatches(stmt.Action, names)) return 'none';
  if (stmt.NotAction !== undefined && anyActionMatches(stmt.NotAction, names)) return 'none';
  if (stmt.Resource !== undefined && !anyResourceMatches(stmt.Resource, ctx.resource, keys, vars)) return 'none';
  if (stmt.NotResource !== undefined && anyResourceMatches(stmt.NotResource, ctx.resource, keys, vars)) return 'none';
  return conditionMatches(stmt, keys, vars) ? who : 'none';
}

const statementLabel = (label: string, stmt: Statement, idx: number): string =>
  `${label}:${stmt.Sid !== undefined && stmt.Sid !== '' ? stmt.Sid : `Statement[${idx}]`}`;

interface Match {
  reason: string;
  effect: Effect;
  principal: Exclude<PrincipalMatch, 'none'>;
}

/** What every statement of one request is matched against, derived from the context once per request. */
interface Prepared {
  keys: Keys;
  names: readonly string[];
}

function prepare(ctx: RequestContext): Prepared {
  return { keys: contextKeys(ctx), names: actionNames(ctx) };
}

function matchingStatements(policies: ReadonlyArray<LabelledPolicy>, ctx: RequestContext, prepared: Prepared = prepare(ctx)): Match[] {
  const { keys, names } = prepared;
  const out: Match[] = [];
  for (const { label, policy } of policies) {
    const vars = usesVariables(policy);
    const statements = policy.Statement;
    for (let idx = 0; idx < statements.length; idx++) {
      const stmt = statements[idx] as Statement;
      const principal = statementApplies(stmt, ctx, names, keys, vars);
      if (principal !== 'none') out.push({ reason: statementLabel(label, stmt, idx), effect: stmt.Effect, principal });
    }
  }
  return out;
}

const reasonsOf = (ms: readonly Match[], effect: Effect): string[] => ms.filter((m) => m.effect === effect).map((m) => m.reason);

/** Evaluates a set of policies for one request: explicit Deny > Allow > implicit deny. */
export function evaluate(policies: ReadonlyArray<LabelledPolicy>, ctx: RequestContext): Evaluation {
  const ms = matchingStatements(policies, ctx);
  const denies = reasonsOf(ms, 'Deny');
  if (denies.length > 0) return { decision: 'ExplicitDeny', reasons: denies };
  const allows = reasonsOf(ms, 'Allow');
  if (allows.length > 0) return { decision: 'Allow', reasons: allows };
  return { decision: 'ImplicitDeny', reasons: [] };
}

/** Policy variables are only interpreted in Version 2012-10-17 (an absent Version means 2008-10-17). */
const usesVariables = (p: PolicyDocument): boolean => p.Version === '2012-10-17';

/** Is this principal the root user of its own account (`arn:<partition>:iam::<accountId>:root`)? */
export function isAccountRoot(principal: RequestContext['principal']): boolean {
  const m = /^arn:[^:]+:iam::(\d{12}):root$/.exec(principal.arn);
  return m !== null && m[1] === principal.accountId;
}

function allow(reasons: string[]): Evaluation {
  return { decision: 'Allow', reasons };
}

function deny(reason: string): Evaluation {
  return { decision: 'ImplicitDeny', reasons: [reason] };
}

/**
 * Combines identity-based policies and an optional resource-based policy. Any explicit Deny wins; then:
 * - the account root user needs no identity policy (IAM cannot restrict it): in its own account it is
 *   allowed; cross-account the resource-based policy must allow it;
 * - same account: allowed if an identity policy allows, or if the resource-based policy allows the caller
 *   *directly* (`*`, its user/role ARN). A resource-policy Allow that names only the account
 *   (`arn:aws:iam::<acct>:root` or the account id) delegates to the account, so an identity policy must also allow;
 * - cross-account: both an identity policy and the resource-based policy must allow.
 */
export function authorize(input: {
  identity: ReadonlyArray<LabelledPolicy>;
  resource?: LabelledPolicy | undefined;
  resourceAccountId: string;
  ctx: RequestContext;
}): Evaluation {
  const { ctx } = input;
  // The identity and the resource side see the same context: its keys and action names are derived once.
  const prepared = prepare(ctx);
  const id = matchingStatements(input.identity, ctx, prepared);
  const res = input.resource ? matchingStatements([input.resource], ctx, prepared) : [];
  const denies = [...reasonsOf(id, 'Deny'), ...reasonsOf(res, 'Deny')];
  if (denies.length > 0) return { decision: 'ExplicitDeny', reasons: denies };

  const sameAccount = ctx.principal.accountId === input.resourceAccountId;
  const idAllows = reasonsOf(id, 'Allow');
  const resAllows = reasonsOf(res, 'Allow');

  if (isAccountRoot(ctx.principal)) {
    if (sameAccount) return allow([`account-root: ${ctx.principal.arn} may act on its own account's resources`, ...idAllows, ...resAllows]);
    if (resAllows.length > 0) return allow(resAllows);
    return deny('cross-account request: the resource-based policy does not allow it');
  }
  if (sameAccount) {
    if (idAllows.length > 0) return allow([...idAllows, ...resAllows]);
    const direct = res.filter((m) => m.effect === 'Allow' && m.principal === 'direct').map((m) => m.reason);
    if (direct.length > 0) return allow(direct);
    if (resAllows.length > 0) {
      return deny(`the resource-based policy (${resAllows.join(', ')}) grants the account ${ctx.principal.accountId} as a whole, ` +
        'which delegates to that account: an identity-based policy must also allow the caller');
    }
    return { decision: 'ImplicitDeny', reasons: [] };
  }
  if (idAllows.length > 0 && resAllows.length > 0) return allow([...idAllows, ...resAllows]);
  if (idAllows.length > 0 || resAllows.length > 0) {
    const missing = idAllows.length > 0 ? 'the resource-based policy' : 'an identity-based policy';
    return deny(`cross-account request: ${missing} does not allow it`);
  }
  return { decision: 'ImplicitDeny', reasons: [] };
}
