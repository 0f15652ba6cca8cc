/**
 * The actual state → a safeguards file, so an organization set up by hand can adopt the workflow. The file uses
 * names and placeholders, never ids, so it applies to another (empty) server; shorthands (`enforce`,
 * `allow: organization`) are used where they reproduce the document exactly, else the literal document is kept.
 * `notes` says what could not be carried over exactly (for stderr).
 */
import { stringify } from 'yaml';
import { desiredState } from './desired.ts';
import type {
  AccountEnforcementSpec,
  EnforcementSpec,
  GuardrailSpec,
  GuardingMode,
  Json,
  OrganizationPolicySpec,
  ResourcePolicySpec,
  SafeguardsFile,
  UnitSpec,
} from './file-types.ts';
import { API_VERSION } from './file-types.ts';
import { compactConfig } from './guardrail-config.ts';
import type { ActualState } from './read-state.ts';
import { MANAGEMENT, type GuardrailState, type SafeguardsState } from './state.ts';
import { canonicalJson, guardrailSymbol, sameJson } from './symbols.ts';

export interface ExportResult {
  file: SafeguardsFile;
  notes: string[];
}

function unitTree(paths: readonly string[]): UnitSpec[] {
  const roots: UnitSpec[] = [];
  const byPath = new Map<string, UnitSpec>();
  for (const p of [...paths].sort()) {
    const slash = p.lastIndexOf('/');
    const u: UnitSpec = { name: p.slice(slash + 1) };
    byPath.set(p, u);
    const parent = slash < 0 ? undefined : byPath.get(p.slice(0, slash));
    if (parent) (parent.units ??= []).push(u);
    else roots.push(u);
  }
  return roots;
}

/**
 * Entries equal but for their Region become one entry with several (the multi-Region one-liner), its Regions in
 * the order of `order` (the file's `regions`), whatever order the server listed them in.
 */
function mergeRegions<T extends { regions?: string[] }>(entries: T[], order: readonly string[]): T[] {
  const rank = (r: string): number => (order.includes(r) ? order.indexOf(r) : order.length);
  const out: T[] = [];
  const byKey = new Map<string, T>();
  for (const e of entries) {
    const { regions, ...rest } = e;
    const key = canonicalJson(rest);
    const had = byKey.get(key);
    if (had) had.regions = [...(had.regions ?? []), ...(regions ?? [])];
    else {
      const copy = { ...e, regions: [...(regions ?? [])] };
      byKey.set(key, copy);
      out.push(copy);
    }
  }
  for (const e of out) e.regions?.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return out;
}

const SYMBOLIC_ID_RE = /^\$\{guardrail:([^}/]+)\/([^}]+)\}:(\d+)$/;
const ARN_ID_RE = /^(arn:aws:bedrock:[a-z0-9-]+:\d{12}:guardrail\/[a-z0-9]+):(\d+)$/;
const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const assigned = (v: unknown): unknown => obj(v)?.['@@assign'];
const mode = (v: unknown): GuardingMode | undefined =>
  typeof v === 'string' && /^(selective|comprehensive)$/i.test(v) ? (v.toUpperCase() as GuardingMode) : undefined;

/**
 * The Regions an export covers without --regions: the CLI's, then every Region the organization's BEDROCK_POLICY
 * documents enforce in (there is no API listing the Regions a guardrail exists in; those the policies name are
 * the ones that matter, and --regions adds others).
 */
export function exportRegions(state: SafeguardsState, defaultRegion: string): string[] {
  const out = [defaultRegion];
  for (const p of state.policies)
    for (const region of Object.keys(obj(obj(p.content.bedrock)?.guardrail_inference) ?? {}))
      if (/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region) && !out.includes(region)) out.push(region);
  return out;
}

