/**
 * PII against obfuscated text: the detectors look for ASCII digits, `@`, `.` and Latin letters, so a value
 * written with zero-width characters between its digits, in full-width forms (`５３６-２２-８７１４`), with
 * Cyrillic look-alike letters (`jаne.doe@example.com`), one character at a time (`5 3 6 - 2 2 - 8 7 1 4`) or in a
 * base64 payload slips past them. `findObfuscatedPii` runs the plain scan on views of the text where such a value
 * shows again and maps what it finds back to the original text:
 *
 *  - the *compatible* view (only when the text has non-ASCII characters): invisible characters (`\p{Cf}`,
 *    default-ignorables: zero-width spaces and joiners, soft hyphens, bidi controls) removed, compatibility
 *    forms normalised (NFKC: full-width, mathematical and circled digits and letters) and confusable letters
 *    read as Latin (`evasion/confusables.ts`), case kept. A finding is kept only when its original span holds
 *    a character the view changed, so the view never re-reports (or moves) what the plain scan already saw;
 *  - leetspeak (`evasion/leet.ts` `leetValues`): in words mixing letters and digits, digits read as letters
 *    (`j4n3.d03@3x4mpl3.c0m`); kept only when the finding reads a digit as a letter;
 *  - spaced runs (`evasion/spaced.ts`, `values` mode) of that view, joined.
 *  The last two views do not report names and addresses (`LEXICAL`): single letters and digits-as-letters
 *  make those out of nothing;
 *  - base64 payloads (`evasion/base64.ts`) that decode to text: the decoded text is scanned (plainly and through
 *    these views), and each type found is reported on the whole payload.
 *
 * The first two views are built only in windows around the characters they change (`evasion/windows.ts`), so
 * a long text with one such character is not scanned twice. Findings that overlap a plain finding are dropped,
 * so the result only adds to the plain scan.
 */
import { base64Payloads, mayHoldBase64 } from '../evasion/base64.ts';
import { latinLookalike, skeleton } from '../evasion/confusables.ts';
import { leetValuePositions, leetValues } from '../evasion/leet.ts';
import { spacedRuns } from '../evasion/spaced.ts';
import { disjointAdditions, outside } from '../evasion/spans.ts';
import { windowsAround } from '../evasion/windows.ts';
import { unitsToString } from '../words/normalize.ts';
import type { PiiFinding } from './detector.ts';

type Scan = (text: string) => PiiFinding[];

/**
 * Types found from words and context rather than from a value's shape: a run of single letters (`Y u a`) or a
 * word with digits read as letters too easily looks like a name or an address, so those views do not report them.
 */
const LEXICAL: ReadonlySet<PiiFinding['type']> = new Set(['NAME', 'ADDRESS']);

const NON_ASCII_RE = /[^\x00-\x7f]/;
const INVISIBLE_RE = /^[\p{Cf}\p{Default_Ignorable_Code_Point}]$/u;

const foldMemo = new Map<string, string>();
const FOLD_MEMO_LIMIT = 8192;

function foldChar(ch: string): string {
  let f = foldMemo.get(ch);
  if (f === undefined) {
    f = INVISIBLE_RE.test(ch) ? '' : ch.normalize('NFKC');
    if (foldMemo.size < FOLD_MEMO_LIMIT) foldMemo.set(ch, f);
  }
  return f;
}

/** A derived text with, per UTF-16 unit, the original span it comes from. */
interface View {
  text: string;
  /** Original start of unit i. */
  from: Int32Array;
  /** Original end (exclusive) of unit i. */
  to: Int32Array;
  /** Prefix count of changed original positions: changed[k] = changes in original [0, k). */
  changed: Int32Array;
}

/** The compatible view of `text`, or undefined when it equals the text. */
function compatibleView(text: string): View | undefined {
  if (!NON_ASCII_RE.test(text)) return undefined;
  // Only words that mix Latin with look-alikes: a lone Cyrillic `с` (a preposition) must not read as `c`.
  const src = skeleton(text, { wholeScript: false }) ?? text;
  const n = text.length;
  const units: number[] = [];
  const from: number[] = [];
  const to: number[] = [];
  const changedAt = new Uint8Array(n);
  let any = false;
  for (let i = 0; i < n; ) {
    const c = src.charCodeAt(i);
    const width = c >= 0xd800 && c <= 0xdbff && i + 1 < n ? 2 : 1;
    if (c < 0x80) {
      units.push(c);
      from.push(i);
      to.push(i + 1);
      if (c !== text.charCodeAt(i)) {
        changedAt[i] = 1;
        any = true;
      }
      i++;
      continue;
    }
    const ch = src.slice(i, i + width);
    const f = foldChar(ch);
    if (f !== text.slice(i, i + width)) {
      for (let k = i; k < i + width; k++) changedAt[k] = 1;
      any = true;
    }
    for (let k = 0; k < f.length; k++) {
      units.push(f.charCodeAt(k));
      from.push(i);
      to.push(i + width);
    }
    i += width;
  }
  if (!any) return undefined;
  const changed = new Int32Array(n + 1);
  for (let k = 0; k < n; k++) changed[k + 1] = (changed[k] ?? 0) + (changedAt[k] ?? 0);
  return { text: unitsToString(Uint16Array.from(units), units.length, false), from: Int32Array.from(from), to: Int32Array.from(to), changed };
}

