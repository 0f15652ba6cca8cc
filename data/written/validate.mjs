#!/usr/bin/env node
// Validates the hand-written datasets in this folder and prints per-label / per-area / per-family counts.
// Run: node data/written/validate.mjs   (exits 1 on any problem, so it can gate CI or a training run)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

const SPECS = [
  {
    file: 'misconduct.jsonl',
    idPattern: /^mc-\d{4}$/,
    labels: ['misconduct', 'benign'],
    groupField: 'area',
    groups: ['crime', 'weapons', 'drugs', 'fraud', 'hacking', 'theft', 'evasion', 'trafficking', 'other'],
    minPerLabel: { misconduct: 220, benign: 220 },
    optional: {},
  },
  {
    file: 'prompt-attack.jsonl',
    idPattern: /^pa-\d{4}$/,
    labels: ['attack', 'benign'],
    groupField: 'family',
    groups: null, // free-form family names; only non-empty is enforced
    minPerLabel: { attack: 250, benign: 300 },
    // Bedrock's three prompt-attack categories; required on attacks so per-category recall can be measured.
    optional: { category: ['JAILBREAK', 'PROMPT_INJECTION', 'PROMPT_LEAKAGE'], lang: null },
  },
];

// Near-duplicate check: rows that share almost all of their words are "one word swapped" templates,
// which would inflate cross-validation scores. 0.8 Jaccard over word sets catches those.
const NEAR_DUP_JACCARD = 0.8;
const words = (text) => new Set(text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? []);
function jaccard(a, b) {
  let inter = 0;
  for (const w of a) if (b.has(w)) inter++;
  return inter / (a.size + b.size - inter || 1);
}

function tally(map, key) {
  map.set(key, (map.get(key) ?? 0) + 1);
}

let problems = 0;
const fail = (msg) => {
  problems++;
  console.error(`ERROR ${msg}`);
};

for (const spec of SPECS) {
  const lines = readFileSync(join(here, spec.file), 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const ids = new Set();
  const texts = new Map();
  const rows = [];
  lines.forEach((line, i) => {
    const where = `${spec.file}:${i + 1}`;
    let row;
    try {
      row = JSON.parse(line);
    } catch (err) {
      return fail(`${where} is not valid JSON (${err.message})`);
    }
    const { id, text, label } = row;
    const group = row[spec.groupField];
    if (typeof id !== 'string' || !spec.idPattern.test(id)) fail(`${where} bad id ${JSON.stringify(id)}`);
    else if (ids.has(id)) fail(`${where} duplicate id ${id}`);
    else ids.add(id);
    if (typeof text !== 'string' || text.trim() === '') fail(`${where} empty text`);
    else if (texts.has(text)) fail(`${where} same text as line ${texts.get(text)}`);
    else texts.set(text, i + 1);
    if (!spec.labels.includes(label)) fail(`${where} bad label ${JSON.stringify(label)}`);
    if (typeof group !== 'string' || group === '' || (spec.groups && !spec.groups.includes(group))) {
      fail(`${where} bad ${spec.groupField} ${JSON.stringify(group)}`);
    }
    for (const [field, allowed] of Object.entries(spec.optional)) {
      if (field === 'category' && label === 'attack' && !(field in row)) fail(`${where} attack row without category`);
      if (field in row && allowed && !allowed.includes(row[field])) fail(`${where} bad ${field} ${JSON.stringify(row[field])}`);
    }
    const allowedKeys = new Set(['id', 'text', 'label', spec.groupField, ...Object.keys(spec.optional)]);
    for (const key of Object.keys(row)) if (!allowedKeys.has(key)) fail(`${where} unexpected field ${key}`);
    rows.push({ ...row, words: words(text ?? '') });
  });

  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      const score = jaccard(rows[i].words, rows[j].words);
      if (score >= NEAR_DUP_JACCARD) fail(`${spec.file} near-duplicates ${rows[i].id} ~ ${rows[j].id} (${score.toFixed(2)})`);
    }
  }

  const byLabel = new Map();
  const byGroup = new Map();
  const extra = new Map();
  for (const row of rows) {
    tally(byLabel, row.label);
    tally(byGroup, `${row.label}/${row[spec.groupField]}`);
    for (const field of Object.keys(spec.optional)) if (field in row) tally(extra, `${row.label}/${field}=${row[field]}`);
  }
  for (const [label, min] of Object.entries(spec.minPerLabel)) {
    if ((byLabel.get(label) ?? 0) < min) fail(`${spec.file} has ${byLabel.get(label) ?? 0} ${label} rows, needs ≥ ${min}`);
  }
  const fmt = (m) => [...m].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `  ${k}: ${v}`).join('\n');
  console.log(`${spec.file}: ${rows.length} rows`);
  console.log(fmt(byLabel));
  console.log(`by ${spec.groupField}:\n${fmt(byGroup)}`);
  if (extra.size) console.log(`by ${Object.keys(spec.optional).join('/')}:\n${fmt(extra)}`);
  console.log();
}

if (problems) {
  console.error(`${problems} problem(s) found`);
  process.exit(1);
}
console.log('OK');
