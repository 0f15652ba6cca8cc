import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHILD_CONTROL, VALUE_OPERATORS, formatPath, mergeLevels, toPlainJson } from './policy-syntax.ts';
import type { MergeLevel, PolicyNode, PolicyObject, ValueOperator } from './policy-syntax.ts';

type J = string | string[] | { [k: string]: J };

/** Schema-free tree builder: an object with a value operator is a setting, any other object a level. */
function tree(json: { [k: string]: J }): PolicyObject {
  const node = (v: { [k: string]: J }): PolicyNode => {
    const control = v[CHILD_CONTROL] as string[] | undefined;
    const allowedForChildren = control
      ? new Set<ValueOperator>(control[0] === '@@all' ? VALUE_OPERATORS : control[0] === '@@none' ? [] : (control as ValueOperator[]))
      : undefined;
    const op = VALUE_OPERATORS.find((o) => o in v);
    if (op) return { kind: 'setting', operator: op, value: v[op] as string | string[], ...(allowedForChildren ? { allowedForChildren } : {}) };
    const children = new Map<string, PolicyNode>();
    for (const [k, c] of Object.entries(v)) if (k !== CHILD_CONTROL) children.set(k, node(c as { [k: string]: J }));
    return { kind: 'object', children, ...(allowedForChildren ? { allowedForChildren } : {}) };
  };
  return node(json) as PolicyObject;
}

let n = 0;
const level = (targetId: string, ...docs: Array<{ [k: string]: J }>): MergeLevel => ({
  targetId,
  policies: docs.map((d) => ({ source: { policyId: `p-${++n}`, policyName: `n${n}`, targetId }, tree: tree(d) })),
});

const plain = (levels: MergeLevel[]) => {
  const r = mergeLevels(levels);
  return { json: JSON.parse(JSON.stringify(toPlainJson(r.root))) as unknown, warnings: r.warnings };
};

test('@@assign in a child replaces scalars and lists; absent settings are inherited', () => {
  const r = plain([
    level('r-1', { a: { s: { '@@assign': 'root' }, l: { '@@assign': ['x', 'y'] }, keep: { '@@assign': 'k' } } }),
    level('ou-1', { a: { s: { '@@assign': 'ou' }, l: { '@@assign': ['z'] } } }),
  ]);
  assert.deepEqual(r.json, { a: { s: 'ou', l: ['z'], keep: 'k' } });
  assert.deepEqual(r.warnings, []);
});

test('@@append adds to an inherited list (deduplicated) or creates it; @@remove drops values', () => {
  const r = plain([
    level('r-1', { l: { '@@assign': ['x', 'y'] } }),
    level('ou-1', { l: { '@@append': ['y', 'z'] }, fresh: { '@@append': ['a'] } }),
    level('acct', { l: { '@@remove': ['x', 'nope'] }, absent: { '@@remove': ['q'] } }),
  ]);
  assert.deepEqual(r.json, { l: ['y', 'z'], fresh: ['a'] });
});

test('@@remove under a missing parent creates nothing', () => {
  const r = plain([level('r-1', { a: { b: { l: { '@@remove': ['x'] } } } })]);
  assert.deepEqual(r.json, {});
});

test('sibling policies apply in attach order: the later @@assign wins', () => {
  const r = plain([level('r-1', { s: { '@@assign': 'first' } }, { s: { '@@assign': 'second' } })]);
  assert.deepEqual(r.json, { s: 'second' });
});

test('@@none locks a setting: the child override is ignored with a warning naming both policies', () => {
  const r = plain([
    level('r-1', { s: { '@@assign': 'root', [CHILD_CONTROL]: ['@@none'] } }),
    level('ou-1', { s: { '@@assign': 'ou' } }),
  ]);
  assert.deepEqual(r.json, { s: 'root' });
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0] ?? '', /attached to ou-1 uses @@assign at s, but policy p-\d+ 'n\d+' attached to r-1 allows no changes \(@@none\)/);
});

