/**
 * The plan as people read it: changes grouped by Region and account (organization-wide ones first), one line
 * each with a sign (+ create, ~ update, ↑ publish, → attach, ← detach, - delete), then the pitfalls. Colour only
 * when the caller says so (a TTY without NO_COLOR). Also the one-line descriptions apply prints as it goes.
 */
import { type Change, targetName as target } from './plan.ts';
import type { Pitfall } from './pitfalls.ts';
import { MANAGEMENT } from './state.ts';

export interface Style {
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  cyan(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const sgr = (code: number) => (s: string) => `\u001b[${code}m${s}\u001b[0m`;
export const COLOUR: Style = { green: sgr(32), yellow: sgr(33), red: sgr(31), cyan: sgr(36), bold: sgr(1), dim: sgr(2) };
export const PLAIN: Style = { green: (s) => s, yellow: (s) => s, red: (s) => s, cyan: (s) => s, bold: (s) => s, dim: (s) => s };

/** Where a change happens: [Region or '', acting account]. */
export function groupOf(c: Change): [string, string] {
  switch (c.kind) {
    case 'create-guardrail':
    case 'update-guardrail':
    case 'publish-version':
    case 'put-resource-policy':
    case 'delete-resource-policy':
    case 'delete-guardrail':
      return [c.region, MANAGEMENT];
    case 'put-enforcement':
      return [c.enforcement.region, c.enforcement.account];
    case 'delete-enforcement':
      return [c.region, c.account];
    default:
      return ['', MANAGEMENT];
  }
}

const version = (v: number | string): string => (typeof v === 'number' ? `v${v}` : 'the version published now');

/** [sign, text] of one change. */
export function describeChange(c: Change): [string, string] {
  switch (c.kind) {
    case 'create-organization':
      return ['+', 'create the organization (feature set ALL)'];
    case 'enable-policy-type':
      return ['~', 'enable the BEDROCK_POLICY policy type on the root'];
    case 'create-unit':
      return ['+', `create OU ${c.path}`];
    case 'create-account':
      return ['+', `create account ${c.account.name} <${c.account.email}>`];
    case 'move-account':
      return ['~', `move account ${c.name} from ${c.from || 'root'} to ${c.to || 'root'}`];
    case 'create-guardrail':
      return ['+', `create guardrail ${c.name}`];
    case 'update-guardrail':
      return ['~', `update guardrail ${c.name} DRAFT (${c.members.join(', ')})`];
    case 'publish-version':
      return ['↑', `publish ${c.name} v${c.predicted}`];
    case 'put-resource-policy':
      return [c.replaces ? '~' : '+', `${c.replaces ? 'replace' : 'put'} the resource policy of ${c.name}`];
    case 'delete-resource-policy':
      return ['-', `delete the resource policy of ${c.name}`];
    case 'create-policy':
      return ['+', `create organization policy ${c.policy.name}`];
    case 'update-policy':
      return ['~', `update organization policy ${c.policy.name} (${c.members.join(', ')})`];
    case 'attach-policy':
      return ['→', `attach policy ${c.policy} to ${target(c.target)}`];
    case 'detach-policy':
      return ['←', `detach policy ${c.policy} from ${target(c.target)}`];
    case 'delete-policy':
      return ['-', `delete organization policy ${c.policy}`];
    case 'put-enforcement': {
      const e = c.enforcement;
      const g = /^\$\{guardrail:[^}/]+\/([^}]+)\}$/.exec(e.guardrail)?.[1] ?? e.guardrail;
      const what = `${g} ${version(e.version)}, system ${e.system}, messages ${e.messages}, include ${e.include.join(',') || '(none)'}${e.exclude.length ? `, exclude ${e.exclude.join(',')}` : ''}`;
      return [c.replaces ? '~' : '+', `${c.replaces ? 'update' : 'create'} the account-level configuration: ${what}`];
    }
    case 'delete-enforcement':
      return ['-', 'delete the account-level configuration'];
    case 'delete-guardrail':
      return ['-', `delete guardrail ${c.name} (every version)`];
    case 'delete-unit':
      return ['-', `delete OU ${c.path}`];
  }
}

function paint(sign: string, s: Style): (t: string) => string {
  if (sign === '+') return s.green;
  if (sign === '-') return s.red;
  if (sign === '~') return s.yellow;
  return s.cyan;
}

export function changeLine(c: Change, s: Style): string {
  const [sign, text] = describeChange(c);
  return paint(sign, s)(`${sign} ${text}`);
}

export function formatPlan(changes: readonly Change[], pitfalls: readonly Pitfall[], unmanaged: readonly string[], s: Style): string {
  const lines: string[] = [];
  const groups = new Map<string, Change[]>();
  for (const c of changes) {
    const [region, account] = groupOf(c);
    const key = region ? `${region} · account ${account}` : 'organization';
    (groups.get(key) ?? groups.set(key, []).get(key) ?? []).push(c);
  }
  const keys = [...groups.keys()].sort((a, b) => (a === 'organization' ? -1 : b === 'organization' ? 1 : a.localeCompare(b)));
  for (const k of keys) {
    lines.push(s.bold(k));
    for (const c of groups.get(k) ?? []) lines.push(`  ${changeLine(c, s)}`);
  }
  if (changes.length === 0) lines.push('No changes: the server matches the file.');
  if (unmanaged.length) {
    lines.push('', s.dim('Not in the file (kept; --prune deletes them):'));
    for (const u of unmanaged) lines.push(s.dim(`  · ${u}`));
  }
  if (pitfalls.length) {
    lines.push('', s.bold('Pitfalls:'));
    for (const p of pitfalls) {
      const tag = p.severity === 'error' ? s.red('ERROR') : s.yellow('WARNING');
      lines.push(`  ${tag} ${p.code} at ${p.where}`, `      ${p.message}`);
    }
  }
  const count = (k: string[]): number => changes.filter((c) => k.includes(describeChange(c)[0])).length;
  if (changes.length)
    lines.push('', `Plan: ${count(['+'])} to create, ${count(['~', '↑', '→', '←'])} to change, ${count(['-'])} to delete.`);
  return lines.join('\n');
}
