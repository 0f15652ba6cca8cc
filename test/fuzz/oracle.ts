/**
 * The oracle: every answer is a success or an AWS-style error of the protocol the request speaks, with a 4xx
 * status that matches its type (the server's error catalogue); never a 5xx, never a dropped connection.
 */
import { ERROR_CATALOGUE, type ErrorCode, QUERY_ERROR_CODES } from '../../src/core/errors.ts';
import type { WireOutcome, WireRequest } from './wire.ts';

export type Style = 'restJson' | 'awsJson' | 'query' | 'openai' | 'other';

/** What the server's protocol detection (app.ts `protocolOf`) makes of the request. */
export function styleOf(wire: WireRequest): Style {
  const q = wire.path.indexOf('?');
  const rawPath = q < 0 ? wire.path : wire.path.slice(0, q);
  const rawQuery = q < 0 ? '' : wire.path.slice(q + 1);
  const header = (name: string) => wire.headers.find(([k]) => k.toLowerCase() === name)?.[1];
  const method = wire.method;
  if (rawPath === '/health' || rawPath === '/ready' || rawPath === '/metrics' || rawPath === '/console' || rawPath.startsWith('/console/')) return 'other';
  if (method !== 'POST' || rawPath !== '/') {
    if (rawPath === '/' && /(^|&)Action=/.test(rawQuery)) return 'query';
    const segs = rawPath.split('/').filter(Boolean);
    if (method === 'POST' && segs.length === 3 && segs[0] === 'v1' && segs[1] === 'chat' && segs[2] === 'completions') return 'openai';
    return 'restJson';
  }
  if (header('x-amz-target') !== undefined) return 'awsJson';
  return (header('content-type') ?? '').trim().startsWith('application/x-www-form-urlencoded') ? 'query' : 'restJson';
}

const CODES = ERROR_CATALOGUE as Record<string, { status: number }>;
const QUERY_TO_CODE = new Map<string, string>(Object.entries(QUERY_ERROR_CODES).map(([code, wireCode]) => [wireCode as string, code]));

export interface Judgement {
  /** The error type of the answer (`__type`, the query `Code`, the OpenAI `code`), if it is an error. */
  type?: string;
  status?: number;
  violations: string[];
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function judge(wire: WireRequest, outcome: WireOutcome, o: { expectTypes?: readonly string[]; cut: boolean }): Judgement {
  const v: string[] = [];
  if (!outcome.ok) {
    if (o.cut) return { violations: [] };
    return { violations: [`no answer (${outcome.error})`] };
  }
  const { status, headers, body } = outcome.response;
  if (status >= 500) v.push(`${status} answer`);
  if (status < 400) {
    if (o.expectTypes) v.push(`${status} answer, expected one of ${o.expectTypes.join('|')}`);
    return { status, violations: v };
  }
  // What the HTTP parser refuses never reaches protocol detection: it is answered as restJson.
  const style = /^\{"__type":"[A-Za-z]+","message":"The request (is not well-formed HTTP|headers are larger)/.test(body.toString('latin1')) ? 'restJson' : styleOf(wire);
  const head = wire.method === 'HEAD';
  let type: string | undefined;
  const errHeader = headers['x-amzn-errortype'];
  if (style === 'other') {
    type = errHeader;
  } else if (style === 'query' && !head) {
    const text = body.toString('utf8');
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
    if (!text.startsWith('<ErrorResponse') || code === undefined || !/<Message>[^<]*<\/Message>/.test(text) || !/<RequestId>[^<]+<\/RequestId>/.test(text))
      v.push(`not an awsQuery ErrorResponse: ${text.slice(0, 200)}`);
    else {
      type = QUERY_TO_CODE.get(code) ?? code;
      if (!/<Type>(Sender|Receiver)<\/Type>/.test(text)) v.push('awsQuery error without <Type>');
    }
  } else if (style === 'openai' && !head) {
    const j = parseJson(body);
    const e = isRecord(j) ? j['error'] : undefined;
    if (!isRecord(e) || typeof e['message'] !== 'string' || typeof e['type'] !== 'string' || typeof e['code'] !== 'string')
      v.push(`not an OpenAI error object: ${body.toString('utf8').slice(0, 200)}`);
    else {
      type = e['code'];
      const expected = type === 'UnrecognizedClientException' || type === 'ExpiredTokenException' ? 401 : CODES[type]?.status;
      if (expected !== undefined && expected !== status) v.push(`OpenAI error ${type} with status ${status}, expected ${expected}`);
      const kind = status === 401 ? 'authentication_error' : status === 403 ? 'permission_error' : status === 404 ? 'not_found_error' : status === 429 ? 'rate_limit_error' : 'invalid_request_error';
      if (e['type'] !== kind) v.push(`OpenAI error type ${String(e['type'])} for status ${status}`);
    }
  } else if (head) {
    type = errHeader;
    if (style !== 'query' && !type) v.push(`${status} HEAD answer without x-amzn-errortype`);
  } else {
    const j = parseJson(body);
    const ct = headers['content-type'] ?? '';
    if (!isRecord(j) || typeof j['__type'] !== 'string' || typeof (j['message'] ?? j['Message']) !== 'string')
      v.push(`not an AWS JSON error (${status}, ${ct}): ${body.toString('latin1').slice(0, 200)}`);
    else {
      type = j['__type'] as string;
      if (errHeader !== type) v.push(`x-amzn-errortype '${errHeader}' differs from __type '${type}'`);
      const want = style === 'awsJson' ? 'application/x-amz-json-1.1' : 'application/json';
      if (!ct.startsWith(want)) v.push(`${style} error with content-type '${ct}'`);
    }
  }
  if (type !== undefined && style !== 'openai') {
    const entry = CODES[type];
    if (!entry) v.push(`unknown error type '${type}'`);
    else if (entry.status !== status) v.push(`${type} with status ${status}, expected ${entry.status}`);
  }
  if (!headers['x-amzn-requestid'] && style !== 'other') v.push('error without x-amzn-requestid');
  if (o.expectTypes && type !== undefined && !o.expectTypes.includes(type)) v.push(`type ${type}, expected one of ${o.expectTypes.join('|')}`);
  if (o.expectTypes && type === undefined && !v.length) v.push(`no error type, expected one of ${o.expectTypes.join('|')}`);
  return { ...(type !== undefined ? { type } : {}), status, violations: v };
}

export type { ErrorCode };
