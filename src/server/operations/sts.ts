/**
 * The `sts` operations (awsQuery): AssumeRole and GetCallerIdentity. Also the form-parameter helpers the
 * `iam` operations share: AWS reports a request member by its lowerCamel name (`Value null at 'roleArn'`).
 */
import { ServiceError, validation } from '../../core/errors.ts';
import { IdentityService } from '../../control/identity.ts';
import type { Services } from '../../control/services.ts';
import type { QueryParams } from '../protocols/aws-query.ts';
import type { Operation, OperationContext } from '../router.ts';

export const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';
export const QUERY_BODY_LIMIT = 64 * 1024;

const memberName = (param: string): string => param.charAt(0).toLowerCase() + param.slice(1);

export function formOf(ctx: OperationContext): QueryParams {
  if (!(ctx.body instanceof Map)) throw new ServiceError('InternalServerException', 'The awsQuery request was not parsed into parameters.');
  return ctx.body as QueryParams;
}

export function optionalParam(params: QueryParams, name: string): string | undefined {
  return params.get(name);
}

export function requiredParam(params: QueryParams, name: string): string {
  const v = params.get(name);
  if (v === undefined)
    throw validation(`1 validation error detected: Value null at '${memberName(name)}' failed to satisfy constraint: Member must not be null`);
  return v;
}

export function integerParam(params: QueryParams, name: string): number | undefined {
  const v = params.get(name);
  if (v === undefined) return undefined;
  if (!/^-?\d{1,15}$/.test(v))
    throw validation(
      `1 validation error detected: Value '${v.slice(0, 64)}' at '${memberName(name)}' failed to satisfy constraint: Member must be an integer`,
    );
  return Number(v);
}

/** Parameters Parapet does not implement are refused by name rather than silently ignored. */
export function rejectParams(params: QueryParams, unsupported: Readonly<Record<string, string>>): void {
  for (const key of params.keys()) {
    const base = key.split('.', 1)[0] ?? key;
    const why = unsupported[base];
    if (why !== undefined) throw validation(`${base} is not supported by Parapet: ${why}`);
  }
}

/** The `arn` members of a `PolicyArns.member.N.arn` list (any other `PolicyArns.…` key counts as an entry too). */
function policyArnsOf(params: QueryParams): string[] {
  const out: string[] = [];
  for (const [key, value] of params) if (key.startsWith('PolicyArns.')) out.push(value);
  return out;
}

const ASSUME_ROLE_UNSUPPORTED = {
  Tags: 'session tags are not implemented; omit Tags.',
  TransitiveTagKeys: 'session tags are not implemented; omit TransitiveTagKeys.',
  SourceIdentity: 'source identity is not implemented; omit SourceIdentity.',
  SerialNumber: 'MFA is not implemented; omit SerialNumber and TokenCode.',
  TokenCode: 'MFA is not implemented; omit SerialNumber and TokenCode.',
  ProvidedContexts: 'trusted context providers are not implemented; omit ProvidedContexts.',
};

export function stsOperations(services: Services): Operation[] {
  const identity = new IdentityService(services);
  const op = (name: string, run: (params: QueryParams, ctx: OperationContext) => Promise<unknown>): Operation => ({
    name,
    protocol: 'awsQuery',
    method: 'POST',
    path: '/',
    signingName: 'sts',
    xmlns: STS_XMLNS,
    bodyLimitBytes: QUERY_BODY_LIMIT,
    handle: async (ctx) => ({ status: 200, body: await run(formOf(ctx), ctx) }),
  });

  return [
    op('AssumeRole', async (p, ctx) => {
      rejectParams(p, ASSUME_ROLE_UNSUPPORTED);
      return identity.assumeRole(ctx.caller, {
        roleArn: requiredParam(p, 'RoleArn'),
        roleSessionName: requiredParam(p, 'RoleSessionName'),
        durationSeconds: integerParam(p, 'DurationSeconds'),
        externalId: optionalParam(p, 'ExternalId'),
        policy: optionalParam(p, 'Policy'),
        policyArns: policyArnsOf(p),
        requestId: ctx.requestId,
      });
    }),
    op('GetCallerIdentity', async (_p, ctx) => identity.getCallerIdentity(ctx.caller)),
  ];
}
