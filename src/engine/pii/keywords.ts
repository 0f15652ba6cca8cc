/**
 * Multi-phrase keyword matcher, shared by all detectors of a scanner so keyword-anchored types
 * cost one pass over the text in total.
 *
 * A deterministic character trie stored as a flat transition table, walked from each word start.
 * Matching is case-insensitive (ASCII folding; other characters via toLowerCase), whole-word at
 * both ends, and a space inside a phrase matches 1 to 3 separators (space, tab, newline, '_',
 * '-'); each phrase is also stored with its spaces removed, so "user id" also finds "user_id",
 * "User-ID" and "userid". ’ matches '. Work per word start is bounded by the longest phrase, so a
 * scan is linear in the text.
 */
import type { KeywordHit } from './detector.ts';

const SPACE = 32;
const MAX_SEPARATORS = 3;

export function normalizePhrase(phrase: string): string {
  return phrase.trim().toLowerCase().replace(/’/g, "'").replace(/[\s_-]+/g, ' ');
}

function isSeparator(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 95 || c === 45;
}

/** Letters and digits (ASCII, plus non-ASCII letters by range). */
export function isWordCode(c: number): boolean {
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7) || (c >= 0x370 && c <= 0x1fff) || (c >= 0x3040 && c <= 0xd7ff);
}

/** ASCII letters and digits (the ASCII part of `isWordCode`, as a table). */
const ASCII_WORD = new Uint8Array(128);
for (let c = 0; c < 128; c++) ASCII_WORD[c] = isWordCode(c) ? 1 : 0;

function fold(c: number): number {
  if (c >= 65 && c <= 90) return c + 32;
  if (c === 0x2019) return 39;
  if (c < 128) return c;
  return String.fromCharCode(c).toLowerCase().charCodeAt(0);
}

interface Terminal {
  readonly group: number;
  readonly phrase: string;
}

export class KeywordMatcher {
  private readonly groups: number;
  /** ASCII code -> symbol (0 = not in any phrase). */
  private readonly asciiSymbol = new Uint8Array(128);
  /** Non-ASCII folded code -> symbol. */
  private readonly otherSymbol = new Map<number, number>();
  private alphabet = 1;
  /** Transition table: next[node * width + symbol] = child node, or 0 (the root is never a child). */
  private next: Int32Array = new Int32Array(0);
  private readonly width: number;
  private readonly terminals: (Terminal[] | null)[] = [];
  private readonly spaceSymbol: number;
  /** ASCII text character → symbol (case folded; 0 when it occurs in no phrase). */
  private readonly textSymbol = new Int32Array(128);
  /** Scratch of `scan`: terminals of one walk, and a per-group stamp. */
  private readonly found: number[] = [];
  private readonly served: Int32Array;
  private stamp = 0;

  /** `groups[i]` is the phrase list of group i. */
  constructor(groups: readonly (readonly string[])[]) {
    this.groups = groups.length;
    const phrases: { group: number; phrase: string; stored: string }[] = [];
    groups.forEach((list, group) => {
      for (const raw of list) {
        const phrase = normalizePhrase(raw);
        if (phrase.length === 0) continue;
        phrases.push({ group, phrase, stored: phrase });
        if (phrase.includes(' ')) phrases.push({ group, phrase, stored: phrase.replace(/ /g, '') });
      }
    });
    // Alphabet.
    for (const p of phrases) for (let i = 0; i < p.stored.length; i++) this.symbolFor(p.stored.charCodeAt(i), true);
    this.spaceSymbol = this.asciiSymbol[SPACE] ?? 0;
    this.width = this.alphabet;
    // Trie.
    let nodes = 1;
    let table = new Int32Array(64 * this.width);
    this.terminals.push(null);
    for (const p of phrases) {
      let node = 0;
      for (let i = 0; i < p.stored.length; i++) {
        const sym = this.symbolFor(p.stored.charCodeAt(i), false);
        const idx = node * this.width + sym;
        let child = table[idx] ?? 0;
        if (child === 0) {
          child = nodes++;
          if (nodes * this.width > table.length) {
            const bigger = new Int32Array(table.length * 2);
            bigger.set(table);
            table = bigger;
          }
          table[idx] = child;
          this.terminals.push(null);
        }
        node = child;
      }
      const list = this.terminals[node] ?? [];
      if (!list.some((t) => t.group === p.group)) list.push({ group: p.group, phrase: p.phrase });
      this.terminals[node] = list;
    }
    this.next = table.slice(0, nodes * this.width);
    for (let c = 0; c < 128; c++) this.textSymbol[c] = this.asciiSymbol[c >= 65 && c <= 90 ? c + 32 : c] ?? 0;
    this.served = new Int32Array(this.groups);
  }

