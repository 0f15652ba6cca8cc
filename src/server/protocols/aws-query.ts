/**
 * The awsQuery protocol (STS, IAM): form-encoded requests (`Action=…&Version=…&Name.member.1=…`) and XML
 * responses `<{Action}Response><{Action}Result>…</{Action}Result><ResponseMetadata>…`, errors as
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
 */
import { type ErrorCode, QUERY_ERROR_CODES, ServiceError } from '../../core/errors.ts';

export type QueryParams = ReadonlyMap<string, string>;

/** Decodes `application/x-www-form-urlencoded` (`+` is a space here, unlike in SigV4 canonical queries). */
export function parseForm(body: Uint8Array | string): Map<string, string> {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  const out = new Map<string, string>();
  if (text === '') return out;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      throw new ServiceError('ValidationException', `The form parameter '${rawKey.slice(0, 100)}' is not correctly percent-encoded.`);
    }
    if (out.has(key)) throw new ServiceError('ValidationException', `The parameter '${key.slice(0, 100)}' was given more than once.`);
    out.set(key, value);
  }
  return out;
}

/** Reads a `Name.member.N` list (N from 1, without gaps). */
export function memberList(params: QueryParams, name: string): string[] {
  const out: string[] = [];
  for (let i = 1; params.has(`${name}.member.${i}`); i++) out.push(params.get(`${name}.member.${i}`) ?? '');
  return out;
}

const escapeXml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);

/** XML element content: objects become child elements, arrays `<member>` lists, Dates ISO strings. */
export function toXml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('');
  if (typeof value === 'object') {
    let out = '';
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      out += `<${k}>${toXml(v)}</${k}>`;
    }
    return out;
  }
  return escapeXml(String(value));
}

export function queryResponse(action: string, xmlns: string, result: unknown, requestId: string): string {
  const body = result === undefined ? '' : `<${action}Result>${toXml(result)}</${action}Result>`;
  return (
    `<${action}Response xmlns="${xmlns}">${body}` +
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${action}Response>`
  );
}

export function queryErrorCode(code: ErrorCode): string {
  return QUERY_ERROR_CODES[code] ?? code;
}

export function queryError(err: ServiceError, xmlns: string, requestId: string): string {
  const type = err.status >= 500 ? 'Receiver' : 'Sender';
  return (
    `<ErrorResponse xmlns="${xmlns}"><Error><Type>${type}</Type><Code>${escapeXml(queryErrorCode(err.code))}</Code>` +
    `<Message>${escapeXml(err.message)}</Message></Error><RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`
  );
}
