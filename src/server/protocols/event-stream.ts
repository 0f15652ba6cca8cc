/**
 * `application/vnd.amazon.eventstream` framing for the streaming runtime operations, written with Smithy's own
 * codec (the one the SDK decodes with): events (`:message-type event`, `:event-type <name>`,
 * `:content-type application/json`) and modeled exceptions (`:message-type exception`, `:exception-type <name>`).
 */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

const str = (value: string) => ({ type: 'string' as const, value });

/** One event frame whose payload is the JSON of `payload`. */
export function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': str('event'),
      ':event-type': str(eventType),
      ':content-type': str('application/json'),
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

/** An InvokeModelWithResponseStream `chunk` event: the model's JSON, base64 in `bytes`. */
export function chunkFrame(modelJson: unknown): Uint8Array {
  return rawChunkFrame(Buffer.from(JSON.stringify(modelJson)));
}

/** A `chunk` event carrying the model's bytes exactly as they came. */
export function rawChunkFrame(bytes: Uint8Array): Uint8Array {
  return eventFrame('chunk', { bytes: Buffer.from(bytes).toString('base64') });
}

/**
 * A modeled exception inside the stream (e.g. `modelStreamErrorException`, `throttlingException`); the SDK raises
 * it as the typed exception with `message` and any extra members.
 */
export function exceptionFrame(exceptionType: string, members: Record<string, unknown>): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': str('exception'),
      ':exception-type': str(exceptionType),
      ':content-type': str('application/json'),
    },
    body: fromUtf8(JSON.stringify(members)),
  });
}

/** Decodes one frame (tests and the Bedrock fake upstream). */
export function decodeFrame(bytes: Uint8Array) {
  return codec.decode(bytes);
}
