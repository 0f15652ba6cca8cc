// Loaded by scripts/run-tests.mjs before every test file. Property tests run from a fixed seed, so `npm test`
// and CI give the same answer on the same code; PARAPET_FC_SEED=random (as `npm run test:explore` sets) draws a
// new seed per property to search further, and PARAPET_FC_SEED=<n> replays one. A failure prints its seed.
import fc from 'fast-check';

const raw = process.env.PARAPET_FC_SEED ?? '20261125';
if (raw !== 'random') {
  const seed = Number(raw);
  if (!Number.isInteger(seed)) throw new Error(`PARAPET_FC_SEED must be an integer or "random", got "${raw}"`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
}
