/**
 * Amazon Titan Text on Bedrock: `{inputText, textGenerationConfig:{maxTokenCount, temperature, topP,
 * stopSequences}}` → `{inputTextTokenCount, results:[{tokenCount, outputText, completionReason}]}`; stream
 * chunks `{outputText, index, totalOutputTextTokenCount, completionReason, inputTextTokenCount}`.
 */
import type { ChatRequest, ChatResponse, ChatStreamEvent, StopReason } from '../types.ts';
import type { NativeCodec, NativeStreamDecoder, NativeStreamEncoder } from './types.ts';
import {
  INVOCATION_METRICS_KEY,
  StreamTail,
  asArray,
  asRecord,
  asString,
  blockedChatResponse,
  blockedEvents,
  encodeAll,
  inferenceConfig,
  malformed,
  optNumber,
  optStringList,
  textOf,
  usage,
  userText,
  type Json,
  type StreamEnd,
} from './shared.ts';

function parseRequest(body: Json): ChatRequest {
  if (body.inputText === undefined) throw malformed('inputText', 'is required (Amazon Titan Text body)');
  const inputText = asString(body.inputText, 'inputText');
  const req: ChatRequest = { system: [], messages: [userText(inputText)] };
  if (body.textGenerationConfig !== undefined && body.textGenerationConfig !== null) {
    const c = asRecord(body.textGenerationConfig, 'textGenerationConfig');
    const p = 'textGenerationConfig.';
    const cfg = inferenceConfig({
      maxTokens: optNumber(c, 'maxTokenCount', `${p}maxTokenCount`, { integer: true, min: 0 }),
      temperature: optNumber(c, 'temperature', `${p}temperature`, { min: 0, max: 1 }),
      topP: optNumber(c, 'topP', `${p}topP`, { min: 0, max: 1 }),
      stopSequences: optStringList(c, 'stopSequences', `${p}stopSequences`),
    });
    if (cfg) req.inferenceConfig = cfg;
  }
  return req;
}

/** Titan's completion reasons; a guardrail block reads as `CONTENT_FILTERED`. */
function toTitanReason(s: StopReason): string {
  switch (s) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'LENGTH';
    case 'stop_sequence':
      return 'STOP_CRITERIA_MET';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'CONTENT_FILTERED';
    default:
      return 'FINISH';
  }
}

function fromTitanReason(v: unknown): StopReason {
  switch (v) {
    case 'LENGTH':
      return 'max_tokens';
    case 'STOP_CRITERIA_MET':
      return 'stop_sequence';
    case 'CONTENT_FILTERED':
      return 'content_filtered';
    default:
      return 'end_turn';
  }
}

function formatResponse(resp: ChatResponse): Json {
  return {
    inputTextTokenCount: resp.usage.inputTokens,
    results: [{ tokenCount: resp.usage.outputTokens, outputText: textOf(resp.content), completionReason: toTitanReason(resp.stopReason) }],
  };
}

function parseResponse(body: Json): ChatResponse {
  const results = body.results === undefined ? [] : asArray(body.results, 'results');
  const first = results[0];
  const r = first === undefined ? {} : asRecord(first, 'results.0');
  const text = r.outputText === undefined || r.outputText === null ? '' : asString(r.outputText, 'results.0.outputText');
  return {
    content: [{ text }],
    stopReason: fromTitanReason(r.completionReason),
    usage: usage(body.inputTextTokenCount, r.tokenCount),
  };
}

class TitanEncoder implements NativeStreamEncoder {
  private readonly tail = new StreamTail();
  private chunks = 0;

  private end(e: StreamEnd): Json[] {
    return [
      {
        outputText: '',
        index: 0,
        totalOutputTextTokenCount: Math.max(e.usage.outputTokens, this.chunks),
        completionReason: toTitanReason(e.stopReason),
        inputTextTokenCount: e.usage.inputTokens,
        [INVOCATION_METRICS_KEY]: e.metrics,
      },
    ];
  }

  encode(ev: ChatStreamEvent): Json[] {
    if (this.tail.ended) return [];
    if ('contentBlockDelta' in ev) {
      const d = ev.contentBlockDelta.delta;
      if (!('text' in d)) return [];
      this.tail.content();
      this.chunks++;
      return [{ outputText: d.text, index: 0, totalOutputTextTokenCount: this.chunks, completionReason: null, inputTextTokenCount: null }];
    }
    const e = this.tail.offer(ev);
    return e ? this.end(e) : [];
  }

  flush(): Json[] {
    const e = this.tail.flush();
    return e ? this.end(e) : [];
  }
}

class TitanDecoder implements NativeStreamDecoder {
  decode(chunk: Json): { text?: string; stopReason?: StopReason; done?: boolean } {
    const out: { text?: string; stopReason?: StopReason; done?: boolean } = {};
    if (typeof chunk.outputText === 'string' && chunk.outputText !== '') out.text = chunk.outputText;
    if (chunk.completionReason !== undefined && chunk.completionReason !== null) {
      out.stopReason = fromTitanReason(chunk.completionReason);
      out.done = true;
    }
    return out;
  }
}

export const titanCodec: NativeCodec = {
  family: 'amazon-titan',
  parseRequest,
  formatResponse,
  parseResponse,
  blockedResponse(message) {
    return formatResponse(blockedChatResponse(message));
  },
  streamEncoder() {
    return new TitanEncoder();
  },
  streamDecoder() {
    return new TitanDecoder();
  },
  blockedChunks(message) {
    return encodeAll(new TitanEncoder(), blockedEvents(message));
  },
};
