/**
 * AWS Organizations `BEDROCK_POLICY` documents: validation (`parseBedrockPolicy`) and the effective
 * policy of an account (`effectiveBedrockPolicy`). Pure: the caller reads policies and the OU path.
 *
 * ```json
 * { "bedrock": { "guardrail_inference": { "us-east-1": { "config_1": {
 *     "identifier": { "@@assign": "arn:aws:bedrock:us-east-1:123456789012:guardrail/hu1dlsv9wy1d:1" },
 *     "selective_content_guarding": { "system": { "@@assign": "selective" }, "messages": { "@@assign": "comprehensive" } },
 *     "model_enforcement": { "included_models": { "@@assign": ["ALL"] }, "excluded_models": { "@@assign": [] } } } } } } }
 * ```
 */
import { GUARDRAIL_ARN_RE, REGION_RE } from '../core/arn.ts';
import { ServiceError } from '../core/errors.ts';
import { AWS_REGIONS } from '../core/regions.ts';
import { JsonSyntaxError, parseJson } from '../iam/json.ts';
import type { JsonValue } from '../iam/json.ts';
import { modelIdProblem } from '../core/models.ts';
import {
  CHILD_CONTROL, VALUE_OPERATORS, describeSource, formatPath, mergeLevels, toPlainJson,
} from './policy-syntax.ts';
import type {
  EffectiveNode, EffectiveObject, MergeLevel, PolicyNode, PolicyObject, PolicySetting, PolicySource, ValueOperator,
} from './policy-syntax.ts';

/** Management policies (BEDROCK_POLICY included) are limited to 10,000 characters. */
export const MAX_BEDROCK_POLICY_CHARS = 10_000;
const MAX_REPORTED_ERRORS = 10;

export type GuardingMode = 'SELECTIVE' | 'COMPREHENSIVE';
export type InputTagsMode = 'HONOR' | 'IGNORE';

/** A guardrail named by an `identifier`, for the checks that need the store (owner, existence, RBP). */
export interface PolicyIdentifier {
  readonly region: string;
  readonly configName: string;
  /** Without the version. */
  readonly guardrailArn: string;
  readonly guardrailId: string;
  readonly ownerAccountId: string;
  readonly version: number;
  /** JSON path of the identifier, for error messages. */
  readonly path: string;
}

export interface BedrockPolicyDoc {
  /** The validated document (operators kept), rooted above `bedrock`. */
  readonly tree: PolicyObject;
  /** Every `identifier` the document assigns, in document order. */
  readonly identifiers: readonly PolicyIdentifier[];
}

export interface ParseOptions {
  /** Regions accepted as keys of `guardrail_inference` (default: the AWS Regions of src/core/regions.ts). */
  readonly regions?: ReadonlySet<string> | readonly string[];
}

// ---- guardrail identifier -------------------------------------------------------------------------

export interface VersionedGuardrailArn {
  readonly guardrailArn: string;
  readonly guardrailId: string;
  readonly ownerAccountId: string;
  readonly region: string;
  readonly version: number;
}

const EXAMPLE_ARN = 'arn:aws:bedrock:us-east-1:123456789012:guardrail/hu1dlsv9wy1d:1';

/** `arn:…:guardrail/<id>:<N>` → its parts, or a message that says what to write instead. */
export function parseVersionedGuardrailArn(value: string): VersionedGuardrailArn | { problem: string } {
  const shown = JSON.stringify(value.length > 120 ? `${value.slice(0, 117)}...` : value);
  if (GUARDRAIL_ARN_RE.test(value))
    return {
      problem: `${shown} names no guardrail version; publish a version of the guardrail (CreateGuardrailVersion) and ` +
        `append its number, like ${value}:1`,
    };
  const colon = value.lastIndexOf(':');
  const base = colon < 0 ? '' : value.slice(0, colon);
  const version = value.slice(colon + 1);
  const m = GUARDRAIL_ARN_RE.exec(base);
  if (!m) {
    const slash = /^(arn:.*:guardrail\/[a-z0-9]+)\/([0-9]+|DRAFT)$/i.exec(value);
    if (slash && GUARDRAIL_ARN_RE.test(slash[1] ?? ''))
      return { problem: `${shown}: separate the version with ':', like ${slash[1] ?? ''}:${slash[2] ?? '1'}` };
    if (/^[a-z0-9]+(:[0-9]+)?$/.test(value))
      return { problem: `${shown} is not a guardrail ARN; give the full ARN with a version, like ${EXAMPLE_ARN}` };
    return { problem: `${shown} is not a guardrail ARN with a version (like ${EXAMPLE_ARN})` };
  }
  if (version.toUpperCase() === 'DRAFT')
    return {
      problem: `${shown} uses the DRAFT version, which can change at any time and cannot be enforced; publish a version ` +
        `(CreateGuardrailVersion) and use its number, like ${base}:1`,
    };
  if (!/^[1-9][0-9]{0,7}$/.test(version))
    return { problem: `${shown}: the version must be a published version number from 1 to 99999999, like ${base}:1` };
  return {
    guardrailArn: base,
    guardrailId: m[4] as string,
    ownerAccountId: m[3] as string,
    region: m[2] as string,
    version: Number(version),
  };
}

