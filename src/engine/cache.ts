/**
 * A bounded LRU of compiled guardrails. Published versions are immutable, so their compiled form is
 * cached by `arn:version` forever (until evicted); a DRAFT is keyed by its `updatedAt` as well, so an
 * edit never serves a stale compilation.
 */
import { type CompiledGuardrail, compile } from './compile.ts';
import type { GuardrailConfig } from './config/types.ts';

export interface CompiledCache {
  get(key: string, config: GuardrailConfig): CompiledGuardrail;
  readonly size: number;
  clear(): void;
}

export function createCompiledCache(maxEntries = 1000): CompiledCache {
  const map = new Map<string, CompiledGuardrail>();
  return {
    get(key, config) {
      const hit = map.get(key);
      if (hit) {
        map.delete(key);
        map.set(key, hit);
        return hit;
      }
      const compiled = compile(config);
      map.set(key, compiled);
      if (map.size > maxEntries) {
        const oldest = map.keys().next();
        if (!oldest.done) map.delete(oldest.value);
      }
      return compiled;
    },
    get size() {
      return map.size;
    },
    clear() {
      map.clear();
    },
  };
}
