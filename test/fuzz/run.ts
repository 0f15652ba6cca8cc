/**
 * `npm run fuzz [-- --requests N] [--seed S] [--concurrency C]`: the long fuzz run (default 100,000 requests
 * from the project's fixed seed). Prints a table per route family and exits non-zero on any violation.
 */
import { parseArgs } from 'node:util';
import { formatReport, problemsOf, replayCase, runFuzz, startFuzzServer } from './harness.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '100000' },
    seed: { type: 'string', default: process.env.PARAPET_FC_SEED && process.env.PARAPET_FC_SEED !== 'random' ? process.env.PARAPET_FC_SEED : '20261125' },
    concurrency: { type: 'string', default: '8' },
    /** Replay one case by its index and print the request and the answer. */
    case: { type: 'string' },
  },
});
const requests = Number(values.requests);
const seed = values.seed === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const concurrency = Number(values.concurrency);
if (!Number.isInteger(requests) || requests < 1 || !Number.isInteger(seed) || !Number.isInteger(concurrency) || concurrency < 1) {
  process.stderr.write('usage: npm run fuzz -- [--requests N] [--seed S|random] [--concurrency C]\n');
  process.exit(2);
}

const fs = await startFuzzServer();
if (values.case !== undefined) {
  process.stdout.write(`${await replayCase(fs, seed, Number(values.case))}\n`);
  await fs.stop();
  process.exit(0);
}
process.stdout.write(`fuzzing ${fs.catalogue.length} operations with ${requests} requests, seed ${seed}, ${concurrency} in flight\n`);
const report = await runFuzz(fs, {
  requests,
  seed,
  concurrency,
  progressEvery: Math.max(1_000, Math.floor(requests / 50)),
  progress: (done, r) =>
    process.stdout.write(`  ${done} requests, ${Math.round(r.durationMs / 1000)} s, ${r.violations.length} violations, RSS ${Math.round(process.memoryUsage().rss / 1048576)} MB\n`),
});
await fs.stop();
process.stdout.write(`\n${formatReport(report)}\n`);
const problems = problemsOf(report);
if (problems.length) {
  process.stdout.write(`\n${problems.length} problems (replay: npm run fuzz -- --seed ${seed} --requests ${requests}):\n${problems.slice(0, 60).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write('\nno violations\n');
process.exit(0);
