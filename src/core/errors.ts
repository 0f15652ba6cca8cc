/**
 * The one error catalogue. Every error the API can return has an AWS `__type` (sent as
 * `x-amzn-ErrorType`), an HTTP status and a message that tells the caller what to do.
 * Lower layers throw `ServiceError`s; the server maps them to the wire unchanged.
 */

export const ERROR_CATALOGUE = {
  ValidationException: { status: 400, fault: 'client' },
  ConflictException: { status: 400, fault: 'client' },
  ServiceQuotaExceededException: { status: 400, fault: 'client' },
  TooManyTagsException: { status: 400, fault: 'client' },
  ResourceInUseException: { status: 400, fault: 'client' },
  SerializationException: { status: 400, fault: 'client' },
  UnknownOperationException: { status: 404, fault: 'client' },
  MissingAuthenticationTokenException: { status: 403, fault: 'client' },
  UnrecognizedClientException: { status: 403, fault: 'client' },
  InvalidSignatureException: { status: 403, fault: 'client' },
  IncompleteSignatureException: { status: 403, fault: 'client' },
  SignatureDoesNotMatchException: { status: 403, fault: 'client' },
  ExpiredTokenException: { status: 403, fault: 'client' },
  AccessDeniedException: { status: 403, fault: 'client' },
  ResourceNotFoundException: { status: 404, fault: 'client' },
  RequestTimeoutException: { status: 408, fault: 'client' },
  RequestEntityTooLargeException: { status: 413, fault: 'client' },
  UnsupportedMediaTypeException: { status: 415, fault: 'client' },
  ThrottlingException: { status: 429, fault: 'client' },
  InternalServerException: { status: 500, fault: 'server' },
  ServiceUnavailableException: { status: 503, fault: 'server' },
} as const satisfies Record<string, { status: number; fault: 'client' | 'server' }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export class ServiceError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra members serialized next to `message` (e.g. `resourceName` for TooManyTagsException). */
  readonly members: Readonly<Record<string, string | number>>;

  constructor(code: ErrorCode, message: string, members: Record<string, string | number> = {}) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.members = members;
  }
}

export const validation = (message: string): ServiceError => new ServiceError('ValidationException', message);
export const notFound = (message: string): ServiceError => new ServiceError('ResourceNotFoundException', message);
export const conflict = (message: string): ServiceError => new ServiceError('ConflictException', message);
export const quotaExceeded = (message: string): ServiceError =>
  new ServiceError('ServiceQuotaExceededException', message);
export const accessDenied = (message: string): ServiceError => new ServiceError('AccessDeniedException', message);

export function isServiceError(e: unknown): e is ServiceError {
  return e instanceof ServiceError;
}
