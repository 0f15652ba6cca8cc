/**
 * compile(config) → CompiledGuardrail: done once per guardrail version. Every configuration error
 * surfaces here (so CreateGuardrail/UpdateGuardrail refuse it), never at apply time. The result is
 * frozen and shared by every request that applies the version.
 */
import { validation } from '../core/errors.ts';
import type {
  BlockAction,
  ContentFilterType,
  FilterStrength,
  GroundingFilterType,
  GuardrailConfig,
  PiiEntityType,
  SensitiveAction,
  SideToggles,
  Source,
} from './config/types.ts';
import { type ModelClassifier, shippedClassifier } from './classifier/index.ts';
import { type PiiScanner, sharedPiiScanner } from './pii/index.ts';
import { sharedPart } from './shared.ts';
import { regexCostProblem } from './regex/cost.ts';
import { compileSafeRegex, RegexSyntaxError, type SafeRegex } from './regex/safe-regex.ts';
import { compileTopics, type TopicMatcher } from './topics/index.ts';
import { compileWords, type WordMatcher } from './words/index.ts';

export interface CompiledContentFilter {
  type: ContentFilterType;
  strength: FilterStrength;
  action: BlockAction;
}

export interface CompiledTopics {
  matcher: TopicMatcher;
  /** Topic names in the matcher's order. */
  names: string[];
  actions: BlockAction[];
}

export interface CompiledWords {
  matcher: WordMatcher;
  /** Action of each custom word the matcher knows, by the matcher's index. */
  customActions: BlockAction[];
  profanityAction: BlockAction;
}

export interface CompiledPii {
  scanner: PiiScanner;
  actions: ReadonlyMap<PiiEntityType, SensitiveAction>;
}

export interface CompiledRegex {
  name: string;
  pattern: string;
  regex: SafeRegex;
  action: SensitiveAction;
}

export interface CompiledGrounding {
  type: GroundingFilterType;
  threshold: number;
  action: BlockAction;
}

/** Everything that runs for one source (INPUT or OUTPUT), with that side's actions resolved. */
export interface CompiledSide {
  readonly source: Source;
  readonly blockedMessage: string;
  readonly contentFilters: readonly CompiledContentFilter[];
  readonly topics?: CompiledTopics;
  readonly words?: CompiledWords;
  readonly pii?: CompiledPii;
  readonly regexes: readonly CompiledRegex[];
  readonly grounding: readonly CompiledGrounding[];
  /** The trained classifier behind the content and prompt-attack filters (the shipped one unless injected). */
  readonly classifier: ModelClassifier;
}

export interface CompiledGuardrail {
  readonly config: Readonly<GuardrailConfig>;
  readonly input: CompiledSide;
  readonly output: CompiledSide;
}

function enabledOn(t: SideToggles<string>, source: Source): boolean {
  return (source === 'INPUT' ? t.inputEnabled : t.outputEnabled) ?? true;
}

function actionOn<A extends string>(t: SideToggles<A>, source: Source, fallback: A): A {
  return (source === 'INPUT' ? t.inputAction : t.outputAction) ?? fallback;
}

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) dup.add(v);
    seen.add(v);
  }
  return [...dup];
}

/**
 * Semantic checks the shape validator cannot express. Throws ValidationException. Returns the
 * customer regexes compiled once, by pattern, for both sides to share.
 */
export function checkGuardrailConfig(config: GuardrailConfig): ReadonlyMap<string, SafeRegex> {
  const compiledRegexes = new Map<string, SafeRegex>();
  const problems: string[] = [];
  const filters = config.contentPolicyConfig?.filtersConfig ?? [];
  const dupFilters = duplicates(filters.map((f) => f.type));
  if (dupFilters.length) problems.push(`content filter types must be unique; repeated: ${dupFilters.join(', ')}`);
  for (const f of filters) {
    if (f.type === 'PROMPT_ATTACK' && f.outputStrength !== 'NONE')
      problems.push('the PROMPT_ATTACK content filter applies to input only: set its outputStrength to NONE');
    if (f.inputModalities?.includes('IMAGE') || f.outputModalities?.includes('IMAGE'))
      problems.push(`content filter ${f.type}: the IMAGE modality is not supported by Parapet; use TEXT`);
  }
  const topics = config.topicPolicyConfig?.topicsConfig ?? [];
  const dupTopics = duplicates(topics.map((t) => t.name.toLowerCase()));
  if (dupTopics.length) problems.push(`topic names must be unique; repeated: ${dupTopics.join(', ')}`);
  const lists = config.wordPolicyConfig?.managedWordListsConfig ?? [];
  if (duplicates(lists.map((l) => l.type)).length) problems.push('managed word list types must be unique');
  const pii = config.sensitiveInformationPolicyConfig?.piiEntitiesConfig ?? [];
  const dupPii = duplicates(pii.map((p) => p.type));
  if (dupPii.length) problems.push(`PII entity types must be unique; repeated: ${dupPii.join(', ')}`);
  const regexes = config.sensitiveInformationPolicyConfig?.regexesConfig ?? [];
  const dupRegex = duplicates(regexes.map((r) => r.name));
  if (dupRegex.length) problems.push(`regex names must be unique; repeated: ${dupRegex.join(', ')}`);
  for (const r of regexes) {
    try {
      compiledRegexes.set(r.pattern, compiledRegexes.get(r.pattern) ?? compileSafeRegex(r.pattern));
      const cost = regexCostProblem(r.pattern);
      if (cost) problems.push(`regex '${r.name}' is too expensive: ${cost}`);
    } catch (e) {
      if (!(e instanceof RegexSyntaxError)) throw e;
      problems.push(
        `regex '${r.name}' cannot be used: ${e.message}. Patterns run on a linear-time (RE2) engine, ` +
          'which does not support back-references or look-around',
      );
    }
  }
  const grounding = config.contextualGroundingPolicyConfig?.filtersConfig ?? [];
  if (duplicates(grounding.map((g) => g.type)).length)
    problems.push('contextual grounding filter types must be unique');
  const usesStandardTier =
    config.contentPolicyConfig?.tierConfig?.tierName === 'STANDARD' ||
    config.topicPolicyConfig?.tierConfig?.tierName === 'STANDARD';
  if (usesStandardTier && !config.crossRegionConfig)
    problems.push('the STANDARD tier requires crossRegionConfig with a guardrail profile');
  if (config.automatedReasoningPolicyConfig)
    problems.push('automated reasoning policies are not supported by Parapet; remove automatedReasoningPolicyConfig');
  if (problems.length) throw validation(`Invalid guardrail configuration: ${problems.join('; ')}`);
  return compiledRegexes;
}

