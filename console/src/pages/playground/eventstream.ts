/**
 * A decoder for `application/vnd.amazon.eventstream`, the binary framing of ConverseStream's answer. Each message:
 *
 *   total length (uint32 BE) · headers length (uint32 BE) · prelude CRC32 (of the 8 bytes before it)
 *   headers · payload · message CRC32 (of everything before it)
 *
 * A header is: name length (1 byte), name (UTF-8), value type (1 byte), value. Both CRCs are checked; a frame that
 * fails a check, or a stream that ends inside a frame, is an EventStreamError.
 */

export type HeaderValue = string | number | boolean | bigint | Uint8Array | Date;

export interface EventStreamMessage {
  headers: Record<string, HeaderValue>;
  payload: Uint8Array;
}

export class EventStreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventStreamError';
  }
}

const PRELUDE = 12;
const MIN_MESSAGE = PRELUDE + 4;
/** The format's own limits: 16 MiB messages, 128 KiB of headers. */
const MAX_MESSAGE = 16 * 1024 * 1024;
const MAX_HEADERS = 128 * 1024;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, the one zlib computes). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = (CRC_TABLE[(c ^ (bytes[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeHeaders(bytes: Uint8Array, view: DataView, start: number, end: number): Record<string, HeaderValue> {
  const out: Record<string, HeaderValue> = {};
  let i = start;
  const need = (n: number) => {
    if (i + n > end) throw new EventStreamError('A header runs past the end of the headers section.');
  };
  while (i < end) {
    need(1);
    const nameLen = bytes[i] ?? 0;
    i += 1;
    need(nameLen);
    const name = utf8.decode(bytes.subarray(i, i + nameLen));
    i += nameLen;
    need(1);
    const type = bytes[i] ?? 0;
    i += 1;
    let value: HeaderValue;
    switch (type) {
      case 0:
        value = true;
        break;
      case 1:
        value = false;
        break;
      case 2:
        need(1);
        value = view.getInt8(i);
        i += 1;
        break;
      case 3:
        need(2);
        value = view.getInt16(i);
        i += 2;
        break;
      case 4:
        need(4);
        value = view.getInt32(i);
        i += 4;
        break;
      case 5:
        need(8);
        value = view.getBigInt64(i);
        i += 8;
        break;
      case 6:
      case 7: {
        need(2);
        const len = view.getUint16(i);
        i += 2;
        need(len);
        const raw = bytes.slice(i, i + len);
        value = type === 7 ? utf8.decode(raw) : raw;
        i += len;
        break;
      }
      case 8:
        need(8);
        value = new Date(Number(view.getBigInt64(i)));
        i += 8;
        break;
      case 9:
        need(16);
        value = bytes.slice(i, i + 16);
        i += 16;
        break;
      default:
        throw new EventStreamError(`Header '${name}' has the unknown value type ${type}.`);
    }
    out[name] = value;
  }
  return out;
}

/** Decodes one whole message (exactly its bytes). */
export function decodeMessage(bytes: Uint8Array): EventStreamMessage {
  if (bytes.length < MIN_MESSAGE) throw new EventStreamError(`A message of ${bytes.length} bytes is shorter than the ${MIN_MESSAGE}-byte minimum.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const total = view.getUint32(0);
  const headersLen = view.getUint32(4);
  if (total !== bytes.length) throw new EventStreamError(`The prelude says ${total} bytes but the message has ${bytes.length}.`);
  if (view.getUint32(8) !== crc32(bytes, 0, 8)) throw new EventStreamError('The prelude CRC does not match: the stream is corrupt.');
  if (view.getUint32(total - 4) !== crc32(bytes, 0, total - 4)) throw new EventStreamError('The message CRC does not match: the stream is corrupt.');
  if (PRELUDE + headersLen > total - 4) throw new EventStreamError('The headers length runs past the end of the message.');
  return {
    headers: decodeHeaders(bytes, view, PRELUDE, PRELUDE + headersLen),
    payload: bytes.slice(PRELUDE + headersLen, total - 4),
  };
}

/** Splits a byte stream into messages as chunks arrive; chunk boundaries may fall anywhere. */
export class EventStreamDecoder {
  #buf = new Uint8Array(0);

  push(chunk: Uint8Array): EventStreamMessage[] {
    if (chunk.length) {
      const next = new Uint8Array(this.#buf.length + chunk.length);
      next.set(this.#buf);
      next.set(chunk, this.#buf.length);
      this.#buf = next;
    }
    const out: EventStreamMessage[] = [];
    while (this.#buf.length >= PRELUDE) {
      const view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.byteLength);
      const total = view.getUint32(0);
      const headersLen = view.getUint32(4);
      // The prelude is checked before its lengths are trusted.
      if (view.getUint32(8) !== crc32(this.#buf, 0, 8)) throw new EventStreamError('The prelude CRC does not match: the stream is corrupt.');
      if (total < MIN_MESSAGE || total > MAX_MESSAGE) throw new EventStreamError(`A message length of ${total} bytes is outside 16 bytes to 16 MiB.`);
      if (headersLen > MAX_HEADERS) throw new EventStreamError(`A headers length of ${headersLen} bytes is over the 128 KiB limit.`);
      if (this.#buf.length < total) break;
      out.push(decodeMessage(this.#buf.slice(0, total)));
      this.#buf = this.#buf.slice(total);
    }
    return out;
  }

  /** The stream ended: throws if it ended inside a message. */
  end(): void {
    if (this.#buf.length) throw new EventStreamError(`The stream ended inside a message (${this.#buf.length} bytes left over).`);
  }
}

/** The messages of a response body, as they arrive. */
export async function* readEventStream(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<EventStreamMessage> {
  const reader = body.getReader();
  const decoder = new EventStreamDecoder();
  try {
    for (;;) {
      if (signal?.aborted) return;
      const { done, value } = await reader.read();
      if (done) break;
      yield* decoder.push(value);
    }
    decoder.end();
  } finally {
    // Stopping early (abort, a consumer that breaks out) cancels the download.
    await reader.cancel().catch(() => undefined);
  }
}

/** What one message means: an event with its JSON payload, or an exception / error the server sent in the stream. */
export type StreamItem =
  | { kind: 'event'; type: string; data: unknown }
  | { kind: 'exception'; type: string; message: string; data: unknown };

const text = new TextDecoder();

function parseJson(payload: Uint8Array): unknown {
  if (!payload.length) return {};
  try {
    return JSON.parse(text.decode(payload)) as unknown;
  } catch {
    return { raw: text.decode(payload) };
  }
}

export function interpret(m: EventStreamMessage): StreamItem {
  const kind = m.headers[':message-type'];
  const data = parseJson(m.payload);
  const message = (d: unknown) => {
    const o = (d ?? {}) as { message?: unknown; Message?: unknown };
    return typeof o.message === 'string' ? o.message : typeof o.Message === 'string' ? o.Message : '';
  };
  if (kind === 'exception') return { kind: 'exception', type: String(m.headers[':exception-type'] ?? 'exception'), message: message(data), data };
  if (kind === 'error')
    return { kind: 'exception', type: String(m.headers[':error-code'] ?? 'error'), message: String(m.headers[':error-message'] ?? message(data)), data };
  if (kind !== 'event' && kind !== undefined) throw new EventStreamError(`Unknown :message-type '${String(kind)}'.`);
  return { kind: 'event', type: String(m.headers[':event-type'] ?? ''), data };
}
