/** Parapet's admin API (restJson, SigV4 service name `parapet`): verify (dry run), audit trail, account keys. */
import { validation } from '../../core/errors.ts';
import type { AdminService } from '../../control/admin.ts';
import { parseVersion } from '../../control/guardrails.ts';
import type { VerifyService } from '../../control/verify.ts';
import type { Operation, OperationContext } from '../router.ts';

export const ADMIN_SIGNING_NAME = 'parapet';
const SMALL = 64 * 1024;

function q(ctx: OperationContext, name: string): string | undefined {
  const v = ctx.query[name];
  if (Array.isArray(v)) throw validation(`The query parameter '${name}' was given more than once.`);
  if (v !== undefined && v.length > 2048) throw validation(`The query parameter '${name}' is longer than 2048 characters.`);
  return v;
}

function intParam(ctx: OperationContext, name: string): number | undefined {
  const v = q(ctx, name);
  if (v === undefined) return undefined;
  if (!/^\d{1,15}$/.test(v)) throw validation(`The query parameter '${name}' must be a non-negative integer.`);
  return Number(v);
}

export function adminOperations(deps: { admin: AdminService; verify: VerifyService }): Operation[] {
  const op = (name: string, method: string, path: string, handle: Operation['handle']): Operation => ({
    name,
    method,
    path,
    signingName: ADMIN_SIGNING_NAME,
    bodyLimitBytes: SMALL,
    handle,
  });
  return [
    op('Verify', 'GET', '/admin/v1/verify', async (ctx) => {
      const modelId = q(ctx, 'model');
      if (!modelId) throw validation("The query parameter 'model' (a model id, e.g. anthropic.claude-3-haiku-20240307-v1:0) is required.");
      const accountId = q(ctx, 'account');
      const region = q(ctx, 'region');
      const principalArn = q(ctx, 'principal');
      const guardrail = q(ctx, 'guardrail');
      const guardrailVersion = q(ctx, 'guardrailVersion');
      const report = await deps.verify.verify(ctx.caller, {
        modelId,
        ...(accountId !== undefined ? { accountId } : {}),
        ...(region !== undefined ? { region } : {}),
        ...(principalArn !== undefined ? { principalArn } : {}),
        ...(guardrail !== undefined
          ? { guardrail: { identifier: guardrail, version: parseVersion(guardrailVersion ?? 'DRAFT', 'guardrailVersion') } }
          : {}),
      });
      return { status: 200, body: report };
    }),
    op('ListAuditRecords', 'GET', '/admin/v1/audit', async (ctx) => {
      const accountId = q(ctx, 'account');
      const action = q(ctx, 'action');
      const resourceArn = q(ctx, 'resource');
      const since = q(ctx, 'since');
      const until = q(ctx, 'until');
      const limit = intParam(ctx, 'limit');
      const beforeSeq = intParam(ctx, 'before');
      const afterSeq = intParam(ctx, 'after');
      const outcome = q(ctx, 'outcome');
      const principalArn = q(ctx, 'principal');
      const region = q(ctx, 'region');
      const actionPrefix = q(ctx, 'actionPrefix');
      const out = await deps.admin.listAudit(ctx.caller, {
        ...(accountId !== undefined ? { accountId } : {}),
        ...(action !== undefined ? { action } : {}),
        ...(resourceArn !== undefined ? { resourceArn } : {}),
        ...(since !== undefined ? { since } : {}),
        ...(until !== undefined ? { until } : {}),
        ...(limit !== undefined ? { limit } : {}),
        ...(beforeSeq !== undefined ? { beforeSeq } : {}),
        ...(afterSeq !== undefined ? { afterSeq } : {}),
        ...(outcome !== undefined ? { outcome } : {}),
        ...(principalArn !== undefined ? { principalArn } : {}),
        ...(region !== undefined ? { region } : {}),
        ...(actionPrefix !== undefined ? { actionPrefix } : {}),
      });
      return { status: 200, body: out };
    }),
    op('VerifyAuditTrail', 'GET', '/admin/v1/audit/verify', async (ctx) => ({
      status: 200,
      body: await deps.admin.verifyAudit(ctx.caller),
    })),
    op('CreateAccountAccessKey', 'POST', '/admin/v1/accounts/{accountId}/access-keys', async (ctx) => ({
      status: 201,
      body: await deps.admin.createAccessKey(ctx.caller, ctx.labels.accountId ?? '', ctx.requestId),
    })),
  ];
}
