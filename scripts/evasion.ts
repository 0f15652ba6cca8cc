/**
 * Evasion catch rates: each detector's cases under each obfuscation (test/security/evasion.ts), as a table; then,
 * when ../shared/data is there, what looking through obfuscation adds on ordinary text (tweets, moderation
 * prompts, machine-translated prompts in 16 languages, the Presidio PII sentences): the texts where the
 * deobfuscating word and PII scanners report more than the plain ones — each one a false positive unless the text
 * really hides a word or value.
 *
 *   npm run eval:evasion            (add --misses to list what got through, --added to list what was added)
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALL_PII_ENTITY_TYPES, createPiiScanner } from '../src/engine/pii/index.ts';
import { compileWords } from '../src/engine/words/index.ts';
import { catchRate, EVASION_DETECTORS, OBFUSCATIONS } from '../test/security/evasion.ts';

const showMisses = process.argv.includes('--misses');
const showAdded = process.argv.includes('--added');
const header = ['detector', ...OBFUSCATIONS];
const rows: string[][] = [];
const misses: string[] = [];
let caught = 0;
let total = 0;
for (const d of EVASION_DETECTORS) {
  const row = [d.name];
  for (const kind of OBFUSCATIONS) {
    const r = catchRate(d, kind);
    caught += r.caught;
    total += r.total;
    row.push(`${r.caught}/${r.total}`);
    for (const m of r.missed) misses.push(`${d.name} · ${kind}: ${m}`);
  }
  rows.push(row);
}
console.log('Parapet evasion — cases still caught under each obfuscation (engine, source INPUT, one detector per guardrail)\n');
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
console.log(`\noverall: ${caught}/${total} caught (${((caught / total) * 100).toFixed(0)}%)`);
if (showMisses) for (const m of misses) console.log(`missed: ${m}`);

// What deobfuscation adds on ordinary text.
const DATA = resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/data');
if (!existsSync(DATA)) {
  console.log('\n(../shared/data is not here: the ordinary-text check is skipped)');
} else {
  const jsonl = (file: string, field: (r: Record<string, unknown>) => unknown): string[] =>
    readFileSync(resolve(DATA, file), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => field(JSON.parse(l) as Record<string, unknown>))
      .filter((t): t is string => typeof t === 'string');
  const sets: [string, string[]][] = [
    ['tweets (davidson)', jsonl('content/davidson-tweets.jsonl', (r) => r.text)],
    ['moderation prompts', jsonl('content/openai-moderation-dev.jsonl', (r) => r.text)],
    ['multilingual prompts', jsonl('prompt-attack/cyberseceval-multilingual.jsonl', (r) => `${String(r.system)}\n${String(r.user)}`)],
    [
      'Presidio PII sentences',
      (JSON.parse(readFileSync(resolve(DATA, 'pii/presidio-generated-large.json'), 'utf8')) as { full_text: string }[]).map((r) => r.full_text),
    ],
  ];
  const custom = ['Project Falcon', 'bluebird', 'password', 'secret', 'kill', 'cop', 'class'];
  const words = compileWords({ custom, profanity: true });
  const plainWords = compileWords({ custom, profanity: true, deobfuscate: false });
  const pii = createPiiScanner(ALL_PII_ENTITY_TYPES);
  const plainPii = createPiiScanner(ALL_PII_ENTITY_TYPES, { deobfuscate: false });
  const added: string[] = [];
  const table: string[][] = [];
  for (const [name, texts] of sets) {
    let w = 0;
    let p = 0;
    for (const text of texts) {
      const a = words.scan(text);
      const b = plainWords.scan(text);
      if (a.length !== b.length) {
        w++;
        added.push(`words · ${name}: ${a.filter((f) => !b.some((g) => g.start === f.start && g.end === f.end)).map((f) => JSON.stringify(f.match)).join(' ')}`);
      }
      const c = pii.scan(text);
      const d = plainPii.scan(text);
      if (c.length !== d.length) {
        p++;
        added.push(`PII · ${name}: ${c.filter((f) => !d.some((g) => g.start === f.start && g.end === f.end)).map((f) => `${f.type} ${JSON.stringify(text.slice(f.start, f.end))}`).join(' ')}`);
      }
    }
    table.push([name, String(texts.length), String(w), String(p)]);
  }
  console.log('\nOrdinary text — texts where looking through obfuscation adds a finding (words: custom list of 7 + PROFANITY; PII: all 31 types)\n');
  console.log('| set | texts | words added | PII added |');
  console.log('|---|---|---|---|');
  for (const r of table) console.log(`| ${r.join(' | ')} |`);
  if (showAdded) for (const a of added) console.log(`added: ${a}`);
}
