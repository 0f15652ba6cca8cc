/**
 * The dry run behind `parapet verify`: for one account, Region and model, every guardrail that would apply, why, and
 * whether the caller may apply it — plus every misconfiguration in the organization (the seed's four pitfalls and
 * their relatives), each with the fix.
 */
import { iamRootArn } from '../core/arn.ts';
import type { Caller } from '../core/caller.ts';
import { accessDenied, validation } from '../core/errors.ts';
import { type EffectiveGuardrailConfig, isEmbeddingModel } from '../org/index.ts';
import { modelScopeWarnings } from './enforcement.ts';
import { type AuthorizedGuardrail, evaluateApply, type OrgEnforcementSource, resolveEnforcement } from './enforcement-resolver.ts';
import type { Services } from './services.ts';
import type { VerifyReport as WireVerifyReport } from '../core/verify-report.ts';

export type FindingCode =
  | 'INVALID_ORGANIZATION_POLICY'
  | 'GUARDRAIL_NOT_FOUND'
  | 'GUARDRAIL_IN_OTHER_REGION'
  | 'VERSION_NOT_FOUND'
  | 'NOT_OWNED_BY_MANAGEMENT_ACCOUNT'
  | 'MISSING_RESOURCE_POLICY'
  | 'MODEL_SCOPE'
  | 'POLICY_TYPE_NOT_ENABLED'
  | 'CALLER_NOT_PERMITTED'
  | 'EMBEDDING_MODEL';

export interface Finding {
  severity: 'error' | 'warning';
  code: FindingCode;
  message: string;
  /** Where it was found: a policy id, an account-level config, an account. */
  where: string;
}

export interface VerifyRequest {
  accountId?: string;
  region?: string;
  modelId: string;
  /** The principal whose call is simulated (default: the account's root). */
  principalArn?: string;
  guardrail?: { identifier: string; version: number | 'DRAFT' };
}

export interface VerifyReport {
  accountId: string;
  region: string;
  modelId: string;
  principalArn: string;
  organization?: { orgId: string; managementAccountId: string };
  guardrails: Array<Omit<AuthorizedGuardrail, 'permission'> & { permissionReasons: string[] }>;
  skipped: Array<{ origin: string; guardrailArn: string; version: number | 'DRAFT'; reason: string }>;
  findings: Finding[];
  ok: boolean;
}

// The report built here is the report the API clients (CLI, console) read: a drift fails to compile.
true satisfies (VerifyReport extends WireVerifyReport ? true : never);

export class VerifyService {
  readonly #s: Services;
  readonly #org: OrgEnforcementSource;

  constructor(services: Services, org: OrgEnforcementSource) {
    this.#s = services;
    this.#org = org;
  }