function compileSide(
  config: GuardrailConfig,
  source: Source,
  compiledRegexes: ReadonlyMap<string, SafeRegex>,
  classifier: ModelClassifier,
): CompiledSide {
  const contentFilters: CompiledContentFilter[] = [];
  for (const f of config.contentPolicyConfig?.filtersConfig ?? []) {
    const strength = source === 'INPUT' ? f.inputStrength : f.outputStrength;
    if (!enabledOn(f, source) || strength === 'NONE') continue;
    contentFilters.push({ type: f.type, strength, action: actionOn(f, source, 'BLOCK') });
  }

  const topicConfigs = (config.topicPolicyConfig?.topicsConfig ?? []).filter((t) => enabledOn(t, source));
  const topics: CompiledTopics | undefined = topicConfigs.length
    ? {
        matcher: sharedTopics(topicConfigs.map((t) => ({ name: t.name, definition: t.definition, examples: t.examples ?? [] }))),
        names: topicConfigs.map((t) => t.name),
        actions: topicConfigs.map((t) => actionOn(t, source, 'BLOCK')),
      }
    : undefined;

  const wordConfigs = (config.wordPolicyConfig?.wordsConfig ?? []).filter((w) => enabledOn(w, source));
  const profanity = (config.wordPolicyConfig?.managedWordListsConfig ?? []).find(
    (l) => l.type === 'PROFANITY' && enabledOn(l, source),
  );
  const words: CompiledWords | undefined =
    wordConfigs.length || profanity
      ? {
          matcher: sharedWords({ custom: wordConfigs.map((w) => w.text), profanity: profanity !== undefined }),
          customActions: wordConfigs.map((w) => actionOn(w, source, 'BLOCK')),
          profanityAction: profanity ? actionOn(profanity, source, 'BLOCK') : 'NONE',
        }
      : undefined;

  const piiConfigs = (config.sensitiveInformationPolicyConfig?.piiEntitiesConfig ?? []).filter((p) =>
    enabledOn(p, source),
  );
  const pii: CompiledPii | undefined = piiConfigs.length
    ? {
        scanner: sharedPiiScanner(piiConfigs.map((p) => p.type)),
        actions: new Map(piiConfigs.map((p) => [p.type, actionOn(p, source, p.action)])),
      }
    : undefined;

  const regexes: CompiledRegex[] = (config.sensitiveInformationPolicyConfig?.regexesConfig ?? [])
    .filter((r) => enabledOn(r, source))
    .map((r) => ({
      name: r.name,
      pattern: r.pattern,
      regex: compiledRegexes.get(r.pattern) ?? compileSafeRegex(r.pattern),
      action: actionOn(r, source, r.action),
    }));

  const grounding: CompiledGrounding[] = (config.contextualGroundingPolicyConfig?.filtersConfig ?? [])
    .filter((g) => g.enabled ?? true)
    .map((g) => ({ type: g.type, threshold: g.threshold, action: g.action ?? 'BLOCK' }));

  return Object.freeze({
    source,
    blockedMessage: source === 'INPUT' ? config.blockedInputMessaging : config.blockedOutputsMessaging,
    contentFilters: Object.freeze(contentFilters),
    topics,
    words,
    pii,
    regexes: Object.freeze(regexes),
    grounding: Object.freeze(grounding),
    classifier,
  });
}

/** Topics and words matchers are pure: equal configurations share one (both sides, every version; shared.ts). */
function sharedTopics(topics: Parameters<typeof compileTopics>[0]): ReturnType<typeof compileTopics> {
  return sharedPart('topics', JSON.stringify(topics), () => compileTopics(topics));
}

function sharedWords(words: Parameters<typeof compileWords>[0]): ReturnType<typeof compileWords> {
  return sharedPart('words', JSON.stringify(words), () => compileWords(words));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export interface CompileOptions {
  /** A classifier other than the shipped one (cross-validation in `npm run eval` injects per-fold models). */
  readonly classifier?: ModelClassifier;
}

/** Validate and compile a guardrail configuration. Throws ValidationException on a bad config. */
export function compile(config: GuardrailConfig, options: CompileOptions = {}): CompiledGuardrail {
  const regexes = checkGuardrailConfig(config);
  const frozen = deepFreeze(structuredClone(config));
  const classifier = options.classifier ?? shippedClassifier();
  return Object.freeze({
    config: frozen,
    input: compileSide(frozen, 'INPUT', regexes, classifier),
    output: compileSide(frozen, 'OUTPUT', regexes, classifier),
  });
}
