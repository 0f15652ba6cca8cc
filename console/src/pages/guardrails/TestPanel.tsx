/** Try a guardrail version on a text with ApplyGuardrail and see what it found, where, and what it did. */
import { type FormEvent, useState } from 'react';
import { ErrorBanner, Select, TextArea } from '../../components/ui.tsx';
import { TableHead } from '../../components/table.tsx';
import { type ApplyRequest, type ApplyResult, applyGuardrail } from './api.ts';
import { type Finding, findingsOf, segments } from './findings.ts';

const ACTION_BADGE: Record<string, string> = { BLOCKED: 'badge badge-block', ANONYMIZED: 'badge badge-mask', NONE: 'badge' };

export function TestPanel(props: { id: string; versions: readonly string[]; initialVersion?: string }) {
  const [text, setText] = useState('');
  const [source, setSource] = useState<'INPUT' | 'OUTPUT'>('INPUT');
  const [version, setVersion] = useState(props.initialVersion && props.versions.includes(props.initialVersion) ? props.initialVersion : 'DRAFT');
  const [groundingSource, setGroundingSource] = useState('');
  const [query, setQuery] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [textError, setTextError] = useState<string>();
  const [run, setRun] = useState<{ text: string; source: string; version: string; result: ApplyResult }>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text) {
      setTextError('Enter the text to check.');
      return;
    }
    setTextError(undefined);
    setError(undefined);
    setBusy(true);
    const grounded = source === 'OUTPUT' && groundingSource.trim() !== '';
    const content: ApplyRequest['content'] = grounded
      ? [
          { text: { text, qualifiers: ['guard_content'] } },
          { text: { text: groundingSource, qualifiers: ['grounding_source'] } },
          ...(query.trim() ? [{ text: { text: query, qualifiers: ['query' as const] } }] : []),
        ]
      : [{ text: { text } }];
    try {
      const result = await applyGuardrail(props.id, version, { source, content, outputScope: 'FULL' });
      setRun({ text, source, version, result });
    } catch (err) {
      setError(err);
      setRun(undefined);
    } finally {
      setBusy(false);
    }
  };

  const findings = run ? findingsOf(run.result.assessments) : [];
  const marked = run ? segments(run.text, findings) : [];
  const detected = findings.filter((f) => f.detected);
  const output = run?.result.outputs.map((o) => o.text ?? '').join('\n') ?? '';

  return (
    <section className="panel gr-test" aria-labelledby="gr-test-title">
      <h2 id="gr-test-title">Test the guardrail</h2>
      <form onSubmit={submit} noValidate>
        <TextArea label="Text to check" rows={4} value={text} onChange={setText} error={textError} hint="Sent to ApplyGuardrail as one text block (outputScope FULL)." />
        <div className="gr-test-options">
          <Select<'INPUT' | 'OUTPUT'>
            label="Source"
            value={source}
            options={[
              ['INPUT', 'INPUT (a prompt)'],
              ['OUTPUT', 'OUTPUT (a model response)'],
            ]}
            onChange={setSource}
          />
          <Select<string> label="Version" value={version} options={props.versions.map((v) => [v, v === 'DRAFT' ? 'DRAFT (working copy)' : `Version ${v}`] as const)} onChange={setVersion} />
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Running…' : 'Run'}
          </button>
        </div>
        {source === 'OUTPUT' && (
          <details className="gr-grounding-inputs">
            <summary>Contextual grounding inputs (optional)</summary>
            <div className="grid2">
              <TextArea label="Grounding source" rows={3} value={groundingSource} onChange={setGroundingSource} hint="The reference text the response should be supported by." />
              <TextArea label="User query" rows={3} value={query} onChange={setQuery} hint="The question the response should answer." />
            </div>
          </details>
        )}
      </form>
      <ErrorBanner error={error} />
      {run && (
        <div className="gr-result" aria-live="polite">
          <h3>Result</h3>
          <p>
            <span className={run.result.action === 'GUARDRAIL_INTERVENED' ? 'badge badge-block' : 'badge badge-ok'} data-testid="apply-action">
              {run.result.action}
            </span>{' '}
            {run.result.actionReason && <span>{run.result.actionReason}</span>}{' '}
            <span className="muted">
              {run.source} · version {run.version} · {detected.length} {detected.length === 1 ? 'finding' : 'findings'}
            </span>
          </p>
          <div className="grid2">
            <div>
              <h4 id="gr-marked-title">Input with findings</h4>
              <div className="gr-marked" role="group" aria-labelledby="gr-marked-title">
                {marked.map((s, i) =>
                  s.mark ? (
                    <mark key={i} className={`finding-${s.mark}`} title={s.label}>
                      {s.text}
                    </mark>
                  ) : (
                    <span key={i}>{s.text}</span>
                  ),
                )}
              </div>
              <p className="gr-legend muted">
                <mark className="finding-block">blocked</mark> <mark className="finding-mask">masked</mark> <mark className="finding-none">detected only</mark>
              </p>
            </div>
            <div>
              <h4 id="gr-output-title">Output</h4>
              {run.result.outputs.length ? (
                <div className="gr-marked" role="group" aria-labelledby="gr-output-title">
                  {output}
                </div>
              ) : (
                <p className="muted">No output: the guardrail did not change the text, so it passes as it is.</p>
              )}
            </div>
          </div>
          <FindingsTable findings={findings} />
        </div>
      )}
    </section>
  );
}

function FindingsTable(props: { findings: readonly Finding[] }) {
  if (!props.findings.length) return <p className="muted">The assessment lists no findings.</p>;
  return (
    <table className="gr-findings">
      <caption className="gr-caption">Findings</caption>
      <TableHead columns={['Policy', 'Type', 'Match', 'Confidence / score', 'Detected', 'Action']} />
      <tbody>
        {props.findings.map((f, i) => (
          <tr key={i} className={f.detected ? undefined : 'gr-off'}>
            <td>{f.policy}</td>
            <td className="mono">{f.type}</td>
            <td>{f.match ? <code>{f.match}</code> : <span className="muted">—</span>}</td>
            <td>{f.measure}</td>
            <td>{f.detected ? 'Yes' : 'No'}</td>
            <td>
              <span className={ACTION_BADGE[f.action] ?? 'badge'}>{f.action}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