  async verify(caller: Caller, req: VerifyRequest): Promise<VerifyReport> {
    const accountId = req.accountId ?? caller.accountId;
    const region = req.region ?? caller.region;
    if (!/^\d{12}$/.test(accountId)) throw validation(`account '${accountId}' is not a 12-digit account id.`);
    const targetPos = await this.#s.authz.orgPosition(accountId);
    const callerIsManager = targetPos !== undefined && targetPos.org.managementAccountId === caller.accountId;
    if (accountId !== caller.accountId && !callerIsManager)
      throw accessDenied(
        `${caller.principalArn} may verify its own account, or any account of the organization it manages; ${accountId} is neither.`,
      );
    await this.#s.authz.require({
      caller,
      action: 'parapet:Verify',
      resource: iamRootArn(accountId),
      resourceAccountId: caller.accountId,
    });
    if (!(await this.#s.store.accounts.get(accountId))) throw validation(`Account ${accountId} does not exist.`);

    const principalArn = req.principalArn ?? iamRootArn(accountId);
    const simulated: Caller = { accountId, principalArn, accessKeyId: '', region };
    const resolution = await resolveEnforcement(this.#s, this.#org, simulated, req.modelId, req.guardrail);
    const findings: Finding[] = [];
    const seen = new Set<string>();
    const add = (f: Finding): void => {
      const key = `${f.code}|${f.where}|${f.message}`;
      if (!seen.has(key)) {
        seen.add(key);
        findings.push(f);
      }
    };

    if (resolution.applied.length > 0 && isEmbeddingModel(req.modelId))
      add({
        severity: 'warning',
        code: 'EMBEDDING_MODEL',
        where: req.modelId,
        message: `${req.modelId} is an embedding model: guardrails do not support embeddings, so enforced calls fail. Exclude it.`,
      });

    if (targetPos) await this.#organizationFindings(targetPos.org.orgId, targetPos.org.managementAccountId, add);
    else await this.#accountConfigFindings([accountId], add);

    // The caller's own permission, unless a missing resource policy (reported above, with its fix) already
    // explains the denial for the account's root.
    for (const g of resolution.applied) {
      if (g.permitted) continue;
      const explained =
        principalArn === iamRootArn(accountId) &&
        findings.some((f) => f.code === 'MISSING_RESOURCE_POLICY' && f.message.includes(g.guardrailArn));
      if (explained) continue;
      add({
        severity: 'error',
        code: 'CALLER_NOT_PERMITTED',
        where: g.guardrailArn,
        message:
          `${principalArn} may not call bedrock:ApplyGuardrail on ${g.guardrailArn} (version ${g.version}): every call of ` +
          `${req.modelId} in ${region} from it would fail with AccessDeniedException. ${this.#permissionFix(g, targetPos?.org.orgId)}`,
      });
    }

    return {
      accountId,
      region,
      modelId: req.modelId,
      principalArn,
      ...(targetPos ? { organization: { orgId: targetPos.org.orgId, managementAccountId: targetPos.org.managementAccountId } } : {}),
      guardrails: resolution.applied.map(({ permission, ...g }) => ({ ...g, permissionReasons: permission.reasons })),
      skipped: resolution.skipped,
      findings,
      ok: !findings.some((f) => f.severity === 'error'),
    };
  }

  #permissionFix(g: { ownerAccountId: string; guardrailArn: string }, orgId?: string): string {
    return (
      `Fix: in account ${g.ownerAccountId}, PutResourcePolicy on ${g.guardrailArn} with a statement allowing ` +
      `bedrock:ApplyGuardrail to Principal "*" under the condition StringEquals aws:PrincipalOrgID = ${orgId ?? '<your organization id>'} ` +
      '(and check the caller\'s identity policies allow bedrock:ApplyGuardrail).'
    );
  }

  /** Every account of the organization: its effective org configs and its account-level configs. */
  async #organizationFindings(orgId: string, managementAccountId: string, add: (f: Finding) => void): Promise<void> {
    const org = await this.#s.store.organizations.get(orgId);
    const members = await this.#s.store.organizations.listMembers(orgId);
    const attachedAnywhere = (await this.#s.store.organizations.listPolicies(orgId, 'BEDROCK_POLICY')).length > 0;
    if (org && attachedAnywhere && !org.enabledPolicyTypes.includes('BEDROCK_POLICY'))
      add({
        severity: 'warning',
        code: 'POLICY_TYPE_NOT_ENABLED',
        where: org.rootId,
        message: `BEDROCK_POLICY policies exist but the policy type is not enabled on root ${org.rootId}: none of them is enforced. Run EnablePolicyType.`,
      });
    for (const m of members) {
      const eff = await this.#org.effectiveGuardrailConfigs(m.accountId);
      if (!eff) continue;
      for (const bad of eff.invalidPolicies ?? [])
        add({
          severity: 'error',
          code: 'INVALID_ORGANIZATION_POLICY',
          where: bad.policyId,
          message: `Policy ${bad.policyId} '${bad.policyName}' (attached to ${bad.targetId}) is invalid: ${bad.message}. On AWS an invalid effective policy makes every Bedrock call of its targets fail.`,
        });
      for (const c of eff.configs) await this.#orgConfigFindings(c, m.accountId, managementAccountId, orgId, add);
    }
    await this.#accountConfigFindings(
      members.map((m) => m.accountId),
      add,
      orgId,
    );
  }

  async #orgConfigFindings(
    c: EffectiveGuardrailConfig,
    accountId: string,
    managementAccountId: string,
    orgId: string,
    add: (f: Finding) => void,
  ): Promise<void> {
    const where = `${c.source.policyId} (${c.region}, config '${c.configName}')`;
    if (c.ownerAccountId !== managementAccountId) {
      add({
        severity: 'error',
        code: 'NOT_OWNED_BY_MANAGEMENT_ACCOUNT',
        where,
        message: `${c.guardrailArn} belongs to account ${c.ownerAccountId}; organization-level enforcement needs a guardrail of the management account ${managementAccountId}.`,
      });
      return;
    }
    if (!(await this.#guardrailFindings(c.guardrailArn, c.ownerAccountId, c.region, c.guardrailId, c.version, where, add))) return;
    const { permission, hasResourcePolicy: rp } = await evaluateApply(
      this.#s,
      { accountId, principalArn: iamRootArn(accountId), accessKeyId: '', region: c.region },
      c.guardrailArn,
      c.ownerAccountId,
      c.version,
    );
    if (permission.decision !== 'Allow')
      add({
        severity: 'error',
        code: 'MISSING_RESOURCE_POLICY',
        where: c.guardrailArn,
        message:
          `${rp ? 'The resource-based policy of' : 'There is no resource-based policy on'} ${c.guardrailArn}` +
          `${rp ? ' does not let' : ' letting'} member account ${accountId} call bedrock:ApplyGuardrail: its model invocations ` +
          `will fail with AccessDeniedException. Fix: PutResourcePolicy allowing bedrock:ApplyGuardrail to Principal "*" with ` +
          `StringEquals aws:PrincipalOrgID = ${orgId}.`,
      });
    this.#modelScope(c.includedModels, c.excludedModels, where, add);
  }

  async #accountConfigFindings(accountIds: string[], add: (f: Finding) => void, orgId?: string): Promise<void> {
    for (const c of await this.#s.store.enforcement.listForAccounts(accountIds)) {
      const where = `account-level configuration ${c.configId} (account ${c.accountId}, ${c.region})`;
      const owner = /:(\d{12}):guardrail\//.exec(c.guardrailArn)?.[1] ?? c.accountId;
      if (!(await this.#guardrailFindings(c.guardrailArn, owner, c.region, c.guardrailId, c.guardrailVersion, where, add))) continue;
      if (owner !== c.accountId) {
        const { permission } = await evaluateApply(
          this.#s,
          { accountId: c.accountId, principalArn: iamRootArn(c.accountId), accessKeyId: '', region: c.region },
          c.guardrailArn,
          owner,
          c.guardrailVersion,
        );
        if (permission.decision !== 'Allow')
          add({
            severity: 'error',
            code: 'MISSING_RESOURCE_POLICY',
            where,
            message: `Account ${c.accountId} enforces ${c.guardrailArn} of account ${owner}, whose resource-based policy does not let it call bedrock:ApplyGuardrail: its invocations will fail with AccessDeniedException. ${this.#permissionFix({ ownerAccountId: owner, guardrailArn: c.guardrailArn }, orgId)}`,
          });
      }
      if (c.modelEnforcement) this.#modelScope(c.modelEnforcement.includedModels, c.modelEnforcement.excludedModels, where, add);
    }
  }

  /** false when the guardrail or version is missing (reported). */
  async #guardrailFindings(
    arn: string,
    owner: string,
    region: string,
    guardrailId: string,
    version: number,
    where: string,
    add: (f: Finding) => void,
  ): Promise<boolean> {
    const g = await this.#s.store.guardrails.get(owner, region, guardrailId);
    if (!g) {
      add({
        severity: 'error',
        code: 'GUARDRAIL_NOT_FOUND',
        where,
        message: `${arn} does not exist in ${region}. Cross-account safeguards are Region-specific: create the guardrail and publish a version in ${region}, then enforce that one.`,
      });
      return false;
    }
    if (!(await this.#s.store.guardrails.getVersion(owner, region, guardrailId, version))) {
      add({
        severity: 'error',
        code: 'VERSION_NOT_FOUND',
        where,
        message: `Version ${version} of ${arn} does not exist (deleted or never published). Publish a version with CreateGuardrailVersion and enforce its number.`,
      });
      return false;
    }
    return true;
  }

  #modelScope(included: readonly string[], excluded: readonly string[], where: string, add: (f: Finding) => void): void {
    for (const message of modelScopeWarnings(included, excluded)) add({ severity: 'warning', code: 'MODEL_SCOPE', where, message });
  }
}
