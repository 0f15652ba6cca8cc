/**
 * InvokeModel input tags: `<amazon-bedrock-guardrails-guardContent_SUFFIX>…</amazon-bedrock-guardrails-guardContent_SUFFIX>`
 * mark what the caller wants guarded. A text splits into untagged and tagged pieces; the tags themselves are
 * markup for the gateway and are removed before the model sees the prompt. Tags may repeat but not nest.
 */
import { validation } from '../core/errors.ts';
import type { InputPiece } from './guarding.ts';

export const TAG_PREFIX = 'amazon-bedrock-guardrails-guardContent_';

/** Splits `text` by the tags with `suffix` (any alphanumeric suffix of 1–20 characters when none is given). */
export function splitTagged(text: string, suffix?: string): InputPiece[] {
  if (!text.includes(TAG_PREFIX)) return [{ text, tagged: false }];
  const sfx = suffix ?? '[A-Za-z0-9]{1,20}';
  const re = new RegExp(`<(/?)${TAG_PREFIX}(${sfx})>`, 'g');
  const pieces: InputPiece[] = [];
  let at = 0;
  let open: { suffix: string; start: number } | undefined;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const closing = m[1] === '/';
    const found = m[2] ?? '';
    if (!closing) {
      if (open)
        throw validation(
          `Input tags must not nest: <${TAG_PREFIX}${found}> opens inside <${TAG_PREFIX}${open.suffix}> (at character ${m.index}).`,
        );
      if (m.index > at) pieces.push({ text: text.slice(at, m.index), tagged: false });
      open = { suffix: found, start: m.index + m[0].length };
    } else {
      if (!open || open.suffix !== found)
        throw validation(`Input tag </${TAG_PREFIX}${found}> at character ${m.index} closes no open tag.`);
      pieces.push({ text: text.slice(open.start, m.index), tagged: true });
      open = undefined;
    }
    at = m.index + m[0].length;
  }
  if (open) throw validation(`Input tag <${TAG_PREFIX}${open.suffix}> is never closed.`);
  if (at < text.length) pieces.push({ text: text.slice(at), tagged: false });
  return pieces;
}

export function joinPieces(pieces: readonly string[]): string {
  return pieces.join('');
}
