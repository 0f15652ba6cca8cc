/**
 * mulberry32: a small, fast, seeded pseudo-random generator with the same sequence on every platform. For
 * deterministic work only (training, benchmark inputs, generated test data) — never for secrets (see `Random`
 * in ports.ts).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
