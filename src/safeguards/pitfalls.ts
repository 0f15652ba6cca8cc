/**
 * The misconfigurations a plan would leave behind — the checks of `parapet verify` (src/control/verify.ts) and the
 * seed's four pitfalls, made on the state after apply instead of on a server: a DRAFT or missing version, a
 * guardrail missing in the Region of the configuration, no resource policy letting the members apply an
 * organization guardrail, an empty Include. Errors stop `apply`; warnings are shown. Pure.
 */
import type { Json } from './file-types.ts';
import { type GuardrailState, MANAGEMENT, type SafeguardsState, guardrailKey } from './state.ts';

export interface Pitfall {
  severity: 'error' | 'warning';
  /** The codes of verify's findings where they mean the same thing. */
  code: 'VERSION_NOT_FOUND' | 'GUARDRAIL_NOT_FOUND' | 'GUARDRAIL_IN_OTHER_REGION' | 'MISSING_RESOURCE_POLICY' | 'MODEL_SCOPE' | 'NOT_ATTACHED';
  where: string;
  message: string;
}

const SYMBOLIC_ID_RE = /^\$\{guardrail:([^}/]+)\/([^}]+)\}:(.+)$/;
const ARN_ID_RE = /^arn:aws:bedrock:([a-z0-9-]+):\d{12}:guardrail\/[a-z0-9]+:(.+)$/;

const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const assigned = (v: unknown): unknown => obj(v)?.['@@assign'];

/** OU paths a resource policy with placeholders limits access to; [] = the whole organization; undefined = none. */
function allowedUnits(doc: Json | undefined): string[] | undefined {
  if (!doc) return undefined;
  const text = JSON.stringify(doc);
  if (!text.includes('${organization.id}')) return undefined;
  return [...text.matchAll(/\$\{organization\.id\}\/\*\/\$\{ou:([^}]+)\}\/\*/g)].map((m) => m[1] ?? '');
}

