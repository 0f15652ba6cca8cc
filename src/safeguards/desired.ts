/**
 * The file → the desired state, in the planner's server-independent form (state.ts). Names are resolved
 * against the file and the server (an `attach` entry is an OU path or an account name; an account may be given by
 * id), and the versions enforcements use are decided here: a pinned `version`, or with `publish: true` the latest
 * published version when it already equals the config, else the version apply will publish.
 */
import type { SchemaProblem } from './json-schema.ts';
import type { EnforcementSpec, GuardrailSpec, Json, SafeguardsFile, UnitSpec } from './file-types.ts';
import { canonicalConfig, localKmsKey } from './guardrail-config.ts';
import { MANAGEMENT, type EnforcementState, type GuardrailState, type PolicyState, type SafeguardsState, guardrailKey } from './state.ts';
import { guardrailSymbol, orgSymbol, sameJson, unitSymbol, versionSymbol } from './symbols.ts';

export const DEFAULT_ACCOUNT_EMAIL_DOMAIN = 'accounts.parapet.invalid';

/** What the server already has, for names the file uses without declaring them. */
export interface KnownNames {
  managementAccountId: string;
  /** Name of the management account in the organization (it may be named like any account). */
  managementAccountName?: string;
  units: readonly string[];
  /** account name → id */
  accounts: ReadonlyMap<string, string>;
}

export interface DesiredState {
  state: SafeguardsState;
  /** The Regions the file manages. */
  regions: string[];
  problems: SchemaProblem[];
}

const GUARDRAIL_ARN_RE = /^arn:aws:bedrock:([a-z0-9-]+):(\d{12}):guardrail\/([a-z0-9]+)$/;

function unitPaths(units: UnitSpec[] | undefined, prefix = ''): string[] {
  const out: string[] = [];
  for (const u of units ?? []) {
    const path = prefix ? `${prefix}/${u.name}` : u.name;
    out.push(path, ...unitPaths(u.units, path));
  }
  return out;
}

/** The Regions of the file: `regions`, else every Region it names, else the CLI's. */
export function fileRegions(file: SafeguardsFile, fallback: string): string[] {
  if (file.regions?.length) return [...new Set(file.regions)];
  const named = new Set<string>();
  for (const g of file.guardrails ?? []) for (const r of g.regions ?? []) named.add(r);
  for (const p of file.organizationPolicies ?? []) for (const e of p.enforce ?? []) for (const r of e.regions ?? []) named.add(r);
  for (const e of file.accountEnforcement ?? []) for (const r of e.regions ?? []) named.add(r);
  return named.size ? [...named].sort() : [fallback];
}

