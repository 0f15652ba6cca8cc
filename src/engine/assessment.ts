/**
 * The assessment shapes of the bedrock-runtime model (`GuardrailAssessment` and friends), produced by
 * the engine exactly as they go on the wire. Note the enum casing: config says BLOCK/ANONYMIZE,
 * assessments say BLOCKED/ANONYMIZED.
 */
import type {
  Confidence,
  ContentFilterType,
  FilterStrength,
  GroundingFilterType,
  PiiEntityType,
} from './config/types.ts';

export type AssessedAction = 'BLOCKED' | 'NONE';
export type SensitiveAssessedAction = 'BLOCKED' | 'ANONYMIZED' | 'NONE';

export interface TopicAssessment {
  name: string;
  type: 'DENY';
  action: AssessedAction;
  detected: boolean;
}

export interface ContentFilterAssessment {
  type: ContentFilterType;
  confidence: Confidence;
  filterStrength: FilterStrength;
  action: AssessedAction;
  detected: boolean;
}

export interface CustomWordAssessment {
  match: string;
  action: AssessedAction;
  detected: boolean;
}

export interface ManagedWordAssessment {
  match: string;
  type: 'PROFANITY';
  action: AssessedAction;
  detected: boolean;
}

export interface PiiEntityAssessment {
  match: string;
  type: PiiEntityType;
  action: SensitiveAssessedAction;
  detected: boolean;
}

export interface RegexAssessment {
  name: string;
  match: string;
  regex: string;
  action: SensitiveAssessedAction;
  detected: boolean;
}

export interface GroundingFilterAssessment {
  type: GroundingFilterType;
  threshold: number;
  score: number;
  action: AssessedAction;
  detected: boolean;
}

export interface GuardrailUsage {
  topicPolicyUnits: number;
  contentPolicyUnits: number;
  wordPolicyUnits: number;
  sensitiveInformationPolicyUnits: number;
  sensitiveInformationPolicyFreeUnits: number;
  contextualGroundingPolicyUnits: number;
  contentPolicyImageUnits?: number;
}

export interface GuardrailCoverage {
  textCharacters: { guarded: number; total: number };
}

export interface InvocationMetrics {
  guardrailProcessingLatency: number;
  usage: GuardrailUsage;
  guardrailCoverage: GuardrailCoverage;
}

export type GuardrailOrigin = 'REQUEST' | 'ACCOUNT_ENFORCED' | 'ORGANIZATION_ENFORCED';

export interface AppliedGuardrailDetails {
  guardrailId: string;
  guardrailVersion: string;
  guardrailArn: string;
  guardrailOrigin: GuardrailOrigin[];
  guardrailOwnership: 'SELF' | 'CROSS_ACCOUNT';
}

export interface GuardrailAssessment {
  topicPolicy?: { topics: TopicAssessment[] };
  contentPolicy?: { filters: ContentFilterAssessment[] };
  wordPolicy?: { customWords: CustomWordAssessment[]; managedWordLists: ManagedWordAssessment[] };
  sensitiveInformationPolicy?: { piiEntities: PiiEntityAssessment[]; regexes: RegexAssessment[] };
  contextualGroundingPolicy?: { filters: GroundingFilterAssessment[] };
  invocationMetrics?: InvocationMetrics;
  appliedGuardrailDetails?: AppliedGuardrailDetails;
}

export function emptyUsage(): GuardrailUsage {
  return {
    topicPolicyUnits: 0,
    contentPolicyUnits: 0,
    wordPolicyUnits: 0,
    sensitiveInformationPolicyUnits: 0,
    sensitiveInformationPolicyFreeUnits: 0,
    contextualGroundingPolicyUnits: 0,
  };
}
