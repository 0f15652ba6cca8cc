/**
 * The authorization matrix (issue 9) as data: for every routed operation, every caller kind and every kind of
 * resource the operation can target, the expected outcome — `allow`, or the exact error code the client sees
 * (the SDK error name; for the OpenAI-compatible endpoint the `x-amzn-errortype` header). Run by
 * `authorization-matrix.test.ts`, which also checks that every operation the server routes has a row here.
 *
 * Caller kinds (all in us-east-1):
 *   managementAdmin   — the root of organization A's management account (M)
 *   memberAdmin       — the root of member account A1 of organization A
 *   memberUser        — IAM user `narrow` of A1 whose only permission is bedrock:ApplyGuardrail on A1's guardrail
 *   otherOrganization — the root of organization B's management account (B); B has a member B1
 *   unauthenticated   — a well-formed but unknown access key (and, separately, no signature at all)
 *
 * Resource kinds, relative to the caller (`none`: the operation targets no particular resource, or the
 * caller's own account as a whole — a list, a create):
 *   own      — a resource of the caller's own account (for the management admin: M's private guardrail, M itself…)
 *   sibling  — a resource of another account of the caller's organization (managementAdmin: A1; member and
 *              user: A2; otherOrganization: its member B1)
 *   shared   — organization A's shared guardrail: M's guardrail whose resource policy lets the members of
 *              organization A apply and read it, enforced on them by a BEDROCK_POLICY attached to A's root
 *              (for otherOrganization this is another organization's guardrail)
 *   foreign  — a resource of the other organization (for A's callers: B's; for otherOrganization: A1's)
 *   (unauthenticated: own = A1's, sibling = A2's, shared = M's shared guardrail, foreign = B's)
 *
 * Every account holds the same kinds of resources: a private guardrail with a published version 1 whose
 * resource policy allows only its own account, an account-level enforced configuration of that version, an IAM
 * user `worker-<account>` with an inline policy and an access key, and (for management accounts) the shared
 * guardrail, an OU holding the member, and a BEDROCK_POLICY enforcing the shared guardrail attached to the root.
 *
 * Where an allowed call would destroy the fixture, the call is made so that it is authorized and then refused
 * by a precondition, and the table names that error (ResourceInUseException, DeleteConflict,
 * OrganizationNotEmptyException…): it shows the authorization passed without losing the resource. Other
 * allowed writes are undone after the cell (see the test).
 */

export const CALLER_KINDS = ['managementAdmin', 'memberAdmin', 'memberUser', 'otherOrganization', 'unauthenticated'] as const;
export type CallerKind = (typeof CALLER_KINDS)[number];

