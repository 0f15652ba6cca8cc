/**
 * The enforcement form's model and its two documents: the BEDROCK_POLICY of AWS Organizations (organization
 * level) and the PutEnforcedGuardrailConfiguration body (account level). The rules are the server's own:
 * model ids, Regions, guardrail ARNs and resource-policy checks come from the same modules it uses.
 */
import { GUARDRAIL_ARN_RE, parseGuardrailIdentifier } from '../../../../src/core/arn.ts';
import { ALL_MODELS, isEmbeddingModel, isKnownModelId, KNOWN_MODELS, modelIdProblem } from '../../../../src/core/models.ts';
import { AWS_REGIONS } from '../../../../src/core/regions.ts';
import { parsePolicy } from '../../../../src/iam/parse.ts';
import { describeResourcePolicyGrant, guardrailResourcePolicyProblems } from '../../../../src/iam/resource-policy.ts';
import type { GuardingMode } from './api.ts';

export { ALL_MODELS, AWS_REGIONS, isEmbeddingModel, KNOWN_MODELS, modelIdProblem, parseGuardrailIdentifier };

/** Management policies (BEDROCK_POLICY included) are limited to 10,000 characters. */
export const MAX_BEDROCK_POLICY_CHARS = 10_000;
export const CONFIG_NAME_RE = /^[A-Za-z0-9_-]{1,128}$/;
export const VERSION_RE = /^[1-9][0-9]{0,7}$/;

export interface EnforcementSettings {
  /** The unversioned guardrail ARN. */
  guardrailArn: string;
  /** A published version number, or 'DRAFT' (which cannot be enforced), or '' (none chosen). */
  version: string;
  system: GuardingMode;
  messages: GuardingMode;
  /** ALL: every model except the excluded ones; INCLUDE: only the included ones. */
  scope: 'ALL' | 'INCLUDE';
  included: string[];
  excluded: string[];
}

export interface OrgConfigEntry extends EnforcementSettings {
  /** A stable key for React lists. */
  key: string;
  region: string;
  name: string;
}

let nextKey = 0;
export const newKey = (): string => `cfg-${++nextKey}`;

export function emptySettings(): EnforcementSettings {
  return { guardrailArn: '', version: '', system: 'COMPREHENSIVE', messages: 'COMPREHENSIVE', scope: 'ALL', included: [], excluded: [] };
}

export const guardrailRegion = (arn: string): string | undefined => parseGuardrailIdentifier(arn)?.region;
export const guardrailOwner = (arn: string): string | undefined => parseGuardrailIdentifier(arn)?.accountId;
export const guardrailIdOf = (arn: string): string | undefined => parseGuardrailIdentifier(arn)?.guardrailId;
export const isGuardrailArn = (s: string): boolean => GUARDRAIL_ARN_RE.test(s);

/** The model scope as the API takes it. */
export function includedModels(s: EnforcementSettings): string[] {
  return s.scope === 'ALL' ? [ALL_MODELS] : s.included;
}

/** Hints about model lists that do not fail the call (the server's modelScopeWarnings, in the form). */
export function modelScopeHints(s: EnforcementSettings): string[] {
  const out: string[] = [];
  const included = s.scope === 'INCLUDE' ? s.included : [];
  const unknownIncluded = included.filter((m) => !isKnownModelId(m));
  if (included.length > 0 && unknownIncluded.length === included.length)
    out.push(
      `The Include list matches no known model id (${unknownIncluded.join(', ')}): the guardrail would apply to no model you can call. ` +
        'Choose All models, or list real model ids.',
    );
  else if (unknownIncluded.length > 0) out.push(`Include has ids that match no known model: ${unknownIncluded.join(', ')}. Check them for typos.`);
  const unknownExcluded = s.excluded.filter((m) => !isKnownModelId(m));
  if (unknownExcluded.length > 0) out.push(`Exclude has ids that match no known model: ${unknownExcluded.join(', ')}. Check them for typos.`);
  const both = included.filter((m) => s.excluded.includes(m));
  if (both.length > 0) out.push(`${both.join(', ')} listed in both Include and Exclude: excluded wins.`);
  return out;
}

/** What is wrong with the guardrail and version, as the API would say it; undefined when fine. */
export function versionProblem(version: string): string | undefined {
  if (version === '') return 'Choose a published version of the guardrail.';
  if (version === 'DRAFT')
    return 'DRAFT cannot be enforced: a DRAFT is mutable, so what is enforced could change under you. Publish a version and enforce its number.';
  if (!VERSION_RE.test(version)) return `'${version}' is not a version number (1 to 99999999).`;
  return undefined;
}

// ---- BEDROCK_POLICY documents --------------------------------------------------------------------

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

