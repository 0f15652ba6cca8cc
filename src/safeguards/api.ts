/**
 * What the safeguards modules need from a Parapet server: its public API, as the management account (and as a
 * member account through its OrganizationAccountAccessRole). The CLI implements it over SigV4-signed HTTP; tests
 * may fake it. Types only, plus the error check.
 */
import type { Json } from './file-types.ts';

export interface RestRequest {
  method: string;
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
}

export interface SafeguardsApi {
  /** The account of the credentials (the management account). */
  callerAccountId(): Promise<string>;
  /** An Organizations operation (`CreatePolicy`…) as the management account. */
  organizations(operation: string, body?: Json): Promise<Json>;
  /** A bedrock restJson1 call in `region`, as `accountId` (default: the management account). */
  bedrock(region: string, req: RestRequest, accountId?: string): Promise<Json>;
}

/** The AWS error code of a failed call (ApiError and the SDKs both carry one as `code` or `name`). */
export function errorCode(e: unknown): string | undefined {
  const x = e as { code?: unknown; name?: unknown } | undefined;
  return typeof x?.code === 'string' ? x.code : typeof x?.name === 'string' ? x.name : undefined;
}