export function desiredState(file: SafeguardsFile, actual: SafeguardsState, known: KnownNames, defaultRegion: string): DesiredState {
  const problems: SchemaProblem[] = [];
  const problem = (path: string, message: string): void => {
    problems.push({ path, message });
  };
  const regions = fileRegions(file, defaultRegion);

  // ---- organization
  let organization: SafeguardsState['organization'];
  const fileUnits = unitPaths(file.organization?.units);
  if (file.organization) {
    const seen = new Set<string>();
    fileUnits.forEach((p) => {
      if (seen.has(p)) problem('organization.units', `the OU ${p} is declared twice`);
      seen.add(p);
    });
    const accounts = (file.organization.accounts ?? []).map((a, i) => {
      if (a.unit !== undefined && !seen.has(a.unit))
        problem(`organization.accounts[${i}].unit`, `${JSON.stringify(a.unit)} is not an OU of organization.units`);
      return { name: a.name, email: a.email ?? `${a.name}@${DEFAULT_ACCOUNT_EMAIL_DOMAIN}`, unit: a.unit ?? '' };
    });
    const names = new Set<string>();
    accounts.forEach((a, i) => {
      if (names.has(a.name)) problem(`organization.accounts[${i}].name`, `the account ${a.name} is declared twice`);
      if (a.name === MANAGEMENT || a.name === known.managementAccountName)
        problem(`organization.accounts[${i}].name`, `${a.name} is the management account, which is not declared here`);
      names.add(a.name);
    });
    organization = { units: [...seen].sort(), accounts, policyTypeEnabled: (file.organizationPolicies ?? []).length > 0 };
  }
  const allUnits = new Set([...fileUnits, ...known.units]);
  const allAccounts = new Set([...(file.organization?.accounts ?? []).map((a) => a.name), ...known.accounts.keys()]);

  /** An account as the file names it → its state name (MANAGEMENT, or a member name), or undefined. */
  const accountName = (ref: string): string | undefined => {
    if (ref === MANAGEMENT || ref === known.managementAccountName || ref === known.managementAccountId) return MANAGEMENT;
    if (allAccounts.has(ref)) return ref;
    for (const [name, id] of known.accounts) if (id === ref) return name === known.managementAccountName ? MANAGEMENT : name;
    return undefined;
  };

  // ---- guardrails
  // A name may have several entries (a config that differs by Region), each for other Regions.
  const specs = new Map<string, GuardrailSpec>();
  const specIn = new Map<string, GuardrailSpec>();
  const guardrails: GuardrailState[] = [];
  (file.guardrails ?? []).forEach((g, i) => {
    const path = `guardrails[${i}]`;
    if (!specs.has(g.name)) specs.set(g.name, g);
    if (g.version !== undefined && g.publish) problem(path, 'give either "version" (pin a published version) or "publish: true", not both');
    const config = canonicalConfig(g.config);
    for (const region of g.regions ?? regions) {
      if (!regions.includes(region)) problem(`${path}.regions`, `${region} is not one of the file's regions (${regions.join(', ')})`);
      if (specIn.has(`${region}/${g.name}`)) problem(`${path}.regions`, `the guardrail ${g.name} is declared twice in ${region}`);
      specIn.set(`${region}/${g.name}`, g);
      guardrails.push({
        region,
        name: g.name,
        config: localKmsKey(config, region, known.managementAccountId),
        versions: g.version !== undefined ? [g.version] : [],
        ...(g.publish ? { publish: true } : {}),
        ...(g.resourcePolicy ? { resourcePolicy: resourcePolicyDocument(g, region, path, problem) } : {}),
      });
    }
  });
  const guardrailRegions = (name: string): string[] => [...new Set(guardrails.filter((g) => g.name === name).map((g) => g.region))];
  const actualGuardrails = new Map(actual.guardrails.map((g) => [guardrailKey(g), g]));

  /** The version an enforcement of guardrail `name` in `region` uses, when it gives none. */
  const versionOf = (name: string, region: string): number | string | undefined => {
    const g = specIn.get(`${region}/${name}`);
    if (!g) return undefined;
    if (g.version !== undefined) return g.version;
    if (!g.publish) return undefined;
    const a = actualGuardrails.get(`${region}/${name}`);
    const latest = a?.versions.at(-1);
    const config = localKmsKey(canonicalConfig(g.config), region, known.managementAccountId);
    if (a && latest !== undefined && a.latestConfig && sameJson(a.latestConfig, config)) return latest;
    return versionSymbol(region, name);
  };

  /** One enforcement entry → per Region: the guardrail placeholder (or ARN) and the version. */
  const enforced = (e: EnforcementSpec, path: string) => {
    const out: Array<{ region: string; guardrail: string; version: number | string }> = [];
    const arn = GUARDRAIL_ARN_RE.exec(e.guardrail);
    const spec = specs.get(e.guardrail);
    if (!arn && !spec) {
      problem(`${path}.guardrail`, `${JSON.stringify(e.guardrail)} is neither a guardrail of this file nor a guardrail ARN`);
      return out;
    }
    const inRegions = e.regions ?? (arn ? [arn[1] ?? ''] : guardrailRegions(e.guardrail));
    for (const region of inRegions) {
      if (!regions.includes(region)) problem(`${path}.regions`, `${region} is not one of the file's regions (${regions.join(', ')})`);
      if (spec && !specIn.has(`${region}/${spec.name}`)) {
        // Not declared in this Region: kept, so that the pitfalls report it with its fix (pitfalls.ts).
        out.push({ region, guardrail: guardrailSymbol(region, spec.name), version: e.version ?? versionSymbol(region, spec.name) });
        continue;
      }
      const version = e.version ?? (spec ? versionOf(spec.name, region) : undefined);
      if (version === undefined) {
        problem(
          `${path}.version`,
          `no published version to enforce (a DRAFT cannot be enforced): ${spec ? `add "publish: true" or "version: N" to the guardrail ${spec.name}, or ` : ''}give "version"`,
        );
        continue;
      }
      out.push({ region, guardrail: arn ? e.guardrail : guardrailSymbol(region, e.guardrail), version });
    }
    return out;
  };

  // ---- organization policies
  const policies: PolicyState[] = [];
  const policyNames = new Set<string>();
  (file.organizationPolicies ?? []).forEach((p, i) => {
    const path = `organizationPolicies[${i}]`;
    if (policyNames.has(p.name)) problem(`${path}.name`, `the policy ${p.name} is declared twice`);
    policyNames.add(p.name);
    if ((p.enforce === undefined) === (p.content === undefined)) problem(path, 'give either "enforce" or "content"');
    const targets = (p.attach ?? []).map((t, j) => {
      if (t === 'root') return 'root';
      if (allUnits.has(t)) return `ou:${t}`;
      const a = accountName(t);
      if (a === MANAGEMENT) return `account:${MANAGEMENT}`;
      if (a) return `account:${a}`;
      problem(`${path}.attach[${j}]`, `${JSON.stringify(t)} is not root, an OU path or an account of the organization`);
      return `?${t}`;
    });
    let content: Json = p.content ?? {};
    if (p.enforce) {
      const inference: Record<string, Record<string, unknown>> = {};
      p.enforce.forEach((e, j) => {
        const configName = e.config ?? (specs.has(e.guardrail) ? e.guardrail : `config_${j + 1}`);
        for (const x of enforced(e, `${path}.enforce[${j}]`)) {
          const byRegion = (inference[x.region] ??= {});
          if (configName in byRegion) problem(`${path}.enforce[${j}]`, `two configurations named ${configName} in ${x.region}`);
          byRegion[configName] = policyConfig(x.guardrail, x.version, e);
        }
      });
      content = { bedrock: { guardrail_inference: inference } };
    }
    policies.push({ name: p.name, description: p.description ?? '', content, targets: [...new Set(targets)].sort() });
  });
  if (policies.length && !organization && !actual.organization)
    problem('organizationPolicies', 'organization policies need an organization: add "organization:" (it is created)');

  // ---- account-level enforcement
  const enforcement: EnforcementState[] = [];
  const seenEnf = new Set<string>();
  (file.accountEnforcement ?? []).forEach((e, i) => {
    const path = `accountEnforcement[${i}]`;
    const account = accountName(e.account);
    if (!account) {
      problem(`${path}.account`, `${JSON.stringify(e.account)} is not an account of the organization (nor "management")`);
      return;
    }
    for (const x of enforced(e, path)) {
      const key = `${account}@${x.region}`;
      if (seenEnf.has(key)) problem(path, `account ${e.account} has two configurations in ${x.region} (there is one per account and Region)`);
      seenEnf.add(key);
      enforcement.push({
        account,
        region: x.region,
        guardrail: x.guardrail,
        version: x.version,
        system: e.system ?? 'COMPREHENSIVE',
        messages: e.messages ?? 'COMPREHENSIVE',
        include: e.include ?? ['ALL'],
        exclude: e.exclude ?? [],
      });
    }
  });

  return { state: { ...(organization ? { organization } : {}), guardrails, policies, enforcement }, regions, problems };
}

