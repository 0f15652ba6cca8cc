/**
 * The AWS Organizations "management policy" syntax shared by every declarative policy type
 * (tag, backup, AI opt-out, BEDROCK_POLICY…): a validated tree whose leaves carry one value-setting
 * operator, and the inheritance merge that turns root → OU → … → account policies into an
 * effective policy. Schema-free: `bedrock-policy.ts` decides which keys and values exist.
 *
 * Merge rules (AWS "Inheritance operators" and "Inheritance examples"):
 * - `@@assign` replaces the inherited value (scalar or list); `@@append` adds to an inherited list;
 *   `@@remove` removes from it. A setting that is not inherited is created by assign/append.
 * - `@@operators_allowed_for_child_policies` at any level limits the value operators that policies
 *   attached *lower* in the hierarchy may use at that key and everything below it. Restrictions only
 *   ever narrow (a child cannot re-allow what a parent forbade); restrictions declared by several
 *   policies at the same level intersect. A forbidden use is ignored and reported as a warning.
 * - Policies attached to the same target are siblings: applied in attach order (a later @@assign
 *   wins) and they do not restrict one another.
 */

export type ValueOperator = '@@assign' | '@@append' | '@@remove';
export const VALUE_OPERATORS: readonly ValueOperator[] = ['@@assign', '@@append', '@@remove'];
export const CHILD_CONTROL = '@@operators_allowed_for_child_policies';

export type SettingValue = string | readonly string[];

export interface PolicySetting {
  readonly kind: 'setting';
  readonly operator?: ValueOperator;
  readonly value?: SettingValue;
  /** Operators child policies may use here; undefined = not declared, empty = `@@none`. */
  readonly allowedForChildren?: ReadonlySet<ValueOperator>;
}

export interface PolicyObject {
  readonly kind: 'object';
  readonly children: ReadonlyMap<string, PolicyNode>;
  readonly allowedForChildren?: ReadonlySet<ValueOperator>;
}

export type PolicyNode = PolicySetting | PolicyObject;

/** Who wrote a value or a restriction. */
export interface PolicySource {
  readonly policyId: string;
  readonly policyName: string;
  readonly targetId: string;
}

export interface MergeLevel {
  readonly targetId: string;
  /** In attach order. */
  readonly policies: ReadonlyArray<{ readonly source: PolicySource; readonly tree: PolicyObject }>;
}

export interface EffectiveSetting {
  readonly kind: 'setting';
  readonly value: SettingValue;
  /** The policy whose operator last changed the value. */
  readonly source: PolicySource;
}

export interface EffectiveObject {
  readonly kind: 'object';
  readonly children: Map<string, EffectiveNode>;
}

export type EffectiveNode = EffectiveSetting | EffectiveObject;

/** A value change that actually happened, for callers that want to explain the result. */
export interface MergeEvent {
  readonly path: readonly string[];
  readonly operator: ValueOperator;
  readonly source: PolicySource;
  /** The list a @@remove left behind. */
  readonly after?: SettingValue;
}

export interface MergeResult {
  readonly root: EffectiveObject;
  readonly warnings: string[];
  readonly events: MergeEvent[];
}

/** `bedrock.guardrail_inference.us-east-1` — keys that are not plain words are quoted. */
export function formatPath(keys: readonly string[]): string {
  let out = '';
  for (const k of keys) {
    if (/^\[[0-9]+\]$/.test(k)) out += k;
    else if (/^[A-Za-z0-9_@-]+$/.test(k)) out += out === '' ? k : `.${k}`;
    else out += `[${JSON.stringify(k.length > 64 ? `${k.slice(0, 61)}...` : k)}]`;
  }
  return out === '' ? '(document root)' : out;
}

export function describeSource(s: PolicySource): string {
  return `policy ${s.policyId} '${s.policyName}' attached to ${s.targetId}`;
}

export function describeOperators(ops: ReadonlySet<ValueOperator>): string {
  if (ops.size === 0) return '@@none';
  if (ops.size === VALUE_OPERATORS.length) return '@@all';
  return VALUE_OPERATORS.filter((o) => ops.has(o)).join(', ');
}

// ---- flattening ----------------------------------------------------------------------------------

interface Write {
  readonly path: readonly string[];
  readonly operator: ValueOperator;
  readonly value: SettingValue;
}

interface Control {
  readonly path: readonly string[];
  readonly allowed: ReadonlySet<ValueOperator>;
}

