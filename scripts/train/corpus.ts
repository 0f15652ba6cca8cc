/**
 * The training corpus of the shipped classifiers, built from the public sets in ../shared/data and the
 * sets written for this project in data/written. Used by `npm run train` (every row) and by `npm run eval`
 * (5-fold cross-validation: each row is scored by a model that never saw it).
 *
 * Labels per row (NaN = the source says nothing about that label):
 * - OpenAI moderation: HATE, INSULTS (harassment), SEXUAL, VIOLENCE as labelled; an unflagged row is benign.
 * - Davidson tweets: hate → HATE; offensive → not HATE (its profanity and slang are not the moderation set's
 *   harassment: as INSULTS positives they tripled the false positives on benign prompts); neither → benign (every
 *   4th offensive or neither tweet: 24,783 tweets would otherwise drown the other sets).
 * - ToxiGen: hate → HATE; neutral → not HATE, not INSULTS.
 * - Surge toxicity: non-toxic comments are benign (the toxic ones carry no category, so they are not used).
 * - XSTest: safe prompts are benign; unsafe ones say nothing about categories.
 * - Prompt attack: CyberSecEval (English and multilingual, the user turn), Giskard, GPTFuzz templates are
 *   attacks; every content row above is not an attack.
 * - data/written: misconduct requests vs near-misses; attacks vs hard benign instructions.
 *
 * Folds: rows are cut into blocks of 25 consecutive rows per file and blocks are dealt to the 5 folds, so
 * translations and near-duplicates that a file lists together stay in one fold.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const LABELS = ['HATE', 'INSULTS', 'SEXUAL', 'VIOLENCE', 'MISCONDUCT', 'PROMPT_ATTACK'] as const;
export type Label = (typeof LABELS)[number];
export const FOLDS = 5;
const BLOCK = 25;
/** The in-domain set (user prompts) counts three times. */
const MOD_WEIGHT = 3;
const CALIBRATION_SETS = new Set(['moderation', 'xstest', 'written-misconduct', 'written-prompt-attack']);

export interface CorpusRow {
  readonly set: string;
  readonly index: number;
  readonly text: string;
  readonly y: Partial<Record<Label, 0 | 1>>;
  readonly weight: number;
  /** Benign for every label and from a prompt-like set: the cut points are chosen on these. */
  readonly benign: boolean;
  readonly fold: number;
  /** What the source says the row is a case of (CyberSecEval's attack variant), for per-kind reports. */
  readonly kind?: string;
}

type Obj = Record<string, unknown>;

function readJsonl(path: string): Obj[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Obj);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export interface CorpusOptions {
  /** ../shared/data */
  readonly dataDir: string;
  /** data/written in the repository (optional sets) */
  readonly writtenDir: string;
}

export function buildCorpus(o: CorpusOptions): CorpusRow[] {
  const rows: CorpusRow[] = [];
  const add = (set: string, list: readonly Obj[], f: (r: Obj) => { text: string; y: CorpusRow['y']; weight?: number; kind?: string } | null): void => {
    list.forEach((r, i) => {
      const m = f(r);
      if (!m || !m.text.trim()) return;
      // Benign rows of the prompt-like sets choose the confidence cut points (tweets are easier negatives and
      // would set the cuts too low for the prompts a guardrail sees).
      const benign = LABELS.every((l) => m.y[l] === 0) && CALIBRATION_SETS.has(set);
      rows.push({ set, index: i, text: m.text, y: m.y, weight: m.weight ?? 1, benign, fold: Math.floor(i / BLOCK) % FOLDS, ...(m.kind ? { kind: m.kind } : {}) });
    });
  };
  const none = { HATE: 0, INSULTS: 0, SEXUAL: 0, VIOLENCE: 0, MISCONDUCT: 0, PROMPT_ATTACK: 0 } as const;
  const d = (rel: string): string => join(o.dataDir, rel);

  add('moderation', readJsonl(d('content/openai-moderation-dev.jsonl')), (r) => {
    const labels = Array.isArray(r.labels) ? (r.labels as unknown[]).map(str) : [];
    if (labels.length === 0) return { text: str(r.text), y: none, weight: MOD_WEIGHT };
    const has = (l: string): 0 | 1 => (labels.includes(l) ? 1 : 0);
    return { weight: MOD_WEIGHT, text: str(r.text), y: { HATE: has('HATE'), INSULTS: has('INSULTS'), SEXUAL: has('SEXUAL'), VIOLENCE: has('VIOLENCE'), PROMPT_ATTACK: 0 } };
  });
  add('xstest', readJsonl(d('content/xstest-dev.jsonl')), (r) =>
    r.label === 'safe' ? { text: str(r.text), y: none } : { text: str(r.text), y: { PROMPT_ATTACK: 0 } },
  );
  let nth = 0;
  add('davidson', readJsonl(d('content/davidson-tweets.jsonl')), (r) => {
    const t = str(r.text);
    if (r.label === 'hate') return { text: t, y: { HATE: 1, PROMPT_ATTACK: 0 } };
    if (nth++ % 4 !== 0) return null; // every 4th offensive or neither tweet: they are 95 % of the file
    if (r.label === 'offensive') return { text: t, y: { HATE: 0, PROMPT_ATTACK: 0 } };
    return { text: t, y: none };
  });
  add('toxigen', readJsonl(d('content/toxigen-statements.jsonl')), (r) =>
    r.label === 'hate'
      ? { text: str(r.text), y: { HATE: 1, PROMPT_ATTACK: 0 } }
      : { text: str(r.text), y: { HATE: 0, INSULTS: 0, PROMPT_ATTACK: 0 } },
  );
  add('surge', readJsonl(d('content/surge-toxicity.jsonl')), (r) => (r.toxic === false ? { text: str(r.text), y: none } : null));
  add('gptfuzz-questions', readJsonl(d('content/gptfuzz-harmful-questions.jsonl')), (r) => ({ text: str(r.text), y: { PROMPT_ATTACK: 0 } }));
  for (const [set, rel] of [
    ['cyberseceval-en', 'prompt-attack/cyberseceval-dev.jsonl'],
    ['cyberseceval-multilingual', 'prompt-attack/cyberseceval-multilingual.jsonl'],
    ['giskard', 'prompt-attack/giskard.jsonl'],
    ['gptfuzz-templates', 'prompt-attack/gptfuzz-templates.jsonl'],
  ] as const) {
    add(set, readJsonl(d(rel)), (r) => ({ text: str(r.user), y: { PROMPT_ATTACK: 1 }, ...(str(r.variant) ? { kind: str(r.variant) } : {}) }));
  }

  const written = (name: string): Obj[] => (existsSync(join(o.writtenDir, name)) ? readJsonl(join(o.writtenDir, name)) : []);
  add('written-misconduct', written('misconduct.jsonl'), (r) =>
    r.label === 'misconduct' ? { text: str(r.text), y: { MISCONDUCT: 1, PROMPT_ATTACK: 0 } } : { text: str(r.text), y: none },
  );
  add('written-prompt-attack', written('prompt-attack.jsonl'), (r) =>
    r.label === 'attack' ? { text: str(r.text), y: { PROMPT_ATTACK: 1 } } : { text: str(r.text), y: none },
  );
  return rows;
}

/** The row is negative for every label (whatever its set). */
export function isClean(r: CorpusRow): boolean {
  return LABELS.every((l) => r.y[l] === 0);
}
