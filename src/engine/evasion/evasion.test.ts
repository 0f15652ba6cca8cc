import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { base64Payloads, mayHoldBase64 } from './base64.ts';
import { latinLookalike, skeleton } from './confusables.ts';
import { leetCanonical, leetPositions, leetValues } from './leet.ts';
import { seamFindings } from './seams.ts';
import { spacedRuns } from './spaced.ts';

test('skeleton: mixed-script and whole-script look-alike words read as Latin; real Cyrillic and Greek stay', () => {
  assert.equal(skeleton('the bluеbіrd launch'), 'the bluebird launch'); // Cyrillic е, і inside a Latin word
  assert.equal(skeleton('соре'), 'cope'); // only look-alike letters: a whole-script confusable
  assert.equal(skeleton('соре', { wholeScript: false }), null);
  assert.equal(skeleton('привет мир'), null); // п, и, в… have no look-alike in these words: left alone
  assert.equal(skeleton('Ελλάδα'), null);
  assert.equal(skeleton('plain ASCII text'), null);
  assert.equal(skeleton('ΡrојесtΥ'), 'ProjectY'); // case for case
});

test('skeleton keeps length and changes only look-alike letters (property)', () => {
  const ch = fc.constantFrom('a', 'b', 'Z', '1', ' ', '.', 'а', 'е', 'о', 'р', 'с', 'П', 'д', 'α', 'ο', 'λ', 'é', '中');
  fc.assert(
    fc.property(fc.array(ch, { maxLength: 30 }), (parts) => {
      const text = parts.join('');
      const out = skeleton(text);
      if (out === null) return;
      assert.equal(out.length, text.length);
      for (let i = 0; i < text.length; i++)
        if (out[i] !== text[i]) assert.equal(out.charCodeAt(i), latinLookalike(text.charCodeAt(i)));
    }),
  );
});

test('leetCanonical: digits and symbols inside words read as letters, numbers stay, l and 1 meet', () => {
  assert.equal(leetCanonical('pr0j3c7 f4lc0n'), 'project faicon');
  assert.equal(leetCanonical('bluebird'), 'biuebird');
  assert.equal(leetCanonical('b1uebird'), 'biuebird');
  assert.equal(leetCanonical('a$$hole!'), 'asshoie!'); // a sentence-ending ! stays
  assert.equal(leetCanonical('call 4111 or 2024'), 'caii 4111 or 2024');
  assert.deepEqual(leetPositions('plain words, 2024 and 4111'), []);
  assert.deepEqual(leetPositions('blu3bird'), [3]);
  assert.deepEqual(leetPositions('wow! great'), []);
});

test('leetValues: only words mixing letters and digits change, case kept', () => {
  assert.equal(leetValues('j4n3.d03@3x4mpl3.c0m'), 'jane.doe@example.com');
  assert.equal(leetValues('SSN 536-22-8714'), null);
  assert.equal(leetValues('Room B12'), 'Room Bi2'); // 2 has no look-alike letter
});

test('spacedRuns: letters mode joins single letters across short separators', () => {
  const runs = spacedRuns('say b l u e b i r d now, or f.u.c.k', 'letters');
  assert.deepEqual(runs.map((r) => r.text), ['bluebird', 'fuck']);
  const first = runs[0];
  assert.ok(first);
  assert.deepEqual(first.offsets.slice(0, 3), [4, 6, 8]);
  assert.deepEqual(spacedRuns('a bcd e f', 'letters').map((r) => r.text), []); // a word breaks the run
});

test('spacedRuns: values mode keeps wide gaps as one space and ends at closing punctuation', () => {
  assert.deepEqual(spacedRuns('card 4 1 1 1   2 2 2 2 now', 'values').map((r) => r.text), ['4111 2222']);
  assert.deepEqual(spacedRuns('SSN 5 3 6 - 2 2 - 8 7 1 4, ok', 'values').map((r) => r.text), ['536-22-8714']);
});

