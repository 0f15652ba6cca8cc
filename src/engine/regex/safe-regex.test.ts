import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileSafeRegex, type RegexEngineName, RegexSyntaxError, regexEngineAvailable } from './safe-regex.ts';

const engines: RegexEngineName[] = regexEngineAvailable() === 're2' ? ['re2', 're2js'] : ['re2js'];

for (const engine of engines) {
  describe(`compileSafeRegex (${engine})`, () => {
    it('finds every non-overlapping match with UTF-16 offsets', () => {
      const re = compileSafeRegex('ORD-[0-9]{4}', engine);
      assert.equal(re.engine, engine);
      const text = 'é😀 ORD-1234 and ORD-5678';
      assert.deepEqual(
        re.findAll(text).map(([s, e]) => text.slice(s, e)),
        ['ORD-1234', 'ORD-5678'],
      );
      assert.deepEqual(re.findAll(text)[0], [4, 12]);
    });

    it('skips empty matches and still finds later ones', () => {
      assert.deepEqual(compileSafeRegex('a*', engine).findAll('baab'), [[1, 3]]);
    });

    it('supports inline flags', () => {
      assert.equal(compileSafeRegex('(?i)secret', engine).findAll('SeCrEt').length, 1);
    });

    it('rejects back-references and look-arounds with a readable message', () => {
      for (const p of ['(a)\\1', 'foo(?=bar)', '(?<!x)y']) {
        assert.throws(() => compileSafeRegex(p, engine), (e: unknown) => e instanceof RegexSyntaxError && e.message.length > 0);
      }
    });

    it('evaluates catastrophic patterns in linear time', () => {
      // (a+)+$ backtracks exponentially in V8 on this input; RE2 answers in one pass.
      const matches = compileSafeRegex('(a+)+$', engine).findAll(`${'a'.repeat(50_000)}!`);
      assert.deepEqual(matches, []);
    });
  });
}