export function exportSafeguards(actual: ActualState, regions: readonly string[]): ExportResult {
  const notes: string[] = [];
  const { state, known } = actual;
  const file: SafeguardsFile = { apiVersion: API_VERSION, regions: [...regions] };

  if (state.organization) {
    const units = unitTree(state.organization.units);
    file.organization = {
      ...(units.length ? { units } : {}),
      accounts: state.organization.accounts.map((a) => ({ name: a.name, ...(a.email ? { email: a.email } : {}), ...(a.unit ? { unit: a.unit } : {}) })),
    };
  }

  // ---- guardrails: publish: true when the DRAFT is the latest version (then a new server publishes it as v1…).
  // A DRAFT that differs from its latest version is work nobody published: the file keeps the DRAFT as its config
  // and pins the latest version, so it describes this server exactly (plan shows nothing) and apply never
  // publishes — and so enforces — that unreviewed DRAFT. `publish: true` would make it portable at that price; the
  // note says how to choose it.

  const guardrailEntries: GuardrailSpec[] = [];
  const pinnedLatest = new Map<string, number>();
  for (const g of state.guardrails) {
    const entry: GuardrailSpec = { name: g.name, regions: [g.region], config: compactConfig(g.config) };
    const latest = g.versions.at(-1);
    if (latest !== undefined) {
      if (g.latestConfig && sameJson(g.latestConfig, g.config)) entry.publish = true;
      else {
        entry.version = latest;
        pinnedLatest.set(`${g.region}/${g.name}`, latest);
        notes.push(
          `guardrail ${g.name} (${g.region}): its DRAFT differs from version ${latest}, so the file pins "version: ${latest}" ` +
            '(enforcements keep using it; apply will not publish the DRAFT). Another server has no such version: to apply the file ' +
            'there, publish the DRAFT here first and export again, or replace "version" with "publish: true" (which publishes the DRAFT).',
        );
      }
    }
    if (g.resourcePolicy) entry.resourcePolicy = resourcePolicySpec(g);
    guardrailEntries.push(entry);
  }
  const guardrails = mergeRegions(guardrailEntries, regions);
  if (guardrails.length) file.guardrails = guardrails;

  /** The enforcement spec of an identifier, or undefined when it has another form. */
  const enforcementOf = (identifier: unknown): { guardrail: string; region?: string; version: number } | undefined => {
    if (typeof identifier !== 'string') return undefined;
    const sym = SYMBOLIC_ID_RE.exec(identifier);
    if (sym) return { guardrail: sym[2] ?? '', region: sym[1] ?? '', version: Number(sym[3]) };
    const arn = ARN_ID_RE.exec(identifier);
    if (arn) return { guardrail: arn[1] ?? '', version: Number(arn[2]) };
    return undefined;
  };

  // ---- organization policies: the `enforce` shorthand when it renders the same document
  const policies: OrganizationPolicySpec[] = [];
  for (const p of state.policies) {
    const spec: OrganizationPolicySpec = { name: p.name, ...(p.description ? { description: p.description } : {}) };
    const attach = p.targets.map((t) => (t === 'root' ? 'root' : t.startsWith('ou:') ? t.slice(3) : t.startsWith('account:') ? accountRef(t.slice(8), known.managementAccountName) : t.slice(3)));
    if (attach.length) spec.attach = attach;
    const enforce = enforceShorthand(p.content, enforcementOf);
    spec.enforce = enforce;
    if (!enforce || !rendersTheSame(file, guardrails, spec, p.content, actual, regions)) {
      delete spec.enforce;
      spec.content = p.content;
    }
    policies.push(spec);
  }
  if (policies.length) file.organizationPolicies = policies;

  // ---- account-level configurations
  const enforcement: AccountEnforcementSpec[] = [];
  for (const e of state.enforcement) {
    const sym = /^\$\{guardrail:([^}/]+)\/([^}]+)\}$/.exec(e.guardrail);
    const spec: AccountEnforcementSpec = {
      account: accountRef(e.account, known.managementAccountName),
      guardrail: sym ? (sym[2] ?? '') : e.guardrail,
      regions: [e.region],
      ...(typeof e.version === 'number' ? { version: e.version } : {}),
      ...(JSON.stringify(e.include) !== '["ALL"]' ? { include: e.include } : {}),
      ...(e.exclude.length ? { exclude: e.exclude } : {}),
      ...(e.system !== 'COMPREHENSIVE' ? { system: e.system } : {}),
      ...(e.messages !== 'COMPREHENSIVE' ? { messages: e.messages } : {}),
    };
    // The version is implied when it is the one the guardrail's entry gives (its latest).
    const g = sym ? state.guardrails.find((x) => x.region === sym[1] && x.name === sym[2]) : undefined;
    if (g && spec.version === g.versions.at(-1)) delete spec.version;
    enforcement.push(spec);
  }
  const merged = mergeRegions(enforcement, regions);
  if (merged.length) file.accountEnforcement = merged;

  // The file must describe exactly this server: check it the way plan will read it.
  const check = desiredState(file, state, known, regions[0] ?? 'us-east-1');
  if (check.problems.length) notes.push(...check.problems.map((p) => `the exported file has a problem at ${p.path}: ${p.message}`));
  return { file, notes };
}

function accountRef(name: string, managementName: string | undefined): string {
  return name === MANAGEMENT ? (managementName ?? MANAGEMENT) : name;
}