export function buildPolicyDocument(entries: readonly OrgConfigEntry[]): Record<string, Json> {
  const inference: Record<string, Record<string, Json>> = {};
  for (const e of entries) {
    const region = (inference[e.region] ??= {});
    region[e.name] = {
      identifier: { '@@assign': `${e.guardrailArn}:${e.version}` },
      selective_content_guarding: {
        system: { '@@assign': e.system.toLowerCase() },
        messages: { '@@assign': e.messages.toLowerCase() },
      },
      model_enforcement: {
        included_models: { '@@assign': includedModels(e) },
        excluded_models: { '@@assign': e.excluded },
      },
    };
  }
  return { bedrock: { guardrail_inference: inference } };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{"@@assign": x}` and nothing else → x; anything else → undefined. */
function assigned(v: unknown): unknown {
  if (!isObj(v)) return undefined;
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0] === '@@assign' ? v['@@assign'] : undefined;
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * A BEDROCK_POLICY document as form entries, or why the form cannot show it (inheritance operators other than
 * @@assign, child-control locks, the deprecated input_tags): such a policy is edited as JSON.
 */
export function parsePolicyDocument(content: string): { entries: OrgConfigEntry[] } | { unsupported: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(content);
  } catch (e) {
    return { unsupported: `the document is not valid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  const inference = isObj(doc) && isObj(doc.bedrock) ? doc.bedrock.guardrail_inference : undefined;
  if (!isObj(doc) || Object.keys(doc).length !== 1 || !isObj(doc.bedrock) || Object.keys(doc.bedrock).length !== 1 || !isObj(inference))
    return { unsupported: 'it does not have the shape {"bedrock": {"guardrail_inference": {…}}} alone' };
  const entries: OrgConfigEntry[] = [];
  for (const [region, configs] of Object.entries(inference)) {
    if (!isObj(configs)) return { unsupported: `"${region}" is not an object of configurations` };
    for (const [name, c] of Object.entries(configs)) {
      if (!isObj(c)) return { unsupported: `configuration "${name}" is not an object` };
      const extra = Object.keys(c).filter((k) => !['identifier', 'selective_content_guarding', 'model_enforcement'].includes(k));
      if (extra.length) return { unsupported: `configuration "${name}" uses ${extra.join(', ')}` };
      const id = assigned(c.identifier);
      if (typeof id !== 'string') return { unsupported: `configuration "${name}" does not assign its identifier with @@assign` };
      const colon = id.lastIndexOf(':');
      const s: OrgConfigEntry = { ...emptySettings(), key: newKey(), region, name, guardrailArn: id.slice(0, colon), version: id.slice(colon + 1) };
      if (c.selective_content_guarding !== undefined) {
        const g = c.selective_content_guarding;
        if (!isObj(g)) return { unsupported: `configuration "${name}" has an unusual selective_content_guarding` };
        for (const part of ['system', 'messages'] as const) {
          if (g[part] === undefined) continue;
          const mode = assigned(g[part]);
          if (mode !== 'selective' && mode !== 'comprehensive') return { unsupported: `configuration "${name}" sets ${part} guarding without a plain @@assign` };
          s[part] = mode === 'selective' ? 'SELECTIVE' : 'COMPREHENSIVE';
        }
        if (Object.keys(g).some((k) => k !== 'system' && k !== 'messages')) return { unsupported: `configuration "${name}" locks selective_content_guarding` };
      }
      if (c.model_enforcement !== undefined) {
        const m = c.model_enforcement;
        if (!isObj(m) || Object.keys(m).some((k) => k !== 'included_models' && k !== 'excluded_models'))
          return { unsupported: `configuration "${name}" has an unusual model_enforcement` };
        const inc = m.included_models === undefined ? [] : assigned(m.included_models);
        const exc = m.excluded_models === undefined ? [] : assigned(m.excluded_models);
        if (!isStringList(inc) || !isStringList(exc)) return { unsupported: `configuration "${name}" changes its model lists with operators other than @@assign` };
        if (inc.includes(ALL_MODELS)) s.scope = 'ALL';
        else {
          s.scope = 'INCLUDE';
          s.included = inc;
        }
        s.excluded = exc;
      }
      entries.push(s);
    }
  }
  return { entries };
}

/** The guardrails a policy document names: "region/config → arn:version", for the overview. */
export function describeDocument(content: string): Array<{ region: string; name: string; identifier: string }> {
  try {
    const doc = JSON.parse(content) as { bedrock?: { guardrail_inference?: Record<string, Record<string, { identifier?: { '@@assign'?: unknown } }>> } };
    const out: Array<{ region: string; name: string; identifier: string }> = [];
    for (const [region, configs] of Object.entries(doc.bedrock?.guardrail_inference ?? {}))
      for (const [name, c] of Object.entries(configs ?? {})) {
        const id = c?.identifier?.['@@assign'];
        out.push({ region, name, identifier: typeof id === 'string' ? id : '(set by inheritance operators)' });
      }
    return out;
  } catch {
    return [];
  }
}

