/**
 * Where a control-plane change came from, beyond who made it: `parapet apply -f FILE` sends
 * `x-parapet-change-source: safeguards-file sha256=<hex>` with every write, and the server copies it into the
 * `detail.changeSource` of each audit record the request writes. Carried in async context so that no use case
 * needs a new parameter. Only a short printable value is kept (a client header must not bloat the trail).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export const CHANGE_SOURCE_HEADER = 'x-parapet-change-source';

const storage = new AsyncLocalStorage<string>();

/** The header's value when it is well formed (≤ 200 printable ASCII characters), else undefined. */
export function parseChangeSource(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v !== undefined && /^[\x20-\x7e]{1,200}$/.test(v) ? v.trim() : undefined;
}

/** Runs `fn` with `source` as the change source of the audit records it writes (none: just runs it). */
export function withChangeSource<T>(source: string | undefined, fn: () => T): T {
  return source === undefined ? fn() : storage.run(source, fn);
}

export function currentChangeSource(): string | undefined {
  return storage.getStore();
}

/** An audit record's detail with the change source added (object details keep their members). */
export function withSourceDetail(detail: unknown, source: string | undefined): unknown {
  if (source === undefined) return detail;
  if (detail === undefined) return { changeSource: source };
  if (detail !== null && typeof detail === 'object' && !Array.isArray(detail)) return { ...detail, changeSource: source };
  return { value: detail, changeSource: source };
}
