import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceError } from './errors.ts';
import { enumOf, int, list, pattern, req, str, struct, union, validateShape } from './shapes.ts';

const shape = struct({
  name: req(pattern('[a-z]+', { min: 1, max: 5 })),
  kind: enumOf(['A', 'B']),
  items: list(struct({ n: req(int(1, 3)) }), 0, 2),
  pick: union({ x: str(), y: str() }),
});

function err(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ServiceError) return e;
    throw e;
  }
  throw new Error('expected a ServiceError');
}

describe('validateShape', () => {
  it('accepts a valid value and drops unknown members', () => {
    assert.deepEqual(validateShape(shape, { name: 'ab', kind: 'A', extra: 1 }), { name: 'ab', kind: 'A' });
  });

  it('lists every failed constraint in the AWS format', () => {
    const e = err(() => validateShape(shape, { kind: 'C', items: [{ n: 0 }, { n: 1 }, { n: 2 }] }));
    assert.equal(e.code, 'ValidationException');
    assert.equal(
      e.message,
      "4 validation errors detected: Value null at 'name' failed to satisfy constraint: Member must not be null; " +
        "Value 'C' at 'kind' failed to satisfy constraint: Member must satisfy enum value set: [A, B]; " +
        "Value '[3 items]' at 'items' failed to satisfy constraint: Member must have length less than or equal to 2; " +
        "Value '0' at 'items.1.member.n' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });

  it('anchors patterns', () => {
    const e = err(() => validateShape(shape, { name: 'ab1' }));
    assert.match(e.message, /Member must satisfy regular expression pattern: \[a-z\]\+/);
  });

  it('counts length in code points', () => {
    assert.doesNotThrow(() => validateShape(struct({ s: str({ max: 2 }) }), { s: '😀😀' }));
  });

  it('reports a wrong JSON type as SerializationException', () => {
    const e = err(() => validateShape(shape, { name: 5 }));
    assert.equal(e.code, 'SerializationException');
    assert.match(e.message, /Expected a string at 'name'/);
  });

  it('requires exactly one union member', () => {
    const e = err(() => validateShape(shape, { name: 'a', pick: { x: '1', y: '2' } }));
    assert.match(e.message, /exactly one of: \[x, y\]/);
  });
});
