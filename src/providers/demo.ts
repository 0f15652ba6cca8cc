/**
 * The built-in demo model `parapet.demo-v1`: a local, instant, deterministic model so that `npm start` can show
 * guardrail enforcement with no network and no API key. It answers the last user message by these rules, checked
 * in order (they exist so a user can make the *model* produce content the output guard then acts on):
 *
 * 1. The last message is a user message holding only tool results → `Tool result received: <the results' text,
 *    joined with a space, JSON results stringified; first 200 characters>`.
 * 2. Tools are configured and the last user text contains `call tool <name>` (case-insensitive `call tool`, exact
 *    tool name) for a defined tool → a single toolUse block (`toolUseId` `tooluse_demo_<n>`, n = 1 + the number
 *    of tool calls already in the conversation; input `{}`), stopReason `tool_use`.
 * 3. The last user text contains `decode base64: <base64>` → the decoded text. (The input guard decodes base64
 *    payloads too, so such a prompt is usually refused before the model sees it.)
 *    Otherwise, `reverse:` (case-insensitive) → the text after it, reversed by character: so the *output* can
 *    hold what the input filters never saw (`reverse: 9876-54-321 si NSS ym` answers an SSN).
 *    Otherwise, `repeat:` (case-insensitive) → exactly the text after the first `repeat:`,
 *    trimmed. `repeat: my email is jane@example.com` makes the model output PII.
 * 4. Otherwise → `Demo model (parapet.demo-v1) here. You said: <first 200 characters of the text>`.
 *
 * The user text is the message's text and guard content blocks joined with a space. Token counts are
 * whitespace-separated word counts (input: the system prompt and every message's text; a tool call counts as one
 * output token). `maxTokens` cuts the answer after that many words with stopReason `max_tokens`. Streaming sends
 * the same answer as word-sized text deltas (messageStart, deltas, contentBlockStop, messageStop, metadata with
 * latency 0).
 */
import type {
  CallOptions,
  ChatRequest,
  ChatResponse,
  ChatStreamEvent,
  ContentBlock,
  Message,
  ModelProvider,
  OutputBlock,
  StopReason,
  TokenUsage,
} from './types.ts';
import { UpstreamError } from './types.ts';

const QUOTE_LIMIT = 200;

/** The first `n` characters (code points, so no surrogate pair is split). */
function firstChars(s: string, n: number): string {
  const chars = Array.from(s);
  return chars.length <= n ? s : chars.slice(0, n).join('');
}

export function wordCount(s: string): number {
  return s.match(/\S+/g)?.length ?? 0;
}

/** `s` cut after its `n`-th word, or undefined when it has no more than `n` words. */
function truncateWords(s: string, n: number): string | undefined {
  let seen = 0;
  for (const m of s.matchAll(/\S+/g)) {
    seen++;
    if (seen === n) {
      const end = m.index + m[0].length;
      return /\S/.test(s.slice(end)) ? s.slice(0, end) : undefined;
    }
  }
  if (n <= 0 && /\S/.test(s)) return '';
  return undefined;
}

function blockText(b: ContentBlock): string | undefined {
  if ('text' in b) return b.text;
  if ('guardContent' in b) return b.guardContent.text.text;
  return undefined;
}

function userText(m: Message): string {
  return m.content
    .map(blockText)
    .filter((t): t is string => t !== undefined)
    .join(' ');
}

function toolResultText(m: Message): string {
  const parts: string[] = [];
  for (const b of m.content)
    if ('toolResult' in b) for (const c of b.toolResult.content) parts.push('text' in c ? c.text : (JSON.stringify(c.json) ?? 'null'));
  return parts.join(' ');
}

function requestWords(req: ChatRequest): number {
  let n = 0;
  for (const s of req.system) n += wordCount('text' in s ? s.text : s.guardContent.text.text);
  for (const m of req.messages)
    for (const b of m.content) {
      const t = blockText(b);
      if (t !== undefined) n += wordCount(t);
      else if ('toolResult' in b) n += wordCount(toolResultText({ role: m.role, content: [b] }));
      else n += 1; // a tool call
    }
  return n;
}

interface DemoAnswer {
  content: OutputBlock[];
  stopReason: StopReason;
  usage: TokenUsage;
}