// ---- schema ---------------------------------------------------------------------------------------

interface Ctx {
  readonly errors: string[];
  readonly identifiers: PolicyIdentifier[];
  readonly regions: ReadonlySet<string>;
}

type ScalarCheck = (value: string, path: readonly string[], ctx: Ctx) => string | undefined;

type Schema =
  | { kind: 'object'; fields: Readonly<Record<string, Schema>>; requireOneOf?: readonly string[]; requireAll?: readonly string[] }
  | { kind: 'map'; what: string; key: (key: string, ctx: Ctx) => string | undefined; value: Schema }
  | { kind: 'scalar'; check: ScalarCheck; example: string }
  | { kind: 'list'; allowAll: boolean; example: string };

const enumCheck = (allowed: readonly string[]): ScalarCheck => (value) => {
  if (allowed.includes(value)) return undefined;
  const hint = allowed.includes(value.toLowerCase()) ? ` (write it in lowercase: "${value.toLowerCase()}")` : '';
  return `${JSON.stringify(value.slice(0, 40))} is not one of ${allowed.map((a) => `"${a}"`).join(', ')}${hint}`;
};

const identifierCheck: ScalarCheck = (value, path, ctx) => {
  const parsed = parseVersionedGuardrailArn(value);
  if ('problem' in parsed) return parsed.problem;
  const regionKey = path[2] as string;
  if (parsed.region !== regionKey)
    return `the guardrail is in Region ${parsed.region} but is listed under "${regionKey}"; enforcement is Region-scoped, ` +
      `so the guardrail must live in the Region it is listed under: move this configuration under "${parsed.region}" ` +
      `or use a guardrail created in ${regionKey}`;
  ctx.identifiers.push({ ...parsed, region: regionKey, configName: path[3] as string, path: formatPath(path) });
  return undefined;
};

const regionKey = (key: string, ctx: Ctx): string | undefined => {
  const shown = JSON.stringify(key.slice(0, 64));
  if (!REGION_RE.test(key)) return `${shown} is not a Region name; use a Region such as "us-east-1"`;
  if (!ctx.regions.has(key)) return `${shown} is not a Region this server supports; use one of ${[...ctx.regions].join(', ')}`;
  return undefined;
};

const CONFIG_NAME_RE = /^[A-Za-z0-9_-]{1,128}$/;
const configName = (key: string): string | undefined =>
  CONFIG_NAME_RE.test(key)
    ? undefined
    : `configuration name ${JSON.stringify(key.slice(0, 64))} must be 1 to 128 letters, digits, '_' or '-' (like "config_1")`;

const MODE = enumCheck(['selective', 'comprehensive']);

const CONFIG: Schema = {
  kind: 'object',
  fields: {
    identifier: { kind: 'scalar', check: identifierCheck, example: EXAMPLE_ARN },
    selective_content_guarding: {
      kind: 'object',
      fields: {
        system: { kind: 'scalar', check: MODE, example: 'selective' },
        messages: { kind: 'scalar', check: MODE, example: 'comprehensive' },
      },
      requireOneOf: ['system', 'messages'],
    },
    model_enforcement: {
      kind: 'object',
      fields: {
        included_models: { kind: 'list', allowAll: true, example: '["ALL"]' },
        excluded_models: { kind: 'list', allowAll: false, example: '["amazon.titan-embed-text-v2:0"]' },
      },
      requireAll: ['included_models', 'excluded_models'],
    },
    /** Preview syntax, deprecated in favour of selective_content_guarding; still accepted. */
    input_tags: { kind: 'scalar', check: enumCheck(['honor', 'ignore']), example: 'honor' },
  },
};

