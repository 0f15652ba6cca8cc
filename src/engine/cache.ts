/**
 * A bounded LRU of compiled guardrails. A published version is immutable, so its compiled form is
 * cached by `arn:version` until evicted. A DRAFT has one slot per guardrail, recompiled whenever its
 * configuration differs from the one compiled (compared by content, not by timestamp), so an edit is
 * never served stale and repeated edits do not pile up.
 *
 * The bound is a weight: the size of each configuration's JSON, which grows with what compiling it
 * builds (a 10,000-word list weighs far more than a few filters).
 */
import { type CompiledGuardrail, compile } from './compile.ts';
import type { GuardrailConfig } from './config/types.ts';

export interface CompiledCache {
  /**
   * `since`: the `generation` read before `config` was loaded. If anything was forgotten since (the version may
   * have been deleted after it was read), the result is compiled but not cached, so a deletion is never undone
   * by a load that overtook it.
   */
  version(arn: string, version: number, config: GuardrailConfig, since?: number): CompiledGuardrail;
  draft(arn: string, config: GuardrailConfig): CompiledGuardrail;
  /** A published version already compiled (versions are immutable), without its config; undefined if not cached. */
  cachedVersion(arn: string, version: number): CompiledGuardrail | undefined;
  /** Drops a deleted version (or, without `version`, every entry of a deleted guardrail). */
  forget(arn: string, version?: number): void;
  /** Bumped by every `forget` and `clear`. */
  readonly generation: number;
  readonly size: number;
  readonly weight: number;
  clear(): void;
}

interface Entry {
  compiled: CompiledGuardrail;
  /** The DRAFT's config as JSON, to notice edits. */
  fingerprint?: string;
  weight: number;
}

/**
 * The least an entry weighs, whatever its JSON: a small guardrail, compiled and used, holds about 5.5 KiB of heap
 * (matchers, memo tables), so with 1 KiB the 16 MiB bound let about 16,000 of them take some 90 MiB.
 */
const MIN_WEIGHT = 8 * 1024;

export function createCompiledCache(maxWeight = 16 * 1024 * 1024): CompiledCache {
  const map = new Map<string, Entry>();
  let total = 0;
  let generation = 0;

  const remove = (key: string) => {
    const e = map.get(key);
    if (!e) return;
    total -= e.weight;
    map.delete(key);
  };
  const insert = (key: string, entry: Entry) => {
    remove(key);
    map.set(key, entry);
    total += entry.weight;
    for (const k of map.keys()) {
      if (total <= maxWeight || k === key) break;
      remove(k);
    }
  };
  const touch = (key: string, e: Entry) => {
    map.delete(key);
    map.set(key, e);
  };

  return {
    version(arn, version, config, since) {
      const key = `${arn}:${version}`;
      const hit = map.get(key);
      if (hit) {
        touch(key, hit);
        return hit.compiled;
      }
      const weight = Math.max(MIN_WEIGHT, JSON.stringify(config).length);
      const compiled = compile(config);
      if (since === undefined || since === generation) insert(key, { compiled, weight });
      return compiled;
    },
    draft(arn, config) {
      const key = `${arn}:DRAFT`;
      const fingerprint = JSON.stringify(config);
      const hit = map.get(key);
      if (hit && hit.fingerprint === fingerprint) {
        touch(key, hit);
        return hit.compiled;
      }
      const compiled = compile(config);
      insert(key, { compiled, fingerprint, weight: Math.max(MIN_WEIGHT, fingerprint.length * 2) });
      return compiled;
    },
    cachedVersion(arn, version) {
      const key = `${arn}:${version}`;
      const hit = map.get(key);
      if (!hit) return undefined;
      touch(key, hit);
      return hit.compiled;
    },
    forget(arn, version) {
      generation++;
      if (version !== undefined) {
        remove(`${arn}:${version}`);
        return;
      }
      for (const key of [...map.keys()]) if (key.startsWith(`${arn}:`)) remove(key);
    },
    get generation() {
      return generation;
    },
    get size() {
      return map.size;
    },
    get weight() {
      return total;
    },
    clear() {
      generation++;
      map.clear();
      total = 0;
    },
  };
}
