/**
 * Regex safety benchmark: every catastrophic pattern of test/security/regex-corpus.ts is either refused by the
 * guardrail validation (as CreateGuardrail / UpdateGuardrail refuse it) or timed: one assessment of a guardrail
 * holding only that regex on each 100 KB text crafted against it, on one core. Target: ≤ 10 ms per 100 KB.
 *
 *   npm run bench:regex
 */
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { assess } from '../src/engine/assess.ts';
import { checkGuardrailConfig, compile } from '../src/engine/compile.ts';
import type { GuardrailConfig } from '../src/engine/config/types.ts';
import { CATASTROPHIC_PATTERNS } from '../test/security/regex-corpus.ts';

const TEXT_BYTES = 100_000;
const TARGET_MS = 10;
const RUNS = 5;

function configOf(pattern: string): GuardrailConfig {
  return {
    name: 'regex-safety',
    blockedInputMessaging: 'Blocked input.',
    blockedOutputsMessaging: 'Blocked output.',
    sensitiveInformationPolicyConfig: { regexesConfig: [{ name: 'customer-pattern', pattern, action: 'BLOCK' }] },
  };
}

/** The validation message, or undefined when the guardrail is valid. */
function refusal(config: GuardrailConfig): string | undefined {
  try {
    checkGuardrailConfig(config);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

const rows: string[][] = [];
let worst = 0;
let refused = 0;
for (const c of CATASTROPHIC_PATTERNS) {
  const config = configOf(c.pattern);
  const why = refusal(config);
  const shown = c.pattern.length > 44 ? `${c.pattern.slice(0, 41)}...` : c.pattern;
  if (why !== undefined) {
    refused++;
    rows.push([c.family, shown, 'refused', '', why.replace(/\s+/g, ' ').slice(0, 90)]);
    continue;
  }
  const compiled = compile(config);
  let max = 0;
  for (const text of c.texts(TEXT_BYTES)) {
    assess(compiled, { source: 'INPUT', content: [{ text }] }); // warm-up
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      assess(compiled, { source: 'INPUT', content: [{ text }] });
      samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    max = Math.max(max, samples[Math.floor(samples.length / 2)] ?? 0);
  }
  worst = Math.max(worst, max);
  rows.push([c.family, shown, 'linear', max.toFixed(2), max <= TARGET_MS ? 'PASS' : 'MISS']);
}

console.log('Parapet regex safety — catastrophic patterns: refused at validation, or timed on 100 KB crafted texts');
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB; node ${process.version}; ` +
    `one assessment of a guardrail holding only the regex, source INPUT; median of ${RUNS} runs per text, worst text shown\n`,
);
const header = ['family', 'pattern', 'outcome', 'ms / 100 KB', 'verdict or reason'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) => `| ${cells.map((s, i) => s.padEnd(widths[i] ?? 0)).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
console.log(
  `\n${CATASTROPHIC_PATTERNS.length} patterns: ${refused} refused with a reason, ${CATASTROPHIC_PATTERNS.length - refused} accepted; ` +
    `worst accepted ${worst.toFixed(2)} ms per 100 KB — ${worst <= TARGET_MS ? 'PASS' : 'MISS'} (target ≤ ${TARGET_MS} ms)`,
);
