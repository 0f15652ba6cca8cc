/**
 * Typed calls to the guardrail operations of the `bedrock` control plane and to ApplyGuardrail, with the
 * request (`…Config`) and response (GetGuardrail output) shapes the gateway uses.
 */
import { call, seg } from '../../api/client.ts';

export const CONTENT_FILTER_TYPES = ['HATE', 'INSULTS', 'SEXUAL', 'VIOLENCE', 'MISCONDUCT', 'PROMPT_ATTACK'] as const;
export type ContentFilterType = (typeof CONTENT_FILTER_TYPES)[number];
export const STRENGTHS = ['NONE', 'LOW', 'MEDIUM', 'HIGH'] as const;
export type Strength = (typeof STRENGTHS)[number];
export type BlockAction = 'BLOCK' | 'NONE';
export type SensitiveAction = 'BLOCK' | 'ANONYMIZE' | 'NONE';
export type TierName = 'CLASSIC' | 'STANDARD';
export const GROUNDING_TYPES = ['GROUNDING', 'RELEVANCE'] as const;
export type GroundingType = (typeof GROUNDING_TYPES)[number];

/** The 31 PII entity types, in the groups the Bedrock documentation uses. */
export const PII_GROUPS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['General', ['ADDRESS', 'AGE', 'NAME', 'EMAIL', 'PHONE', 'USERNAME', 'PASSWORD', 'DRIVER_ID', 'LICENSE_PLATE', 'VEHICLE_IDENTIFICATION_NUMBER']],
  ['Finance', ['CREDIT_DEBIT_CARD_CVV', 'CREDIT_DEBIT_CARD_EXPIRY', 'CREDIT_DEBIT_CARD_NUMBER', 'PIN', 'INTERNATIONAL_BANK_ACCOUNT_NUMBER', 'SWIFT_CODE']],
  ['IT', ['IP_ADDRESS', 'MAC_ADDRESS', 'URL', 'AWS_ACCESS_KEY', 'AWS_SECRET_KEY']],
  ['USA', ['US_BANK_ACCOUNT_NUMBER', 'US_BANK_ROUTING_NUMBER', 'US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER', 'US_PASSPORT_NUMBER', 'US_SOCIAL_SECURITY_NUMBER']],
  ['Canada', ['CA_HEALTH_NUMBER', 'CA_SOCIAL_INSURANCE_NUMBER']],
  ['UK', ['UK_NATIONAL_HEALTH_SERVICE_NUMBER', 'UK_NATIONAL_INSURANCE_NUMBER', 'UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER']],
];
export const PII_TYPES: readonly string[] = PII_GROUPS.flatMap(([, types]) => types);

/** The limits the API applies (the Bedrock service model and quotas). */
export const LIMITS = {
  name: 50,
  description: 200,
  blockedMessage: 500,
  topics: 30,
  topicName: 100,
  topicDefinition: 200,
  examples: 5,
  example: 100,
  words: 10_000,
  word: 100,
  regexes: 10,
  regexName: 100,
  regexPattern: 500,
  regexDescription: 1000,
  versionDescription: 200,
  groundingMax: 0.99,
} as const;

export interface Toggles<A extends string> {
  inputAction?: A;
  outputAction?: A;
  inputEnabled?: boolean;
  outputEnabled?: boolean;
}

/** CreateGuardrail / UpdateGuardrail request body. */
export interface GuardrailConfigInput {
  name: string;
  description?: string;
  blockedInputMessaging: string;
  blockedOutputsMessaging: string;
  kmsKeyId?: string;
  crossRegionConfig?: { guardrailProfileIdentifier: string };
  contentPolicyConfig?: {
    filtersConfig: Array<{ type: ContentFilterType; inputStrength: Strength; outputStrength: Strength } & Toggles<BlockAction>>;
    tierConfig?: { tierName: TierName };
  };
  topicPolicyConfig?: {
    topicsConfig: Array<{ name: string; definition: string; examples?: string[]; type: 'DENY' } & Toggles<BlockAction>>;
    tierConfig?: { tierName: TierName };
  };
  wordPolicyConfig?: {
    wordsConfig?: Array<{ text: string } & Toggles<BlockAction>>;
    managedWordListsConfig?: Array<{ type: 'PROFANITY' } & Toggles<BlockAction>>;
  };
  sensitiveInformationPolicyConfig?: {
    piiEntitiesConfig?: Array<{ type: string; action: SensitiveAction } & Toggles<SensitiveAction>>;
    regexesConfig?: Array<{ name: string; description?: string; pattern: string; action: SensitiveAction } & Toggles<SensitiveAction>>;
  };
  contextualGroundingPolicyConfig?: {
    filtersConfig: Array<{ type: GroundingType; threshold: number; action?: BlockAction; enabled?: boolean }>;
  };
}

type Full<A extends string> = Required<Toggles<A>>;