/** The demo model's answer to a request (pure: same request, same answer). */
export function demoAnswer(req: ChatRequest): DemoAnswer {
  const inputTokens = requestWords(req);
  const usage = (outputTokens: number): TokenUsage => ({ inputTokens, outputTokens, totalTokens: inputTokens + outputTokens });
  const last = req.messages[req.messages.length - 1];
  const lastUser = [...req.messages].reverse().find((m) => m.role === 'user');

  let text: string;
  if (last?.role === 'user' && last.content.length > 0 && last.content.every((b) => 'toolResult' in b)) {
    text = `Tool result received: ${firstChars(toolResultText(last), QUOTE_LIMIT)}`;
  } else {
    const said = lastUser ? userText(lastUser) : '';
    const tools = new Set((req.toolConfig?.tools ?? []).map((t) => t.toolSpec.name));
    const call = tools.size ? [...said.matchAll(/call tool ([A-Za-z0-9_-]+)/gi)].find((m) => m[1] !== undefined && tools.has(m[1])) : undefined;
    if (call?.[1]) {
      const previous = req.messages.reduce((n, m) => n + m.content.filter((b) => 'toolUse' in b).length, 0);
      return {
        content: [{ toolUse: { toolUseId: `tooluse_demo_${previous + 1}`, name: call[1], input: {} } }],
        stopReason: 'tool_use',
        usage: usage(1),
      };
    }
    const decode = /decode base64:\s*([A-Za-z0-9+/=]+)/i.exec(said);
    const reverse = said.search(/reverse:/i);
    const repeat = said.search(/repeat:/i);
    text = decode?.[1]
      ? Buffer.from(decode[1], 'base64').toString('utf8')
      : reverse >= 0
        ? [...said.slice(reverse + 'reverse:'.length).trim()].reverse().join('')
        : repeat >= 0
          ? said.slice(repeat + 'repeat:'.length).trim()
          : `Demo model (parapet.demo-v1) here. You said: ${firstChars(said, QUOTE_LIMIT)}`;
  }

  const maxTokens = req.inferenceConfig?.maxTokens;
  const cut = maxTokens !== undefined ? truncateWords(text, maxTokens) : undefined;
  const answer = cut ?? text;
  return { content: [{ text: answer }], stopReason: cut !== undefined ? 'max_tokens' : 'end_turn', usage: usage(wordCount(answer)) };
}

/** Splits text into word-sized pieces (each word with the whitespace before it) that concatenate back to it. */
export function wordPieces(text: string): string[] {
  const pieces: string[] = [...(text.match(/\s*\S+/g) ?? [])];
  const rest = text.slice(pieces.join('').length);
  if (rest) {
    if (pieces.length) pieces[pieces.length - 1] += rest;
    else pieces.push(rest);
  }
  return pieces;
}

export function createDemoProvider(name = 'demo'): ModelProvider {
  const checkAborted = (signal: AbortSignal): void => {
    if (signal.aborted) throw new UpstreamError('timeout', name, `${name}: the call was abandoned`);
  };
  return {
    name,
    type: 'demo',

    async converse(_upstreamModel: string, req: ChatRequest, opts: CallOptions): Promise<ChatResponse> {
      checkAborted(opts.signal);
      return demoAnswer(req);
    },

    async *converseStream(_upstreamModel: string, req: ChatRequest, opts: CallOptions): AsyncIterable<ChatStreamEvent> {
      checkAborted(opts.signal);
      const a = demoAnswer(req);
      yield { messageStart: { role: 'assistant' } };
      for (const [i, block] of a.content.entries()) {
        if ('toolUse' in block) {
          const { toolUseId, name: toolName, input } = block.toolUse;
          yield { contentBlockStart: { contentBlockIndex: i, start: { toolUse: { toolUseId, name: toolName } } } };
          yield { contentBlockDelta: { contentBlockIndex: i, delta: { toolUse: { input: JSON.stringify(input) } } } };
        } else {
          for (const text of wordPieces(block.text)) {
            checkAborted(opts.signal);
            yield { contentBlockDelta: { contentBlockIndex: i, delta: { text } } };
          }
        }
        yield { contentBlockStop: { contentBlockIndex: i } };
      }
      yield { messageStop: { stopReason: a.stopReason } };
      yield { metadata: { usage: a.usage, metrics: { latencyMs: 0 } } };
    },
  };
}