export function pitfalls(desired: SafeguardsState, actual: SafeguardsState, prune: boolean): Pitfall[] {
  const out: Pitfall[] = [];
  const seen = new Set<string>();
  const add = (p: Pitfall): void => {
    const key = `${p.code}|${p.where}|${p.message}`;
    if (!seen.has(key)) out.push(p), seen.add(key);
  };
  const dG = new Map(desired.guardrails.map((g) => [guardrailKey(g), g]));
  const aG = new Map(actual.guardrails.map((g) => [guardrailKey(g), g]));
  const org = desired.organization ?? actual.organization;
  const unitOf = new Map((org?.accounts ?? []).map((a) => [a.name, a.unit]));
  /** The resource policy the guardrail will have after apply. */
  const policyAfter = (g: GuardrailState): Json | undefined => g.resourcePolicy ?? (prune ? undefined : aG.get(guardrailKey(g))?.resourcePolicy);

  // Pinned versions that do not exist (a version number cannot be chosen: publishing gives the next one).
  for (const g of desired.guardrails)
    for (const v of g.versions)
      if (!aG.get(guardrailKey(g))?.versions.includes(v))
        add({
          severity: 'error',
          code: 'VERSION_NOT_FOUND',
          where: `guardrail ${g.name} (${g.region})`,
          message: `Version ${v} of ${g.name} does not exist in ${g.region}. Publish one with "publish: true" (apply publishes the next number) and drop "version", or pin a version that exists.`,
        });

  /** Checks one enforced guardrail; returns the desired guardrail when it is one of the file's. */
  const checkGuardrail = (configRegion: string, identifier: string, where: string): GuardrailState | undefined => {
    const sym = SYMBOLIC_ID_RE.exec(identifier);
    if (sym) {
      const [, region = '', name = ''] = sym;
      const g = dG.get(`${region}/${name}`);
      if (region !== configRegion)
        add({ severity: 'error', code: 'GUARDRAIL_IN_OTHER_REGION', where, message: `${name} of ${region} is enforced in ${configRegion}: cross-account safeguards are Region-specific. Declare the guardrail in ${configRegion} (add it to its "regions") and enforce that one.` });
      else if (!g)
        add({ severity: 'error', code: 'GUARDRAIL_NOT_FOUND', where, message: `The guardrail ${name} is not declared in ${region}: cross-account safeguards are Region-specific. Add ${region} to its "regions" (one line creates and publishes it there too).` });
      return region === configRegion ? g : undefined;
    }
    const arn = ARN_ID_RE.exec(identifier);
    if (arn && arn[1] !== configRegion)
      add({ severity: 'error', code: 'GUARDRAIL_IN_OTHER_REGION', where, message: `${identifier} is in ${arn[1]} but enforced in ${configRegion}: use a guardrail of ${configRegion}.` });
    return undefined;
  };

  const emptyInclude = (include: unknown, where: string): void => {
    if (Array.isArray(include) && include.length === 0)
      add({ severity: 'warning', code: 'MODEL_SCOPE', where, message: 'Include lists no model: the guardrail applies to no model. List the models, use ["ALL"], or use Exclude instead.' });
  };

  // Organization policies, with the attachments they will have (those the file omits stay unless --prune).
  const aTargets = new Map(actual.policies.map((p) => [p.name, p.targets]));
  for (const d of desired.policies) {
    const p = { ...d, targets: prune ? d.targets : [...new Set([...d.targets, ...(aTargets.get(d.name) ?? [])])] };
    if (p.targets.length === 0)
      add({ severity: 'warning', code: 'NOT_ATTACHED', where: `organization policy ${p.name}`, message: 'The policy is attached to nothing, so it enforces nothing. Add "attach: [root]" (or OUs, accounts).' });
    const inference = obj(obj(p.content.bedrock)?.guardrail_inference) ?? {};
    for (const [region, configs] of Object.entries(inference))
      for (const [configName, config] of Object.entries(obj(configs) ?? {})) {
        const where = `organization policy ${p.name} (${region}, config '${configName}')`;
        const identifier = assigned(obj(config)?.identifier);
        if (typeof identifier !== 'string') continue;
        emptyInclude(assigned(obj(obj(config)?.model_enforcement)?.included_models), where);
        const g = checkGuardrail(region, identifier, where);
        if (!g || p.targets.length === 0) continue;
        const units = allowedUnits(policyAfter(g));
        if (units === undefined)
          add({
            severity: 'error',
            code: 'MISSING_RESOURCE_POLICY',
            where,
            message: `The guardrail ${g.name} in ${region} has no resource-based policy letting the member accounts apply it: their model invocations will fail with AccessDeniedException. Fix: add "resourcePolicy: { allow: organization }" to the guardrail.`,
          });
        else if (units.length) {
          const covered = (unit: string): boolean => units.some((u) => unit === u || unit.startsWith(`${u}/`));
          for (const t of p.targets) {
            const unit = t === 'root' ? undefined : t.startsWith('ou:') ? t.slice(3) : unitOf.get(t.slice('account:'.length));
            if (unit === undefined || !covered(unit))
              add({
                severity: 'error',
                code: 'MISSING_RESOURCE_POLICY',
                where,
                message: `The policy is attached to ${t} but the resource policy of ${g.name} only lets the OUs ${units.join(', ')} apply it: accounts outside them will get AccessDeniedException. Widen "resourcePolicy.units" or drop it.`,
              });
          }
        }
      }
  }

  // Account-level configurations.
  for (const e of desired.enforcement) {
    const where = `account-level configuration of ${e.account} (${e.region})`;
    emptyInclude(e.include, where);
    const g = checkGuardrail(e.region, `${e.guardrail}:${e.version}`, where);
    if (!g || e.account === MANAGEMENT) continue;
    const units = allowedUnits(policyAfter(g));
    const unit = unitOf.get(e.account) ?? '';
    if (units === undefined || (units.length > 0 && !units.some((u) => unit === u || unit.startsWith(`${u}/`))))
      add({
        severity: 'error',
        code: 'MISSING_RESOURCE_POLICY',
        where,
        message: `Account ${e.account} enforces ${g.name} of the management account, whose resource-based policy does not let it apply the guardrail: its invocations will fail with AccessDeniedException. Fix: "resourcePolicy: { allow: organization }" on ${g.name}.`,
      });
  }
  return out;
}