/** GetGuardrail response (the output names: `contentPolicy.filters`, `kmsKeyArn`, …). */
export interface Guardrail {
  name: string;
  guardrailId: string;
  guardrailArn: string;
  version: string;
  status: string;
  description?: string;
  createdAt: string;
  updatedAt: string;
  blockedInputMessaging: string;
  blockedOutputsMessaging: string;
  kmsKeyArn?: string;
  crossRegionDetails?: { guardrailProfileId: string; guardrailProfileArn: string };
  contentPolicy?: {
    filters: Array<{ type: ContentFilterType; inputStrength: Strength; outputStrength: Strength; inputModalities?: string[]; outputModalities?: string[] } & Full<BlockAction>>;
    tier?: { tierName: TierName };
  };
  topicPolicy?: {
    topics: Array<{ name: string; definition: string; examples: string[]; type: 'DENY' } & Full<BlockAction>>;
    tier?: { tierName: TierName };
  };
  wordPolicy?: {
    words: Array<{ text: string } & Full<BlockAction>>;
    managedWordLists: Array<{ type: 'PROFANITY' } & Full<BlockAction>>;
  };
  sensitiveInformationPolicy?: {
    piiEntities: Array<{ type: string; action: SensitiveAction } & Full<SensitiveAction>>;
    regexes: Array<{ name: string; description?: string; pattern: string; action: SensitiveAction } & Full<SensitiveAction>>;
  };
  contextualGroundingPolicy?: {
    filters: Array<{ type: GroundingType; threshold: number; action: BlockAction; enabled: boolean }>;
  };
}

export interface GuardrailSummary {
  id: string;
  arn: string;
  status: string;
  name: string;
  description?: string;
  version: string;
  createdAt: string;
  updatedAt: string;
}

export interface ListResult {
  guardrails: GuardrailSummary[];
  nextToken?: string;
}

export type AssessedAction = 'BLOCKED' | 'ANONYMIZED' | 'NONE';

export interface Assessment {
  topicPolicy?: { topics: Array<{ name: string; type: string; action: AssessedAction; detected?: boolean }> };
  contentPolicy?: { filters: Array<{ type: string; confidence: string; filterStrength?: string; action: AssessedAction; detected?: boolean }> };
  wordPolicy?: {
    customWords: Array<{ match: string; action: AssessedAction; detected?: boolean }>;
    managedWordLists: Array<{ match: string; type: string; action: AssessedAction; detected?: boolean }>;
  };
  sensitiveInformationPolicy?: {
    piiEntities: Array<{ match: string; type: string; action: AssessedAction; detected?: boolean }>;
    regexes: Array<{ name?: string; match?: string; regex?: string; action: AssessedAction; detected?: boolean }>;
  };
  contextualGroundingPolicy?: { filters?: Array<{ type: string; threshold: number; score: number; action: AssessedAction; detected?: boolean }> };
  invocationMetrics?: { guardrailProcessingLatency?: number };
}

export interface ApplyResult {
  action: 'NONE' | 'GUARDRAIL_INTERVENED';
  actionReason?: string;
  outputs: Array<{ text?: string }>;
  assessments: Assessment[];
  usage: Record<string, number>;
}

export interface ApplyRequest {
  source: 'INPUT' | 'OUTPUT';
  content: Array<{ text: { text: string; qualifiers?: Array<'grounding_source' | 'query' | 'guard_content'> } }>;
  outputScope: 'FULL' | 'INTERVENTIONS';
}

export function listGuardrails(nextToken: string | undefined, maxResults: number, signal?: AbortSignal): Promise<ListResult> {
  return call<ListResult>('GET', '/guardrails', { query: { nextToken, maxResults }, ...(signal ? { signal } : {}) });
}

/** Every version of one guardrail (DRAFT first, then 1, 2, … ascending), across all pages. */
export async function listVersions(id: string, signal?: AbortSignal): Promise<GuardrailSummary[]> {
  const out: GuardrailSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call<ListResult>('GET', '/guardrails', { query: { guardrailIdentifier: id, nextToken, maxResults: 1000 }, ...(signal ? { signal } : {}) });
    out.push(...(page.guardrails ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

export function getGuardrail(id: string, version = 'DRAFT', signal?: AbortSignal): Promise<Guardrail> {
  return call<Guardrail>('GET', `/guardrails/${seg(id)}`, { query: { guardrailVersion: version }, ...(signal ? { signal } : {}) });
}

export function createGuardrail(config: GuardrailConfigInput): Promise<{ guardrailId: string; guardrailArn: string; version: string }> {
  return call('POST', '/guardrails', { body: config });
}

export function updateGuardrail(id: string, config: GuardrailConfigInput): Promise<{ guardrailId: string; guardrailArn: string; version: string }> {
  return call('PUT', `/guardrails/${seg(id)}`, { body: config });
}

export function createVersion(id: string, description: string): Promise<{ guardrailId: string; version: string }> {
  return call('POST', `/guardrails/${seg(id)}`, { body: description ? { description } : {} });
}

export function deleteGuardrail(id: string): Promise<unknown> {
  return call('DELETE', `/guardrails/${seg(id)}`);
}

export function applyGuardrail(id: string, version: string, body: ApplyRequest): Promise<ApplyResult> {
  return call<ApplyResult>('POST', `/guardrail/${seg(id)}/version/${seg(version)}/apply`, { body });
}

/** Length as the API counts it (code points). */
export const codePoints = (s: string): number => [...s].length;
