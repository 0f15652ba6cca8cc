/**
 * Which guardrails apply to one model call. Pure: the caller passes the effective organization
 * configurations for the account, the account's enforced configuration and the requested guardrail.
 *
 * Decision table (also in DECISION-TABLE.md; every row is a test in resolve.test.ts):
 *
 * | Row | Situation                                                         | Decision                                              |
 * |-----|-------------------------------------------------------------------|-------------------------------------------------------|
 * | R1  | no org config, no account config, no request guardrail            | nothing applies                                       |
 * | R2  | org/account config for another Region                             | skipped (Region)                                      |
 * | R3  | model in excluded models                                          | skipped (excluded)                                    |
 * | R4  | model in included and excluded models                             | skipped (excluded wins)                               |
 * | R5  | included empty / no model enforcement                             | applies to every model not excluded                   |
 * | R6  | included has ALL                                                  | applies to every model not excluded                   |
 * | R7  | included names the model (exact, or id without :version)         | applies                                               |
 * | R8  | included names only other models                                  | skipped (not included)                                |
 * | R9  | call via system inference profile or foundation-model ARN         | scoped as its model id                                |
 * | R10 | call via opaque ARN, included names specific models               | applies (fail closed); excludes cannot match it       |
 * | R11 | org config applies                                                | ORGANIZATION_ENFORCED, config modes                   |
 * | R12 | account config applies                                            | ACCOUNT_ENFORCED, config modes                        |
 * | R13 | request names a guardrail                                         | REQUEST, always, SELECTIVE/SELECTIVE, requested: true |
 * | R14 | request names a guardrail of another Region                       | ValidationException                                   |
 * | R15 | same ARN + version from several origins                           | one entry, origins REQUEST, ACCOUNT_…, ORGANIZATION_… |
 * | R16 | same guardrail, different modes                                   | COMPREHENSIVE beats SELECTIVE, per system/messages    |
 * | R17 | same guardrail, different versions (or DRAFT vs N)                | separate entries                                      |
 * | R18 | two org configs, same guardrail + version                         | one entry, one reason per config                      |
 * | R19 | ownership                                                         | SELF iff owner = caller account, else CROSS_ACCOUNT   |
 * | R20 | output                                                            | always guarded                                        |
 * | R21 | order                                                             | org (sorted), account, request; input order irrelevant|
 * | R22 | embedding model                                                   | decision unchanged, embeddingModel: true              |
 */
import { parseGuardrailIdentifier } from '../core/arn.ts';
import { validation } from '../core/errors.ts';
import type { GuardrailOrigin } from '../engine/assessment.ts';
import type { EffectiveGuardrailConfig, GuardingMode } from './bedrock-policy.ts';
import { isEmbeddingModel, modelMatches, normalizeModelId } from '../core/models.ts';

export type { GuardrailOrigin };
export type GuardrailOwnership = 'SELF' | 'CROSS_ACCOUNT';

export interface AccountEnforcedConfig {
  readonly configId: string;
  readonly guardrailArn: string;
  readonly guardrailId: string;
  readonly ownerAccountId: string;
  readonly version: number;
  readonly system: GuardingMode;
  readonly messages: GuardingMode;
  readonly includedModels: readonly string[];
  readonly excludedModels: readonly string[];
  /** The Region the configuration was put in; defaults to the guardrail ARN's Region. */
  readonly region?: string;
}

export interface RequestGuardrail {
  readonly guardrailArn: string;
  readonly guardrailId: string;
  readonly ownerAccountId: string;
  readonly version: number | 'DRAFT';
}

export interface ResolveInput {
  readonly accountId: string;
  readonly region: string;
  /** As the caller gave it: model id, inference profile id or ARN. */
  readonly modelId: string;
  /** The effective organization configurations of this account (any Region). */
  readonly orgConfigs: readonly EffectiveGuardrailConfig[];
  readonly accountConfig?: AccountEnforcedConfig;
  readonly requestGuardrail?: RequestGuardrail;
}

export interface AppliedGuardrail {
  /** Without the version. */
  readonly guardrailArn: string;
  readonly guardrailId: string;
  readonly version: number | 'DRAFT';
  readonly ownerAccountId: string;
  /** Unique, in the order REQUEST, ACCOUNT_ENFORCED, ORGANIZATION_ENFORCED. */
  readonly origins: GuardrailOrigin[];
  readonly ownership: GuardrailOwnership;
  readonly system: GuardingMode;
  readonly messages: GuardingMode;
  /** Named in the request: the caller's input tags decide what is guarded where the modes are SELECTIVE. */
  readonly requested: boolean;
  /** Always true: output is always guarded. */
  readonly guardOutput: true;
  /** Why it applies, one line per origin/configuration. */
  readonly reasons: string[];
}

export interface SkippedGuardrail {
  readonly origin: GuardrailOrigin;
  readonly guardrailArn: string;
  readonly version: number | 'DRAFT';
  /** Which configuration, in words. */
  readonly source: string;
  readonly reason: string;
}

export interface Resolution {
  /** The model id used for scoping (inference-profile prefix and ARN removed). */
  readonly modelId: string;
  /** Guardrails cannot guard embedding models; the runtime rejects enforced calls to them. */
  readonly embeddingModel: boolean;
  readonly applied: AppliedGuardrail[];
  readonly skipped: SkippedGuardrail[];
}

const ORIGIN_ORDER: readonly GuardrailOrigin[] = ['REQUEST', 'ACCOUNT_ENFORCED', 'ORGANIZATION_ENFORCED'];

