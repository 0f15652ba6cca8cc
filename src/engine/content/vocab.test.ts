import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize } from './normalize.ts';
import { VocabularyBuilder, expandPattern, hasClass, matchTokens, nounForms, termAt, termVal, verbForms, MF_PAST } from './vocab.ts';

test('expandPattern expands alternation groups, with empty alternatives as optional', () => {
  assert.deepEqual(expandPattern('how (do|can) (i|we)').sort(), ['how can i', 'how can we', 'how do i', 'how do we']);
  assert.deepEqual(expandPattern('kill (the|) man').sort(), ['kill man', 'kill the man']);
  assert.deepEqual(expandPattern('plain phrase'), ['plain phrase']);
});

test('verb and noun inflections', () => {
  const k = verbForms('kill');
  assert.ok(k.other.includes('killing') && k.other.includes('kills') && k.other.includes('killin'));
  assert.ok(k.past.includes('killed'));
  assert.ok(verbForms('stab').past.includes('stabbed'));
  assert.ok(verbForms('make').other.includes('making'));
  assert.ok(verbForms('bully').past.includes('bullied'));
  assert.deepEqual(nounForms('knife').sort(), ['knife', 'knifes', 'knives']);
  assert.ok(nounForms('city').includes('cities'));
});

test('a built vocabulary matches inflected phrases and reports classes, values and ends', () => {
  const v = new VocabularyBuilder()
    .irregular({ shoot: { past: ['shot'] } })
    .add('kill', 0, 3, 'v')
    .add('shoot', 0, 2, 'v')
    .add('blow up', 0, 3, 'v')
    .add('(a|the) person', 1)
    .add('how (do|can) i', 40)
    .build();
  const t = tokenize('How do I blow up things? They shot the person and were killing', (w) => v.known.has(w));
  const m = matchTokens(v, t);
  const at = (w: string): number => t.words.indexOf(w);
  assert.ok(hasClass(m, at('how'), 40));
  assert.ok(hasClass(m, at('blow'), 0));
  assert.equal(termAt(v, m, at('blow'), 0)?.end, at('blow') + 2);
  const shot = termAt(v, m, at('shot'), 0);
  assert.ok(shot !== null && termVal(v, shot.id, 0) === 2);
  assert.ok(((m.mflags[at('shot')] ?? 0) & MF_PAST) !== 0);
  assert.ok(hasClass(m, at('the'), 1)); // "the person"
  assert.ok(hasClass(m, at('killing'), 0));
  assert.equal(m.lemmas[at('killing')], 'kill');
  // Phrases do not run across sentences.
  const t2 = tokenize('how do. i', (w) => v.known.has(w));
  assert.ok(!hasClass(matchTokens(v, t2), 0, 40));
});
