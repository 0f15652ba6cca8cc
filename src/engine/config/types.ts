/**
 * Guardrail configuration in the CreateGuardrail / UpdateGuardrail *input* form
 * (`…Config` member names), exactly as the Bedrock control plane accepts it.
 * This is what the store keeps for the DRAFT and for each immutable version.
 */

export const CONTENT_FILTER_TYPES = ['SEXUAL', 'VIOLENCE', 'HATE', 'INSULTS', 'MISCONDUCT', 'PROMPT_ATTACK'] as const;
export type ContentFilterType = (typeof CONTENT_FILTER_TYPES)[number];

export const FILTER_STRENGTHS = ['NONE', 'LOW', 'MEDIUM', 'HIGH'] as const;
export type FilterStrength = (typeof FILTER_STRENGTHS)[number];
/** Confidence buckets use the same four values as strengths. */
export type Confidence = FilterStrength;

export const MODALITIES = ['TEXT', 'IMAGE'] as const;
export type Modality = (typeof MODALITIES)[number];

export const TIER_NAMES = ['CLASSIC', 'STANDARD'] as const;
export type TierName = (typeof TIER_NAMES)[number];

export const BLOCK_ACTIONS = ['BLOCK', 'NONE'] as const;
export type BlockAction = (typeof BLOCK_ACTIONS)[number];

export const SENSITIVE_ACTIONS = ['BLOCK', 'ANONYMIZE', 'NONE'] as const;
export type SensitiveAction = (typeof SENSITIVE_ACTIONS)[number];

export const PII_ENTITY_TYPES = [
  'ADDRESS',
  'AGE',
  'AWS_ACCESS_KEY',
  'AWS_SECRET_KEY',
  'CA_HEALTH_NUMBER',
  'CA_SOCIAL_INSURANCE_NUMBER',
  'CREDIT_DEBIT_CARD_CVV',
  'CREDIT_DEBIT_CARD_EXPIRY',
  'CREDIT_DEBIT_CARD_NUMBER',
  'DRIVER_ID',
  'EMAIL',
  'INTERNATIONAL_BANK_ACCOUNT_NUMBER',
  'IP_ADDRESS',
  'LICENSE_PLATE',
  'MAC_ADDRESS',
  'NAME',
  'PASSWORD',
  'PHONE',
  'PIN',
  'SWIFT_CODE',
  'UK_NATIONAL_HEALTH_SERVICE_NUMBER',
  'UK_NATIONAL_INSURANCE_NUMBER',
  'UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER',
  'URL',
  'USERNAME',
  'US_BANK_ACCOUNT_NUMBER',
  'US_BANK_ROUTING_NUMBER',
  'US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER',
  'US_PASSPORT_NUMBER',
  'US_SOCIAL_SECURITY_NUMBER',
  'VEHICLE_IDENTIFICATION_NUMBER',
] as const;
export type PiiEntityType = (typeof PII_ENTITY_TYPES)[number];

export const GROUNDING_FILTER_TYPES = ['GROUNDING', 'RELEVANCE'] as const;
export type GroundingFilterType = (typeof GROUNDING_FILTER_TYPES)[number];

export const MANAGED_WORD_LIST_TYPES = ['PROFANITY'] as const;
export type ManagedWordListType = (typeof MANAGED_WORD_LIST_TYPES)[number];

/** Per-filter toggles shared by topics, content filters, words, PII and regexes. */
export interface SideToggles<A extends string> {
  inputAction?: A;
  outputAction?: A;
  inputEnabled?: boolean;
  outputEnabled?: boolean;
}

export interface ContentFilterConfig extends SideToggles<BlockAction> {
  type: ContentFilterType;
  inputStrength: FilterStrength;
  outputStrength: FilterStrength;
  inputModalities?: Modality[];
  outputModalities?: Modality[];
}

export interface TopicConfig extends SideToggles<BlockAction> {
  name: string;
  definition: string;
  examples?: string[];
  type: 'DENY';
}

export interface WordConfig extends SideToggles<BlockAction> {
  text: string;
}

export interface ManagedWordListConfig extends SideToggles<BlockAction> {
  type: ManagedWordListType;
}

export interface PiiEntityConfig extends SideToggles<SensitiveAction> {
  type: PiiEntityType;
  action: SensitiveAction;
}

export interface RegexConfig extends SideToggles<SensitiveAction> {
  name: string;
  description?: string;
  pattern: string;
  action: SensitiveAction;
}

export interface GroundingFilterConfig {
  type: GroundingFilterType;
  threshold: number;
  action?: BlockAction;
  enabled?: boolean;
}

export interface TierConfig {
  tierName: TierName;
}

export interface GuardrailPolicies {
  topicPolicyConfig?: { topicsConfig: TopicConfig[]; tierConfig?: TierConfig };
  contentPolicyConfig?: { filtersConfig: ContentFilterConfig[]; tierConfig?: TierConfig };
  wordPolicyConfig?: { wordsConfig?: WordConfig[]; managedWordListsConfig?: ManagedWordListConfig[] };
  sensitiveInformationPolicyConfig?: { piiEntitiesConfig?: PiiEntityConfig[]; regexesConfig?: RegexConfig[] };
  contextualGroundingPolicyConfig?: { filtersConfig: GroundingFilterConfig[] };
  automatedReasoningPolicyConfig?: { policies: string[]; confidenceThreshold?: number };
  crossRegionConfig?: { guardrailProfileIdentifier: string };
}

/** The full mutable configuration of a guardrail (DRAFT) or the snapshot of a version. */
export interface GuardrailConfig extends GuardrailPolicies {
  name: string;
  description?: string;
  blockedInputMessaging: string;
  blockedOutputsMessaging: string;
  kmsKeyId?: string;
}

export type Source = 'INPUT' | 'OUTPUT';
