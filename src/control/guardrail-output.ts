/**
 * The input config (`…Config` members, what the store keeps) rendered in GetGuardrail's output
 * names (`topicPolicy.topics`, `contentPolicy.filters`, `kmsKeyArn`, …), with the defaults made explicit.
 */
import type { GuardrailConfig, SideToggles } from '../engine/config/types.ts';

function toggles<A extends string>(t: SideToggles<A>, fallback: A) {
  return {
    inputAction: t.inputAction ?? fallback,
    outputAction: t.outputAction ?? fallback,
    inputEnabled: t.inputEnabled ?? true,
    outputEnabled: t.outputEnabled ?? true,
  };
}

const PROFILE_ID_RE = /^[a-z0-9-]+[.]guardrail[.]v[0-9:]+$/;

export function crossRegionDetails(config: GuardrailConfig, region: string, accountId: string) {
  const ident = config.crossRegionConfig?.guardrailProfileIdentifier;
  if (!ident) return undefined;
  if (PROFILE_ID_RE.test(ident))
    return {
      guardrailProfileId: ident,
      guardrailProfileArn: `arn:aws:bedrock:${region}:${accountId}:guardrail-profile/${ident}`,
    };
  const id = ident.slice(ident.lastIndexOf('/') + 1);
  return { guardrailProfileId: id, guardrailProfileArn: ident };
}

export function kmsKeyArn(kmsKeyId: string | undefined, region: string, accountId: string): string | undefined {
  if (!kmsKeyId) return undefined;
  if (kmsKeyId.startsWith('arn:')) return kmsKeyId;
  if (kmsKeyId.startsWith('alias/')) return `arn:aws:kms:${region}:${accountId}:${kmsKeyId}`;
  return `arn:aws:kms:${region}:${accountId}:key/${kmsKeyId}`;
}

/** The policy members of a GetGuardrail response. */
export function policiesOutput(config: GuardrailConfig, region: string, accountId: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const tp = config.topicPolicyConfig;
  if (tp)
    out.topicPolicy = {
      topics: tp.topicsConfig.map((t) => ({
        name: t.name,
        definition: t.definition,
        examples: t.examples ?? [],
        type: t.type,
        ...toggles(t, 'BLOCK'),
      })),
      ...(tp.tierConfig ? { tier: { tierName: tp.tierConfig.tierName } } : {}),
    };
  const cp = config.contentPolicyConfig;
  if (cp)
    out.contentPolicy = {
      filters: cp.filtersConfig.map((f) => ({
        type: f.type,
        inputStrength: f.inputStrength,
        outputStrength: f.outputStrength,
        inputModalities: f.inputModalities ?? ['TEXT'],
        outputModalities: f.outputModalities ?? ['TEXT'],
        ...toggles(f, 'BLOCK'),
      })),
      ...(cp.tierConfig ? { tier: { tierName: cp.tierConfig.tierName } } : {}),
    };
  const wp = config.wordPolicyConfig;
  if (wp)
    out.wordPolicy = {
      words: (wp.wordsConfig ?? []).map((w) => ({ text: w.text, ...toggles(w, 'BLOCK') })),
      managedWordLists: (wp.managedWordListsConfig ?? []).map((l) => ({ type: l.type, ...toggles(l, 'BLOCK') })),
    };
  const sp = config.sensitiveInformationPolicyConfig;
  if (sp)
    out.sensitiveInformationPolicy = {
      piiEntities: (sp.piiEntitiesConfig ?? []).map((p) => ({ type: p.type, action: p.action, ...toggles(p, p.action) })),
      regexes: (sp.regexesConfig ?? []).map((r) => ({
        name: r.name,
        ...(r.description ? { description: r.description } : {}),
        pattern: r.pattern,
        action: r.action,
        ...toggles(r, r.action),
      })),
    };
  const gp = config.contextualGroundingPolicyConfig;
  if (gp)
    out.contextualGroundingPolicy = {
      filters: gp.filtersConfig.map((g) => ({
        type: g.type,
        threshold: g.threshold,
        action: g.action ?? 'BLOCK',
        enabled: g.enabled ?? true,
      })),
    };
  const cr = crossRegionDetails(config, region, accountId);
  if (cr) out.crossRegionDetails = cr;
  const kms = kmsKeyArn(config.kmsKeyId, region, accountId);
  if (kms) out.kmsKeyArn = kms;
  return out;
}
