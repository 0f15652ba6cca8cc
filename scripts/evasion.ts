/**
 * Evasion catch rates: each detector's cases under each obfuscation (test/security/evasion.ts), as a table.
 *
 *   npm run eval:evasion            (add --misses to list what got through)
 */
import { catchRate, EVASION_DETECTORS, OBFUSCATIONS } from '../test/security/evasion.ts';

const showMisses = process.argv.includes('--misses');
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
