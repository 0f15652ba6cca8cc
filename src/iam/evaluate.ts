/**
 * Policy evaluation. The decision table (the spec):
 *   any matching Deny                → ExplicitDeny  (reasons: the Deny statements)
 *   else any matching Allow          → Allow         (reasons: the Allow statements)
 *   else                             → ImplicitDeny  (reasons: empty)
 * `authorize` combines identity and resource policies: same account → either may allow; cross-account → both
 * must allow; an explicit Deny anywhere wins.
 *
 * Principal ARNs with wildcards (`arn:aws:iam::*:root`): real IAM only supports a bare `*`, but we treat such
 * an entry as a glob pattern (`*`/`?`) over the principal's account (for `:root`) or ARN (otherwise).
 */
import { globMatch } from './glob.ts';
import { parseOperator } from './operators.ts';
import type { Evaluation, LabelledPolicy, PolicyDocument, PrincipalSpec, RequestContext, Statement } from './types.ts';

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

function principalEntryMatches(entry: string, ctx: RequestContext): boolean {
  if (entry === '*') return true;
  const { arn, accountId } = ctx.principal;
  if (/^\d{12}$/.test(entry)) return entry === accountId;
  const root = /^arn:[^:]+:iam::([^:]*):root$/.exec(entry);
  if (root) return globMatch(root[1] ?? '', accountId);
  if (globMatch(entry, arn)) return true;
  // a role ARN also matches that role's sessions: arn:aws:sts::A:assumed-role/<name>/<session>
  const role = /^arn:([^:]+):iam::([^:]*):role\/(?:.*\/)?([^/]+)$/.exec(entry);
  const session = /^arn:([^:]+):sts::([^:]*):assumed-role\/([^/]+)\/[^/]+$/.exec(arn);
  if (role && session) {
    return globMatch(role[1] ?? '', session[1] ?? '') && globMatch(role[2] ?? '', session[2] ?? '') && globMatch(role[3] ?? '', session[3] ?? '');
  }
  return false;
}

function principalMatches(spec: PrincipalSpec, ctx: RequestContext): boolean {
  if (spec === '*') return true;
  const aws = spec['AWS'];
  return aws !== undefined && aws.some((e) => principalEntryMatches(e, ctx));
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
      const anyMatch = (c: string): boolean => values.some((p) => op.op.match(c, p));
      // per context value: does it satisfy the operator (negated operators: matches none of the values)
      const sat = (c: string): boolean => (op.op.negated ? !anyMatch(c) : anyMatch(c));
      let ok: boolean;
      if (!present) {
        if (op.ifExists) ok = true;
        else if (op.set === 'ForAllValues') ok = true; // vacuous truth, as in IAM
        else if (op.set === 'ForAnyValue') ok = false;
        else ok = op.op.negated; // a missing key never equals anything
      } else if (op.set === 'ForAllValues') {
        ok = ctxVals.every(sat);
      } else if (op.set === 'ForAnyValue') {
        ok = ctxVals.some(sat);
      } else {
        const hit = ctxVals.some(anyMatch);
        ok = op.op.negated ? !hit : hit;
      }
      if (!ok) return false;
    }
  }
  return true;
}

function statementApplies(stmt: Statement, ctx: RequestContext, keys: Keys, vars: boolean): boolean {
  if (stmt.Principal !== undefined && !principalMatches(stmt.Principal, ctx)) return false;
  if (stmt.NotPrincipal !== undefined && principalMatches(stmt.NotPrincipal, ctx)) return false;
  const action = (p: string): boolean => globMatch(p, ctx.action, true);
  if (stmt.Action !== undefined && !stmt.Action.some(action)) return false;
  if (stmt.NotAction !== undefined && stmt.NotAction.some(action)) return false;
  const resource = (p: string): boolean => {
    const s = substitute(p, keys, vars);
    return s !== undefined && globMatch(s, ctx.resource);
  };
  if (stmt.Resource !== undefined && !stmt.Resource.some(resource)) return false;
  if (stmt.NotResource !== undefined && stmt.NotResource.some(resource)) return false;
  return conditionMatches(stmt, keys, vars);
}

const statementLabel = (label: string, stmt: Statement, idx: number): string =>
  `${label}:${stmt.Sid !== undefined && stmt.Sid !== '' ? stmt.Sid : `Statement[${idx}]`}`;

/** Evaluates a set of policies for one request: explicit Deny > Allow > implicit deny. */
export function evaluate(policies: ReadonlyArray<LabelledPolicy>, ctx: RequestContext): Evaluation {
  const keys = contextKeys(ctx);
  const allows: string[] = [];
  const denies: string[] = [];
  for (const { label, policy } of policies) {
    const vars = usesVariables(policy);
    policy.Statement.forEach((stmt, idx) => {
      if (!statementApplies(stmt, ctx, keys, vars)) return;
      (stmt.Effect === 'Deny' ? denies : allows).push(statementLabel(label, stmt, idx));
    });
  }
  if (denies.length > 0) return { decision: 'ExplicitDeny', reasons: denies };
  if (allows.length > 0) return { decision: 'Allow', reasons: allows };
  return { decision: 'ImplicitDeny', reasons: [] };
}

/** Policy variables are only interpreted in Version 2012-10-17 (an absent Version means 2008-10-17). */
const usesVariables = (p: PolicyDocument): boolean => p.Version === '2012-10-17';

/**
 * Combines identity-based policies and an optional resource-based policy.
 * Same account: allowed if either allows; cross-account: both must allow; any explicit Deny wins.
 */
export function authorize(input: {
  identity: ReadonlyArray<LabelledPolicy>;
  resource?: LabelledPolicy | undefined;
  resourceAccountId: string;
  ctx: RequestContext;
}): Evaluation {
  const id = evaluate(input.identity, input.ctx);
  const res: Evaluation = input.resource ? evaluate([input.resource], input.ctx) : { decision: 'ImplicitDeny', reasons: [] };
  if (id.decision === 'ExplicitDeny' || res.decision === 'ExplicitDeny') {
    const reasons = [id, res].filter((e) => e.decision === 'ExplicitDeny').flatMap((e) => e.reasons);
    return { decision: 'ExplicitDeny', reasons };
  }
  const sameAccount = input.ctx.principal.accountId === input.resourceAccountId;
  const idAllows = id.decision === 'Allow';
  const resAllows = res.decision === 'Allow';
  if (sameAccount ? idAllows || resAllows : idAllows && resAllows) {
    return { decision: 'Allow', reasons: [...id.reasons, ...res.reasons] };
  }
  if (!sameAccount && (idAllows || resAllows)) {
    const missing = idAllows ? 'the resource-based policy' : 'an identity-based policy';
    return { decision: 'ImplicitDeny', reasons: [`cross-account request: ${missing} does not allow it`] };
  }
  return { decision: 'ImplicitDeny', reasons: [] };
}
