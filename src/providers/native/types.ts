/**
 * The contract of an InvokeModel codec: one per model family, translating the family's native request,
 * response and stream-chunk JSON to and from the Converse-shaped lingua franca (`../types.ts`).
 */
import type { ChatRequest, ChatResponse, ChatStreamEvent, StopReason } from '../types.ts';

export type ModelFamily = 'anthropic' | 'meta' | 'amazon-titan' | 'amazon-nova' | 'mistral' | 'cohere' | 'openai';

/**
 * What a codec may need to know about the call it answers. Some families have two native formats
 * (Anthropic Messages / Text Completions, Mistral chat / text, Cohere Command R / Command): the request
 * body picks the one the response must use; without it the model id decides, then the family's default
 * (Anthropic Messages, Mistral text, Cohere Command).
 */
export interface NativeContext {
  /** The native request body being answered. */
  request?: Record<string, unknown>;
  /** The model id, echoed where the family's response carries one (Anthropic `model`, OpenAI `model`). */
  modelId?: string;
  /** The response id to use (random otherwise). */
  id?: string;
}

/** Turns lingua-franca stream events into native chunks. */
export interface NativeStreamEncoder {
  encode(ev: ChatStreamEvent): Record<string, unknown>[];
  /**
   * Call once when the upstream stream has ended. Families whose last chunk carries both the stop reason and
   * the usage hold the stop until the `metadata` event arrives; if it never does, `flush` emits the held
   * last chunk. Returns [] when nothing is pending.
   */
  flush(): Record<string, unknown>[];
}

/** What one native chunk from real Bedrock carries, for guarding the output. */
export interface DecodedChunk {
  text?: string;
  stopReason?: StopReason;
  /** The family's last chunk has been seen. */
  done?: boolean;
}

export interface NativeStreamDecoder {
  decode(chunk: Record<string, unknown>): DecodedChunk;
}

export interface NativeCodec {
  readonly family: ModelFamily;
  /** Native request JSON → lingua franca. Throws validation() naming the field when the body is not this family's shape. */
  parseRequest(body: Record<string, unknown>): ChatRequest;
  /** ChatResponse → the family's native response JSON (for non-Bedrock upstreams). */
  formatResponse(resp: ChatResponse, ctx?: NativeContext): Record<string, unknown>;
  /** A native response JSON (from real Bedrock) → lingua franca (text, tool use, stop reason, usage as far as the family reports it). */
  parseResponse(body: Record<string, unknown>): ChatResponse;
  /**
   * The response a blocked call returns: the message in the family's output field, and the stop reason the
   * family uses for an intervention where it has one (Anthropic Messages and Nova `guardrail_intervened`,
   * Titan `CONTENT_FILTERED`, OpenAI `content_filter`), else its ordinary "stopped" (Llama and Mistral `stop`,
   * Cohere `COMPLETE`, Anthropic Text Completions `stop_sequence`).
   */
  blockedResponse(message: string, ctx?: NativeContext): Record<string, unknown>;
  /** Stateful encoder: lingua-franca stream events → native chunk JSON objects (what real Bedrock sends in each chunk's bytes). */
  streamEncoder(ctx?: NativeContext): NativeStreamEncoder;
  /** Stateful decoder: native chunk JSON (from real Bedrock) → the text delta it carries and, at the end, the stop reason. */
  streamDecoder(): NativeStreamDecoder;
  /**
   * Native chunks that deliver a blocked message in a stream (e.g. Anthropic: message_start, content_block_start,
   * delta, stop, message_delta, message_stop). The gateway adds `amazon-bedrock-guardrailAction` to the last one.
   */
  blockedChunks(message: string, ctx?: NativeContext): Record<string, unknown>[];
  /**
   * Extra checks Bedrock makes on a native body when a guardrail applies (Cohere Command: `num_generations`
   * must be 1). Throws validation(); absent when the family has none.
   */
  validateForGuardrail?(body: Record<string, unknown>): void;
}
