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
  // bedrock-runtime model errors
  ModelTimeoutException: { status: 408, fault: 'client' },
  ModelErrorException: { status: 424, fault: 'client' },
  ModelStreamErrorException: { status: 424, fault: 'client' },
  ModelNotReadyException: { status: 429, fault: 'client' },
  // AWS Organizations (awsJson1_1: every client error is HTTP 400)
  AWSOrganizationsNotInUseException: { status: 400, fault: 'client' },
  AlreadyInOrganizationException: { status: 400, fault: 'client' },
  AccountNotFoundException: { status: 400, fault: 'client' },
  ChildNotFoundException: { status: 400, fault: 'client' },
  ConstraintViolationException: { status: 400, fault: 'client' },
  CreateAccountStatusNotFoundException: { status: 400, fault: 'client' },
  DestinationParentNotFoundException: { status: 400, fault: 'client' },
  DuplicateAccountException: { status: 400, fault: 'client' },
  DuplicateOrganizationalUnitException: { status: 400, fault: 'client' },
  DuplicatePolicyAttachmentException: { status: 400, fault: 'client' },
  DuplicatePolicyException: { status: 400, fault: 'client' },
  EffectivePolicyNotFoundException: { status: 400, fault: 'client' },
  InvalidInputException: { status: 400, fault: 'client' },
  MalformedPolicyDocumentException: { status: 400, fault: 'client' },
  MasterCannotLeaveOrganizationException: { status: 400, fault: 'client' },
  OrganizationNotEmptyException: { status: 400, fault: 'client' },
  OrganizationalUnitNotEmptyException: { status: 400, fault: 'client' },
  OrganizationalUnitNotFoundException: { status: 400, fault: 'client' },
  ParentNotFoundException: { status: 400, fault: 'client' },
  PolicyInUseException: { status: 400, fault: 'client' },
  PolicyNotAttachedException: { status: 400, fault: 'client' },
  PolicyNotFoundException: { status: 400, fault: 'client' },
  PolicyTypeAlreadyEnabledException: { status: 400, fault: 'client' },
  PolicyTypeNotAvailableForOrganizationException: { status: 400, fault: 'client' },
  PolicyTypeNotEnabledException: { status: 400, fault: 'client' },
  RootNotFoundException: { status: 400, fault: 'client' },
  SourceParentNotFoundException: { status: 400, fault: 'client' },
  TargetNotFoundException: { status: 400, fault: 'client' },
  // STS and IAM (awsQuery: the wire code is given by QUERY_ERROR_CODES)
  MalformedPolicyDocument: { status: 400, fault: 'client' },
  NoSuchEntity: { status: 404, fault: 'client' },
  EntityAlreadyExists: { status: 409, fault: 'client' },
  LimitExceeded: { status: 409, fault: 'client' },
  DeleteConflict: { status: 409, fault: 'client' },
  InternalServerException: { status: 500, fault: 'server' },
  ServiceUnavailableException: { status: 503, fault: 'server' },
} as const satisfies Record<string, { status: number; fault: 'client' | 'server' }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/**
 * awsQuery services (STS, IAM) name some shared errors differently on the wire; codes not listed here
 * are sent as they are.
 */
export const QUERY_ERROR_CODES: Partial<Record<ErrorCode, string>> = {
  AccessDeniedException: 'AccessDenied',
  ValidationException: 'ValidationError',
  ExpiredTokenException: 'ExpiredToken',
  UnrecognizedClientException: 'InvalidClientTokenId',
  ThrottlingException: 'Throttling',
  InternalServerException: 'InternalFailure',
};

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
