/**
 * One-line summaries of audit records, shared by `parapet audit list` and the web console's audit trail (pure:
 * no I/O, nothing Node-specific, so the console bundles it).
 */
/** What a summary reads of an audit record (the store's records and the CLI's API answers both fit). */
export interface SummarizedRecord {
  action: string;
  resourceArn?: string;
  detail?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * The principal without the ARN prefix the account column already shows: `arn:aws:iam::1111…:user/alice` →
 * `user/alice`; a principal of another account keeps its account (`2222…:root`); anything else stays as is.
 */
export function shortPrincipal(arn: string, accountId: string): string {
  const m = /^arn:aws(?:-[a-z]+)*:(?:iam|sts)::(\d{12}):(.+)$/.exec(arn);
  if (!m) return arn;
  return m[1] === accountId ? (m[2] ?? arn) : `${m[1]}:${m[2]}`;
}

/** The policies that fired as `TYPE(name)` (topics as `TOPIC(name)`), each once. */
export function firedList(policies: unknown): string[] {
  if (!Array.isArray(policies)) return [];
  const out: string[] = [];
  for (const p of policies) {
    if (!isObject(p)) continue;
    const type = p.policy === 'topic' ? 'TOPIC' : (str(p.type) ?? str(p.policy) ?? '?');
    const name = str(p.name);
    const label = name ? `${type}(${name})` : type;
    if (!out.includes(label)) out.push(label);
  }
  return out;
}

/**
 * A short summary of a record's `detail`: for a model call the model, where a guardrail intervened and the
 * latency; for a guardrail application the guardrail (`arn:version`), the source, what it did and which policies
 * fired, and the latency; for anything else the resource ARN.
 */
export function auditDetail(r: SummarizedRecord): string {
  const d = isObject(r.detail) ? r.detail : undefined;
  const ms = num(d?.latencyMs);
  const latency = ms === undefined ? undefined : `${ms} ms`;
  if (d && str(d.guardrail) && (r.action === 'bedrock:ApplyGuardrail' || str(d.source))) {
    const fired = firedList(d.policies);
    const action = str(d.action);
    const what = fired.length ? `${action && action !== 'NONE' ? action : 'detected'}: ${fired.join(', ')}` : undefined;
    const failed = str(d.failedOpen);
    return [str(d.guardrail), str(d.source), what, failed ? `failed open: ${failed}` : undefined, latency].filter(Boolean).join(' · ');
  }
  if (d && str(d.operation)) {
    const on = str(d.intervenedOn);
    return [
      str(d.model),
      on ? `intervened on ${on}` : undefined,
      d.modelCalled === false ? 'model not called' : undefined,
      latency,
    ]
      .filter(Boolean)
      .join(' · ');
  }
  if (d && Array.isArray(d.failOpen)) return `fail-open: ${d.failOpen.filter((x) => typeof x === 'string').join(', ')}`;
  return r.resourceArn ?? '';
}
