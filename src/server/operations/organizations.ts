/**
 * The `organizations` operations (awsJson1_1: `POST /` with `X-Amz-Target: AWSOrganizationsV20161128.<Op>`),
 * wired to the OrganizationService. The service checks the input; here only the dispatch lives.
 */
import type { OrganizationService, OrgRequestContext } from '../../control/organizations.ts';
import type { Services } from '../../control/services.ts';
import type { Operation, OperationContext } from '../router.ts';

const TARGET_PREFIX = 'AWSOrganizationsV20161128';
/**
 * Room for the service model's largest member (policy Content, 1,000,000 characters) so an oversized policy
 * gets the Organizations error that names the limit, not a bare 413.
 */
const BODY_LIMIT = 1024 * 1024;

type Handler = (svc: OrganizationService, ctx: OrgRequestContext, body: never) => Promise<unknown>;

/** Operation name → service call. The body is passed unchecked: every service method validates its input. */
const HANDLERS: Record<string, Handler> = {
  CreateOrganization: (s, c, b) => s.createOrganization(c, b),
  DescribeOrganization: (s, c) => s.describeOrganization(c),
  DeleteOrganization: (s, c) => s.deleteOrganization(c),
  ListRoots: (s, c, b) => s.listRoots(c, b),
  CreateOrganizationalUnit: (s, c, b) => s.createOrganizationalUnit(c, b),
  UpdateOrganizationalUnit: (s, c, b) => s.updateOrganizationalUnit(c, b),
  DeleteOrganizationalUnit: (s, c, b) => s.deleteOrganizationalUnit(c, b),
  DescribeOrganizationalUnit: (s, c, b) => s.describeOrganizationalUnit(c, b),
  ListOrganizationalUnitsForParent: (s, c, b) => s.listOrganizationalUnitsForParent(c, b),
  ListParents: (s, c, b) => s.listParents(c, b),
  ListChildren: (s, c, b) => s.listChildren(c, b),
  CreateAccount: (s, c, b) => s.createAccount(c, b),
  DescribeCreateAccountStatus: (s, c, b) => s.describeCreateAccountStatus(c, b),
  ListCreateAccountStatus: (s, c, b) => s.listCreateAccountStatus(c, b),
  ListAccounts: (s, c, b) => s.listAccounts(c, b),
  ListAccountsForParent: (s, c, b) => s.listAccountsForParent(c, b),
  DescribeAccount: (s, c, b) => s.describeAccount(c, b),
  MoveAccount: (s, c, b) => s.moveAccount(c, b),
  RemoveAccountFromOrganization: (s, c, b) => s.removeAccountFromOrganization(c, b),
  EnablePolicyType: (s, c, b) => s.enablePolicyType(c, b),
  DisablePolicyType: (s, c, b) => s.disablePolicyType(c, b),
  CreatePolicy: (s, c, b) => s.createPolicy(c, b),
  UpdatePolicy: (s, c, b) => s.updatePolicy(c, b),
  DescribePolicy: (s, c, b) => s.describePolicy(c, b),
  ListPolicies: (s, c, b) => s.listPolicies(c, b),
  DeletePolicy: (s, c, b) => s.deletePolicy(c, b),
  AttachPolicy: (s, c, b) => s.attachPolicy(c, b),
  DetachPolicy: (s, c, b) => s.detachPolicy(c, b),
  ListPoliciesForTarget: (s, c, b) => s.listPoliciesForTarget(c, b),
  ListTargetsForPolicy: (s, c, b) => s.listTargetsForPolicy(c, b),
  DescribeEffectivePolicy: (s, c, b) => s.describeEffectivePolicy(c, b),
};

export function organizationsOperations(services: Services): Operation[] {
  const service = services.organizations;
  return Object.entries(HANDLERS).map(([name, handler]) => ({
    name,
    protocol: 'awsJson1_1' as const,
    target: `${TARGET_PREFIX}.${name}`,
    method: 'POST',
    path: '/',
    signingName: 'organizations',
    bodyLimitBytes: BODY_LIMIT,
    async handle(ctx: OperationContext) {
      const body = await handler(service, { caller: ctx.caller, requestId: ctx.requestId }, ctx.body as never);
      return { status: 200, body };
    },
  }));
}
