/**
 * Input checks of the Organizations API. AWS Organizations reports bad input as `InvalidInputException`
 * with a `Reason` (INPUT_REQUIRED, INVALID_PATTERN, MAX_LENGTH_EXCEEDED…), not Bedrock's ValidationException
 * list, and a member of the wrong JSON type as a SerializationException, as every awsJson service does.
 */
import { ServiceError } from '../core/errors.ts';

export type InvalidInputReason =
  | 'INPUT_REQUIRED'
  | 'INVALID_PATTERN'
  | 'INVALID_PATTERN_TARGET_ID'
  | 'INVALID_ENUM'
  | 'INVALID_ENUM_POLICY_TYPE'
  | 'INVALID_LIST_MEMBER'
  | 'MAX_LENGTH_EXCEEDED'
  | 'MIN_LENGTH_EXCEEDED'
  | 'MAX_VALUE_EXCEEDED'
  | 'MIN_VALUE_EXCEEDED'
  | 'INVALID_NEXT_TOKEN'
  | 'TARGET_NOT_SUPPORTED'
  | 'INVALID_ROLE_NAME';

export function invalidInput(reason: InvalidInputReason, message: string): ServiceError {
  return new ServiceError('InvalidInputException', message, { Reason: reason });
}

/** Every `PolicyType` of the service model (so an unknown one is INVALID_ENUM, a known one "not available"). */
export const POLICY_TYPES: readonly string[] = [
  'AISERVICES_OPT_OUT_POLICY', 'BACKUP_POLICY', 'BEDROCK_POLICY', 'CHATBOT_POLICY', 'DECLARATIVE_POLICY_EC2',
  'GUARDDUTY_POLICY', 'INSPECTOR_POLICY', 'NETWORK_SECURITY_DIRECTOR_POLICY', 'RESOURCE_CONTROL_POLICY', 'S3_POLICY',
  'SECURITYHUB_POLICY', 'SERVICE_CONTROL_POLICY', 'TAG_POLICY', 'UPGRADE_ROLLOUT_POLICY',
];
/** Every `EffectivePolicyType` (authorization policies such as SCPs have no effective policy). */
export const EFFECTIVE_POLICY_TYPES: readonly string[] = [
  'AISERVICES_OPT_OUT_POLICY', 'BACKUP_POLICY', 'BEDROCK_POLICY', 'CHATBOT_POLICY', 'DECLARATIVE_POLICY_EC2',
  'GUARDDUTY_POLICY', 'INSPECTOR_POLICY', 'NETWORK_SECURITY_DIRECTOR_POLICY', 'S3_POLICY', 'SECURITYHUB_POLICY',
  'TAG_POLICY', 'UPGRADE_ROLLOUT_POLICY',
];