/** Original span of view span [s, e). */
function toOriginal(view: View | undefined, s: number, e: number): [number, number] {
  if (view === undefined) return [s, e];
  return [view.from[s] ?? 0, view.to[e - 1] ?? 0];
}

/** How far a PII value reaches from one of its characters: the views are built this far around a change. */
export const PII_REACH = 160;

/** Whether the compatible view changes this character (a code point, as a string). */
const compatChanges = new Map<string, boolean>();

/** Positions of the characters the compatible view may change: invisible, compatibility forms, look-alikes. */
function compatPositions(text: string): number[] {
  const out: number[] = [];
  if (!NON_ASCII_RE.test(text)) return out;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    const width = c >= 0xd800 && c <= 0xdbff && i + 1 < n ? 2 : 1;
    const ch = text.slice(i, i + width);
    let changes = compatChanges.get(ch);
    if (changes === undefined) {
      changes = foldChar(ch) !== ch || latinLookalike(c) !== 0;
      if (compatChanges.size < FOLD_MEMO_LIMIT) compatChanges.set(ch, changes);
    }
    if (changes) out.push(i);
    i += width - 1;
  }
  return out;
}

function mergeSorted(a: number[], b: number[]): number[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return [...a, ...b].sort((x, y) => x - y);
}

/** Findings of `scan` on `sub` seen only through its compatible and leetspeak views, in `sub`'s offsets. */
function viewFindings(sub: string, scan: Scan, out: PiiFinding[], shift: number): void {
  const view = compatibleView(sub);
  if (view !== undefined) {
    for (const f of scan(view.text)) {
      const [start, end] = toOriginal(view, f.start, f.end);
      if ((view.changed[end] ?? 0) - (view.changed[start] ?? 0) > 0) out.push({ ...f, start: shift + start, end: shift + end });
    }
  }
  const base = view?.text ?? sub;
  const leet = leetValues(base);
  if (leet !== null) {
    for (const f of scan(leet)) {
      if (LEXICAL.has(f.type)) continue;
      // Kept only when the finding reads a digit as a letter.
      let changes = false;
      for (let k = f.start; k < f.end && !changes; k++) changes = leet.charCodeAt(k) !== base.charCodeAt(k);
      if (!changes) continue;
      const [start, end] = toOriginal(view, f.start, f.end);
      out.push({ ...f, start: shift + start, end: shift + end });
    }
  }
}

/** The findings `scan` misses on `text` but finds through the views (see the module comment), sorted by start. */
export function findObfuscatedPii(text: string, plain: readonly PiiFinding[], scan: Scan, depth = 0): PiiFinding[] {
  const extra: PiiFinding[] = [];
  // The compatible and leetspeak views, only around the characters they change.
  const positions = mergeSorted(compatPositions(text), leetValuePositions(text));
  for (const [ws, we] of windowsAround(text, positions, PII_REACH)) viewFindings(text.slice(ws, we), scan, extra, ws);
  // Spaced runs (then read through the compatible view: `５ ３ ６ …`).
  for (const run of spacedRuns(text, 'values')) {
    const view = compatibleView(run.text);
    for (const f of scan(view?.text ?? run.text)) {
      if (LEXICAL.has(f.type)) continue;
      const [s, e] = toOriginal(view, f.start, f.end);
      extra.push({ ...f, start: run.offsets[s] ?? 0, end: (run.offsets[e - 1] ?? 0) + 1 });
    }
  }
  const kept = disjointAdditions(plain, extra);
  if (depth === 0 && mayHoldBase64(text)) {
    for (const p of outside(plain, base64Payloads(text))) {
      const inside = scan(p.decoded);
      const all = [...inside, ...findObfuscatedPii(p.decoded, inside, scan, depth + 1)];
      const types = new Set(all.map((f) => f.type));
      for (const type of types) {
        const score = Math.max(...all.filter((f) => f.type === type).map((f) => f.score));
        kept.push({ type, start: p.start, end: p.end, score });
      }
    }
  }
  return kept.sort((a, b) => a.start - b.start || b.end - a.end);
}