export const RESOURCE_KINDS = ['none', 'own', 'sibling', 'shared', 'foreign'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** `allow`, or the error code. */
export type Outcome = 'allow' | (string & {});

export type Service = 'bedrock' | 'bedrock-runtime' | 'openai' | 'organizations' | 'sts' | 'iam' | 'parapet-admin';

type PerResource = Partial<Record<ResourceKind, Outcome>>;

export interface MatrixRow {
  /** The routed operation's name (`Operation.name`). */
  operation: string;
  service: Service;
  /** Changes state when allowed. */
  write: boolean;
  /** What the resource kinds stand for in this operation. */
  target: string;
  resources: readonly ResourceKind[];
  /** Per caller: one outcome for every resource kind, or one per resource kind. */
  expect: Record<CallerKind, Outcome | PerResource>;
}

// Error codes.
const DENIED = 'AccessDeniedException';
const NOT_FOUND = 'ResourceNotFoundException';
const IN_USE = 'ResourceInUseException';
const STS_DENIED = 'AccessDenied';
const IAM_DENIED = 'AccessDenied';
const NO_SUCH_ENTITY = 'NoSuchEntityException';

/** What an unknown access key gets, by protocol. */
export const UNAUTHENTICATED: Record<Service, Outcome> = {
  bedrock: 'UnrecognizedClientException',
  'bedrock-runtime': 'UnrecognizedClientException',
  openai: 'UnrecognizedClientException',
  organizations: 'UnrecognizedClientException',
  sts: 'InvalidClientTokenId',
  iam: 'InvalidClientTokenId',
  'parapet-admin': 'UnrecognizedClientException',
};

const GUARDRAIL: readonly ResourceKind[] = ['own', 'sibling', 'shared', 'foreign'];
const GUARDRAIL_TARGET = "the guardrail named (own: the caller's private guardrail; shared: A's organization guardrail)";

/** Operations on the caller's own guardrails only (another account's guardrail is not found, as on AWS). */
function ownGuardrailOp(operation: string, write: boolean, ownOutcome: Outcome = 'allow'): MatrixRow {
  return {
    operation,
    service: 'bedrock',
    write,
    target: GUARDRAIL_TARGET,
    resources: GUARDRAIL,
    expect: {
      managementAdmin: { own: ownOutcome, sibling: NOT_FOUND, shared: ownOutcome, foreign: NOT_FOUND },
      memberAdmin: { own: ownOutcome, sibling: NOT_FOUND, shared: NOT_FOUND, foreign: NOT_FOUND },
      memberUser: { own: DENIED, sibling: NOT_FOUND, shared: NOT_FOUND, foreign: NOT_FOUND },
      otherOrganization: { own: ownOutcome, sibling: NOT_FOUND, shared: NOT_FOUND, foreign: NOT_FOUND },
      unauthenticated: UNAUTHENTICATED.bedrock,
    },
  };
}

/** A model call naming a guardrail in the request (or none): enforced guardrails always apply. */
function modelCall(operation: string, service: Service = 'bedrock-runtime'): MatrixRow {
  return {
    operation,
    service,
    write: false,
    target: "the guardrail named in the request (none: only the enforced ones: A's BEDROCK_POLICY and the account's configuration)",
    resources: ['none', ...GUARDRAIL],
    expect: {
      managementAdmin: { none: 'allow', own: 'allow', sibling: DENIED, shared: 'allow', foreign: DENIED },
      memberAdmin: { none: 'allow', own: 'allow', sibling: DENIED, shared: 'allow', foreign: DENIED },
      // The user may apply its guardrail but not invoke a model.
      memberUser: DENIED,
      otherOrganization: { none: 'allow', own: 'allow', sibling: DENIED, shared: DENIED, foreign: DENIED },
      unauthenticated: UNAUTHENTICATED[service],
    },
  };
}

/** Organizations operations only the management account may call. */
function managementOp(
  operation: string,
  write: boolean,
  target: string,
  resources: readonly ResourceKind[],
  management: Outcome | PerResource,
): MatrixRow {
  return {
    operation,
    service: 'organizations',
    write,
    target,
    resources,
    expect: {
      managementAdmin: management,
      memberAdmin: DENIED,
      memberUser: DENIED,
      // B is the management account of its own organization: the same outcomes, relative to B.
      otherOrganization: management,
      unauthenticated: UNAUTHENTICATED.organizations,
    },
  };
}

const ROOT_TARGET = "a root (own: the caller's organization's root; foreign: the other organization's root)";
const OU_TARGET = "an OU (own: the OU of the caller's organization; foreign: the other organization's OU)";
const ACCOUNT_TARGET = 'an account (own: the caller itself; sibling: a member of its organization; foreign: an account of the other organization)';
const POLICY_TARGET = "a BEDROCK_POLICY (own: the caller's organization's; foreign: the other organization's)";

/** IAM operations on a user named in the request: names resolve in the caller's own account only. */
function iamUserOp(operation: string, write: boolean, ownOutcome: Outcome = 'allow'): MatrixRow {
  return {
    operation,
    service: 'iam',
    write,
    target: "the user named worker-<account> of the resource's account (names resolve in the caller's account only)",
    resources: ['own', 'sibling', 'foreign'],
    expect: {
      managementAdmin: { own: ownOutcome, sibling: NO_SUCH_ENTITY, foreign: NO_SUCH_ENTITY },
      memberAdmin: { own: ownOutcome, sibling: NO_SUCH_ENTITY, foreign: NO_SUCH_ENTITY },
      memberUser: IAM_DENIED,
      otherOrganization: { own: ownOutcome, sibling: NO_SUCH_ENTITY, foreign: NO_SUCH_ENTITY },
      unauthenticated: UNAUTHENTICATED.iam,
    },
  };
}

function iamKeyOp(operation: string): MatrixRow {
  return {
    operation,
    service: 'iam',
    write: true,
    target: "an access key id of the resource account's worker user, named with the caller's own worker user",
    resources: ['own', 'sibling', 'foreign'],
    expect: {
      managementAdmin: { own: 'allow', sibling: NO_SUCH_ENTITY, foreign: NO_SUCH_ENTITY },
      memberAdmin: { own: 'allow', sibling: NO_SUCH_ENTITY, foreign: NO_SUCH_ENTITY },
      memberUser: IAM_DENIED,
      otherOrganization: { own: 'allow', sibling: NO_SUCH_ENTITY, foreign: NO_SUCH_ENTITY },
      unauthenticated: UNAUTHENTICATED.iam,
    },
  };
}

/** Admin API operations scoped to an account: the caller's own, or any account of the organization it manages. */
function adminAccountOp(operation: string, write: boolean, resources: readonly ResourceKind[]): MatrixRow {
  return {
    operation,
    service: 'parapet-admin',
    write,
    target: 'the account named (own, a member of the caller’s organization, an account of the other organization)',
    resources,
    expect: {
      managementAdmin: { none: 'allow', own: 'allow', sibling: 'allow', foreign: DENIED },
      memberAdmin: { none: 'allow', own: 'allow', sibling: DENIED, foreign: DENIED },
      memberUser: DENIED,
      otherOrganization: { none: 'allow', own: 'allow', sibling: 'allow', foreign: DENIED },
      unauthenticated: UNAUTHENTICATED['parapet-admin'],
    },
  };
}

export const AUTHORIZATION_MATRIX: readonly MatrixRow[] = [
  // ---- bedrock control plane: guardrails ----
  {
    operation: 'CreateGuardrail',
    service: 'bedrock',
    write: true,
    target: "a new guardrail in the caller's account",
    resources: ['none'],
    expect: { managementAdmin: 'allow', memberAdmin: 'allow', memberUser: DENIED, otherOrganization: 'allow', unauthenticated: UNAUTHENTICATED.bedrock },
  },
  ownGuardrailOp('UpdateGuardrail', true),
  {
    operation: 'GetGuardrail',
    service: 'bedrock',
    write: false,
    target: GUARDRAIL_TARGET,
    resources: GUARDRAIL,
    expect: {
      // Another account's guardrail is readable by ARN only when its resource policy allows bedrock:GetGuardrail.
      managementAdmin: { own: 'allow', sibling: DENIED, shared: 'allow', foreign: DENIED },
      memberAdmin: { own: 'allow', sibling: DENIED, shared: 'allow', foreign: DENIED },
      memberUser: DENIED,
      otherOrganization: { own: 'allow', sibling: DENIED, shared: DENIED, foreign: DENIED },
      unauthenticated: UNAUTHENTICATED.bedrock,
    },
  },
  {
    operation: 'ListGuardrails',
    service: 'bedrock',
    write: false,
    target: "none: the caller's guardrails; otherwise the versions of the guardrail named",
    resources: ['none', ...GUARDRAIL],
    expect: {
      managementAdmin: { none: 'allow', own: 'allow', sibling: NOT_FOUND, shared: 'allow', foreign: NOT_FOUND },
      memberAdmin: { none: 'allow', own: 'allow', sibling: NOT_FOUND, shared: NOT_FOUND, foreign: NOT_FOUND },
      memberUser: { none: DENIED, own: DENIED, sibling: NOT_FOUND, shared: NOT_FOUND, foreign: NOT_FOUND },
      otherOrganization: { none: 'allow', own: 'allow', sibling: NOT_FOUND, shared: NOT_FOUND, foreign: NOT_FOUND },
      unauthenticated: UNAUTHENTICATED.bedrock,
    },
  },
  // Every guardrail of the fixture is enforced (account configuration or BEDROCK_POLICY): deleting it is refused.
  ownGuardrailOp('DeleteGuardrail', true, IN_USE),
  ownGuardrailOp('CreateGuardrailVersion', true),
  // ---- tags ----
  ownGuardrailOp('TagResource', true),
  ownGuardrailOp('UntagResource', true),
  ownGuardrailOp('ListTagsForResource', false),
  // ---- resource policies (managed only by the owning account) ----
  ownGuardrailOp('PutResourcePolicy', true),
  ownGuardrailOp('GetResourcePolicy', false),
  ownGuardrailOp('DeleteResourcePolicy', true),
  // ---- account-level enforced configurations ----
  {
    operation: 'PutEnforcedGuardrailConfiguration',
    service: 'bedrock',
    write: true,
    target: "the guardrail enforced (version 1) by an update of the caller's own configuration",
    resources: GUARDRAIL,
    expect: {
      managementAdmin: { own: 'allow', sibling: DENIED, shared: 'allow', foreign: DENIED },
      memberAdmin: { own: 'allow', sibling: DENIED, shared: 'allow', foreign: DENIED },
      memberUser: DENIED,
      otherOrganization: { own: 'allow', sibling: DENIED, shared: DENIED, foreign: DENIED },
      unauthenticated: UNAUTHENTICATED.bedrock,
    },
  },
  {
    operation: 'ListEnforcedGuardrailsConfiguration',
    service: 'bedrock',
    write: false,
    target: "the caller's own configuration",
    resources: ['none'],
    expect: { managementAdmin: 'allow', memberAdmin: 'allow', memberUser: DENIED, otherOrganization: 'allow', unauthenticated: UNAUTHENTICATED.bedrock },
  },
  {
    operation: 'DeleteEnforcedGuardrailConfiguration',
    service: 'bedrock',
    write: true,
    target: "the configId of the resource account's configuration (looked up in the caller's account only)",
    resources: ['own', 'sibling', 'foreign'],
    expect: {
      managementAdmin: { own: 'allow', sibling: NOT_FOUND, foreign: NOT_FOUND },
      memberAdmin: { own: 'allow', sibling: NOT_FOUND, foreign: NOT_FOUND },
      memberUser: DENIED,
      otherOrganization: { own: 'allow', sibling: NOT_FOUND, foreign: NOT_FOUND },
      unauthenticated: UNAUTHENTICATED.bedrock,
    },
  },
  // ---- bedrock-runtime ----
  {
    operation: 'ApplyGuardrail',
    service: 'bedrock-runtime',
    write: false,
    target: `${GUARDRAIL_TARGET}, version 1`,
    resources: GUARDRAIL,
    expect: {
      managementAdmin: { own: 'allow', sibling: DENIED, shared: 'allow', foreign: DENIED },
      memberAdmin: { own: 'allow', sibling: DENIED, shared: 'allow', foreign: DENIED },
      // Cross-account needs the identity side too: the user's policy names only its own guardrail.
      memberUser: { own: 'allow', sibling: DENIED, shared: DENIED, foreign: DENIED },
      otherOrganization: { own: 'allow', sibling: DENIED, shared: DENIED, foreign: DENIED },
      unauthenticated: UNAUTHENTICATED['bedrock-runtime'],
    },
  },
  modelCall('Converse'),
  modelCall('ConverseStream'),
  modelCall('InvokeModel'),
  modelCall('InvokeModelWithResponseStream'),
  // ---- the OpenAI-compatible endpoint ----
  modelCall('ChatCompletions', 'openai'),
  // ---- organizations ----
  {
    operation: 'CreateOrganization',
    service: 'organizations',
    write: true,
    target: 'a new organization managed by the caller',
    resources: ['none'],
    expect: {
      managementAdmin: 'AlreadyInOrganizationException',
      memberAdmin: 'AlreadyInOrganizationException',
      memberUser: DENIED,
      otherOrganization: 'AlreadyInOrganizationException',
      unauthenticated: UNAUTHENTICATED.organizations,
    },
  },
  {
    operation: 'DescribeOrganization',
    service: 'organizations',
    write: false,
    target: "the caller's organization",
    resources: ['none'],
    expect: { managementAdmin: 'allow', memberAdmin: 'allow', memberUser: DENIED, otherOrganization: 'allow', unauthenticated: UNAUTHENTICATED.organizations },
  },
  managementOp('DeleteOrganization', true, "the caller's organization (it has members)", ['none'], 'OrganizationNotEmptyException'),
  managementOp('ListRoots', false, "the caller's organization", ['none'], 'allow'),
  managementOp('CreateOrganizationalUnit', true, ROOT_TARGET, ['own', 'foreign'], { own: 'allow', foreign: 'ParentNotFoundException' }),
  managementOp('UpdateOrganizationalUnit', true, OU_TARGET, ['own', 'foreign'], { own: 'allow', foreign: 'OrganizationalUnitNotFoundException' }),
  managementOp('DeleteOrganizationalUnit', true, `${OU_TARGET}; it holds the member`, ['own', 'foreign'], {
    own: 'OrganizationalUnitNotEmptyException',
    foreign: 'OrganizationalUnitNotFoundException',
  }),
  managementOp('DescribeOrganizationalUnit', false, OU_TARGET, ['own', 'foreign'], { own: 'allow', foreign: 'OrganizationalUnitNotFoundException' }),
  managementOp('ListOrganizationalUnitsForParent', false, ROOT_TARGET, ['own', 'foreign'], { own: 'allow', foreign: 'ParentNotFoundException' }),
  managementOp('ListParents', false, ACCOUNT_TARGET, ['own', 'sibling', 'foreign'], { own: 'allow', sibling: 'allow', foreign: 'ChildNotFoundException' }),
  managementOp('ListChildren', false, ROOT_TARGET, ['own', 'foreign'], { own: 'allow', foreign: 'ParentNotFoundException' }),
  managementOp('CreateAccount', true, "a new account in the caller's organization", ['none'], 'allow'),
  managementOp('DescribeCreateAccountStatus', false, 'the CreateAccount request of a member (own organization, other organization)', ['own', 'foreign'], {
    own: 'allow',
    foreign: 'CreateAccountStatusNotFoundException',
  }),
  managementOp('ListCreateAccountStatus', false, "the caller's organization", ['none'], 'allow'),
  managementOp('ListAccounts', false, "the caller's organization", ['none'], 'allow'),
  managementOp('ListAccountsForParent', false, ROOT_TARGET, ['own', 'foreign'], { own: 'allow', foreign: 'ParentNotFoundException' }),
  managementOp('DescribeAccount', false, ACCOUNT_TARGET, ['own', 'sibling', 'foreign'], { own: 'allow', sibling: 'allow', foreign: 'AccountNotFoundException' }),
  // Moved from its parent to the same parent: authorized, then refused as a no-op.
  managementOp('MoveAccount', true, `${ACCOUNT_TARGET}, moved to the parent it is in`, ['own', 'sibling', 'foreign'], {
    own: 'DuplicateAccountException',
    sibling: 'DuplicateAccountException',
    foreign: 'AccountNotFoundException',
  }),
  // sibling: a member created for this cell (removing one is allowed to the management account only).
  managementOp('RemoveAccountFromOrganization', true, `${ACCOUNT_TARGET} (sibling: a member created for the cell)`, ['own', 'sibling', 'foreign'], {
    own: 'MasterCannotLeaveOrganizationException',
    sibling: 'allow',
    foreign: 'AccountNotFoundException',
  }),
  managementOp('EnablePolicyType', true, `${ROOT_TARGET}; BEDROCK_POLICY is enabled`, ['own', 'foreign'], {
    own: 'PolicyTypeAlreadyEnabledException',
    foreign: 'RootNotFoundException',
  }),
  managementOp('DisablePolicyType', true, ROOT_TARGET, ['own', 'foreign'], { own: 'allow', foreign: 'RootNotFoundException' }),
  // A BEDROCK_POLICY may only name the management account's guardrails: another organization's is refused.
  managementOp('CreatePolicy', true, "the guardrail the new policy enforces (own: the caller's organization guardrail; foreign: the other organization's)", ['own', 'foreign'], {
    own: 'allow',
    foreign: 'MalformedPolicyDocumentException',
  }),
  managementOp('UpdatePolicy', true, POLICY_TARGET, ['own', 'foreign'], { own: 'allow', foreign: 'PolicyNotFoundException' }),
  managementOp('DescribePolicy', false, POLICY_TARGET, ['own', 'foreign'], { own: 'allow', foreign: 'PolicyNotFoundException' }),
  managementOp('ListPolicies', false, "the caller's organization", ['none'], 'allow'),
  managementOp('DeletePolicy', true, `${POLICY_TARGET}; it is attached`, ['own', 'foreign'], { own: 'PolicyInUseException', foreign: 'PolicyNotFoundException' }),
  managementOp('AttachPolicy', true, `${POLICY_TARGET}, to the root of its organization, where it is attached`, ['own', 'foreign'], {
    own: 'DuplicatePolicyAttachmentException',
    foreign: 'PolicyNotFoundException',
  }),
  managementOp('DetachPolicy', true, `${POLICY_TARGET}, from the root of its organization`, ['own', 'foreign'], { own: 'allow', foreign: 'PolicyNotFoundException' }),
  managementOp('ListPoliciesForTarget', false, ACCOUNT_TARGET, ['own', 'sibling', 'foreign'], { own: 'allow', sibling: 'allow', foreign: 'TargetNotFoundException' }),
  managementOp('ListTargetsForPolicy', false, POLICY_TARGET, ['own', 'foreign'], { own: 'allow', foreign: 'PolicyNotFoundException' }),
  {
    operation: 'DescribeEffectivePolicy',
    service: 'organizations',
    write: false,
    target: ACCOUNT_TARGET,
    resources: ['own', 'sibling', 'foreign'],
    expect: {
      managementAdmin: { own: 'allow', sibling: 'allow', foreign: 'TargetNotFoundException' },
      // A member may read its own effective policy only.
      memberAdmin: { own: 'allow', sibling: DENIED, foreign: DENIED },
      memberUser: DENIED,
      otherOrganization: { own: 'allow', sibling: 'allow', foreign: 'TargetNotFoundException' },
      unauthenticated: UNAUTHENTICATED.organizations,
    },
  },
  // ---- sts ----
  {
    operation: 'AssumeRole',
    service: 'sts',
    // Issues credentials (a session).
    write: true,
    target: "OrganizationAccountAccessRole of the resource account (trusted by its organization's management account)",
    resources: ['own', 'sibling', 'foreign'],
    expect: {
      // The management account has no such role of its own.
      managementAdmin: { own: STS_DENIED, sibling: 'allow', foreign: STS_DENIED },
      memberAdmin: STS_DENIED,
      memberUser: STS_DENIED,
      otherOrganization: { own: STS_DENIED, sibling: 'allow', foreign: STS_DENIED },
      unauthenticated: UNAUTHENTICATED.sts,
    },
  },
  {
    operation: 'GetCallerIdentity',
    service: 'sts',
    write: false,
    target: 'the caller itself (needs no permission)',
    resources: ['none'],
    expect: { managementAdmin: 'allow', memberAdmin: 'allow', memberUser: 'allow', otherOrganization: 'allow', unauthenticated: UNAUTHENTICATED.sts },
  },
  // ---- iam ----
  {
    operation: 'CreateUser',
    service: 'iam',
    write: true,
    target: "a new user in the caller's account",
    resources: ['none'],
    expect: { managementAdmin: 'allow', memberAdmin: 'allow', memberUser: IAM_DENIED, otherOrganization: 'allow', unauthenticated: UNAUTHENTICATED.iam },
  },
  iamUserOp('GetUser', false),
  {
    operation: 'ListUsers',
    service: 'iam',
    write: false,
    target: "the caller's account",
    resources: ['none'],
    expect: { managementAdmin: 'allow', memberAdmin: 'allow', memberUser: IAM_DENIED, otherOrganization: 'allow', unauthenticated: UNAUTHENTICATED.iam },
  },
  // The worker user has an inline policy and a key: deleting it is refused after authorization.
  iamUserOp('DeleteUser', true, 'DeleteConflictException'),
  iamUserOp('PutUserPolicy', true),
  iamUserOp('GetUserPolicy', false),
  iamUserOp('ListUserPolicies', false),
  iamUserOp('DeleteUserPolicy', true),
  iamUserOp('CreateAccessKey', true),
  iamUserOp('ListAccessKeys', false),
  iamKeyOp('UpdateAccessKey'),
  iamKeyOp('DeleteAccessKey'),
  {
    operation: 'GetRole',
    service: 'iam',
    write: false,
    // B began as a standalone account, which Parapet creates with the role (trusted by no existing account).
    target: "OrganizationAccountAccessRole, looked up in the caller's account (the installation's management account has none)",
    resources: ['own'],
    expect: { managementAdmin: NO_SUCH_ENTITY, memberAdmin: 'allow', memberUser: IAM_DENIED, otherOrganization: 'allow', unauthenticated: UNAUTHENTICATED.iam },
  },
  {
    operation: 'ListRoles',
    service: 'iam',
    write: false,
    target: "the caller's account",
    resources: ['none'],
    expect: { managementAdmin: 'allow', memberAdmin: 'allow', memberUser: IAM_DENIED, otherOrganization: 'allow', unauthenticated: UNAUTHENTICATED.iam },
  },
  // ---- Parapet's admin API (/admin/v1) ----
  adminAccountOp('Verify', false, ['own', 'sibling', 'foreign']),
  adminAccountOp('ListAuditRecords', false, ['none', 'own', 'sibling', 'foreign']),
  {
    operation: 'VerifyAuditTrail',
    service: 'parapet-admin',
    write: false,
    target: "the installation's whole audit chain (every tenant's records)",
    resources: ['none'],
    expect: {
      managementAdmin: 'allow',
      memberAdmin: DENIED,
      memberUser: DENIED,
      // The chain spans every tenant: only the installation's management account (the operator) verifies it.
      otherOrganization: DENIED,
      unauthenticated: UNAUTHENTICATED['parapet-admin'],
    },
  },
  adminAccountOp('CreateAccountAccessKey', true, ['own', 'sibling', 'foreign']),
];

export interface MatrixCell {
  row: MatrixRow;
  caller: CallerKind;
  resource: ResourceKind;
  expected: Outcome;
}

/** The expected outcome of one cell (throws when the row has no entry for it: a hole in the table). */
export function expectedOutcome(row: MatrixRow, caller: CallerKind, resource: ResourceKind): Outcome {
  const e = row.expect[caller];
  const out = typeof e === 'string' ? e : e[resource];
  if (out === undefined) throw new Error(`${row.operation}: no expected outcome for ${caller} on ${resource}`);
  return out;
}

/** Every cell: operation × caller kind × the resource kinds of the operation. */
export function matrixCells(rows: readonly MatrixRow[] = AUTHORIZATION_MATRIX): MatrixCell[] {
  const out: MatrixCell[] = [];
  for (const row of rows)
    for (const caller of CALLER_KINDS)
      for (const resource of row.resources) out.push({ row, caller, resource, expected: expectedOutcome(row, caller, resource) });
  return out;
}

/** The organization a caller belongs to ('A', 'B', or none). */
export function organizationOf(caller: CallerKind): 'A' | 'B' | undefined {
  if (caller === 'otherOrganization') return 'B';
  return caller === 'unauthenticated' ? undefined : 'A';
}

/** The organization that holds the resource a cell targets (undefined: the caller's own account/organization). */
export function resourceOrganization(caller: CallerKind, resource: ResourceKind): 'A' | 'B' | undefined {
  const home = organizationOf(caller) ?? 'A';
  const other = home === 'A' ? 'B' : 'A';
  if (resource === 'foreign') return other;
  if (resource === 'shared') return 'A';
  return home;
}

/** A cell where the caller reaches into another organization: it must never be allowed. */
export function isCrossOrganization(caller: CallerKind, resource: ResourceKind): boolean {
  const org = organizationOf(caller);
  return org !== undefined && resourceOrganization(caller, resource) !== org;
}
