/** The guardrail trace of a Converse answer (`trace.guardrail`): who assessed what, what fired, what it did. */
import { TableHead } from '../../components/table.tsx';

export interface AppliedDetails {
  guardrailId?: string;
  guardrailVersion?: string;
  guardrailArn?: string;
  guardrailOrigin?: string[];
  guardrailOwnership?: string;
}

export interface Assessment {
  topicPolicy?: { topics?: Array<{ name: string; type?: string; action: string; detected?: boolean }> };
  contentPolicy?: { filters?: Array<{ type: string; confidence?: string; filterStrength?: string; action: string; detected?: boolean }> };
  wordPolicy?: {
    customWords?: Array<{ match: string; action: string; detected?: boolean }>;
    managedWordLists?: Array<{ match: string; type?: string; action: string; detected?: boolean }>;
  };
  sensitiveInformationPolicy?: {
    piiEntities?: Array<{ match: string; type: string; action: string; detected?: boolean }>;
    regexes?: Array<{ name?: string; match?: string; action: string; detected?: boolean }>;
  };
  contextualGroundingPolicy?: { filters?: Array<{ type: string; threshold: number; score: number; action: string; detected?: boolean }> };
  invocationMetrics?: { guardrailProcessingLatency?: number; guardrailCoverage?: { textCharacters?: { guarded: number; total: number } } };
  appliedGuardrailDetails?: AppliedDetails;
}

export interface GuardrailTrace {
  actionReason?: string;
  modelOutput?: string[];
  inputAssessment?: Record<string, Assessment>;
  outputAssessments?: Record<string, Assessment[]>;
}

export interface Finding {
  policy: string;
  what: string;
  match?: string;
  action: string;
  detected: boolean;
}

/** Every entry of an assessment, as one row each. */
export function findings(a: Assessment): Finding[] {
  const out: Finding[] = [];
  const det = (d: boolean | undefined, action: string) => d ?? action !== 'NONE';
  for (const t of a.topicPolicy?.topics ?? []) out.push({ policy: 'Denied topic', what: t.name, action: t.action, detected: det(t.detected, t.action) });
  for (const f of a.contentPolicy?.filters ?? [])
    out.push({ policy: 'Content filter', what: `${f.type}${f.confidence ? ` (confidence ${f.confidence})` : ''}`, action: f.action, detected: det(f.detected, f.action) });
  for (const w of a.wordPolicy?.customWords ?? []) out.push({ policy: 'Word filter', what: 'Custom word', match: w.match, action: w.action, detected: det(w.detected, w.action) });
  for (const w of a.wordPolicy?.managedWordLists ?? [])
    out.push({ policy: 'Word filter', what: w.type ?? 'Managed word list', match: w.match, action: w.action, detected: det(w.detected, w.action) });
  for (const p of a.sensitiveInformationPolicy?.piiEntities ?? [])
    out.push({ policy: 'Sensitive information', what: p.type, match: p.match, action: p.action, detected: det(p.detected, p.action) });
  for (const r of a.sensitiveInformationPolicy?.regexes ?? [])
    out.push({ policy: 'Sensitive information', what: `Regex ${r.name ?? ''}`.trim(), ...(r.match !== undefined ? { match: r.match } : {}), action: r.action, detected: det(r.detected, r.action) });
  for (const g of a.contextualGroundingPolicy?.filters ?? [])
    out.push({ policy: 'Contextual grounding', what: `${g.type} score ${g.score} (threshold ${g.threshold})`, action: g.action, detected: det(g.detected, g.action) });
  return out;
}

/** Where a guardrail that applied comes from (appliedGuardrailDetails.guardrailOrigin, verify's origins). */
export const ORIGIN_LABEL: Record<string, string> = {
  REQUEST: 'Requested',
  ACCOUNT_ENFORCED: 'Account-enforced',
  ORGANIZATION_ENFORCED: 'Organization-enforced',
};