test('a restriction on an object level covers every key below it, including new ones', () => {
  const r = plain([
    level('r-1', { region: { [CHILD_CONTROL]: ['@@none'], c1: { id: { '@@assign': 'g1' } } } }),
    level('ou-1', { region: { c2: { id: { '@@assign': 'g2' } }, c1: { id: { '@@assign': 'evil' } } } }),
  ]);
  assert.deepEqual(r.json, { region: { c1: { id: 'g1' } } });
  assert.equal(r.warnings.length, 2);
});

test('a partial allow-list lets the allowed operators through', () => {
  const r = plain([
    level('r-1', { l: { '@@assign': ['x'], [CHILD_CONTROL]: ['@@append'] } }),
    level('ou-1', { l: { '@@remove': ['x'] } }, { l: { '@@append': ['y'] } }),
  ]);
  assert.deepEqual(r.json, { l: ['x', 'y'] });
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0] ?? '', /uses @@remove .* allows only @@append/);
});

test('a child cannot re-allow what a parent forbade; restrictions accumulate down the levels', () => {
  const r = plain([
    level('r-1', { l: { '@@assign': ['x'], [CHILD_CONTROL]: ['@@append', '@@remove'] } }),
    level('ou-1', { l: { '@@append': ['y'], [CHILD_CONTROL]: ['@@all'] } }),
    level('ou-2', { l: { '@@remove': ['x'], [CHILD_CONTROL]: ['@@remove', '@@assign'] } }),
    level('acct', { l: { '@@assign': ['q'] } }, { l: { '@@append': ['z'] } }, { l: { '@@remove': ['y'] } }),
  ]);
  // acct: @@assign forbidden by r-1, @@append forbidden by ou-2, @@remove allowed.
  assert.deepEqual(r.json, { l: [] });
  assert.equal(r.warnings.length, 2);
  assert.match(r.warnings[0] ?? '', /uses @@assign .* attached to r-1/);
  assert.match(r.warnings[1] ?? '', /uses @@append .* attached to ou-2/);
});

test('sibling policies do not restrict each other, but their restrictions intersect for children', () => {
  const r = plain([
    level('r-1', { s: { '@@assign': 'a', [CHILD_CONTROL]: ['@@assign', '@@append'] } }, { s: { '@@assign': 'b', [CHILD_CONTROL]: ['@@append', '@@remove'] } }),
    level('ou-1', { s: { '@@assign': 'c' } }),
  ]);
  assert.deepEqual(r.json, { s: 'b' });
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0] ?? '', /allows only @@append/);
});

test('merge events record which policy changed a setting last', () => {
  const levels = [level('r-1', { s: { '@@assign': 'a' } }), level('ou-1', { s: { '@@assign': 'b' } })];
  const r = mergeLevels(levels);
  const s = r.root.children.get('s');
  assert.equal(s?.kind, 'setting');
  assert.equal(s?.kind === 'setting' ? s.source.targetId : '', 'ou-1');
  assert.equal(r.events.length, 2);
});

test('formatPath quotes odd keys and keeps array indexes', () => {
  assert.equal(formatPath([]), '(document root)');
  assert.equal(formatPath(['bedrock', 'guardrail_inference', 'us-east-1']), 'bedrock.guardrail_inference.us-east-1');
  assert.equal(formatPath(['a', 'b c', '@@assign', '[3]']), 'a["b c"].@@assign[3]');
});

test('toPlainJson keeps a key named __proto__ as data', () => {
  const r = mergeLevels([level('r-1', { __proto__x: { '@@assign': 'v' } })]);
  r.root.children.set('__proto__', { kind: 'setting', value: 'v', source: { policyId: 'p', policyName: 'n', targetId: 't' } });
  const out = toPlainJson(r.root);
  assert.equal(JSON.stringify(out), '{"__proto__x":"v","__proto__":"v"}');
});
