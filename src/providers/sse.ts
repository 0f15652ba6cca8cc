/**
 * Server-sent events: a streaming parser for upstream responses (OpenAI and Anthropic stream this way) and
 * the encoder the OpenAI-compatible endpoint writes with.
 */

export interface SseEvent {
  event?: string;
  data: string;
}

/** Parses an SSE byte stream into events (`data:` lines joined with `\n`; comments and `id:`/`retry:` ignored). */
export async function* parseSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buf = '';
  let event: string | undefined;
  let data: string[] = [];
  const flush = (): SseEvent | undefined => {
    if (!data.length) {
      event = undefined;
      return undefined;
    }
    const e: SseEvent = { data: data.join('\n'), ...(event ? { event } : {}) };
    event = undefined;
    data = [];
    return e;
  };
  for await (const chunk of body) {
    buf += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + (buf[nl] === '\r' && buf[nl + 1] === '\n' ? 2 : 1));
      if (line === '') {
        const e = flush();
        if (e) yield e;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
  }
  buf += decoder.decode();
  if (buf) {
    // A last line without its terminating newline still counts.
    if (buf.startsWith('data:')) data.push(buf.slice(5).replace(/^ /, ''));
  }
  const e = flush();
  if (e) yield e;
}

/** One SSE frame. */
export function sseFrame(data: string, event?: string): string {
  const lines = data.split(/\r\n|\r|\n/).map((l) => `data: ${l}`);
  return `${event ? `event: ${event}\n` : ''}${lines.join('\n')}\n\n`;
}
