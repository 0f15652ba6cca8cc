import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileSafeRegex, literalPrefix, type RegexEngineName, RegexSubject, RegexSyntaxError, regexEngineAvailable } from './safe-regex.ts';

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

    it('runs several patterns over one prepared text, with UTF-16 offsets', () => {
      const text = 'é😀 ORD-1234, tok_x and ORD-5678 ☃ ORD-9';
      const subject = new RegexSubject(text);
      for (const p of ['ORD-[0-9]{4}', 'tok_[a-z]', '[0-9]+', '☃ ORD', 'x*']) {
        assert.deepEqual(compileSafeRegex(p, engine).findAll(subject), compileSafeRegex(p, engine).findAll(text), p);
      }
      assert.deepEqual(compileSafeRegex('ORD-[0-9]{4}', engine).findAll(subject), [[4, 12], [24, 32]]);
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

describe('literalPrefix', () => {
  it('is the text every match starts with, or empty when unsure', () => {
    assert.equal(literalPrefix('ORD-[0-9]{8}'), 'ORD-');
    assert.equal(literalPrefix('Room [0-9]{3}[A-Z]?'), 'Room ');
    assert.equal(literalPrefix('abc?'), 'ab');
    assert.equal(literalPrefix('ab+c'), 'ab');
    assert.equal(literalPrefix('a{2}'), '');
    assert.equal(literalPrefix('ORD|INV'), '');
    assert.equal(literalPrefix('(?i)ord'), '');
    assert.equal(literalPrefix('[A-Z]{2}-[0-9]'), '');
    assert.equal(literalPrefix('\\d+'), '');
  });
});
