/**
 * Guardrail configs in one canonical form, so that the file's CreateGuardrail-shaped `config` and a GetGuardrail
 * answer compare equal when they mean the same guardrail: the defaults the server makes explicit in its answers
 * (actions BLOCK, both sides enabled, TEXT modalities, empty example lists…) are filled in on both sides, and
 * empty policies are dropped. The canonical form is itself a valid CreateGuardrail body (without `name`).
 */
import type { Json } from './file-types.ts';

type Item = Record<string, unknown>;

const list = (v: unknown): Item[] => (Array.isArray(v) ? (v as Item[]) : []);
const obj = (v: unknown): Item | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Item) : undefined);

function toggles(t: Item, fallback: unknown): Item {
  return {
    inputAction: t.inputAction ?? fallback,
    outputAction: t.outputAction ?? fallback,
    inputEnabled: t.inputEnabled ?? true,
    outputEnabled: t.outputEnabled ?? true,
  };
}

const tier = (p: Item): Item => {
  const t = obj(p.tierConfig);
  return t?.tierName !== undefined ? { tierConfig: { tierName: t.tierName } } : {};
};

/** A CreateGuardrail body (without name) → the canonical config. */
export function canonicalConfig(input: Json): Json {
  const out: Json = {
    blockedInputMessaging: input.blockedInputMessaging,
    blockedOutputsMessaging: input.blockedOutputsMessaging,
  };
  if (typeof input.description === 'string' && input.description !== '') out.description = input.description;
  const tp = obj(input.topicPolicyConfig);
  if (tp && list(tp.topicsConfig).length)
    out.topicPolicyConfig = {
      topicsConfig: list(tp.topicsConfig).map((t) => ({
        name: t.name,
        definition: t.definition,
        examples: t.examples ?? [],
        type: t.type,
        ...toggles(t, 'BLOCK'),
      })),
      ...tier(tp),
    };
  const cp = obj(input.contentPolicyConfig);
  if (cp && list(cp.filtersConfig).length)
    out.contentPolicyConfig = {
      filtersConfig: list(cp.filtersConfig).map((f) => ({
        type: f.type,
        inputStrength: f.inputStrength,
        outputStrength: f.outputStrength,
        inputModalities: f.inputModalities ?? ['TEXT'],
        outputModalities: f.outputModalities ?? ['TEXT'],
        ...toggles(f, 'BLOCK'),
      })),
      ...tier(cp),
    };
  const wp = obj(input.wordPolicyConfig);
  if (wp && (list(wp.wordsConfig).length || list(wp.managedWordListsConfig).length))
    out.wordPolicyConfig = {
      wordsConfig: list(wp.wordsConfig).map((w) => ({ text: w.text, ...toggles(w, 'BLOCK') })),
      managedWordListsConfig: list(wp.managedWordListsConfig).map((l) => ({ type: l.type, ...toggles(l, 'BLOCK') })),
    };
  const sp = obj(input.sensitiveInformationPolicyConfig);
  if (sp && (list(sp.piiEntitiesConfig).length || list(sp.regexesConfig).length))
    out.sensitiveInformationPolicyConfig = {
      piiEntitiesConfig: list(sp.piiEntitiesConfig).map((p) => ({ type: p.type, action: p.action, ...toggles(p, p.action) })),
      regexesConfig: list(sp.regexesConfig).map((r) => ({
        name: r.name,
        ...(r.description ? { description: r.description } : {}),
        pattern: r.pattern,
        action: r.action,
        ...toggles(r, r.action),
      })),
    };
  const gp = obj(input.contextualGroundingPolicyConfig);
  if (gp && list(gp.filtersConfig).length)
    out.contextualGroundingPolicyConfig = {
      filtersConfig: list(gp.filtersConfig).map((g) => ({
        type: g.type,
        threshold: g.threshold,
        action: g.action ?? 'BLOCK',
        enabled: g.enabled ?? true,
      })),
    };
  const cr = obj(input.crossRegionConfig);
  if (cr?.guardrailProfileIdentifier !== undefined) out.crossRegionConfig = { guardrailProfileIdentifier: cr.guardrailProfileIdentifier };
  if (typeof input.kmsKeyId === 'string') out.kmsKeyId = input.kmsKeyId;
  return out;
}

/**
 * The KMS key of a canonical config as the key id (or `alias/…`) when it is a key of `accountId` in `region`:
 * a file may give the id, the key ARN or an alias, and GetGuardrail answers the ARN the server builds from it, so
 * both sides are written this way to compare equal (and an exported file carries no account id). A key of another
 * account or Region keeps its ARN.
 */
