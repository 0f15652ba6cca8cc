/**
 * The `iam` operations (awsQuery) Parapet serves: users, their inline policies and access keys, and read-only
 * roles. The service returns results in IAM's member names, rendered to XML as they are.
 */
import { IdentityService } from '../../control/identity.ts';
import type { Services } from '../../control/services.ts';
import type { QueryParams } from '../protocols/aws-query.ts';
import type { Operation, OperationContext } from '../router.ts';
import { formOf, integerParam, optionalParam, QUERY_BODY_LIMIT, rejectParams, requiredParam } from './sts.ts';

export const IAM_XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';

const page = (p: QueryParams) => ({ marker: optionalParam(p, 'Marker'), maxItems: integerParam(p, 'MaxItems') });

export function iamOperations(services: Services): Operation[] {
  const identity = new IdentityService(services);
  const op = (name: string, run: (params: QueryParams, ctx: OperationContext) => Promise<unknown>): Operation => ({
    name,
    protocol: 'awsQuery',
    method: 'POST',
    path: '/',
    signingName: 'iam',
    xmlns: IAM_XMLNS,
    bodyLimitBytes: QUERY_BODY_LIMIT,
    // Operations without output (DeleteUser…) resolve to undefined: only ResponseMetadata is sent.
    handle: async (ctx) => ({ status: 200, body: await run(formOf(ctx), ctx) }),
  });
  const userName = (p: QueryParams) => requiredParam(p, 'UserName');

  return [
    op('CreateUser', async (p, ctx) => {
      rejectParams(p, {
        Tags: 'user tags are not implemented; omit Tags.',
        PermissionsBoundary: 'permissions boundaries are not implemented; omit PermissionsBoundary.',
      });
      return identity.createUser(ctx.caller, { userName: userName(p), path: optionalParam(p, 'Path'), requestId: ctx.requestId });
    }),
    op('GetUser', (p, ctx) => identity.getUser(ctx.caller, { userName: optionalParam(p, 'UserName') })),
    op('ListUsers', (p, ctx) => identity.listUsers(ctx.caller, { pathPrefix: optionalParam(p, 'PathPrefix'), ...page(p) })),
    op('DeleteUser', (p, ctx) => identity.deleteUser(ctx.caller, { userName: userName(p), requestId: ctx.requestId })),

    op('PutUserPolicy', (p, ctx) =>
      identity.putUserPolicy(ctx.caller, {
        userName: userName(p),
        policyName: requiredParam(p, 'PolicyName'),
        policyDocument: requiredParam(p, 'PolicyDocument'),
        requestId: ctx.requestId,
      }),
    ),
    op('GetUserPolicy', (p, ctx) =>
      identity.getUserPolicy(ctx.caller, { userName: userName(p), policyName: requiredParam(p, 'PolicyName') }),
    ),
    op('ListUserPolicies', (p, ctx) => identity.listUserPolicies(ctx.caller, { userName: userName(p), ...page(p) })),
    op('DeleteUserPolicy', (p, ctx) =>
      identity.deleteUserPolicy(ctx.caller, {
        userName: userName(p),
        policyName: requiredParam(p, 'PolicyName'),
        requestId: ctx.requestId,
      }),
    ),

    op('CreateAccessKey', (p, ctx) =>
      identity.createAccessKey(ctx.caller, { userName: optionalParam(p, 'UserName'), requestId: ctx.requestId }),
    ),
    op('ListAccessKeys', (p, ctx) =>
      identity.listAccessKeys(ctx.caller, { userName: optionalParam(p, 'UserName'), ...page(p) }),
    ),
    op('UpdateAccessKey', (p, ctx) =>
      identity.updateAccessKey(ctx.caller, {
        accessKeyId: requiredParam(p, 'AccessKeyId'),
        status: requiredParam(p, 'Status'),
        userName: optionalParam(p, 'UserName'),
        requestId: ctx.requestId,
      }),
    ),
    op('DeleteAccessKey', (p, ctx) =>
      identity.deleteAccessKey(ctx.caller, {
        accessKeyId: requiredParam(p, 'AccessKeyId'),
        userName: optionalParam(p, 'UserName'),
        requestId: ctx.requestId,
      }),
    ),

    op('GetRole', (p, ctx) => identity.getRole(ctx.caller, { roleName: requiredParam(p, 'RoleName') })),
    op('ListRoles', (p, ctx) => identity.listRoles(ctx.caller, { pathPrefix: optionalParam(p, 'PathPrefix'), ...page(p) })),
  ];
}