  private symbolFor(c: number, create: boolean): number {
    const f = fold(c);
    if (f < 128) {
      let s = this.asciiSymbol[f] ?? 0;
      if (s === 0 && create) {
        s = this.alphabet++;
        this.asciiSymbol[f] = s;
      }
      return s;
    }
    let s = this.otherSymbol.get(f) ?? 0;
    if (s === 0 && create) {
      s = this.alphabet++;
      this.otherSymbol.set(f, s);
    }
    return s;
  }

  /** A fresh value for `served` (wrapping before the Int32Array's range ends). */
  private nextStamp(): number {
    if (this.stamp >= 0x7ffffff0) {
      this.served.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }

  /** Symbol of a text character (0 when it occurs in no phrase). */
  private symbolOf(c: number): number {
    if (c < 128) return this.textSymbol[c] as number;
    if (c === 0x2019) return this.asciiSymbol[39] ?? 0;
    return this.otherSymbol.get(fold(c)) ?? 0;
  }

  /** Hits per group, each list sorted by start; per group and start only the longest phrase. */
  scan(text: string): KeywordHit[][] {
    const out: KeywordHit[][] = [];
    for (let g = 0; g < this.groups; g++) out.push([]);
    if (this.groups === 0) return out;
    const next = this.next;
    const width = this.width;
    const space = this.spaceSymbol;
    const terminals = this.terminals;
    const textSymbol = this.textSymbol;
    // Terminals met on the current walk, as (node, end) pairs; and the groups already served at this start.
    const found = this.found;
    const served = this.served;
    const n = text.length;
    let prevWord = false;
    for (let p = 0; p < n; p++) {
      const c0 = text.charCodeAt(p);
      const wasWord = prevWord;
      prevWord = c0 < 128 ? ASCII_WORD[c0] === 1 : isWordCode(c0);
      if (wasWord) continue;
      let node = next[c0 < 128 ? (textSymbol[c0] as number) : this.symbolOf(c0)] ?? 0;
      if (node === 0) continue;
      // Deterministic walk; remember every terminal (the last one per group is the longest phrase).
      let nFound = 0;
      let i = p + 1;
      for (;;) {
        if (terminals[node] !== null) {
          if (i >= n || !isWordCode(text.charCodeAt(i - 1)) || !isWordCode(text.charCodeAt(i))) {
            found[nFound++] = node;
            found[nFound++] = i;
          }
        }
        if (i >= n) break;
        const c = text.charCodeAt(i);
        let child = 0;
        if (isSeparator(c)) {
          if (space === 0) break;
          let j = i;
          while (j < n && j - i < MAX_SEPARATORS && isSeparator(text.charCodeAt(j))) j++;
          if (j < n && isSeparator(text.charCodeAt(j))) break;
          child = next[node * width + space] ?? 0;
          i = j;
        } else {
          const sym = c < 128 ? (textSymbol[c] as number) : this.symbolOf(c);
          if (sym === 0) break;
          child = next[node * width + sym] ?? 0;
          i++;
        }
        if (child === 0) break;
        node = child;
      }
      if (nFound === 0) continue;
      const stamp = this.nextStamp();
      for (let k = nFound - 2; k >= 0; k -= 2) {
        for (const t of terminals[found[k] as number] ?? []) {
          if (served[t.group] === stamp) continue;
          served[t.group] = stamp;
          out[t.group]?.push({ start: p, end: found[k + 1] as number, phrase: t.phrase });
        }
      }
    }
    return out;
  }
}
