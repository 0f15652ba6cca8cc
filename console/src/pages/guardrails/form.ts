/**
 * The guardrail form's state: built from a GetGuardrail response (edit) or defaults (create), checked the way
 * the API checks a CreateGuardrail / UpdateGuardrail request, and turned into that request.
 */
import {
  type BlockAction,
  CONTENT_FILTER_TYPES,
  type ContentFilterType,
  codePoints,
  GROUNDING_TYPES,
  type GroundingType,
  type Guardrail,
  type GuardrailConfigInput,
  LIMITS,
  PII_TYPES,
  type SensitiveAction,
  type Strength,
  type TierName,
} from './api.ts';

export interface Side<A extends string> {
  inputAction: A;
  outputAction: A;
  inputEnabled: boolean;
  outputEnabled: boolean;
}

export interface FilterRow extends Side<BlockAction> {
  type: ContentFilterType;
  on: boolean;
  inputStrength: Strength;
  outputStrength: Strength;
}

export interface TopicRow extends Side<BlockAction> {
  key: number;
  name: string;
  definition: string;
  /** One sample phrase per line. */
  examples: string;
}

export interface WordRow extends Side<BlockAction> {
  text: string;
}

export interface PiiRow extends Side<SensitiveAction> {
  type: string;
  action: SensitiveAction | 'OFF';
}

export interface RegexRow extends Side<SensitiveAction> {
  key: number;
  name: string;
  pattern: string;
  description: string;
  action: SensitiveAction;
}

export interface GroundingRow {
  type: GroundingType;
  on: boolean;
  threshold: string;
  action: BlockAction;
  enabled: boolean;
}

export interface FormState {
  name: string;
  description: string;
  blockedInput: string;
  blockedOutput: string;
  kmsKeyId: string;
  profile: string;
  contentTier: TierName | '';
  topicTier: TierName | '';
  filters: FilterRow[];
  topics: TopicRow[];
  words: WordRow[];
  profanity: Side<BlockAction> & { on: boolean };
  pii: PiiRow[];
  regexes: RegexRow[];
  grounding: GroundingRow[];
}

let nextKey = 1;
export const newKey = (): number => nextKey++;

export const side = <A extends string>(a: A): Side<A> => ({ inputAction: a, outputAction: a, inputEnabled: true, outputEnabled: true });

export function emptyForm(): FormState {
  return {
    name: '',
    description: '',
    blockedInput: "Sorry, I can't help with that request.",
    blockedOutput: "Sorry, I can't provide that response.",
    kmsKeyId: '',
    profile: '',
    contentTier: '',
    topicTier: '',
    filters: CONTENT_FILTER_TYPES.map((type) => ({ type, on: false, inputStrength: 'HIGH', outputStrength: type === 'PROMPT_ATTACK' ? 'NONE' : 'HIGH', ...side<BlockAction>('BLOCK') })),
    topics: [],
    words: [],
    profanity: { on: false, ...side<BlockAction>('BLOCK') },
    pii: PII_TYPES.map((type) => ({ type, action: 'OFF', ...side<SensitiveAction>('ANONYMIZE') })),
    regexes: [],
    grounding: GROUNDING_TYPES.map((type) => ({ type, on: false, threshold: '0.75', action: 'BLOCK', enabled: true })),
  };
}

export function newTopic(): TopicRow {
  return { key: newKey(), name: '', definition: '', examples: '', ...side<BlockAction>('BLOCK') };
}

export function newRegex(): RegexRow {
  return { key: newKey(), name: '', pattern: '', description: '', action: 'ANONYMIZE', ...side<SensitiveAction>('ANONYMIZE') };
}

const sideOf = <A extends string>(t: Side<A>): Side<A> => ({ inputAction: t.inputAction, outputAction: t.outputAction, inputEnabled: t.inputEnabled, outputEnabled: t.outputEnabled });

/** The DRAFT (or any version) as form state. */
export function fromGuardrail(g: Guardrail): FormState {
  const f = emptyForm();
  f.name = g.name;
  f.description = g.description ?? '';
  f.blockedInput = g.blockedInputMessaging;
  f.blockedOutput = g.blockedOutputsMessaging;
  f.kmsKeyId = g.kmsKeyArn ?? '';
  f.profile = g.crossRegionDetails?.guardrailProfileArn ?? '';
  f.contentTier = g.contentPolicy?.tier?.tierName ?? '';
  f.topicTier = g.topicPolicy?.tier?.tierName ?? '';
  f.filters = f.filters.map((row) => {
    const c = g.contentPolicy?.filters.find((x) => x.type === row.type);
    return c ? { type: row.type, on: true, inputStrength: c.inputStrength, outputStrength: c.outputStrength, ...sideOf(c) } : row;
  });
  f.topics = (g.topicPolicy?.topics ?? []).map((t) => ({ key: newKey(), name: t.name, definition: t.definition, examples: t.examples.join('\n'), ...sideOf(t) }));
  f.words = (g.wordPolicy?.words ?? []).map((w) => ({ text: w.text, ...sideOf(w) }));
  const prof = g.wordPolicy?.managedWordLists.find((l) => l.type === 'PROFANITY');
  if (prof) f.profanity = { on: true, ...sideOf(prof) };
  f.pii = f.pii.map((row) => {
    const p = g.sensitiveInformationPolicy?.piiEntities.find((x) => x.type === row.type);
    return p ? { type: row.type, action: p.action, ...sideOf(p) } : row;
  });
  f.regexes = (g.sensitiveInformationPolicy?.regexes ?? []).map((r) => ({
    key: newKey(),
    name: r.name,
    pattern: r.pattern,
    description: r.description ?? '',
    action: r.action,
    ...sideOf(r),
  }));
  f.grounding = f.grounding.map((row) => {
    const c = g.contextualGroundingPolicy?.filters.find((x) => x.type === row.type);
    return c ? { type: row.type, on: true, threshold: String(c.threshold), action: c.action, enabled: c.enabled } : row;
  });
  return f;
}