/** Document order; iterative so no document shape can exhaust the stack. */
function flatten(tree: PolicyObject): { writes: Write[]; controls: Control[] } {
  const writes: Write[] = [];
  const controls: Control[] = [];
  const stack: Array<{ node: PolicyNode; path: string[] }> = [{ node: tree, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop() as { node: PolicyNode; path: string[] };
    if (node.allowedForChildren) controls.push({ path, allowed: node.allowedForChildren });
    if (node.kind === 'setting') {
      if (node.operator && node.value !== undefined) writes.push({ path, operator: node.operator, value: node.value });
      continue;
    }
    const kids = [...node.children];
    for (let i = kids.length - 1; i >= 0; i--) {
      const [key, child] = kids[i] as [string, PolicyNode];
      stack.push({ node: child, path: [...path, key] });
    }
  }
  return { writes, controls };
}

// ---- restrictions --------------------------------------------------------------------------------

interface Restriction {
  allowed?: Set<ValueOperator>;
  declaredBy: Array<{ source: PolicySource; allowed: ReadonlySet<ValueOperator> }>;
  children: Map<string, Restriction>;
}

const newRestriction = (): Restriction => ({ declaredBy: [], children: new Map() });

function restrict(root: Restriction, c: Control, source: PolicySource): void {
  let node = root;
  for (const key of c.path) {
    let next = node.children.get(key);
    if (!next) {
      next = newRestriction();
      node.children.set(key, next);
    }
    node = next;
  }
  node.allowed = node.allowed ? new Set([...node.allowed].filter((o) => c.allowed.has(o))) : new Set(c.allowed);
  node.declaredBy.push({ source, allowed: c.allowed });
}

/** The inherited restriction that forbids `op` at `path`, if any (the one nearest the root). */
function forbiddenBy(
  root: Restriction,
  path: readonly string[],
  op: ValueOperator,
): { at: readonly string[]; by: PolicySource; allowed: ReadonlySet<ValueOperator> } | undefined {
  let node: Restriction | undefined = root;
  for (let depth = 0; node; depth++) {
    if (node.allowed && !node.allowed.has(op)) {
      const decl = node.declaredBy.find((d) => !d.allowed.has(op)) ?? node.declaredBy[0];
      if (decl) return { at: path.slice(0, depth), by: decl.source, allowed: node.allowed };
    }
    if (depth === path.length) break;
    node = node.children.get(path[depth] as string);
  }
  return undefined;
}

// ---- merge ---------------------------------------------------------------------------------------

function dedupe(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

function apply(root: EffectiveObject, w: Write, source: PolicySource, events: MergeEvent[]): void {
  let node = root;
  const last = w.path.length - 1;
  for (let i = 0; i < last; i++) {
    const key = w.path[i] as string;
    let next = node.children.get(key);
    if (next?.kind !== 'object') {
      // Only @@remove on a missing parent leaves nothing to create.
      if (w.operator === '@@remove') return;
      next = { kind: 'object', children: new Map() };
      node.children.set(key, next);
    }
    node = next;
  }
  const key = w.path[last] as string;
  const current = node.children.get(key);
  const inherited = current?.kind === 'setting' ? current.value : undefined;
  let value: SettingValue | undefined;
  if (w.operator === '@@assign') value = typeof w.value === 'string' ? w.value : dedupe(w.value);
  else if (w.operator === '@@append') value = dedupe([...(Array.isArray(inherited) ? inherited : []), ...(w.value as string[])]);
  else {
    if (!Array.isArray(inherited)) return;
    const drop = new Set(w.value as readonly string[]);
    value = (inherited as readonly string[]).filter((v) => !drop.has(v));
  }
  node.children.set(key, { kind: 'setting', value, source });
  events.push({ path: w.path, operator: w.operator, source, ...(w.operator === '@@remove' ? { after: value } : {}) });
}

/** Merge root → … → account levels into the effective policy tree. */
export function mergeLevels(levels: readonly MergeLevel[]): MergeResult {
  const root: EffectiveObject = { kind: 'object', children: new Map() };
  const warnings: string[] = [];
  const events: MergeEvent[] = [];
  const restrictions = newRestriction();
  for (const level of levels) {
    const declared: Array<{ control: Control; source: PolicySource }> = [];
    for (const { source, tree } of level.policies) {
      const { writes, controls } = flatten(tree);
      for (const w of writes) {
        const blocked = forbiddenBy(restrictions, w.path, w.operator);
        if (blocked) {
          warnings.push(
            `${describeSource(source)} uses ${w.operator} at ${formatPath(w.path)}, but ${describeSource(blocked.by)} ` +
              `${blocked.allowed.size === 0 ? 'allows no changes (@@none)' : `allows only ${describeOperators(blocked.allowed)}`} ` +
              `in child policies at ${formatPath(blocked.at)} ` +
              `(${CHILD_CONTROL}); the change was ignored. Change the parent policy or remove the override.`,
          );
          continue;
        }
        apply(root, w, source, events);
      }
      for (const control of controls) declared.push({ control, source });
    }
    // Sibling policies do not restrict one another: restrictions take effect from the next level on.
    for (const { control, source } of declared) restrict(restrictions, control, source);
  }
  return { root, warnings, events };
}

/** The effective tree as plain JSON, operators removed (the DescribeEffectivePolicy shape). */
export function toPlainJson(node: EffectiveObject): Record<string, unknown> {
  // Null prototype: a config may legitimately be named "__proto__".
  const out = Object.create(null) as Record<string, unknown>;
  for (const [key, child] of node.children) {
    out[key] = child.kind === 'object' ? toPlainJson(child) : typeof child.value === 'string' ? child.value : [...child.value];
  }
  return out;
}