test('spacedRuns offsets point at the joined characters (property)', () => {
  const piece = fc.constantFrom('a', 'b', 'c', '1', ' ', '  ', '.', '-', 'word', '\n');
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 40 }), fc.constantFrom('letters', 'values'), (parts, mode) => {
      const text = parts.join('');
      for (const run of spacedRuns(text, mode as 'letters' | 'values')) {
        assert.equal(run.offsets.length, run.text.length);
        for (let j = 0; j < run.text.length; j++) {
          const at = run.offsets[j] ?? -1;
          if (run.text[j] === ' ' && mode === 'values') assert.equal(text[at], ' ');
          else assert.equal(text[at], run.text[j]);
        }
      }
    }),
  );
});

test('base64Payloads finds payloads that decode to text and skips words, hashes and bytes', () => {
  const payload = Buffer.from('Tell me about Project Falcon', 'utf8').toString('base64');
  const text = `Decode: ${payload} please`;
  assert.deepEqual(base64Payloads(text), [{ start: 8, end: 8 + payload.length, decoded: 'Tell me about Project Falcon' }]);
  const urlSafe = Buffer.from('jane.doe@example.com ?>?>', 'utf8').toString('base64url');
  assert.equal(base64Payloads(urlSafe)[0]?.decoded, 'jane.doe@example.com ?>?>');
  assert.deepEqual(base64Payloads('internationalization responsibilities'), []); // lower-case words
  assert.deepEqual(base64Payloads('sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'), []);
  assert.deepEqual(base64Payloads(Buffer.from([0, 1, 2, 250, 251, 252, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]).toString('base64')), []);
  assert.equal(mayHoldBase64('short words only here'), false);
});

test('every readable text encoded in base64 is found and decoded exactly (property)', () => {
  const word = fc.stringMatching(/^[A-Za-z]{1,8}$/);
  fc.assert(
    fc.property(fc.array(word, { minLength: 3, maxLength: 8 }), fc.string({ maxLength: 10 }), (words, prefix) => {
      const plain = words.join(' ');
      const encoded = Buffer.from(plain, 'utf8').toString('base64');
      fc.pre(encoded.replace(/=+$/, '').length >= 16 && /[A-Z]/.test(encoded));
      const safePrefix = prefix.replace(/[A-Za-z0-9+/=_-]/g, ' ');
      const text = `${safePrefix} ${encoded} end`;
      assert.equal(mayHoldBase64(text), true);
      const found = base64Payloads(text).find((p) => text.slice(p.start, p.end) === encoded);
      assert.equal(found?.decoded, plain);
    }),
  );
});

test('seamFindings keeps what crosses a block boundary, in both blocks, and drops what a block scan reported', () => {
  const scan = (s: string) => [...s.matchAll(/falcon/g)].map((m) => ({ start: m.index ?? 0, end: (m.index ?? 0) + 6 }));
  const texts = ['about project fal', 'con now', 'falcon'];
  const plain = texts.map(scan);
  const seams = seamFindings(texts, scan, 256, plain);
  assert.equal(seams.length, 1);
  assert.equal(seams[0]?.match, 'falcon');
  assert.deepEqual(seams[0]?.parts, [
    { block: 0, start: 14, end: 17 },
    { block: 1, start: 0, end: 3 },
  ]);
});

test('windowsAround merges overlapping windows and widens them to whitespace', async () => {
  const { windowsAround } = await import('./windows.ts');
  const text = 'aaaa bbbb cccc dddd eeee ffff';
  assert.deepEqual(windowsAround(text, [], 3), []);
  assert.deepEqual(windowsAround(text, [6], 1), [[5, 9]]); // inside "bbbb": the whole word
  assert.deepEqual(windowsAround(text, [6, 11], 2), [[4, 14]]); // two windows that touch merge
  assert.deepEqual(windowsAround(text, [1, 26], 1), [[0, 4], [25, 29]]);
});

test('leetPositions skips the @ of an e-mail address and a sentence-ending !', async () => {
  assert.deepEqual(leetPositions('mail sam@example.com now!'), []);
  assert.deepEqual(leetPositions('h@te and blu3bird'), [1, 12]);
});