export const exampleLines = (s: string): string[] =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** The CreateGuardrail / UpdateGuardrail body for this state (call after `validate` found nothing). */
export function toConfig(f: FormState): GuardrailConfigInput {
  const c: GuardrailConfigInput = { name: f.name.trim(), blockedInputMessaging: f.blockedInput, blockedOutputsMessaging: f.blockedOutput };
  if (f.description.trim()) c.description = f.description.trim();
  if (f.kmsKeyId.trim()) c.kmsKeyId = f.kmsKeyId.trim();
  if (f.profile.trim()) c.crossRegionConfig = { guardrailProfileIdentifier: f.profile.trim() };
  const filters = f.filters.filter((r) => r.on);
  if (filters.length)
    c.contentPolicyConfig = {
      filtersConfig: filters.map((r) => ({ type: r.type, inputStrength: r.inputStrength, outputStrength: r.outputStrength, ...sideOf(r) })),
      ...(f.contentTier ? { tierConfig: { tierName: f.contentTier } } : {}),
    };
  if (f.topics.length)
    c.topicPolicyConfig = {
      topicsConfig: f.topics.map((t) => ({ name: t.name.trim(), definition: t.definition.trim(), examples: exampleLines(t.examples), type: 'DENY' as const, ...sideOf(t) })),
      ...(f.topicTier ? { tierConfig: { tierName: f.topicTier } } : {}),
    };
  if (f.words.length || f.profanity.on)
    c.wordPolicyConfig = {
      ...(f.words.length ? { wordsConfig: f.words.map((w) => ({ text: w.text, ...sideOf(w) })) } : {}),
      ...(f.profanity.on ? { managedWordListsConfig: [{ type: 'PROFANITY' as const, ...sideOf(f.profanity) }] } : {}),
    };
  const pii = f.pii.filter((p) => p.action !== 'OFF');
  if (pii.length || f.regexes.length)
    c.sensitiveInformationPolicyConfig = {
      ...(pii.length ? { piiEntitiesConfig: pii.map((p) => ({ type: p.type, action: p.action as SensitiveAction, ...sideOf(p) })) } : {}),
      ...(f.regexes.length
        ? {
            regexesConfig: f.regexes.map((r) => ({
              name: r.name.trim(),
              pattern: r.pattern,
              ...(r.description.trim() ? { description: r.description.trim() } : {}),
              action: r.action,
              ...sideOf(r),
            })),
          }
        : {}),
    };
  const grounding = f.grounding.filter((g) => g.on);
  if (grounding.length)
    c.contextualGroundingPolicyConfig = {
      filtersConfig: grounding.map((g) => ({ type: g.type, threshold: Number(g.threshold), action: g.action, enabled: g.enabled })),
    };
  return c;
}

export type Errors = Record<string, string>;

const NAME_RE = /^[0-9a-zA-Z_-]+$/;
const TOPIC_NAME_RE = /^[0-9a-zA-Z\-_ !?.]+$/;
const KMS_RE = /^(?:arn:aws(-[^:]+)?:kms:[a-z0-9-]{1,20}:[0-9]{12}:(key\/[a-zA-Z0-9-]{1,128}|alias\/[a-zA-Z0-9/_-]{1,256})|[a-zA-Z0-9-]{36}|alias\/[a-zA-Z0-9/_-]{1,256})$/;
const PROFILE_RE = /^(?:[a-z0-9-]+[.]guardrail[.]v[0-9:]+|arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail-profile\/[a-z0-9-]+[.]guardrail[.]v[0-9:]+)$/;

function length(value: string, label: string, max: number, required: boolean): string | undefined {
  const n = codePoints(value);
  if (n === 0) return required ? `${label} is required.` : undefined;
  if (n > max) return `${label} must be at most ${max} characters (it has ${n}).`;
  return undefined;
}

function put(errors: Errors, key: string, message: string | undefined): void {
  if (message && !errors[key]) errors[key] = message;
}

