/**
 * CI guard against engine slowdowns: the engine's cost relative to a naive baseline workload, measured in this
 * process on this machine (`engine-ratio.ts`), must stay within 30 % of the ratio committed in
 * bench/engine-baseline.json. The ratio, unlike a time, travels between machines.
 *
 * After an intended change of the engine's cost, re-measure the baseline with
 * `npm run bench:engine -- --update-baseline` and commit it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type EngineBaseline, GUARD_OPTIONS, measureRatios, type RatioMeasurement, sizeKey } from './engine-ratio.ts';

/** A measured ratio may exceed the committed one by this factor. */
const TOLERANCE = 1.3;

const baseline = JSON.parse(readFileSync(new URL('../../bench/engine-baseline.json', import.meta.url), 'utf8')) as EngineBaseline;

interface Failure {
  readonly size: number;
  readonly line: string;
}

/** Print each measured ratio next to the committed one; return those over the limit. */
function check(measured: readonly RatioMeasurement[]): Failure[] {
  const failures: Failure[] = [];
  for (const m of measured) {
    const key = sizeKey(m.size);
    const committed = baseline.ratios[key];
    assert.ok(committed !== undefined, `bench/engine-baseline.json has no ratio for ${key}`);
    const line =
      `${key}: measured ${m.ratio.toFixed(2)} (rounds ${m.min.toFixed(2)}–${m.max.toFixed(2)}; engine ${m.engineMs.toFixed(3)} ms, ` +
      `baseline ${m.baselineMs.toFixed(4)} ms), committed ${committed.toFixed(2)} (${baseline.machine}, ${baseline.measuredAt.slice(0, 10)}), ` +
      `limit ${(committed * TOLERANCE).toFixed(2)}`;
    console.log(line);
    if (m.ratio > committed * TOLERANCE) failures.push({ size: m.size, line });
  }
  return failures;
}

describe('engine performance', () => {
  it(`stays within ${Math.round((TOLERANCE - 1) * 100)} % of the committed engine/baseline ratios`, () => {
    // About 3 s of CPU time per attempt. A size over the limit is measured once more and judged by the better of
    // the two: a real regression is over the limit every time, a busy machine rarely twice in a row.
    const first = check(measureRatios(GUARD_OPTIONS));
    const again = first.length > 0 ? check(measureRatios({ ...GUARD_OPTIONS, sizes: first.map((f) => f.size) })) : [];
    assert.deepEqual(
      again.map((f) => `${f.line} (first attempt: ${first.find((g) => g.size === f.size)?.line ?? ''})`),
      [],
      'the engine got slower than the committed baseline allows (bench/engine-baseline.json; after an intended change: npm run bench:engine -- --update-baseline)',
    );
  });
});