export function localKmsKey(config: Json, region: string, accountId: string): Json {
  const key = config.kmsKeyId;
  const prefix = `arn:aws:kms:${region}:${accountId}:`;
  if (typeof key !== 'string' || !key.startsWith(prefix)) return config;
  const rest = key.slice(prefix.length);
  return { ...config, kmsKeyId: rest.startsWith('key/') ? rest.slice('key/'.length) : rest };
}

/** A GetGuardrail answer → the canonical config (the output member names mapped back to the input ones). */
export function configFromOutput(g: Json): Json {
  const input: Json = {
    blockedInputMessaging: g.blockedInputMessaging,
    blockedOutputsMessaging: g.blockedOutputsMessaging,
    ...(g.description ? { description: g.description } : {}),
  };
  const tp = obj(g.topicPolicy);
  if (tp) input.topicPolicyConfig = { topicsConfig: tp.topics, ...(obj(tp.tier) ? { tierConfig: tp.tier } : {}) };
  const cp = obj(g.contentPolicy);
  if (cp) input.contentPolicyConfig = { filtersConfig: cp.filters, ...(obj(cp.tier) ? { tierConfig: cp.tier } : {}) };
  const wp = obj(g.wordPolicy);
  if (wp) input.wordPolicyConfig = { wordsConfig: wp.words, managedWordListsConfig: wp.managedWordLists };
  const sp = obj(g.sensitiveInformationPolicy);
  if (sp) input.sensitiveInformationPolicyConfig = { piiEntitiesConfig: sp.piiEntities, regexesConfig: sp.regexes };
  const gp = obj(g.contextualGroundingPolicy);
  if (gp) input.contextualGroundingPolicyConfig = { filtersConfig: gp.filters };
  const cr = obj(g.crossRegionDetails);
  if (cr?.guardrailProfileId !== undefined) input.crossRegionConfig = { guardrailProfileIdentifier: cr.guardrailProfileId };
  if (typeof g.kmsKeyArn === 'string') input.kmsKeyId = g.kmsKeyArn;
  return canonicalConfig(input);
}

/** Which top-level members of two canonical configs differ (for the plan's "update guardrail (…)" line). */
export function changedMembers(before: Json, after: Json): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}

/**
 * The file form of a canonical config: the defaults dropped again, so an exported file reads like a hand-written
 * one (and canonicalConfig(compactConfig(c)) equals c).
 */
export function compactConfig(c: Json): Json {
  const strip = (item: Item, fallback: unknown): Item => {
    const out = { ...item };
    if (out.inputAction === fallback) delete out.inputAction;
    if (out.outputAction === fallback) delete out.outputAction;
    if (out.inputEnabled === true) delete out.inputEnabled;
    if (out.outputEnabled === true) delete out.outputEnabled;
    if (JSON.stringify(out.inputModalities) === '["TEXT"]') delete out.inputModalities;
    if (JSON.stringify(out.outputModalities) === '["TEXT"]') delete out.outputModalities;
    if (Array.isArray(out.examples) && out.examples.length === 0) delete out.examples;
    return out;
  };
  const out: Json = { ...c };
  const tp = obj(c.topicPolicyConfig);
  if (tp) out.topicPolicyConfig = { ...tp, topicsConfig: list(tp.topicsConfig).map((t) => strip(t, 'BLOCK')) };
  const cp = obj(c.contentPolicyConfig);
  if (cp) out.contentPolicyConfig = { ...cp, filtersConfig: list(cp.filtersConfig).map((f) => strip(f, 'BLOCK')) };
  const wp = obj(c.wordPolicyConfig);
  if (wp) {
    const words = list(wp.wordsConfig).map((w) => strip(w, 'BLOCK'));
    const lists = list(wp.managedWordListsConfig).map((l) => strip(l, 'BLOCK'));
    out.wordPolicyConfig = { ...(words.length ? { wordsConfig: words } : {}), ...(lists.length ? { managedWordListsConfig: lists } : {}) };
  }
  const sp = obj(c.sensitiveInformationPolicyConfig);
  if (sp) {
    const pii = list(sp.piiEntitiesConfig).map((p) => strip(p, p.action));
    const rx = list(sp.regexesConfig).map((r) => strip(r, r.action));
    out.sensitiveInformationPolicyConfig = { ...(pii.length ? { piiEntitiesConfig: pii } : {}), ...(rx.length ? { regexesConfig: rx } : {}) };
  }
  const gp = obj(c.contextualGroundingPolicyConfig);
  if (gp)
    out.contextualGroundingPolicyConfig = {
      filtersConfig: list(gp.filtersConfig).map((g) => {
        const f = { ...g };
        if (f.action === 'BLOCK') delete f.action;
        if (f.enabled === true) delete f.enabled;
        return f;
      }),
    };
  return out;
}