/** One `guardrail_inference.<region>.<config>` entry of the shorthand. */
export function policyConfig(guardrail: string, version: number | string, e: EnforcementSpec): Json {
  const config: Json = { identifier: { '@@assign': `${guardrail}:${version}` } };
  if (e.system || e.messages)
    config.selective_content_guarding = {
      ...(e.system ? { system: { '@@assign': e.system.toLowerCase() } } : {}),
      ...(e.messages ? { messages: { '@@assign': e.messages.toLowerCase() } } : {}),
    };
  if (e.include || e.exclude)
    config.model_enforcement = {
      included_models: { '@@assign': e.include ?? ['ALL'] },
      excluded_models: { '@@assign': e.exclude ?? [] },
    };
  return config;
}

const ACTIONS = { apply: 'bedrock:ApplyGuardrail', get: 'bedrock:GetGuardrail' } as const;

/** The resource policy of a guardrail in one Region, with placeholders. */
function resourcePolicyDocument(g: GuardrailSpec, region: string, path: string, problem: (p: string, m: string) => void): Json {
  const rp = g.resourcePolicy ?? {};
  const self = guardrailSymbol(region, g.name);
  if (rp.document) {
    if (rp.allow || rp.units || rp.actions) problem(`${path}.resourcePolicy`, 'give either "document" or "allow" (with "units", "actions"), not both');
    return JSON.parse(JSON.stringify(rp.document).split('${guardrail.arn}').join(self)) as Json;
  }
  if (rp.allow !== 'organization') {
    problem(`${path}.resourcePolicy`, 'needs "allow: organization" or a "document"');
    return {};
  }
  const actions = [...new Set<'apply' | 'get'>(rp.actions ?? ['apply'])].map((a) => ACTIONS[a]);
  const condition: Json = { StringEquals: { 'aws:PrincipalOrgID': orgSymbol } };
  if (rp.units?.length)
    condition['ForAnyValue:StringLike'] = { 'aws:PrincipalOrgPaths': rp.units.map((u) => `${orgSymbol}/*/${unitSymbol(u)}/*`) };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowOrganizationToApplyGuardrail',
        Effect: 'Allow',
        Principal: '*',
        Action: actions.length === 1 ? actions[0] : actions,
        Resource: self,
        Condition: condition,
      },
    ],
  };
}

