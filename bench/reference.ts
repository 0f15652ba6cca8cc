/**
 * The benchmarks' reference guardrail (`reference-guardrail.json`, a CreateGuardrail request with every policy
 * on) and its padding of `wordPolicyConfig.wordsConfig` to a given number of deterministic terms.
 */
import { readFileSync } from 'node:fs';
import { generatedTerms } from './text.ts';

/** The part of a guardrail definition the padding touches; the rest passes through unchanged. */
export interface WithWordPolicy {
  wordPolicyConfig?: { wordsConfig?: ReadonlyArray<{ text?: string }> };
}

/** The reference guardrail as stored in `reference-guardrail.json`, typed by the caller (engine config or SDK input). */
export function loadReferenceGuardrail<T extends WithWordPolicy>(): T {
  return JSON.parse(readFileSync(new URL('./reference-guardrail.json', import.meta.url), 'utf8')) as T;
}

/** `config` with exactly `n` custom words: its own first, then generated terms. */
export function withWords<T extends WithWordPolicy>(config: T, n: number): T {
  const base = config.wordPolicyConfig?.wordsConfig ?? [];
  const extra = generatedTerms(Math.max(0, n - base.length)).map((text) => ({ text }));
  return { ...config, wordPolicyConfig: { ...config.wordPolicyConfig, wordsConfig: [...base, ...extra].slice(0, n) } } as T;
}