const stricter = (a: GuardingMode, b: GuardingMode): GuardingMode =>
  a === 'COMPREHENSIVE' || b === 'COMPREHENSIVE' ? 'COMPREHENSIVE' : 'SELECTIVE';

const list = (ids: readonly string[]): string => {
  const shown = ids.slice(0, 5).join(', ');
  return ids.length > 5 ? `${shown}, … (${ids.length} in all)` : shown;
};

/** Why a scoped configuration does not apply to the call; undefined when it does. */
function outOfScope(
  configRegion: string,
  included: readonly string[],
  excluded: readonly string[],
  call: { region: string; modelId: string; opaque: boolean },
): string | undefined {
  if (configRegion !== call.region) return `configured for Region ${configRegion}; this call is in ${call.region}`;
  const ex = excluded.find((e) => modelMatches(e, call.modelId));
  if (ex !== undefined) return `model ${call.modelId} is excluded (excluded models entry "${ex}")`;
  // An opaque ARN may run any model; guarding it is the safe side.
  if (included.length === 0 || call.opaque) return undefined;
  if (included.some((e) => modelMatches(e, call.modelId))) return undefined;
  return `model ${call.modelId} is not in the included models (${list(included)})`;
}

interface Candidate {
  readonly origin: GuardrailOrigin;
  readonly guardrailArn: string;
  readonly guardrailId: string;
  readonly ownerAccountId: string;
  readonly version: number | 'DRAFT';
  readonly system: GuardingMode;
  readonly messages: GuardingMode;
  readonly reason: string;
}

/** A total order on org configs, so the result does not depend on the order they come in. */
function orgKey(c: EffectiveGuardrailConfig): string {
  return JSON.stringify([
    c.region, c.configName, c.guardrailArn, c.version, c.system, c.messages, c.includedModels, c.excludedModels,
    c.source.targetId, c.source.policyId, c.source.policyName, c.guardrailId, c.ownerAccountId,
  ]);
}

const regionOf = (arn: string): string | undefined => parseGuardrailIdentifier(arn)?.region;

export function resolveGuardrails(input: ResolveInput): Resolution {
  const modelId = normalizeModelId(input.modelId);
  const call = { region: input.region, modelId, opaque: modelId.startsWith('arn:') };
  const candidates: Candidate[] = [];
  const skipped: SkippedGuardrail[] = [];

  const orgConfigs = [...input.orgConfigs].map((c) => ({ c, key: orgKey(c) }));
  orgConfigs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const { c } of orgConfigs) {
    const source =
      `organization policy ${c.source.policyId} '${c.source.policyName}' attached to ${c.source.targetId} (config '${c.configName}')`;
    const why = outOfScope(c.region, c.includedModels, c.excludedModels, call);
    if (why) skipped.push({ origin: 'ORGANIZATION_ENFORCED', guardrailArn: c.guardrailArn, version: c.version, source, reason: why });
    else candidates.push({ ...c, origin: 'ORGANIZATION_ENFORCED', reason: source });
  }

  const a = input.accountConfig;
  if (a) {
    const source = `account-level configuration ${a.configId}`;
    const region = a.region ?? regionOf(a.guardrailArn) ?? input.region;
    const why = outOfScope(region, a.includedModels, a.excludedModels, call);
    if (why) skipped.push({ origin: 'ACCOUNT_ENFORCED', guardrailArn: a.guardrailArn, version: a.version, source, reason: why });
    else candidates.push({ ...a, origin: 'ACCOUNT_ENFORCED', reason: source });
  }

  const r = input.requestGuardrail;
  if (r) {
    const region = regionOf(r.guardrailArn);
    if (region !== undefined && region !== input.region)
      throw validation(
        `The guardrail ${r.guardrailArn} is in Region ${region}, but this call is in ${input.region}. ` +
          `Name a guardrail from ${input.region}, or call the model in ${region}.`,
      );
    candidates.push({ ...r, origin: 'REQUEST', system: 'SELECTIVE', messages: 'SELECTIVE', reason: 'named in the request' });
  }

  // Candidates are already in the output order (org, account, request): a Map keeps first-seen order.
  const merged = new Map<string, { g: Candidate; origins: Set<GuardrailOrigin>; system: GuardingMode; messages: GuardingMode; reasons: string[] }>();
  for (const c of candidates) {
    const key = `${c.guardrailArn}\u0000${c.version}`;
    const m = merged.get(key);
    if (!m) {
      merged.set(key, { g: c, origins: new Set([c.origin]), system: c.system, messages: c.messages, reasons: [c.reason] });
      continue;
    }
    m.origins.add(c.origin);
    m.system = stricter(m.system, c.system);
    m.messages = stricter(m.messages, c.messages);
    if (!m.reasons.includes(c.reason)) m.reasons.push(c.reason);
  }

  const applied: AppliedGuardrail[] = [...merged.values()].map(({ g, origins, system, messages, reasons }) => ({
    guardrailArn: g.guardrailArn,
    guardrailId: g.guardrailId,
    version: g.version,
    ownerAccountId: g.ownerAccountId,
    origins: ORIGIN_ORDER.filter((o) => origins.has(o)),
    ownership: g.ownerAccountId === input.accountId ? 'SELF' : 'CROSS_ACCOUNT',
    system,
    messages,
    requested: origins.has('REQUEST'),
    guardOutput: true,
    reasons,
  }));

  return { modelId, embeddingModel: isEmbeddingModel(modelId), applied, skipped };
}
