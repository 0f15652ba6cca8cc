/** ConverseStream through the console session: the request body, and the answer's events as they arrive. */
import { callRaw, seg } from '../../api/client.ts';
import { EventStreamError, interpret, readEventStream } from './eventstream.ts';
import type { GuardrailTrace } from './trace.tsx';

export interface ChatSettings {
  modelId: string;
  system: string;
  guardrailId: string;
  guardrailVersion: string;
  trace: 'enabled' | 'enabled_full' | 'disabled';
  streamMode: 'sync' | 'async';
  maxTokens: string;
  temperature: string;
}

export interface Turn {
  role: 'user' | 'assistant';
  text: string;
}

/** The model-id limit of the models file and the API (MAX_MODEL_ID_LENGTH). */
export const MAX_MODEL_ID = 2048;

/** Checks the settings as the API does; field → message. */
export function validateSettings(s: ChatSettings): Partial<Record<keyof ChatSettings, string>> {
  const e: Partial<Record<keyof ChatSettings, string>> = {};
  const model = s.modelId.trim();
  if (!model) e.modelId = 'Enter a model id, e.g. parapet.demo-v1.';
  else if (model.length > MAX_MODEL_ID) e.modelId = `A model id is at most ${MAX_MODEL_ID} characters.`;
  if (s.guardrailId && !s.guardrailVersion) e.guardrailVersion = 'guardrailConfig.guardrailVersion is required when guardrailConfig.guardrailIdentifier is set.';
  if (s.guardrailVersion && s.guardrailVersion !== 'DRAFT' && !/^[1-9][0-9]{0,7}$/.test(s.guardrailVersion))
    e.guardrailVersion = `guardrailConfig.guardrailVersion '${s.guardrailVersion.slice(0, 20)}' must be DRAFT or a version number (1-99999999).`;
  if (s.maxTokens.trim() && !(/^\d{1,9}$/.test(s.maxTokens.trim()) && Number(s.maxTokens) >= 1)) e.maxTokens = 'inferenceConfig.maxTokens must be a whole number of at least 1.';
  if (s.temperature.trim()) {
    const t = Number(s.temperature);
    if (!Number.isFinite(t) || t < 0 || t > 1) e.temperature = 'inferenceConfig.temperature must be a number from 0 to 1.';
  }
  return e;
}

export function requestBody(s: ChatSettings, turns: readonly Turn[]): Record<string, unknown> {
  const inference: Record<string, number> = {};
  if (s.maxTokens.trim()) inference.maxTokens = Number(s.maxTokens);
  if (s.temperature.trim()) inference.temperature = Number(s.temperature);
  return {
    messages: turns.map((t) => ({ role: t.role, content: [{ text: t.text }] })),
    ...(s.system.trim() ? { system: [{ text: s.system }] } : {}),
    ...(Object.keys(inference).length ? { inferenceConfig: inference } : {}),
    guardrailConfig: {
      ...(s.guardrailId ? { guardrailIdentifier: s.guardrailId, guardrailVersion: s.guardrailVersion } : {}),
      trace: s.trace,
      streamProcessingMode: s.streamMode,
    },
  };
}

export type StreamEvent =
  | { type: 'text'; text: string }
  | { type: 'stop'; stopReason: string }
  | { type: 'metadata'; usage?: { inputTokens?: number; outputTokens?: number; totalTokens?: number }; latencyMs?: number; trace?: GuardrailTrace }
  | { type: 'tool'; name: string }
  | { type: 'exception'; name: string; message: string };

/** Sends the conversation and reports each event; resolves when the stream ends. HTTP errors throw ApiError. */
export async function converseStream(modelId: string, body: unknown, signal: AbortSignal, on: (e: StreamEvent) => void): Promise<void> {
  const res = await callRaw('POST', `/model/${seg(modelId)}/converse-stream`, { body, signal });
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('application/vnd.amazon.eventstream')) throw new EventStreamError(`The answer is ${type || 'untyped'}, not an event stream.`);
  if (!res.body) throw new EventStreamError('The answer has no body.');
  for await (const m of readEventStream(res.body, signal)) {
    const item = interpret(m);
    if (item.kind === 'exception') {
      on({ type: 'exception', name: item.type, message: item.message });
      continue;
    }
    const d = (item.data ?? {}) as Record<string, unknown>;
    switch (item.type) {
      case 'contentBlockDelta': {
        const delta = d.delta as { text?: unknown } | undefined;
        if (typeof delta?.text === 'string') on({ type: 'text', text: delta.text });
        break;
      }
      case 'contentBlockStart': {
        const tool = (d.start as { toolUse?: { name?: string } } | undefined)?.toolUse;
        if (tool?.name) on({ type: 'tool', name: tool.name });
        break;
      }
      case 'messageStop':
        on({ type: 'stop', stopReason: String(d.stopReason ?? '') });
        break;
      case 'metadata': {
        const metrics = d.metrics as { latencyMs?: number } | undefined;
        const trace = (d.trace as { guardrail?: GuardrailTrace } | undefined)?.guardrail;
        on({
          type: 'metadata',
          ...(d.usage ? { usage: d.usage as { inputTokens?: number; outputTokens?: number; totalTokens?: number } } : {}),
          ...(metrics?.latencyMs !== undefined ? { latencyMs: metrics.latencyMs } : {}),
          ...(trace ? { trace } : {}),
        });
        break;
      }
      default:
        break;
    }
  }
}
