/**
 * Account-level enforcement: PutEnforcedGuardrailConfiguration / ListEnforcedGuardrailsConfiguration /
 * DeleteEnforcedGuardrailConfiguration (API.md 4.2). One configuration per account and Region, a published
 * numeric version only, and the seed's pitfalls refused or flagged where they happen.
 */
import { guardrailArn, parseGuardrailIdentifier } from '../core/arn.ts';
import type { Caller } from '../core/caller.ts';
import { conflict, notFound, ServiceError, validation } from '../core/errors.ts';
import { isoTimestamp } from '../core/ports.ts';
import { isKnownModelId } from '../org/index.ts';
import type { EnforcementConfigRecord, GuardingMode } from '../store/types.ts';
import { evaluateApply } from './enforcement-resolver.ts';
import type { Services } from './services.ts';

export interface PutEnforcedConfigRequest {
  configId?: string;
  guardrailInferenceConfig: {
    guardrailIdentifier: string;
    guardrailVersion: string;
    selectiveContentGuarding?: { system?: GuardingMode; messages?: GuardingMode };
    modelEnforcement?: { includedModels: string[]; excludedModels: string[] };
  };
}

const CONFIG_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function enforcementConfigArn(region: string, accountId: string, configId: string): string {
  return `arn:aws:bedrock:${region}:${accountId}:enforced-guardrail-configuration/${configId}`;
}

/** Warnings about model scoping that does not fail the call (the seed's "empty Include" pitfall and typos). */
export function modelScopeWarnings(included: readonly string[], excluded: readonly string[]): string[] {
  const out: string[] = [];
  const unknownIncluded = included.filter((m) => m !== 'ALL' && !isKnownModelId(m));
  if (included.length > 0 && unknownIncluded.length === included.length)
    out.push(
      `includedModels matches no known model id (${unknownIncluded.join(', ')}): the guardrail will apply to no model you can call. ` +
        'Use ["ALL"] (or an empty Exclude list) to guard every model, or list real model ids.',
    );
  else if (unknownIncluded.length > 0)
    out.push(`includedModels has ids that match no known model: ${unknownIncluded.join(', ')}. Check them for typos.`);
  const unknownExcluded = excluded.filter((m) => !isKnownModelId(m));
  if (unknownExcluded.length > 0)
    out.push(`excludedModels has ids that match no known model: ${unknownExcluded.join(', ')}. Check them for typos.`);
  const both = included.filter((m) => excluded.includes(m));
  if (both.length > 0) out.push(`${both.join(', ')} listed in both includedModels and excludedModels: excluded wins.`);
  return out;
}

export class EnforcementService {
  readonly #s: Services;

  constructor(services: Services) {
    this.#s = services;
  }

