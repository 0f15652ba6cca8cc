/**
 * Building a CreateGuardrail/UpdateGuardrail body from CLI flags, and turning a GetGuardrail response
 * back into the input form (so `update` can change one policy of the current DRAFT).
 */

export interface GuardrailFlags {
  config?: string;
  name?: string;
  description?: string;
  blockedInput?: string;
  blockedOutput?: string;
  filter?: string[];
  topic?: string[];
  word?: string[];
  profanity?: boolean;
  pii?: string[];
  regex?: string[];
  grounding?: string;
  relevance?: string;
}

type Json = Record<string, unknown>;

export class FlagError extends Error {}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + sep.length)];
}

/**
 * Apply flags on top of `base` (a CreateGuardrail-shaped object). A flag replaces the list it names
 * (`--word` the custom words, `--pii` the PII entities, `--filter` the content filters, `--topic` the
 * topics) and keeps the rest of that policy (the managed lists, the regexes, the other grounding filter).
 */
export function applyGuardrailFlags(base: Json, f: GuardrailFlags): Json {
  const out: Json = { ...base };
  if (f.name) out.name = f.name;
  if (f.description) out.description = f.description;
  if (f.blockedInput) out.blockedInputMessaging = f.blockedInput;
  if (f.blockedOutput) out.blockedOutputsMessaging = f.blockedOutput;
  out.blockedInputMessaging ??= 'Sorry, this request was blocked by your organization’s AI safety policy.';
  out.blockedOutputsMessaging ??= 'Sorry, the response was blocked by your organization’s AI safety policy.';

  if (f.filter?.length) {
    out.contentPolicyConfig = {
      filtersConfig: f.filter.map((spec) => {
        // TYPE[:INPUT_STRENGTH[:OUTPUT_STRENGTH]]
        const [type, inS = 'HIGH', outS] = spec.toUpperCase().split(':');
        const outputStrength = outS ?? (type === 'PROMPT_ATTACK' ? 'NONE' : inS);
        return { type, inputStrength: inS, outputStrength };
      }),
    };
  }
  if (f.topic?.length) {
    out.topicPolicyConfig = {
      topicsConfig: f.topic.map((spec) => {
        // "Name: definition | example 1 | example 2"
        const [name, rest] = splitOnce(spec, ':');
        if (!rest) throw new FlagError(`--topic expects "Name: definition | example…", got '${spec}'`);
        const [definition, ...examples] = rest.split('|').map((s) => s.trim());
        return { name: name.trim(), definition, examples: examples.filter(Boolean), type: 'DENY' };
      }),
    };
  }
  if (f.word?.length || f.profanity) {
    const words = (f.word ?? []).flatMap((w) => w.split(',')).map((w) => w.trim()).filter(Boolean);
    out.wordPolicyConfig = {
      ...((base.wordPolicyConfig as Json | undefined) ?? {}),
      ...(words.length ? { wordsConfig: words.map((text) => ({ text })) } : {}),
      ...(f.profanity ? { managedWordListsConfig: [{ type: 'PROFANITY' }] } : {}),
    };
  }
  const sensitive: Json = {};
  if (f.pii?.length) {
    sensitive.piiEntitiesConfig = f.pii
      .flatMap((p) => p.split(','))
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => {
        const [type, action = 'ANONYMIZE'] = p.toUpperCase().split(':');
        return { type, action };
      });
  }
  if (f.regex?.length) {
    sensitive.regexesConfig = f.regex.map((spec) => {
      // name=PATTERN[@ACTION]
      const [name, rest] = splitOnce(spec, '=');
      if (!rest) throw new FlagError(`--regex expects "name=pattern[@ACTION]", got '${spec}'`);
      const at = rest.lastIndexOf('@');
      const action = at > 0 && /^(BLOCK|ANONYMIZE|NONE)$/i.test(rest.slice(at + 1)) ? rest.slice(at + 1).toUpperCase() : undefined;
      return { name, pattern: action ? rest.slice(0, at) : rest, action: action ?? 'ANONYMIZE' };
    });
  }
  if (Object.keys(sensitive).length)
    out.sensitiveInformationPolicyConfig = {
      ...((base.sensitiveInformationPolicyConfig as Json | undefined) ?? {}),
      ...sensitive,
    };
  const grounding: Json[] = [];
  if (f.grounding) grounding.push({ type: 'GROUNDING', threshold: Number(f.grounding) });
  if (f.relevance) grounding.push({ type: 'RELEVANCE', threshold: Number(f.relevance) });
  if (grounding.length) {
    const kept = ((base.contextualGroundingPolicyConfig as { filtersConfig?: Json[] } | undefined)?.filtersConfig ?? [])
      .filter((g) => !grounding.some((n) => n.type === g.type));
    out.contextualGroundingPolicyConfig = { filtersConfig: [...kept, ...grounding] };
  }
  return out;
}

/** GetGuardrail output → CreateGuardrail/UpdateGuardrail input. */
export function outputToInput(g: Json): Json {
  const out: Json = {
    name: g.name,
    blockedInputMessaging: g.blockedInputMessaging,
    blockedOutputsMessaging: g.blockedOutputsMessaging,
  };
  if (g.description) out.description = g.description;
  const tp = g.topicPolicy as { topics?: Json[]; tier?: Json } | undefined;
  if (tp?.topics?.length) out.topicPolicyConfig = { topicsConfig: tp.topics, ...(tp.tier ? { tierConfig: tp.tier } : {}) };
  const cp = g.contentPolicy as { filters?: Json[]; tier?: Json } | undefined;
  if (cp?.filters?.length)
    out.contentPolicyConfig = { filtersConfig: cp.filters, ...(cp.tier ? { tierConfig: cp.tier } : {}) };
  const wp = g.wordPolicy as { words?: Json[]; managedWordLists?: Json[] } | undefined;
  if (wp && (wp.words?.length || wp.managedWordLists?.length))
    out.wordPolicyConfig = {
      ...(wp.words?.length ? { wordsConfig: wp.words } : {}),
      ...(wp.managedWordLists?.length ? { managedWordListsConfig: wp.managedWordLists } : {}),
    };
  const sp = g.sensitiveInformationPolicy as { piiEntities?: Json[]; regexes?: Json[] } | undefined;
  if (sp && (sp.piiEntities?.length || sp.regexes?.length))
    out.sensitiveInformationPolicyConfig = {
      ...(sp.piiEntities?.length ? { piiEntitiesConfig: sp.piiEntities } : {}),
      ...(sp.regexes?.length ? { regexesConfig: sp.regexes } : {}),
    };
  const gp = g.contextualGroundingPolicy as { filters?: Json[] } | undefined;
  if (gp?.filters?.length) out.contextualGroundingPolicyConfig = { filtersConfig: gp.filters };
  const cr = g.crossRegionDetails as { guardrailProfileId?: string } | undefined;
  if (cr?.guardrailProfileId) out.crossRegionConfig = { guardrailProfileIdentifier: cr.guardrailProfileId };
  if (g.kmsKeyArn) out.kmsKeyId = g.kmsKeyArn;
  return out;
}