function shown(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 97)}...` : value);
}

/** Length in code points (what the service model's length constraints count). */
function codePoints(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const d = value.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

export interface StringRule {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
  /** What the value should look like, for the message (e.g. `ou-<root suffix>-<8 characters>`). */
  looksLike?: string;
  /** Reason for a pattern mismatch (default INVALID_PATTERN). */
  patternReason?: InvalidInputReason;
}

/** Reads members of one request body, checking each against its rule. */
export class RequestReader {
  readonly #body: Record<string, unknown>;

  constructor(body: unknown) {
    if (body === undefined || body === null) {
      this.#body = {};
      return;
    }
    if (typeof body !== 'object' || Array.isArray(body))
      throw new ServiceError('SerializationException', 'The request body must be a JSON object.');
    this.#body = body as Record<string, unknown>;
  }

  #raw(name: string): unknown {
    const v = Object.hasOwn(this.#body, name) ? this.#body[name] : undefined;
    return v === null ? undefined : v;
  }

  string(name: string, rule: StringRule & { required: true }): string;
  string(name: string, rule?: StringRule): string | undefined;
  string(name: string, rule: StringRule = {}): string | undefined {
    const v = this.#raw(name);
    if (v === undefined) {
      if (rule.required) throw invalidInput('INPUT_REQUIRED', `${name} is required: the request does not include it.`);
      return undefined;
    }
    if (typeof v !== 'string') throw new ServiceError('SerializationException', `Expected a string at '${name}'.`);
    const len = rule.min !== undefined || rule.max !== undefined ? codePoints(v) : 0;
    if (rule.min !== undefined && len < rule.min)
      throw invalidInput(
        rule.required && len === 0 ? 'INPUT_REQUIRED' : 'MIN_LENGTH_EXCEEDED',
        `${name} must have at least ${rule.min} character${rule.min === 1 ? '' : 's'}; it has ${len}.`,
      );
    if (rule.max !== undefined && len > rule.max)
      throw invalidInput('MAX_LENGTH_EXCEEDED', `${name} may have at most ${rule.max} characters; it has ${len}.`);
    if (rule.pattern && !rule.pattern.test(v))
      throw invalidInput(
        rule.patternReason ?? 'INVALID_PATTERN',
        `${name} ${shown(v)} does not match the required pattern${rule.looksLike ? `: expected ${rule.looksLike}` : ''}.`,
      );
    return v;
  }

  enumOf(name: string, values: readonly string[], rule: { required: true; reason?: InvalidInputReason }): string;
  enumOf(name: string, values: readonly string[], rule?: { required?: boolean; reason?: InvalidInputReason }): string | undefined;
  enumOf(
    name: string,
    values: readonly string[],
    rule: { required?: boolean; reason?: InvalidInputReason } = {},
  ): string | undefined {
    const v = this.string(name, { required: rule.required === true });
    if (v !== undefined && !values.includes(v))
      throw invalidInput(rule.reason ?? 'INVALID_ENUM', `${name} ${shown(v)} is not one of: ${values.join(', ')}.`);
    return v;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const v = this.#raw(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v))
      throw new ServiceError('SerializationException', `Expected an integer at '${name}'.`);
    if (v < min) throw invalidInput('MIN_VALUE_EXCEEDED', `${name} must be at least ${min}; it is ${v}.`);
    if (v > max) throw invalidInput('MAX_VALUE_EXCEEDED', `${name} may be at most ${max}; it is ${v}.`);
    return v;
  }

  /** A list of enum values (e.g. ListCreateAccountStatus `States`). */
  enumList(name: string, values: readonly string[]): string[] | undefined {
    const v = this.#raw(name);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) throw new ServiceError('SerializationException', `Expected a list at '${name}'.`);
    return v.map((item, i) => {
      if (typeof item !== 'string')
        throw new ServiceError('SerializationException', `Expected a string at '${name}.${i + 1}'.`);
      if (!values.includes(item))
        throw invalidInput('INVALID_LIST_MEMBER', `${name} item ${shown(item)} is not one of: ${values.join(', ')}.`);
      return item;
    });
  }

  /** How many entries a list member has (for members Parapet accepts only empty, such as `Tags`). */
  listLength(name: string): number {
    const v = this.#raw(name);
    if (v === undefined) return 0;
    if (!Array.isArray(v)) throw new ServiceError('SerializationException', `Expected a list at '${name}'.`);
    return v.length;
  }
}

// ---- pagination -----------------------------------------------------------------------------------

export const MAX_RESULTS_LIMIT = 20;

export interface PageInput {
  NextToken?: string;
  MaxResults?: number;
}

export interface PageParams {
  nextToken?: string;
  maxResults: number;
}

/** `NextToken` and `MaxResults` (1..20, default 20), as every Organizations List operation takes them. */
export function readPage(r: RequestReader): PageParams {
  const nextToken = r.string('NextToken', { max: 100_000 });
  const maxResults = r.integer('MaxResults', 1, MAX_RESULTS_LIMIT) ?? MAX_RESULTS_LIMIT;
  return nextToken === undefined ? { maxResults } : { nextToken, maxResults };
}

function invalidToken(): ServiceError {
  return invalidInput(
    'INVALID_NEXT_TOKEN',
    'The NextToken is not valid for this request. Pass the NextToken of the previous response unchanged, with the same other parameters.',
  );
}

/**
 * One page of an in-memory list. The token is an opaque base64url of `[scope, offset]`; `scope` names the
 * operation and its parameters, so a token from another listing is refused instead of silently misused.
 */
export function pageOf<T>(items: readonly T[], page: PageParams, scope: string): { items: T[]; nextToken?: string } {
  let offset = 0;
  if (page.nextToken !== undefined) {
    if (!/^[A-Za-z0-9_-]+$/.test(page.nextToken)) throw invalidToken();
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(page.nextToken, 'base64url').toString('utf8'));
    } catch {
      throw invalidToken();
    }
    if (
      !Array.isArray(parsed) ||
      parsed.length !== 2 ||
      parsed[0] !== scope ||
      typeof parsed[1] !== 'number' ||
      !Number.isSafeInteger(parsed[1]) ||
      parsed[1] < 0
    )
      throw invalidToken();
    offset = parsed[1];
  }
  const slice = items.slice(offset, offset + page.maxResults);
  const next = offset + slice.length;
  return next < items.length
    ? { items: slice, nextToken: Buffer.from(JSON.stringify([scope, next]), 'utf8').toString('base64url') }
    : { items: slice };
}
