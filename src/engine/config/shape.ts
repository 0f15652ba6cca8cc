/**
 * The CreateGuardrail / UpdateGuardrail input shapes from the Bedrock service model
 * (bedrock-2023-04-20), as data for `validateShape`.
 */
import {
  bool,
  double,
  enumOf,
  list,
  pattern,
  req,
  type Shape,
  str,
  struct,
} from '../../core/shapes.ts';
import {
  BLOCK_ACTIONS,
  CONTENT_FILTER_TYPES,
  FILTER_STRENGTHS,
  GROUNDING_FILTER_TYPES,
  MANAGED_WORD_LIST_TYPES,
  MODALITIES,
  PII_ENTITY_TYPES,
  SENSITIVE_ACTIONS,
  TIER_NAMES,
} from './types.ts';

export const LIMITS = {
  guardrailsPerAccountRegion: 100,
  versionsPerGuardrail: 20,
  topics: 30,
  examplesPerTopic: 5,
  words: 10_000,
  wordLength: 100,
  regexes: 10,
  regexLength: 500,
  blockedMessage: 500,
  tagsPerResource: 50,
} as const;

const blockToggles = {
  inputAction: enumOf(BLOCK_ACTIONS),
  outputAction: enumOf(BLOCK_ACTIONS),
  inputEnabled: bool,
  outputEnabled: bool,
};
const sensitiveToggles = {
  inputAction: enumOf(SENSITIVE_ACTIONS),
  outputAction: enumOf(SENSITIVE_ACTIONS),
  inputEnabled: bool,
  outputEnabled: bool,
};
const tierConfig = struct({ tierName: req(enumOf(TIER_NAMES)) });

export const GUARDRAIL_NAME = pattern('[0-9a-zA-Z-_]+', { min: 1, max: 50 });

export const guardrailPoliciesMembers = {
  topicPolicyConfig: struct({
    topicsConfig: req(
      list(
        struct({
          name: req(pattern('[0-9a-zA-Z-_ !?.]+', { min: 1, max: 100 })),
          definition: req(str({ min: 1, max: 200 })),
          examples: list(str({ min: 1, max: 100 }), 0, LIMITS.examplesPerTopic),
          type: req(enumOf(['DENY'])),
          ...blockToggles,
        }),
        1,
        LIMITS.topics,
      ),
    ),
    tierConfig,
  }),
  contentPolicyConfig: struct({
    filtersConfig: req(
      list(
        struct({
          type: req(enumOf(CONTENT_FILTER_TYPES)),
          inputStrength: req(enumOf(FILTER_STRENGTHS)),
          outputStrength: req(enumOf(FILTER_STRENGTHS)),
          inputModalities: list(enumOf(MODALITIES), 1, 2),
          outputModalities: list(enumOf(MODALITIES), 1, 2),
          ...blockToggles,
        }),
        1,
        6,
      ),
    ),
    tierConfig,
  }),
  wordPolicyConfig: struct({
    wordsConfig: list(struct({ text: req(str({ min: 1, max: LIMITS.wordLength })), ...blockToggles }), 1, LIMITS.words),
    managedWordListsConfig: list(struct({ type: req(enumOf(MANAGED_WORD_LIST_TYPES)), ...blockToggles })),
  }),
  sensitiveInformationPolicyConfig: struct({
    piiEntitiesConfig: list(
      struct({ type: req(enumOf(PII_ENTITY_TYPES)), action: req(enumOf(SENSITIVE_ACTIONS)), ...sensitiveToggles }),
      1,
    ),
    regexesConfig: list(
      struct({
        name: req(str({ min: 1, max: 100 })),
        description: str({ min: 1, max: 1000 }),
        pattern: req(str({ min: 1, max: LIMITS.regexLength })),
        action: req(enumOf(SENSITIVE_ACTIONS)),
        ...sensitiveToggles,
      }),
      1,
      LIMITS.regexes,
    ),
  }),
  contextualGroundingPolicyConfig: struct({
    filtersConfig: req(
      list(
        struct({
          type: req(enumOf(GROUNDING_FILTER_TYPES)),
          threshold: req(double(0, 0.99)),
          action: enumOf(BLOCK_ACTIONS),
          enabled: bool,
        }),
        1,
      ),
    ),
  }),
  automatedReasoningPolicyConfig: struct({
    policies: req(list(str({ min: 1, max: 2048 }), 1, 2)),
    confidenceThreshold: double(0, 1),
  }),
  crossRegionConfig: struct({
    guardrailProfileIdentifier: req(
      pattern(
        '[a-z0-9-]+[.]guardrail[.]v[0-9:]+|arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail-profile/[a-z0-9-]+[.]guardrail[.]v[0-9:]+',
        { min: 15, max: 2048 },
      ),
    ),
  }),
  blockedInputMessaging: req(str({ min: 1, max: LIMITS.blockedMessage })),
  blockedOutputsMessaging: req(str({ min: 1, max: LIMITS.blockedMessage })),
  kmsKeyId: pattern(
    'arn:aws(-[^:]+)?:kms:[a-z0-9-]{1,20}:[0-9]{12}:(key/[a-zA-Z0-9-]{1,128}|alias/[a-zA-Z0-9/_-]{1,256})|[a-zA-Z0-9-]{36}|alias/[a-zA-Z0-9/_-]{1,256}',
    { min: 1, max: 2048 },
  ),
  description: str({ min: 1, max: 200 }),
  name: req(GUARDRAIL_NAME),
};

/** The guardrail configuration part of a Create/Update request. */
export const guardrailConfigShape: Shape = struct(guardrailPoliciesMembers);
