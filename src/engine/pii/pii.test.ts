import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PII_ENTITY_TYPES } from '../config/types.ts';
import { createPiiScanner, type PiiFinding, sharedPiiScanner } from './index.ts';
import { PII_CASES } from './pii.cases.ts';

const all = createPiiScanner(PII_ENTITY_TYPES);

function spansOf(text: string, findings: readonly PiiFinding[], type: string): string[] {
  return findings.filter((f) => f.type === type).map((f) => text.slice(f.start, f.end));
}

for (const type of PII_ENTITY_TYPES) {
  const cases = PII_CASES[type];
  const only = createPiiScanner([type]);

  test(`${type}: case table has at least 3 hits and 3 near misses`, () => {
    assert.ok(cases.hits.length >= 3, 'hits');
    assert.ok(cases.misses.length >= 3, 'misses');
  });

  for (const c of cases.hits) {
    test(`${type} catches ${JSON.stringify(c.text)}`, () => {
      const found = only.scan(c.text);
      assert.deepEqual(spansOf(c.text, found, type), c.spans);
      for (const f of found) {
        assert.equal(f.type, type);
        assert.ok(f.score >= 0 && f.score <= 1);
      }
    });
    test(`${type} still wins with all types enabled: ${JSON.stringify(c.text)}`, () => {
      assert.deepEqual(spansOf(c.text, all.scan(c.text), type), c.spans);
    });
  }

  for (const text of cases.misses) {
    test(`${type} ignores ${JSON.stringify(text)}`, () => {
      assert.deepEqual(spansOf(text, only.scan(text), type), []);
    });
  }
}

test('shared scanners: one per set of types, whatever the order or repeats; another set gets its own', () => {
  const a = sharedPiiScanner(['EMAIL', 'PHONE']);
  assert.equal(sharedPiiScanner(['PHONE', 'EMAIL', 'PHONE']), a);
  assert.notEqual(sharedPiiScanner(['EMAIL']), a);
  assert.deepEqual(a.scan('mail jane@example.com').map((f) => f.type), ['EMAIL']);
});