const ROOT: Schema = {
  kind: 'object',
  fields: {
    bedrock: {
      kind: 'object',
      fields: {
        guardrail_inference: {
          kind: 'map',
          what: 'Region',
          key: regionKey,
          value: { kind: 'map', what: 'configuration name', key: configName, value: CONFIG },
        },
      },
    },
  },
};

// ---- validation walk ------------------------------------------------------------------------------

type Obj = { [key: string]: JsonValue };
const isObj = (v: JsonValue | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(ctx: Ctx, path: readonly string[], message: string): void {
  ctx.errors.push(`${formatPath(path)}: ${message}`);
}

function childControl(v: JsonValue, path: readonly string[], ctx: Ctx): ReadonlySet<ValueOperator> | undefined {
  const list = typeof v === 'string' ? [v] : v;
  const usage = `must be ["@@all"], ["@@none"] or a list of ${VALUE_OPERATORS.join(', ')}`;
  if (!Array.isArray(list) || list.length === 0 || list.some((x) => typeof x !== 'string')) {
    fail(ctx, [...path, CHILD_CONTROL], usage);
    return undefined;
  }
  const names = list as string[];
  if (names.includes('@@all') || names.includes('@@none')) {
    if (names.length !== 1) {
      fail(ctx, [...path, CHILD_CONTROL], `"@@all" and "@@none" must be the only entry; ${usage}`);
      return undefined;
    }
    return new Set(names[0] === '@@all' ? VALUE_OPERATORS : []);
  }
  const bad = names.find((n) => !(VALUE_OPERATORS as readonly string[]).includes(n));
  if (bad !== undefined) {
    fail(ctx, [...path, CHILD_CONTROL], `${JSON.stringify(bad.slice(0, 40))} is not an operator; ${usage}`);
    return undefined;
  }
  return new Set(names as ValueOperator[]);
}

function describeKeys(schema: Schema): string {
  if (schema.kind !== 'object') return '';
  return Object.keys(schema.fields).join(', ');
}

/** An object level of the document (not a setting): only keys and the child-control operator. */
function walkObject(v: JsonValue | undefined, schema: Schema & { kind: 'object' | 'map' }, path: string[], ctx: Ctx): PolicyObject | undefined {
  if (!isObj(v)) {
    const expected = schema.kind === 'object' ? `an object with the keys ${describeKeys(schema)}` : `an object keyed by ${schema.what}`;
    fail(ctx, path, `must be ${expected}`);
    return undefined;
  }
  const children = new Map<string, PolicyNode>();
  let allowedForChildren: ReadonlySet<ValueOperator> | undefined;
  for (const key of Object.keys(v)) {
    const value = v[key] as JsonValue;
    if (key === CHILD_CONTROL) {
      allowedForChildren = childControl(value, path, ctx);
      continue;
    }
    if ((VALUE_OPERATORS as readonly string[]).includes(key)) {
      fail(ctx, path, `${key} cannot be used on this level; put value operators on a setting such as identifier or included_models`);
      continue;
    }
    if (key.startsWith('@@')) {
      fail(ctx, path, `unknown operator ${JSON.stringify(key.slice(0, 40))}; use ${VALUE_OPERATORS.join(', ')} or ${CHILD_CONTROL}`);
      continue;
    }
    let childSchema: Schema | undefined;
    if (schema.kind === 'map') {
      const problem = schema.key(key, ctx);
      if (problem) {
        fail(ctx, path, problem);
        continue;
      }
      childSchema = schema.value;
    } else {
      childSchema = Object.prototype.hasOwnProperty.call(schema.fields, key) ? schema.fields[key] : undefined;
      if (!childSchema) {
        const where = path.length === 0 ? 'the only top-level key is "bedrock"' : `allowed keys here: ${describeKeys(schema)}`;
        fail(ctx, path, `unknown key ${JSON.stringify(key.slice(0, 64))}; ${where}`);
        continue;
      }
    }
    const child = walk(value, childSchema, [...path, key], ctx);
    if (child) children.set(key, child);
  }
  if (schema.kind === 'object') {
    // A level that only carries a child-control operator is a lock, not an incomplete setting.
    const onlyLock = children.size === 0 && allowedForChildren !== undefined;
    if (schema.requireOneOf && !onlyLock && !schema.requireOneOf.some((k) => k in v))
      fail(ctx, path, `needs at least one of ${schema.requireOneOf.join(' or ')}`);
    if (schema.requireAll && !onlyLock)
      for (const k of schema.requireAll.filter((r) => !(r in v))) {
        const f = schema.fields[k];
        const example = f && f.kind === 'list' ? ` (for example {"@@assign": ${k === 'included_models' ? '["ALL"]' : '[]'}})` : '';
        fail(ctx, path, `${k} is required when ${path[path.length - 1] ?? 'this object'} is present${example}`);
      }
  }
  return { kind: 'object', children, ...(allowedForChildren ? { allowedForChildren } : {}) };
}

/** A setting: `{"@@assign" | "@@append" | "@@remove": value, "@@operators_allowed_for_child_policies"?: […]}`. */
function walkSetting(v: JsonValue | undefined, schema: Schema & { kind: 'scalar' | 'list' }, path: string[], ctx: Ctx): PolicySetting | undefined {
  const example = schema.kind === 'scalar' ? JSON.stringify(schema.example) : schema.example;
  if (!isObj(v)) {
    const wrap = typeof v === 'string' || Array.isArray(v) ? '; wrap the value in an operator' : '';
    fail(ctx, path, `must be an object with an inheritance operator, like {"@@assign": ${example}}${wrap}`);
    return undefined;
  }
  let operator: ValueOperator | undefined;
  let value: string | string[] | undefined;
  let allowedForChildren: ReadonlySet<ValueOperator> | undefined;
  let ok = true;
  for (const key of Object.keys(v)) {
    const raw = v[key] as JsonValue;
    if (key === CHILD_CONTROL) {
      allowedForChildren = childControl(raw, path, ctx);
      continue;
    }
    if (!(VALUE_OPERATORS as readonly string[]).includes(key)) {
      fail(ctx, path, `unknown key ${JSON.stringify(key.slice(0, 64))}; a setting holds one of ${VALUE_OPERATORS.join(', ')} (and optionally ${CHILD_CONTROL})`);
      ok = false;
      continue;
    }
    if (operator) {
      fail(ctx, path, `use only one value operator per setting (found ${operator} and ${key})`);
      ok = false;
      continue;
    }
    operator = key as ValueOperator;
    const at = [...path, key];
    if (schema.kind === 'scalar') {
      if (operator !== '@@assign') {
        fail(ctx, path, `${operator} works only on lists; use {"@@assign": ${example}}`);
        ok = false;
      } else if (typeof raw !== 'string') {
        fail(ctx, at, `must be a string, like ${example}`);
        ok = false;
      } else {
        const problem = schema.check(raw, path, ctx);
        if (problem) {
          fail(ctx, at, problem);
          ok = false;
        } else value = raw;
      }
    } else if (!Array.isArray(raw) || raw.some((x) => typeof x !== 'string')) {
      fail(ctx, at, `must be an array of model IDs, like ${example}`);
      ok = false;
    } else {
      const items = raw as string[];
      for (let i = 0; i < items.length; i++) {
        const problem = modelIdProblem(items[i] as string, schema.allowAll);
        if (problem) {
          fail(ctx, [...at, `[${i}]`], problem);
          ok = false;
        }
      }
      value = items;
    }
  }
  if (!operator && !allowedForChildren) {
    fail(ctx, path, `needs a value operator, like {"@@assign": ${example}}`);
    return undefined;
  }
  if (!ok) return undefined;
  return {
    kind: 'setting',
    ...(operator && value !== undefined ? { operator, value } : {}),
    ...(allowedForChildren ? { allowedForChildren } : {}),
  };
}

function walk(v: JsonValue | undefined, schema: Schema, path: string[], ctx: Ctx): PolicyNode | undefined {
  return schema.kind === 'object' || schema.kind === 'map' ? walkObject(v, schema, path, ctx) : walkSetting(v, schema, path, ctx);
}

function countChars(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A surrogate pair is one character.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

const malformed = (message: string): ServiceError => new ServiceError('MalformedPolicyDocumentException', message);

/**
 * Validate a BEDROCK_POLICY document. Throws `MalformedPolicyDocumentException` listing what is wrong
 * (JSON path and what to write instead).
 */
export function parseBedrockPolicy(content: string, options: ParseOptions = {}): BedrockPolicyDoc {
  if (typeof content !== 'string') throw malformed('The policy content must be a JSON string.');
  if (content.trim() === '')
    throw malformed('The policy document is empty; give a JSON object such as {"bedrock": {"guardrail_inference": {…}}}.');
  // The length check comes first so a huge input costs one pass and nothing more.
  if (content.length > MAX_BEDROCK_POLICY_CHARS) {
    const chars = countChars(content);
    if (chars > MAX_BEDROCK_POLICY_CHARS)
      throw malformed(
        `The policy document has ${chars} characters; a BEDROCK_POLICY document may have at most ` +
          `${MAX_BEDROCK_POLICY_CHARS.toLocaleString('en-US')}. Split it into several policies attached to the same target.`,
      );
  }
  let json: JsonValue;
  try {
    json = parseJson(content);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw malformed(`The policy document is not valid JSON: ${e.message}.`);
    throw e;
  }
  const regions = new Set(options.regions ?? AWS_REGIONS);
  const ctx: Ctx = { errors: [], identifiers: [], regions };
  if (!isObj(json))
    throw malformed('The policy document must be a JSON object with the single top-level key "bedrock".');
  if (!('bedrock' in json)) ctx.errors.push('(document root): missing the top-level key "bedrock"');
  const tree = walkObject(json, ROOT as Schema & { kind: 'object' }, [], ctx);
  if (ctx.errors.length > 0 || !tree) {
    const shown = ctx.errors.slice(0, MAX_REPORTED_ERRORS);
    const more = ctx.errors.length > shown.length ? ` (and ${ctx.errors.length - shown.length} more)` : '';
    const listed = shown.length === 1 ? shown[0] : shown.map((e, i) => `(${i + 1}) ${e}`).join(' ');
    throw malformed(`The BEDROCK_POLICY document is not valid: ${listed}${more}.`);
  }
  return { tree, identifiers: ctx.identifiers };
}

// ---- effective policy -----------------------------------------------------------------------------

export interface EffectiveGuardrailConfig {
  readonly region: string;
  readonly configName: string;
  /** Without the version. */
  readonly guardrailArn: string;
  readonly guardrailId: string;
  readonly ownerAccountId: string;
  readonly version: number;
  readonly system: GuardingMode;
  readonly messages: GuardingMode;
  /** Empty = all models. */
  readonly includedModels: readonly string[];
  readonly excludedModels: readonly string[];
  /** The deprecated preview setting, when the effective policy still has it. */
  readonly inputTags?: InputTagsMode;
  /** The policy whose operator set `identifier`. */
  readonly source: PolicySource;
}

export interface EffectivePolicyInput {
  readonly policyId: string;
  readonly name: string;
  readonly content: string;
  /** The already-parsed content, to skip parsing again (must come from `content`). */
  readonly doc?: BedrockPolicyDoc;
}

export interface EffectivePolicyLevelInput {
  readonly targetId: string;
  /** In attach order. */
  readonly policies: ReadonlyArray<EffectivePolicyInput>;
}

export interface EffectiveBedrockPolicy {
  /** The effective document with operators removed, as DescribeEffectivePolicy returns it. */
  readonly content: string;
  /** Sorted by Region, then configuration name. */
  readonly configs: EffectiveGuardrailConfig[];
  readonly warnings: string[];
  /**
   * Policies that no longer validate and were left out. AWS makes every Bedrock call of the target
   * fail when its effective policy is invalid; a caller that must fail closed checks this list.
   */
  readonly invalidPolicies: Array<PolicySource & { readonly message: string }>;
  /** Configurations left out of `configs` (no identifier after inheritance). */
  readonly dropped: Array<{ readonly region: string; readonly configName: string; readonly reason: string }>;
}

const child = (node: EffectiveNode | undefined, key: string): EffectiveNode | undefined =>
  node?.kind === 'object' ? node.children.get(key) : undefined;
const stringOf = (node: EffectiveNode | undefined): string | undefined =>
  node?.kind === 'setting' && typeof node.value === 'string' ? node.value : undefined;
const listOf = (node: EffectiveNode | undefined): string[] =>
  node?.kind === 'setting' && Array.isArray(node.value) ? [...(node.value as readonly string[])] : [];

/**
 * `input_tags` (preview) maps onto the current settings when they are not set: `honor` means caller
 * tags are honoured (SELECTIVE), `ignore` means everything is guarded (COMPREHENSIVE).
 */
function mode(explicit: string | undefined, inputTags: InputTagsMode | undefined): GuardingMode {
  if (explicit) return explicit === 'selective' ? 'SELECTIVE' : 'COMPREHENSIVE';
  return inputTags === 'HONOR' ? 'SELECTIVE' : 'COMPREHENSIVE';
}

function extractConfigs(root: EffectiveObject, result: EffectiveBedrockPolicy, removedToEmpty: ReadonlySet<string>): void {
  const regions = child(child(root, 'bedrock'), 'guardrail_inference');
  if (regions?.kind !== 'object') return;
  for (const [region, configs] of regions.children) {
    if (configs.kind !== 'object') continue;
    for (const [configName, config] of configs.children) {
      const path = ['bedrock', 'guardrail_inference', region, configName];
      const idNode = child(config, 'identifier');
      const identifier = stringOf(idNode);
      if (identifier === undefined || idNode?.kind !== 'setting') {
        const reason = `${formatPath(path)} has no identifier after inheritance, so it enforces nothing; add ` +
          `"identifier": {"@@assign": "<guardrail ARN>:<version>"} to one of the policies`;
        result.warnings.push(reason);
        result.dropped.push({ region, configName, reason });
        continue;
      }
      const parsed = parseVersionedGuardrailArn(identifier);
      if ('problem' in parsed || parsed.region !== region) {
        const reason = `${formatPath([...path, 'identifier'])}: ${'problem' in parsed ? parsed.problem : 'the guardrail is in another Region'}`;
        result.warnings.push(reason);
        result.dropped.push({ region, configName, reason });
        continue;
      }
      const guarding = child(config, 'selective_content_guarding');
      const tags = stringOf(child(config, 'input_tags'));
      const inputTags = tags === 'honor' ? 'HONOR' : tags === 'ignore' ? 'IGNORE' : undefined;
      const enforcement = child(config, 'model_enforcement');
      const includedModels = listOf(child(enforcement, 'included_models'));
      const includedPath = formatPath([...path, 'model_enforcement', 'included_models']);
      if (includedModels.length === 0 && removedToEmpty.has(includedPath))
        result.warnings.push(
          `${includedPath} is empty after @@remove, and an empty included list means every model; ` +
            'assign the models to keep, or exclude models instead',
        );
      result.configs.push({
        region,
        configName,
        guardrailArn: parsed.guardrailArn,
        guardrailId: parsed.guardrailId,
        ownerAccountId: parsed.ownerAccountId,
        version: parsed.version,
        system: mode(stringOf(child(guarding, 'system')), inputTags),
        messages: mode(stringOf(child(guarding, 'messages')), inputTags),
        includedModels,
        excludedModels: listOf(child(enforcement, 'excluded_models')),
        ...(inputTags ? { inputTags } : {}),
        source: idNode.source,
      });
    }
  }
}

/**
 * The effective BEDROCK_POLICY of a target. `levels` go root → OU → … → account, each with its
 * policies in attach order. Child overrides that a parent forbids are ignored with a warning.
 */
export function effectiveBedrockPolicy(
  levels: ReadonlyArray<EffectivePolicyLevelInput>,
  options: ParseOptions = {},
): EffectiveBedrockPolicy {
  const result: EffectiveBedrockPolicy = { content: '{}', configs: [], warnings: [], invalidPolicies: [], dropped: [] };
  const mergeInput: MergeLevel[] = [];
  for (const level of levels) {
    const policies: Array<MergeLevel['policies'][number]> = [];
    for (const p of level.policies) {
      const source: PolicySource = { policyId: p.policyId, policyName: p.name, targetId: level.targetId };
      let doc = p.doc;
      if (!doc) {
        try {
          doc = parseBedrockPolicy(p.content, options);
        } catch (e) {
          if (!(e instanceof ServiceError)) throw e;
          result.invalidPolicies.push({ ...source, message: e.message });
          result.warnings.push(`${describeSource(source)} is not a valid BEDROCK_POLICY and was left out: ${e.message}`);
          continue;
        }
      }
      policies.push({ source, tree: doc.tree });
    }
    mergeInput.push({ targetId: level.targetId, policies });
  }
  const merged = mergeLevels(mergeInput);
  result.warnings.push(...merged.warnings);
  const removedToEmpty = new Set<string>();
  for (const e of merged.events) {
    const key = formatPath(e.path);
    if (e.operator === '@@remove' && Array.isArray(e.after) && e.after.length === 0) removedToEmpty.add(key);
    else removedToEmpty.delete(key);
  }
  extractConfigs(merged.root, result, removedToEmpty);
  const byKey = (a: EffectiveGuardrailConfig): string => `${a.region}\u0000${a.configName}`;
  result.configs.sort((a, b) => (byKey(a) < byKey(b) ? -1 : byKey(a) > byKey(b) ? 1 : 0));
  return { ...result, content: JSON.stringify(toPlainJson(merged.root)) };
}