/** The assessments of a trace in order: input first, then output. */
export function traceEntries(t: GuardrailTrace): Array<{ source: 'Input' | 'Output'; key: string; assessment: Assessment }> {
  const out: Array<{ source: 'Input' | 'Output'; key: string; assessment: Assessment }> = [];
  for (const [key, a] of Object.entries(t.inputAssessment ?? {})) out.push({ source: 'Input', key, assessment: a });
  for (const [key, list] of Object.entries(t.outputAssessments ?? {})) for (const a of list) out.push({ source: 'Output', key, assessment: a });
  return out;
}

/** Where the guardrails intervened: INPUT, OUTPUT, or undefined. */
export function intervenedOn(t: GuardrailTrace | undefined): 'input' | 'output' | undefined {
  if (!t) return undefined;
  const acted = (a: Assessment) => findings(a).some((f) => f.action !== 'NONE');
  if (Object.values(t.inputAssessment ?? {}).some(acted)) return 'input';
  if (Object.values(t.outputAssessments ?? {}).some((l) => l.some(acted))) return 'output';
  return undefined;
}

const actionClass = (a: string) => (a === 'BLOCKED' ? 'badge badge-block' : a === 'ANONYMIZED' ? 'badge badge-mask' : 'badge');

export function TraceView(props: { trace: GuardrailTrace }) {
  const entries = traceEntries(props.trace);
  return (
    <section className="pg-trace" aria-label="Guardrail trace">
      <h3>Guardrail trace</h3>
      {props.trace.actionReason && (
        <p>
          Action reason: <strong>{props.trace.actionReason}</strong>
        </p>
      )}
      {!entries.length && <p className="muted">No guardrail assessed this call.</p>}
      {entries.map((e, i) => {
        const d = e.assessment.appliedGuardrailDetails;
        const rows = findings(e.assessment);
        const m = e.assessment.invocationMetrics;
        return (
          <div key={`${e.source}-${e.key}-${i}`} className="pg-assessment">
            <h4>
              {e.source} · guardrail <span className="mono">{d?.guardrailId ?? e.key}</span>
              {d?.guardrailVersion ? ` version ${d.guardrailVersion}` : ''}
            </h4>
            <p className="pg-origins">
              {(d?.guardrailOrigin ?? []).map((o) => (
                <span key={o} className="badge pg-origin">
                  {ORIGIN_LABEL[o] ?? o}
                </span>
              ))}
              {d?.guardrailOwnership && <span className="badge">{d.guardrailOwnership === 'CROSS_ACCOUNT' ? 'Cross-account' : 'Own account'}</span>}
              {m?.guardrailProcessingLatency !== undefined && <span className="muted"> {m.guardrailProcessingLatency} ms</span>}
              {m?.guardrailCoverage?.textCharacters && (
                <span className="muted">
                  {' '}
                  · {m.guardrailCoverage.textCharacters.guarded}/{m.guardrailCoverage.textCharacters.total} characters guarded
                </span>
              )}
            </p>
            {d?.guardrailArn && <p className="mono muted pg-arn">{d.guardrailArn}</p>}
            {rows.length ? (
              <table>
                <TableHead columns={['Policy', 'Finding', 'Match', 'Action']} />
                <tbody>
                  {rows.map((f, j) => (
                    <tr key={j}>
                      <td>{f.policy}</td>
                      <td>{f.what}</td>
                      <td>{f.match !== undefined ? <mark className={f.action === 'BLOCKED' ? 'finding-block' : f.action === 'ANONYMIZED' ? 'finding-mask' : 'finding-none'}>{f.match}</mark> : '—'}</td>
                      <td>
                        <span className={actionClass(f.action)}>{f.action}</span>
                        {!f.detected && <span className="muted"> (not detected)</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p className="muted">Nothing detected.</p>
            )}
          </div>
        );
      })}
      {props.trace.modelOutput && (
        <details>
          <summary>What the model answered before the guardrail acted</summary>
          <pre className="pg-pre">{props.trace.modelOutput.join('\n')}</pre>
        </details>
      )}
      <details>
        <summary>Raw trace (JSON)</summary>
        <pre className="pg-pre">{JSON.stringify(props.trace, null, 2)}</pre>
      </details>
    </section>
  );
}