/** Field key → message, for every constraint the API would refuse (empty when the request can be sent). */
export function validate(f: FormState): Errors {
  const e: Errors = {};
  const name = f.name.trim();
  put(e, 'name', length(name, 'Name', LIMITS.name, true));
  if (name && !NAME_RE.test(name)) put(e, 'name', 'Name may contain only letters, digits, hyphens (-) and underscores (_).');
  put(e, 'description', length(f.description.trim(), 'Description', LIMITS.description, false));
  put(e, 'blockedInput', length(f.blockedInput, 'The blocked input message', LIMITS.blockedMessage, true));
  put(e, 'blockedOutput', length(f.blockedOutput, 'The blocked output message', LIMITS.blockedMessage, true));
  const kms = f.kmsKeyId.trim();
  if (kms && !KMS_RE.test(kms)) put(e, 'kmsKeyId', 'Enter a KMS key ARN, alias ARN, key ID (36 characters) or alias/name.');
  const profile = f.profile.trim();
  if (profile && (codePoints(profile) < 15 || !PROFILE_RE.test(profile)))
    put(e, 'profile', 'Enter a guardrail profile ID (like us.guardrail.v1:0) or its ARN.');
  if (!profile && (f.contentTier === 'STANDARD' || f.topicTier === 'STANDARD'))
    put(e, 'profile', 'The STANDARD tier requires a cross-Region guardrail profile.');

  const pa = f.filters.find((r) => r.type === 'PROMPT_ATTACK');
  if (pa?.on && pa.outputStrength !== 'NONE') put(e, 'filters.PROMPT_ATTACK', 'The PROMPT_ATTACK filter applies to input only: its output strength must be NONE.');

  if (f.topics.length > LIMITS.topics) put(e, 'topics', `A guardrail can have at most ${LIMITS.topics} denied topics.`);
  const topicNames = new Set<string>();
  for (const t of f.topics) {
    const k = `topics.${t.key}`;
    const tn = t.name.trim();
    put(e, `${k}.name`, length(tn, 'Topic name', LIMITS.topicName, true));
    if (tn && !TOPIC_NAME_RE.test(tn)) put(e, `${k}.name`, 'Topic names may contain only letters, digits, spaces and - _ ! ? .');
    if (tn && topicNames.has(tn.toLowerCase())) put(e, `${k}.name`, `Another topic is already named “${tn}”.`);
    topicNames.add(tn.toLowerCase());
    put(e, `${k}.definition`, length(t.definition.trim(), 'Definition', LIMITS.topicDefinition, true));
    const ex = exampleLines(t.examples);
    if (ex.length > LIMITS.examples) put(e, `${k}.examples`, `At most ${LIMITS.examples} sample phrases (there are ${ex.length}).`);
    const long = ex.find((x) => codePoints(x) > LIMITS.example);
    if (long) put(e, `${k}.examples`, `Each sample phrase must be at most ${LIMITS.example} characters (“${long.slice(0, 30)}…” is longer).`);
  }

  if (f.words.length > LIMITS.words) put(e, 'words', `A word filter can have at most ${LIMITS.words.toLocaleString('en-US')} words (there are ${f.words.length}).`);

  if (f.regexes.length > LIMITS.regexes) put(e, 'regexes', `A guardrail can have at most ${LIMITS.regexes} regex patterns.`);
  const regexNames = new Set<string>();
  for (const r of f.regexes) {
    const k = `regexes.${r.key}`;
    const rn = r.name.trim();
    put(e, `${k}.name`, length(rn, 'Regex name', LIMITS.regexName, true));
    if (rn && regexNames.has(rn)) put(e, `${k}.name`, `Another regex is already named “${rn}”.`);
    regexNames.add(rn);
    put(e, `${k}.pattern`, length(r.pattern, 'Pattern', LIMITS.regexPattern, true));
    put(e, `${k}.description`, length(r.description.trim(), 'Description', LIMITS.regexDescription, false));
  }

  for (const g of f.grounding) {
    if (!g.on) continue;
    const v = g.threshold.trim();
    const n = Number(v);
    if (v === '' || !Number.isFinite(n) || n < 0 || n > LIMITS.groundingMax) put(e, `grounding.${g.type}`, `Enter a threshold from 0 to ${LIMITS.groundingMax}.`);
  }
  return e;
}

/** Words from a pasted block (one per line), validated; duplicates of existing words (any case) dropped. */
export function parseWords(text: string, existing: readonly WordRow[]): { add: string[]; error?: string } {
  const have = new Set(existing.map((w) => w.text.toLowerCase()));
  const add: string[] = [];
  for (const raw of text.split('\n')) {
    const w = raw.trim();
    if (!w) continue;
    if (codePoints(w) > LIMITS.word) return { add: [], error: `Each word or phrase must be at most ${LIMITS.word} characters (“${w.slice(0, 30)}…” is longer).` };
    if (have.has(w.toLowerCase())) continue;
    have.add(w.toLowerCase());
    add.push(w);
  }
  if (existing.length + add.length > LIMITS.words) return { add: [], error: `A word filter can have at most ${LIMITS.words.toLocaleString('en-US')} words.` };
  return { add };
}
