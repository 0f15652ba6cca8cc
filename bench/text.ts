/** Deterministic benchmark inputs: padded word lists and realistic English texts from a seeded PRNG. */

import { mulberry32 } from '../src/core/seeded-random.ts';

const SYLLABLES = ['ka', 'lo', 'mi', 'ten', 'var', 'os', 'qui', 'zen', 'dra', 'pol', 'ux', 'ber', 'fin', 'gal', 'hy', 'jor'];

/** `n` distinct pseudo-words/phrases from a fixed seed (for padding wordsConfig). */
export function generatedTerms(n: number, seed = 42): string[] {
  const rand = mulberry32(seed);
  const out = new Set<string>();
  while (out.size < n) {
    const parts = 1 + Math.floor(rand() * 2);
    const words: string[] = [];
    for (let p = 0; p < parts; p++) {
      let w = '';
      const syl = 2 + Math.floor(rand() * 3);
      for (let s = 0; s < syl; s++) w += SYLLABLES[Math.floor(rand() * SYLLABLES.length)];
      words.push(w);
    }
    out.add(words.join(' '));
  }
  return [...out];
}

const SENTENCES = [
  'The quarterly report shows steady growth in the northern region.',
  'Please review the attached draft before the meeting on Thursday.',
  'Our team shipped the new onboarding flow and customers like it.',
  'The weather in Lisbon was sunny, so we walked along the river.',
  'Remember to rotate the logs and archive the old backups weekly.',
  'Can you summarize the main findings of the research paper for me?',
  'The recipe needs two cups of flour, one egg and a pinch of salt.',
  'Traffic on the highway was light this morning after the holiday.',
  'I would like to book a table for four people at seven tonight.',
  'The museum opens at nine and the guided tour starts at ten.',
  'Contact me at sam.taylor@example.com if the invoice looks wrong.',
  'My order ORD-20240117 arrived late and the box was damaged.',
  'Call the front desk on (415) 555-0132 to change the reservation.',
  'The server at 10.20.30.40 restarted twice during the deployment.',
];

/**
 * `count` request texts of exactly `bytes` characters that differ in their first bytes (`Note 0: …`, `Note 1: …`),
 * so no "same text as last time" memo turns a measurement into a cache hit. They are flat strings, as JSON.parse
 * hands a request body to the engine: a string built by slicing or concatenation would make every character
 * loop of the engine pay an indirection per read that production never pays.
 */
export function benchRequestTexts(bytes: number, count = 8, seed = 7): string[] {
  const base = benchText(bytes, seed);
  return Array.from({ length: count }, (_, i) => JSON.parse(JSON.stringify(`Note ${i}: ${base}`.slice(0, bytes))) as string);
}

/** About `bytes` characters of English, deterministic for a given seed. */
export function benchText(bytes: number, seed = 7): string {
  const rand = mulberry32(seed);
  let out = '';
  while (out.length < bytes) out += `${SENTENCES[Math.floor(rand() * SENTENCES.length)]} `;
  return out.slice(0, bytes);
}
