/**
 * Soak benchmark (issue 9): 10 minutes at a fixed rate mixing model invocations (Converse, ConverseStream, the
 * OpenAI-compatible chat endpoint; the demo model, guarded by the demo organization's enforced guardrail),
 * ApplyGuardrail and control-plane writes (CreateGuardrail, UpdateGuardrail, CreateGuardrailVersion, TagResource,
 * PutResourcePolicy, DeleteGuardrail), with `parapet serve` restarted every minute — a graceful SIGTERM and a SIGKILL
 * in turn — on a store that outlives the restarts. Then: zero lost acknowledged writes, every acknowledged call's
 * audit record, the audit chain verifies, and the server's RSS per lifetime and across them. The harness is
 * bench/soak-harness.ts (test/e2e/soak.test.ts runs a short one); the load generator bench/soak-load.ts.
 *
 *   node --import tsx bench/soak.bench.ts
 *   BENCH_SOAK_SECONDS=120 BENCH_SOAK_RESTART_S=30 node --import tsx bench/soak.bench.ts
 *   BENCH_SOAK_DATABASE=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/soak.bench.ts   (PostgreSQL, in
 *     a fresh schema dropped at the end)
 *
 * Settings (environment): BENCH_SOAK_SECONDS (600), BENCH_SOAK_RPS (60), BENCH_SOAK_RESTART_S (60),
 * BENCH_SOAK_SAMPLE_S (5, RSS), BENCH_SOAK_WARMUP_S (20, RSS samples younger than this in a lifetime are warm-up),
 * BENCH_SOAK_ACTORS (6 guardrail lives at once), BENCH_SOAK_ROUNDS (5 update/tag/version/policy rounds per life),
 * BENCH_SOAK_DATABASE (a PostgreSQL URL), BENCH_SOAK_TRACE_GC (1: the server runs with --trace-gc and its heap after
 * every full collection is reported per lifetime — the live heap, without the garbage RSS also counts; 0: off),
 * BENCH_SOAK_SERVE_ARGS (more `parapet serve` flags, space-separated, e.g. "--assessment-threads 0"),
 * BENCH_SOAK_JSON (a file to write the whole report to, as JSON).
 *
 * Exits 1 when an acknowledged write is lost, an acknowledged call has no audit record, the chain does not verify
 * (at the end or after any restart), or the server exits on its own or does not stop cleanly on SIGTERM.
 */
import { writeFileSync } from 'node:fs';
import { envInt } from './report.ts';
import { printSoakReport, runSoak } from './soak-harness.ts';

const report = await runSoak({
  seconds: envInt('BENCH_SOAK_SECONDS', 600),
  rps: envInt('BENCH_SOAK_RPS', 60),
  restartEveryS: envInt('BENCH_SOAK_RESTART_S', 60),
  sampleEveryS: envInt('BENCH_SOAK_SAMPLE_S', 5),
  warmupS: envInt('BENCH_SOAK_WARMUP_S', 20),
  actors: envInt('BENCH_SOAK_ACTORS', 6),
  roundsPerLife: envInt('BENCH_SOAK_ROUNDS', 5),
  traceGc: process.env.BENCH_SOAK_TRACE_GC !== '0',
  serveArgs: (process.env.BENCH_SOAK_SERVE_ARGS ?? '').split(' ').filter(Boolean),
  ...(process.env.BENCH_SOAK_DATABASE ? { database: process.env.BENCH_SOAK_DATABASE } : {}),
  log: (line) => process.stderr.write(`[soak] ${line}\n`),
});
printSoakReport(report);
if (process.env.BENCH_SOAK_JSON) writeFileSync(process.env.BENCH_SOAK_JSON, JSON.stringify(report, null, 2));
process.exitCode = report.faults.length ? 1 : 0;
