/**
 * Compiled parts shared by content. A guardrail compiles its topics, words and PII scanner once per side (INPUT
 * and OUTPUT), and every published version compiles them again, though most versions share most of their
 * configuration. The parts are pure (built from their configuration only, no per-guardrail state), so equal
 * configurations can share one instance: the memory benchmark measured a compiled reference version at about
 * 3.7 MiB of RSS, most of it these parts built twice (5 topics ≈ 1.7 MiB a side, 1,000 words ≈ 0.55 MiB, the
 * PII keyword automaton ≈ 1.5 MiB).
 *
 * Held weakly: a part no compiled guardrail uses any more is collected with its last user, so sharing never
 * keeps anything alive that the compiled-guardrail cache has evicted.
 */
const parts = new Map<string, WeakRef<object>>();
const forget = new FinalizationRegistry<string>((key) => {
  if (parts.get(key)?.deref() === undefined) parts.delete(key);
});

/** The part built from the configuration `key` describes (`kind` + its canonical JSON), built on first use. */
export function sharedPart<T extends object>(kind: string, key: string, build: () => T): T {
  const k = `${kind}\u0000${key}`;
  const cached = parts.get(k)?.deref();
  if (cached !== undefined) return cached as T;
  const part = build();
  parts.set(k, new WeakRef(part));
  forget.register(part, k);
  return part;
}

/** How many shared parts are alive (tests). */
export function sharedPartCount(): number {
  let n = 0;
  for (const ref of parts.values()) if (ref.deref() !== undefined) n++;
  return n;
}
