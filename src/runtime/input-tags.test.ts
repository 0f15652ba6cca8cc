import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { splitTagged, TAG_PREFIX } from './input-tags.ts';

const open = (s: string) => `<${TAG_PREFIX}${s}>`;
const close = (s: string) => `</${TAG_PREFIX}${s}>`;

test('untagged text is one untagged piece', () => {
  assert.deepEqual(splitTagged('hello world', 'abc'), [{ text: 'hello world', tagged: false }]);
});

test('tagged pieces are marked and the tags removed; untagged text around them is kept', () => {
  const t = `You are helpful. ${open('x1')}my SSN is 123-45-6789${close('x1')} and ${open('x1')}more${close('x1')}.`;
  assert.deepEqual(splitTagged(t, 'x1'), [
    { text: 'You are helpful. ', tagged: false },
    { text: 'my SSN is 123-45-6789', tagged: true },
    { text: ' and ', tagged: false },
    { text: 'more', tagged: true },
    { text: '.', tagged: false },
  ]);
});

test('with a suffix given, tags of another suffix are plain text', () => {
  const t = `${open('other')}x${close('other')}`;
  assert.deepEqual(splitTagged(t, 'mine'), [{ text: t, tagged: false }]);
  assert.deepEqual(splitTagged(t), [{ text: 'x', tagged: true }]);
});

test('nesting, stray closing and unclosed tags are validation errors', () => {
  assert.throws(() => splitTagged(`${open('a')}${open('a')}x${close('a')}${close('a')}`, 'a'), /must not nest/);
  assert.throws(() => splitTagged(`x${close('a')}`, 'a'), /closes no open tag/);
  assert.throws(() => splitTagged(`${open('a')}x`, 'a'), /never closed/);
});

test('property: joining the pieces gives the text without its tags', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.string(), fc.boolean()), { maxLength: 6 }), (parts) => {
      const clean = parts.map(([s]) => s.replaceAll('<', '('));
      const text = clean.map((s, i) => (parts[i]?.[1] ? `${open('s1')}${s}${close('s1')}` : s)).join('');
      const pieces = splitTagged(text, 's1');
      assert.equal(pieces.map((p) => p.text).join(''), clean.join(''));
      const tagged = pieces.filter((p) => p.tagged).map((p) => p.text);
      assert.deepEqual(tagged, clean.filter((_, i) => parts[i]?.[1]));
    }),
  );
});