  #authorize(caller: Caller, action: string, configId = '*') {
    return this.#s.authz.require({
      caller,
      action,
      resource: enforcementConfigArn(caller.region, caller.accountId, configId),
      resourceAccountId: caller.accountId,
    });
  }

  #newConfigId(): string {
    let id = '';
    for (const b of this.#s.random.bytes(12)) id += CONFIG_ID_ALPHABET[b % CONFIG_ID_ALPHABET.length];
    return id;
  }

  /** Validates the guardrail + version against the pitfalls; returns the resolved guardrail. */
  async #checkGuardrail(caller: Caller, identifier: string, versionText: string) {
    if (versionText === 'DRAFT')
      throw validation(
        'guardrailVersion DRAFT cannot be enforced: a DRAFT is mutable, so what is enforced could change under you. ' +
          'Publish a version with CreateGuardrailVersion and enforce its number (e.g. "1").',
      );
    if (!/^[1-9][0-9]{0,7}$/.test(versionText))
      throw validation(
        `1 validation error detected: Value '${versionText}' at 'guardrailInferenceConfig.guardrailVersion' failed to satisfy ` +
          'constraint: Member must satisfy regular expression pattern: [1-9][0-9]{0,7}',
      );
    const version = Number(versionText);
    const ref = parseGuardrailIdentifier(identifier);
    if (!ref)
      throw validation(
        `guardrailIdentifier '${identifier}' is neither a guardrail id nor a guardrail ARN (arn:aws:bedrock:{region}:{account}:guardrail/{id}).`,
      );
    if (ref.region !== undefined && ref.region !== caller.region)
      throw validation(
        `The guardrail ${identifier} is in ${ref.region}, but this configuration is for ${caller.region}: cross-account safeguards ` +
          `are Region-specific. Create the guardrail (and publish a version) in ${caller.region} and enforce that one, ` +
          `or call this API in ${ref.region}.`,
      );
    const owner = ref.accountId ?? caller.accountId;
    const arn = guardrailArn(caller.region, owner, ref.guardrailId);
    if (owner !== caller.accountId) {
      const { permission, hasResourcePolicy: rp } = await evaluateApply(this.#s, caller, arn, owner, version);
      if (permission.decision !== 'Allow')
        throw new ServiceError(
          'AccessDeniedException',
          `The guardrail ${arn} belongs to account ${owner}, and ${rp ? 'its resource-based policy does not' : 'it has no resource-based policy to'} ` +
            `let ${caller.principalArn} call bedrock:ApplyGuardrail on it. Every enforced call would be denied. ` +
            `Fix: in account ${owner}, PutResourcePolicy on the guardrail allowing bedrock:ApplyGuardrail to this account or organization.`,
        );
    }
    const g = await this.#s.store.guardrails.get(owner, caller.region, ref.guardrailId);
    if (!g) {
      throw notFound(
        `Guardrail ${arn} was not found in ${caller.region}. Cross-account safeguards are Region-specific: the guardrail must exist ` +
          `in the Region of the configuration.`,
      );
    }
    const v = await this.#s.store.guardrails.getVersion(owner, caller.region, ref.guardrailId, version);
    if (!v)
      throw validation(
        `Version ${version} of guardrail ${arn} does not exist. Publish it with CreateGuardrailVersion (the latest issued number is ` +
          `${g.latestVersion || 'none yet'}).`,
      );
    if (v.config.automatedReasoningPolicyConfig)
      throw validation(
        `Version ${version} of guardrail ${arn} has an automated-reasoning policy; guardrails with automated reasoning cannot be enforced.`,
      );
    return { arn, guardrailId: ref.guardrailId, owner, version };
  }

  async put(caller: Caller, req: PutEnforcedConfigRequest, requestId?: string) {
    await this.#authorize(caller, 'bedrock:PutEnforcedGuardrailConfiguration', req.configId);
    const cfg = req.guardrailInferenceConfig;
    const g = await this.#checkGuardrail(caller, cfg.guardrailIdentifier, cfg.guardrailVersion);
    const warnings = cfg.modelEnforcement
      ? modelScopeWarnings(cfg.modelEnforcement.includedModels, cfg.modelEnforcement.excludedModels)
      : [];
    const now = isoTimestamp(this.#s.clock.now());
    const existing = await this.#s.store.enforcement.get(caller.accountId, caller.region);
    const base = {
      accountId: caller.accountId,
      region: caller.region,
      guardrailArn: g.arn,
      guardrailId: g.guardrailId,
      guardrailVersion: g.version,
      ...(cfg.selectiveContentGuarding ? { selectiveContentGuarding: cfg.selectiveContentGuarding } : {}),
      ...(cfg.modelEnforcement ? { modelEnforcement: cfg.modelEnforcement } : {}),
      updatedAt: now,
      updatedBy: caller.principalArn,
    };
    let record: EnforcementConfigRecord;
    if (req.configId === undefined) {
      if (existing)
        throw conflict(
          `Account ${caller.accountId} already has an enforced guardrail configuration in ${caller.region} ` +
            `(configId ${existing.configId}); there is one per account and Region. Pass configId to update it.`,
        );
      record = { ...base, configId: this.#newConfigId(), createdAt: now, createdBy: caller.principalArn };
      await this.#s.store.enforcement.create(record);
    } else {
      if (!existing || existing.configId !== req.configId)
        throw notFound(`Enforced guardrail configuration ${req.configId} was not found in account ${caller.accountId}, Region ${caller.region}.`);
      record = { ...base, configId: existing.configId, createdAt: existing.createdAt, createdBy: existing.createdBy };
      if (!(await this.#s.store.enforcement.update(record)))
        throw notFound(`Enforced guardrail configuration ${req.configId} was not found.`);
    }
    await this.#s.audit.record({
      accountId: caller.accountId,
      principalArn: caller.principalArn,
      action: 'bedrock:PutEnforcedGuardrailConfiguration',
      region: caller.region,
      resourceArn: enforcementConfigArn(caller.region, caller.accountId, record.configId),
      ...(requestId ? { requestId } : {}),
      before: existing,
      after: record,
      ...(warnings.length ? { detail: { warnings } } : {}),
    });
    return { body: { configId: record.configId, updatedAt: record.updatedAt, updatedBy: record.updatedBy }, warnings };
  }

  async list(caller: Caller) {
    await this.#authorize(caller, 'bedrock:ListEnforcedGuardrailsConfiguration');
    const c = await this.#s.store.enforcement.get(caller.accountId, caller.region);
    return { guardrailsConfig: c ? [configOutput(c)] : [] };
  }

  async delete(caller: Caller, configId: string, requestId?: string) {
    await this.#authorize(caller, 'bedrock:DeleteEnforcedGuardrailConfiguration', configId);
    const existing = await this.#s.store.enforcement.get(caller.accountId, caller.region);
    if (!existing || existing.configId !== configId || !(await this.#s.store.enforcement.delete(caller.accountId, configId)))
      throw notFound(`Enforced guardrail configuration ${configId} was not found in account ${caller.accountId}, Region ${caller.region}.`);
    await this.#s.audit.record({
      accountId: caller.accountId,
      principalArn: caller.principalArn,
      action: 'bedrock:DeleteEnforcedGuardrailConfiguration',
      region: caller.region,
      resourceArn: enforcementConfigArn(caller.region, caller.accountId, configId),
      ...(requestId ? { requestId } : {}),
      before: existing,
    });
    return {};
  }
}

export function configOutput(c: EnforcementConfigRecord) {
  return {
    configId: c.configId,
    guardrailArn: c.guardrailArn,
    guardrailId: c.guardrailId,
    guardrailVersion: String(c.guardrailVersion),
    selectiveContentGuarding: {
      system: c.selectiveContentGuarding?.system ?? 'COMPREHENSIVE',
      messages: c.selectiveContentGuarding?.messages ?? 'COMPREHENSIVE',
    },
    modelEnforcement: c.modelEnforcement ?? { includedModels: ['ALL'], excludedModels: [] },
    createdAt: c.createdAt,
    createdBy: c.createdBy,
    updatedAt: c.updatedAt,
    updatedBy: c.updatedBy,
    owner: 'ACCOUNT',
  };
}
