/** A small router for REST operations: `METHOD /path/{label}/…`, labels percent-decoded. */
import { ServiceError } from '../core/errors.ts';
import type { Caller } from '../core/caller.ts';

export interface OperationContext {
  requestId: string;
  caller: Caller;
  labels: Readonly<Record<string, string>>;
  query: Readonly<Record<string, string | string[]>>;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed JSON body (`{}` when empty) for JSON operations; undefined for `rawBody` operations. */
  body: unknown;
  /** The body bytes, for `rawBody` operations (InvokeModel). */
  rawBody?: Buffer;
  /** Aborted when the client goes away before the answer is complete. */
  signal: AbortSignal;
}

/** Yielded by a stream before its closing frame(s): see `OperationResult.stream`. */
export const RECORD_POINT: unique symbol = Symbol('parapet.recordPoint');

export interface OperationResult {
  status: number;
  /** JSON-serialized unless `raw` or `stream` is given. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Bytes sent as they are (InvokeModel's model-native body); `headers` carry the content type. */
  raw?: Uint8Array;
  /**
   * A streamed answer (event stream, server-sent events): written chunk by chunk with back-pressure. The
   * iterator owns error reporting once it has started (exception frames, error events). It may yield
   * `RECORD_POINT` once, just before its closing frame(s): the audit records (`after`) are made durable there,
   * so a client that received the closing frame knows the call is on the audit trail.
   */
  stream?: AsyncIterable<Uint8Array | string | typeof RECORD_POINT>;
  /**
   * The audit records of an invocation, made durable before the answer is acknowledged: before the body is sent
   * (if it fails, the answer is withheld and the call fails with ServiceUnavailableException), or for a stream
   * after its last chunk and before the response ends (if it fails, the response is cut off unfinished). Runs
   * too when the client went away.
   */
  after?: () => Promise<void>;
}

/**
 * How an operation authenticates: SigV4 (default), or `bearer` — the OpenAI-compatible endpoint, whose API key
 * is `<AccessKeyId>:<SecretAccessKey>` of a Parapet access key.
 */
export type AuthScheme = 'sigv4' | 'bearer';

/**
 * restJson1 (bedrock, bedrock-runtime): routed by method and path. awsJson1_1 (organizations): `POST /` with
 * `X-Amz-Target: <target>`. awsQuery (sts, iam): `POST /` with a form body whose `Action` is the name, signed
 * for `signingName`; the body given to `handle` is the form's parameter map.
 */
export type Protocol = 'restJson1' | 'awsJson1_1' | 'awsQuery';

export interface Operation {
  name: string;
  /** Default restJson1. */
  protocol?: Protocol;
  method: string;
  path: string;
  /** awsJson1_1: the full `X-Amz-Target` value, e.g. `AWSOrganizationsV20161128.ListAccounts`. */
  target?: string;
  /** awsQuery: the XML namespace of responses, e.g. `https://sts.amazonaws.com/doc/2011-06-15/`. */
  xmlns?: string;
  /** SigV4 signing name expected in the credential scope. */
  signingName: string;
  bodyLimitBytes: number;
  /** Hand over the body as bytes instead of parsing JSON (InvokeModel: any content type). */
  rawBody?: boolean;
  /** Default `sigv4`. */
  auth?: AuthScheme;
  /** How errors are written: AWS restJson1 (default) or the OpenAI error object. */
  errorStyle?: 'aws' | 'openai';
  handle(ctx: OperationContext): Promise<OperationResult>;
}

interface CompiledRoute {
  op: Operation;
  parts: Array<{ literal: string } | { label: string }>;
}

export interface RouteMatch {
  op: Operation;
  labels: Record<string, string>;
}

export class Router {
  readonly #routes: CompiledRoute[] = [];

  add(op: Operation): void {
    const parts = op.path
      .split('/')
      .filter(Boolean)
      .map((p) => (p.startsWith('{') && p.endsWith('}') ? { label: p.slice(1, -1) } : { literal: p }));
    this.#routes.push({ op, parts });
  }

  /**
   * Match a raw (still percent-encoded) path. Returns undefined when no path matches, and throws
   * 405-style UnknownOperation when the path exists under another method.
   */
  match(method: string, rawPath: string): RouteMatch | undefined {
    const segments = rawPath.split('/').filter(Boolean);
    let pathMatched = false;
    for (const route of this.#routes) {
      if (route.parts.length !== segments.length) continue;
      const labels: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segments.length; i++) {
        const part = route.parts[i];
        const seg = segments[i] ?? '';
        if (!part) {
          ok = false;
          break;
        }
        if ('literal' in part) {
          if (part.literal !== seg) {
            ok = false;
            break;
          }
        } else {
          labels[part.label] = decodeLabel(seg, part.label);
        }
      }
      if (!ok) continue;
      pathMatched = true;
      if (route.op.method === method) return { op: route.op, labels };
    }
    if (pathMatched)
      throw new ServiceError('UnknownOperationException', `No operation accepts ${method} on ${safePath(rawPath)}.`);
    return undefined;
  }
}

function decodeLabel(seg: string, label: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    throw new ServiceError('ValidationException', `The path label '${label}' is not correctly percent-encoded.`);
  }
}

export function safePath(rawPath: string): string {
  return rawPath.length > 200 ? `${rawPath.slice(0, 200)}…` : rawPath;
}
