import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assess } from '../../src/engine/assess.ts';
import { compile } from '../../src/engine/compile.ts';
import { ALL_PII_ENTITY_TYPES, createPiiScanner } from '../../src/engine/pii/index.ts';
import { compileWords } from '../../src/engine/words/index.ts';
import { catchRate, EVASION_DETECTORS, OBFUSCATIONS } from './evasion.ts';

describe('evasion: every detector still catches every case under every obfuscation', () => {
  for (const detector of EVASION_DETECTORS)
    it(detector.name, () => {
      for (const kind of OBFUSCATIONS) {
        const r = catchRate(detector, kind);
        assert.equal(r.caught, r.total, `${kind}: missed ${r.missed.join(' | ')}`);
      }
    });
});

/** Ordinary text that looks like the tricks: looking through obfuscation must not add a finding to it. */
const ORDINARY = [
  'Привет, как дела? Встретимся в среду с командой.',
  'Η Ελλάδα είναι όμορφη το καλοκαίρι.',
  'Meet me at 10am on the 4th floor; bring the mp3 and the H2O sample.',
  'COVID-19 rules changed in 2024, see section 3b of the B2B contract.',
  'We visited the U S A and the U K last year, e.g. a, b and c.',
  'The build hash is 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.',
  'Call getUserAccountByIdentifier() then serializeResponseBody() in the handler.',
  'Tokens like dGhpcyBpcyBqdXN0IHRlc3Q are examples, but the key AKIA... is redacted.',
  'Wow! Great job, team! Let us ship it on Friday.',
  'Order #A7 shipped; the tracking code is ZX81-QL-55.',
  'Version 1.2.3 of the library fixes the l10n and i18n bugs.',
];

describe('evasion: ordinary text gets no extra findings', () => {
  const words = compileWords({ custom: ['Project Falcon', 'bluebird', 'abc', 'cope', 'class'], profanity: true });
  const plainWords = compileWords({ custom: ['Project Falcon', 'bluebird', 'abc', 'cope', 'class'], profanity: true, deobfuscate: false });
  const pii = createPiiScanner(ALL_PII_ENTITY_TYPES);
  const plainPii = createPiiScanner(ALL_PII_ENTITY_TYPES, { deobfuscate: false });
  for (const text of ORDINARY)
    it(text.slice(0, 40), () => {
      assert.deepEqual(words.scan(text), plainWords.scan(text));
      assert.deepEqual(pii.scan(text), plainPii.scan(text));
    });
});

describe('evasion: a value split across content blocks', () => {
  it('is masked in both blocks when the action is ANONYMIZE', () => {
    const compiled = compile({
      name: 'split',
      blockedInputMessaging: 'Blocked.',
      blockedOutputsMessaging: 'Blocked.',
      sensitiveInformationPolicyConfig: { piiEntitiesConfig: [{ type: 'EMAIL', action: 'ANONYMIZE' }] },
    });
    const r = assess(compiled, { source: 'INPUT', content: [{ text: 'Write to jane.doe@exa' }, { text: 'mple.com today.' }] });
    assert.equal(r.action, 'GUARDRAIL_INTERVENED');
    assert.deepEqual(r.outputs, [{ text: 'Write to {EMAIL}' }, { text: '{EMAIL} today.' }]);
    assert.deepEqual(
      r.assessment.sensitiveInformationPolicy?.piiEntities.map((p) => [p.type, p.match, p.action]),
      [['EMAIL', 'jane.doe@example.com', 'ANONYMIZED']],
    );
  });

  it('is not reported twice when one block already holds it whole', () => {
    const compiled = compile({
      name: 'whole',
      blockedInputMessaging: 'Blocked.',
      blockedOutputsMessaging: 'Blocked.',
      wordPolicyConfig: { wordsConfig: [{ text: 'bluebird' }] },
    });
    const r = assess(compiled, { source: 'INPUT', content: [{ text: 'the bluebird' }, { text: 'song' }] });
    assert.deepEqual(r.assessment.wordPolicy?.customWords.map((w) => w.match), ['bluebird']);
  });
});
