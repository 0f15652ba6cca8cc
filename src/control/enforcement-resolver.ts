/**
 * Which guardrails apply to one model call, and may the caller apply each one. The one answer shared by the
 * invocation gateway (every InvokeModel/Converse) and the dry run (`parapet verify`): the organization's effective
 * BEDROCK_POLICY for the account, the account-level configuration and the request's guardrail, resolved by the pure
 * decision table in `org/resolve.ts`, then authorized (bedrock:ApplyGuardrail, identity + resource policy).
 */
import { guardrailArn, parseGuardrailIdentifier } from '../core/arn.ts';
import type { Caller } from '../core/caller.ts';
import type { Evaluation } from '../iam/index.ts';
import { type AppliedGuardrail, type EffectiveGuardrailConfig, resolveGuardrails, type Resolution } from '../org/index.ts';
import type { Services } from './services.ts';

export interface OrgEffective {
  orgId: string;
  managementAccountId: string;
  configs: EffectiveGuardrailConfig[];
  warnings: string[];
  content: string;
  /** Policies that no longer validate: AWS fails every Bedrock call of the target (fail closed). */
  invalidPolicies?: Array<{ policyId: string; policyName: string; targetId: string; message: string }>;
}

export interface OrgEnforcementSource {
  effectiveGuardrailConfigs(accountId: string): Promise<OrgEffective | undefined>;
}

export interface AuthorizedGuardrail extends AppliedGuardrail {
  permitted: boolean;
  permission: Evaluation;
}

export interface EnforcementResolution {
  applied: AuthorizedGuardrail[];
  skipped: Resolution['skipped'];
  org?: OrgEffective;
}

/**
 * May `caller` call bedrock:ApplyGuardrail on this guardrail (version)? Identity policies plus the guardrail's
 * resource-based policy: the one check behind enforcement at Put time, at resolution and in `verify`.
 */
export async function evaluateApply(
  services: Pick<Services, 'store' | 'authz'>,
  caller: Caller,
  guardrailArn: string,
  ownerAccountId: string,
  version: number | 'DRAFT',
): Promise<{ permission: Evaluation; hasResourcePolicy: boolean }> {
  const rp = await services.store.resourcePolicies.get(guardrailArn);
  const permission = await services.authz.evaluate({
    caller,
    action: 'bedrock:ApplyGuardrail',
    resource: guardrailArn,
    ...(typeof version === 'number' ? { resourceAlternatives: [`${guardrailArn}:${version}`] } : {}),
    resourceAccountId: ownerAccountId,
    resourcePolicy: rp?.document,
  });
  return { permission, hasResourcePolicy: rp !== undefined };
}

export async function resolveEnforcement(
  services: Services,
  org: OrgEnforcementSource,
  caller: Caller,
  modelId: string,
  request?: { identifier: string; version: number | 'DRAFT' },
): Promise<EnforcementResolution> {
  const effective = await org.effectiveGuardrailConfigs(caller.accountId);
  const account = await services.store.enforcement.get(caller.accountId, caller.region);
  let requestGuardrail: Parameters<typeof resolveGuardrails>[0]['requestGuardrail'];
  if (request) {
    const ref = parseGuardrailIdentifier(request.identifier);
    if (ref) {
      const owner = ref.accountId ?? caller.accountId;
      requestGuardrail = {
        guardrailArn: guardrailArn(ref.region ?? caller.region, owner, ref.guardrailId),
        guardrailId: ref.guardrailId,
        ownerAccountId: owner,
        version: request.version,
      };
    }
  }
  const resolution = resolveGuardrails({
    accountId: caller.accountId,
    region: caller.region,
    modelId,
    orgConfigs: effective?.configs ?? [],
    ...(account
      ? {
          accountConfig: {
            configId: account.configId,
            guardrailArn: account.guardrailArn,
            guardrailId: account.guardrailId,
            ownerAccountId: parseGuardrailIdentifier(account.guardrailArn)?.accountId ?? caller.accountId,
            version: account.guardrailVersion,
            system: account.selectiveContentGuarding?.system ?? 'COMPREHENSIVE',
            messages: account.selectiveContentGuarding?.messages ?? 'COMPREHENSIVE',
            includedModels: account.modelEnforcement?.includedModels ?? [],
            excludedModels: account.modelEnforcement?.excludedModels ?? [],
          },
        }
      : {}),
    ...(requestGuardrail ? { requestGuardrail } : {}),
  });
  const applied: AuthorizedGuardrail[] = [];
  for (const g of resolution.applied) {
    const { permission } = await evaluateApply(services, caller, g.guardrailArn, g.ownerAccountId, g.version);
    applied.push({ ...g, permitted: permission.decision === 'Allow', permission });
  }
  return { applied, skipped: resolution.skipped, ...(effective ? { org: effective } : {}) };
}