/** Characters as Organizations counts them (code points). */
export const codePoints = (s: string): number => [...s].length;

/** Form-level problems of one organization configuration entry, keyed by field. */
export function entryProblems(e: OrgConfigEntry, all: readonly OrgConfigEntry[]): Partial<Record<'region' | 'name' | 'guardrail' | 'version' | 'included', string>> {
  const p: Partial<Record<'region' | 'name' | 'guardrail' | 'version' | 'included', string>> = {};
  if (!AWS_REGIONS.includes(e.region)) p.region = `"${e.region}" is not a Region this server supports.`;
  if (!CONFIG_NAME_RE.test(e.name)) p.name = 'The configuration name must be 1 to 128 letters, digits, _ or - (like config_1).';
  else if (all.some((o) => o !== e && o.region === e.region && o.name === e.name)) p.name = `Another configuration in ${e.region} is already named ${e.name}.`;
  if (!e.guardrailArn) p.guardrail = 'Choose a guardrail.';
  else if (!isGuardrailArn(e.guardrailArn)) p.guardrail = 'Give a guardrail ARN (arn:aws:bedrock:{region}:{account}:guardrail/{id}).';
  const v = versionProblem(e.version);
  if (v) p.version = v;
  const bad = [...(e.scope === 'INCLUDE' ? e.included : []).map((m) => modelIdProblem(m, true)), ...e.excluded.map((m) => modelIdProblem(m, false))].find(Boolean);
  if (bad) p.included = bad;
  return p;
}

// ---- guardrail resource-based policies ---------------------------------------------------------------

export const ORG_STATEMENT_SID = 'AllowOrganizationToApplyGuardrail';

/** The statement that lets every account of the organization apply the guardrail (as `parapet resource-policy put --allow-org`). */
export function orgStatement(guardrailArn: string, orgId: string): Record<string, Json> {
  return {
    Sid: ORG_STATEMENT_SID,
    Effect: 'Allow',
    Principal: '*',
    Action: 'bedrock:ApplyGuardrail',
    Resource: guardrailArn,
    Condition: { StringEquals: { 'aws:PrincipalOrgID': orgId } },
  };
}

/**
 * The current policy with the organization statement added (replacing a statement of the same Sid), or a new
 * policy holding only that statement when there is none or it cannot be read.
 */
export function withOrgStatement(current: string | undefined, guardrailArn: string, orgId: string): string {
  const stmt = orgStatement(guardrailArn, orgId);
  if (current) {
    try {
      const doc = JSON.parse(current) as { Version?: string; Statement?: unknown };
      if (isObj(doc)) {
        const list = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement === undefined ? [] : [doc.Statement];
        const kept = list.filter((s) => !(isObj(s) && s.Sid === ORG_STATEMENT_SID));
        return JSON.stringify({ ...doc, Version: doc.Version ?? '2012-10-17', Statement: [...kept, stmt] }, null, 2);
      }
    } catch {
      // An unreadable policy is replaced.
    }
  }
  return JSON.stringify({ Version: '2012-10-17', Statement: [stmt] }, null, 2);
}

/** The server's checks of a guardrail resource policy (PutResourcePolicy), as a list of problems. */
export function resourcePolicyProblems(text: string, guardrailArn: string): string[] {
  if (text.trim() === '') return ['The policy is empty.'];
  if (text.length > 20_480) return [`The policy has ${text.length} characters; at most 20480 are allowed.`];
  const parsed = parsePolicy(text, 'resource');
  if (!('policy' in parsed)) return parsed.errors;
  const owner = guardrailOwner(guardrailArn) ?? '';
  return guardrailResourcePolicyProblems(parsed.policy, { arn: guardrailArn, accountId: owner, kind: 'guardrail' });
}

export interface OrgGrant {
  /** The policy lets every account of the organization call bedrock:ApplyGuardrail. */
  orgWide: boolean;
  /** Only these OU paths are granted. */
  orgPaths: string[];
  /** Single accounts granted. */
  accounts: string[];
  /** The policy could not be read. */
  unreadable?: string;
}

/** Whom the policy lets apply the guardrail from organization `orgId` (the server's describeResourcePolicyGrant). */
export function orgGrant(policy: string | undefined, orgId: string): OrgGrant {
  if (!policy) return { orgWide: false, orgPaths: [], accounts: [] };
  const parsed = parsePolicy(policy, 'resource');
  if (!('policy' in parsed)) return { orgWide: false, orgPaths: [], accounts: [], unreadable: parsed.errors.join('; ') };
  const g = describeResourcePolicyGrant(parsed.policy, orgId, 'bedrock:ApplyGuardrail');
  return { orgWide: g.orgWide, orgPaths: g.orgPaths, accounts: g.accounts };
}
