/**
 * Organization enforcement (pure: no I/O, no clock): BEDROCK_POLICY documents and their inheritance,
 * model scoping, and the decision of which guardrails apply to a model call.
 */
export type {
  BedrockPolicyDoc, EffectiveBedrockPolicy, EffectiveGuardrailConfig, EffectivePolicyInput, EffectivePolicyLevelInput,
  GuardingMode, InputTagsMode, ParseOptions, PolicyIdentifier, VersionedGuardrailArn,
} from './bedrock-policy.ts';
export {
  MAX_BEDROCK_POLICY_CHARS, effectiveBedrockPolicy, parseBedrockPolicy, parseVersionedGuardrailArn,
} from './bedrock-policy.ts';
export type { KnownModel } from '../core/models.ts';
export {
  ALL_MODELS, EXCLUDED_MODEL_ID_RE, INCLUDED_MODEL_ID_RE, INFERENCE_PROFILE_PREFIXES, KNOWN_MODELS,
  isEmbeddingModel, isKnownModelId, isOpaqueModelArn, modelIdProblem, modelMatches, normalizeModelId,
} from '../core/models.ts';
export type {
  AccountEnforcedConfig, AppliedGuardrail, GuardrailOrigin, GuardrailOwnership, RequestGuardrail, Resolution, ResolveInput,
  SkippedGuardrail,
} from './resolve.ts';
export { resolveGuardrails } from './resolve.ts';
export type { PolicyNode, PolicyObject, PolicySetting, PolicySource, SettingValue, ValueOperator } from './policy-syntax.ts';