function resourcePolicySpec(g: GuardrailState): ResourcePolicySpec {
  const doc = g.resourcePolicy ?? {};
  const statement = (doc.Statement as Json[] | undefined)?.[0];
  const actionsRaw = statement?.Action;
  const actions = (Array.isArray(actionsRaw) ? actionsRaw : [actionsRaw]).map((a) =>
    a === 'bedrock:ApplyGuardrail' ? 'apply' : a === 'bedrock:GetGuardrail' ? 'get' : undefined,
  );
  const paths = obj(obj(statement?.Condition)?.['ForAnyValue:StringLike'])?.['aws:PrincipalOrgPaths'];
  const units = (Array.isArray(paths) ? paths : []).map((p) => /^\$\{organization\.id\}\/\*\/\$\{ou:([^}]+)\}\/\*$/.exec(String(p))?.[1]);
  if (!actions.includes(undefined) && !units.includes(undefined)) {
    const candidate: ResourcePolicySpec = {
      allow: 'organization',
      ...(units.length ? { units: units as string[] } : {}),
      ...(actions.join() !== 'apply' ? { actions: actions as Array<'apply' | 'get'> } : {}),
    };
    const probe = desiredState(
      { apiVersion: API_VERSION, regions: [g.region], guardrails: [{ name: g.name, config: g.config, resourcePolicy: candidate }] },
      { guardrails: [], policies: [], enforcement: [] },
      { managementAccountId: '', units: units as string[], accounts: new Map() },
      g.region,
    );
    if (sameJson(probe.state.guardrails[0]?.resourcePolicy, doc)) return candidate;
  }
  return { document: JSON.parse(JSON.stringify(doc).split(guardrailSymbol(g.region, g.name)).join('${guardrail.arn}')) as Json };
}

type EnforceEntry = EnforcementSpec & { config?: string };

function enforceShorthand(
  content: Json,
  enforcementOf: (identifier: unknown) => { guardrail: string; region?: string; version: number } | undefined,
): EnforceEntry[] | undefined {
  const bedrock = obj(content.bedrock);
  if (!bedrock || Object.keys(content).length !== 1 || Object.keys(bedrock).length !== 1) return undefined;
  const inference = obj(bedrock.guardrail_inference);
  if (!inference) return undefined;
  const entries: EnforceEntry[] = [];
  for (const [region, configs] of Object.entries(inference))
    for (const [configName, raw] of Object.entries(obj(configs) ?? {})) {
      const c = obj(raw) ?? {};
      const id = enforcementOf(assigned(c.identifier));
      if (!id || (id.region !== undefined && id.region !== region)) return undefined;
      const guarding = obj(c.selective_content_guarding);
      const models = obj(c.model_enforcement);
      const include = assigned(models?.included_models);
      const exclude = assigned(models?.excluded_models);
      entries.push({
        guardrail: id.guardrail,
        ...(configName !== id.guardrail ? { config: configName } : {}),
        regions: [region],
        version: id.version,
        ...(mode(assigned(guarding?.system)) ? { system: mode(assigned(guarding?.system)) } : {}),
        ...(mode(assigned(guarding?.messages)) ? { messages: mode(assigned(guarding?.messages)) } : {}),
        // include: [ALL] is what an entry with only "exclude" renders (rendersTheSame checks it).
        ...(Array.isArray(include) && !(Array.isArray(exclude) && JSON.stringify(include) === '["ALL"]') ? { include: include as string[] } : {}),
        ...(Array.isArray(exclude) ? { exclude: exclude as string[] } : {}),
      });
    }
  // One entry per Region: merged by rendersTheSame, once the implied versions are dropped.
  return entries.length ? entries : undefined;
}

/** Whether the shorthand of `spec` renders `content` exactly (else the literal document is exported). */
function rendersTheSame(
  file: SafeguardsFile,
  guardrails: GuardrailSpec[],
  spec: OrganizationPolicySpec,
  content: Json,
  actual: ActualState,
  regions: readonly string[],
): boolean {
  // Versions equal to the guardrail's latest are implied; try without them first, then with them. Entries are
  // merged across Regions after that, so one guardrail at v3 here and v1 there is still one entry.
  const implicit = spec.enforce?.map((e) => {
    const copy = { ...e };
    const g = actual.state.guardrails.find((x) => x.name === e.guardrail && (e.regions ?? []).includes(x.region));
    const gSpec = guardrails.find((x) => x.name === e.guardrail && (x.regions ?? []).some((r) => (e.regions ?? []).includes(r)));
    if (g && gSpec?.publish && copy.version === g.versions.at(-1)) delete copy.version;
    return copy;
  });
  for (const entries of [implicit, spec.enforce]) {
    const enforce = entries && mergeRegions(entries, regions);
    const probe = desiredState(
      { ...file, guardrails, organizationPolicies: [{ ...spec, enforce }] },
      actual.state,
      actual.known,
      file.regions?.[0] ?? 'us-east-1',
    );
    if (!probe.problems.length && sameJson(probe.state.policies[0]?.content, content)) {
      spec.enforce = enforce;
      return true;
    }
  }
  return false;
}

/** YAML with the schema pointer for editors (see schemaRef in file.ts). */
export function toYaml(file: SafeguardsFile, schemaRef: string): string {
  return `# yaml-language-server: $schema=${schemaRef}\n${stringify(file, { lineWidth: 0 })}`;
}

/** JSON, with the schema pointer as its `$schema` member (the schema allows it). */
export function toJson(file: SafeguardsFile, schemaRef: string): string {
  return `${JSON.stringify({ $schema: schemaRef, ...file }, null, 2)}\n`;
}

