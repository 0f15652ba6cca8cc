/**
 * The texts of a chat request as guardable fields, and the request rebuilt from the guarded (masked, untagged)
 * texts. InvokeModel reads input tags inside texts; Converse marks guarded text with `guardContent` blocks.
 */
import type { ChatRequest, ContentBlock, Message, OutputBlock, SystemBlock } from '../providers/types.ts';
import type { InputField } from './guarding.ts';
import { splitTagged } from './input-tags.ts';

export interface FieldOptions {
  /** InvokeModel: split texts by `<amazon-bedrock-guardrails-guardContent_SUFFIX>` tags. */
  invokeModel: boolean;
  tagSuffix?: string;
}

type Locator =
  | { at: 'system'; i: number }
  | { at: 'message'; m: number; c: number }
  | { at: 'toolResult'; m: number; c: number; t: number }
  /** A string inside a tool result's `json` document, by its path. */
  | { at: 'toolResultJson'; m: number; c: number; t: number; path: Array<string | number> };

/** Every string leaf of a JSON value (object keys included as they are, only values are texts). */
function stringLeaves(v: unknown, path: Array<string | number> = [], out: Array<{ path: Array<string | number>; text: string }> = []) {
  if (typeof v === 'string') out.push({ path, text: v });
  else if (Array.isArray(v)) v.forEach((x, i) => stringLeaves(x, [...path, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) stringLeaves(x, [...path, k], out);
  return out;
}

function setAt(root: unknown, path: ReadonlyArray<string | number>, text: string): unknown {
  if (!path.length) return text;
  const [head, ...rest] = path;
  if (Array.isArray(root)) return root.map((x, i) => (i === head ? setAt(x, rest, text) : x));
  if (root && typeof root === 'object' && head !== undefined) {
    const copy: Record<string, unknown> = { ...(root as Record<string, unknown>) };
    Object.defineProperty(copy, head, { value: setAt(copy[head], rest, text), enumerable: true, writable: true, configurable: true });
    return copy;
  }
  return root;
}

export interface ChatFields {
  fields: InputField[];
  locators: Locator[];
}

export function chatFields(chat: ChatRequest, opts: FieldOptions): ChatFields {
  const fields: InputField[] = [];
  const locators: Locator[] = [];
  const split = (text: string) => (opts.invokeModel ? splitTagged(text, opts.tagSuffix) : [{ text, tagged: false }]);
  chat.system.forEach((b, i) => {
    if ('text' in b) fields.push({ part: 'system', role: 'system', kind: 'text', pieces: split(b.text), original: b.text });
    else
      fields.push({
        part: 'system',
        role: 'system',
        kind: 'guardContent',
        pieces: [{ text: b.guardContent.text.text, tagged: true }],
        ...(b.guardContent.text.qualifiers ? { qualifiers: b.guardContent.text.qualifiers } : {}),
      });
    locators.push({ at: 'system', i });
  });
  chat.messages.forEach((msg, m) => {
    msg.content.forEach((b, c) => {
      if ('text' in b) {
        fields.push({ part: 'messages', role: msg.role, kind: 'text', pieces: split(b.text), original: b.text });
        locators.push({ at: 'message', m, c });
      } else if ('guardContent' in b) {
        fields.push({
          part: 'messages',
          role: msg.role,
          kind: 'guardContent',
          pieces: [{ text: b.guardContent.text.text, tagged: true }],
          ...(b.guardContent.text.qualifiers ? { qualifiers: b.guardContent.text.qualifiers } : {}),
        });
        locators.push({ at: 'message', m, c });
      } else if ('toolResult' in b) {
        b.toolResult.content.forEach((tc, t) => {
          if ('text' in tc) {
            fields.push({ part: 'messages', role: msg.role, kind: 'toolResult', pieces: [{ text: tc.text, tagged: false }] });
            locators.push({ at: 'toolResult', m, c, t });
          } else if ('json' in tc) {
            // A JSON tool result reaches the model as text too: every string in it is guarded.
            for (const leaf of stringLeaves(tc.json)) {
              fields.push({ part: 'messages', role: msg.role, kind: 'toolResult', pieces: [{ text: leaf.text, tagged: false }] });
              locators.push({ at: 'toolResultJson', m, c, t, path: leaf.path });
            }
          }
        });
      }
    });
  });
  return { fields, locators };
}

/** The request with each field's text replaced by its guarded pieces joined (input tags removed). */
export function rebuildChat(chat: ChatRequest, cf: ChatFields, rewritten: readonly (readonly string[])[]): ChatRequest {
  const system: SystemBlock[] = chat.system.map((b) => ({ ...b }));
  const messages: Message[] = chat.messages.map((m) => ({ ...m, content: m.content.map((b) => ({ ...b })) }));
  cf.locators.forEach((loc, fi) => {
    const text = (rewritten[fi] ?? []).join('');
    if (loc.at === 'system') {
      const b = system[loc.i];
      if (!b) return;
      system[loc.i] = 'text' in b ? { text } : { guardContent: { text: { ...b.guardContent.text, text } } };
      return;
    }
    const msg = messages[loc.m];
    const b = msg?.content[loc.c];
    if (!msg || !b) return;
    if (loc.at === 'message') {
      msg.content[loc.c] = 'text' in b ? { text } : 'guardContent' in b ? { guardContent: { text: { ...b.guardContent.text, text } } } : b;
    } else if ('toolResult' in b) {
      const content = b.toolResult.content.map((tc, t) => {
        if (t !== loc.t) return tc;
        if (loc.at === 'toolResult' && 'text' in tc) return { text };
        if (loc.at === 'toolResultJson' && 'json' in tc) return { json: setAt(tc.json, loc.path, text) };
        return tc;
      });
      msg.content[loc.c] = { toolResult: { ...b.toolResult, content } } as ContentBlock;
    }
  });
  return { ...chat, system, messages };
}

/** Pairs (original field text → guarded text) for the fields that changed: for forwarding a native body. */
export function changedTexts(cf: ChatFields, rewritten: readonly (readonly string[])[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  cf.fields.forEach((f, fi) => {
    const before = f.original ?? f.pieces.map((p) => p.text).join('');
    const after = (rewritten[fi] ?? []).join('');
    if (before !== after) out.push([before, after]);
  });
  return out;
}

/** The texts of a model answer (text blocks only; tool-call arguments are not guarded). */
export function outputTexts(content: readonly OutputBlock[]): string[] {
  return content.flatMap((b) => ('text' in b ? [b.text] : []));
}

/** The answer with its text blocks replaced in order. */
export function replaceOutputTexts(content: readonly OutputBlock[], texts: readonly string[]): OutputBlock[] {
  let i = 0;
  return content.map((b) => ('text' in b ? { text: texts[i++] ?? b.text } : b));
}

/**
 * Replaces, inside every string of a JSON value, each occurrence of an original text with its guarded version
 * (longest originals first). Keeps every other field of a native body as it was.
 */
export function replaceWithin(value: unknown, pairs: ReadonlyArray<readonly [string, string]>): unknown {
  const live = pairs.filter(([a, b]) => a && a !== b).sort((x, y) => y[0].length - x[0].length);
  if (!live.length) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      let s = v;
      for (const [from, to] of live) if (s.includes(from)) s = s.split(from).join(to);
      return s;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value);
}

/** The originals of `pairs` that occur in no string of `value` (so replacing them would silently do nothing). */
export function missingTexts(value: unknown, pairs: ReadonlyArray<readonly [string, string]>): string[] {
  const strings: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') strings.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return pairs.filter(([from, to]) => from && from !== to && !strings.some((x) => x.includes(from))).map(([from]) => from);
}
