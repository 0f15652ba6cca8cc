/** Two versions of a guardrail side by side (GetGuardrail with guardrailVersion), differences highlighted. */
import { useState } from 'react';
import { navigate, useQuery } from '../../app/router.ts';
import { ErrorBanner, formatTime, Link, Loading, PageHeader, Select, useLoad } from '../../components/ui.tsx';
import { type Column, TableHead } from '../../components/table.tsx';
import { type Guardrail, getGuardrail, listVersions } from './api.ts';
import { Check } from './controls.tsx';
import { type FlatField, flatten, SECTIONS } from './summary.tsx';

const label = (v: string) => (v === 'DRAFT' ? 'DRAFT' : `Version ${v}`);

/** A version's column header: its name and when it was made (the DRAFT: last saved). */
const versionColumn = (v: string, g: Guardrail): Column => ({
  label: (
    <>
      {label(v)} <span className="muted">({formatTime(v === 'DRAFT' ? g.updatedAt : g.createdAt)})</span>
    </>
  ),
});

interface Row {
  field: string;
  a?: string;
  b?: string;
}

function rowsOf(section: string, a: FlatField[], b: FlatField[]): Row[] {
  const rows = new Map<string, Row>();
  for (const f of a) if (f.section === section) rows.set(f.field, { field: f.field, a: f.value });
  for (const f of b) {
    if (f.section !== section) continue;
    const r = rows.get(f.field);
    if (r) r.b = f.value;
    else rows.set(f.field, { field: f.field, b: f.value });
  }
  return [...rows.values()];
}

const differs = (r: Row) => (r.a ?? '') !== (r.b ?? '') || (r.a === undefined) !== (r.b === undefined);

export function GuardrailCompare(props: { id: string }) {
  const { id } = props;
  const q = useQuery();
  // The pair lives in state (the router re-renders on path changes only) and is mirrored into the URL.
  const [{ a, b }, setPair] = useState(() => ({ a: q.get('a') || 'DRAFT', b: q.get('b') || 'DRAFT' }));
  const [onlyChanges, setOnlyChanges] = useState(false);
  const versions = useLoad((signal) => listVersions(id, signal), [id]);
  const pair = useLoad((signal) => Promise.all([getGuardrail(id, a, signal), getGuardrail(id, b, signal)]), [id, a, b]);
  const options = (versions.data ?? []).map((v) => [v.version, label(v.version)] as const);
  for (const v of [a, b]) if (!options.some(([o]) => o === v)) options.push([v, label(v)]);
  const pick = (na: string, nb: string) => {
    setPair({ a: na, b: nb });
    navigate(`/guardrails/${encodeURIComponent(id)}/compare?a=${encodeURIComponent(na)}&b=${encodeURIComponent(nb)}`, { replace: true });
  };

  const [ga, gb] = pair.data ?? [];
  const fa = ga ? flatten(ga) : [];
  const fb = gb ? flatten(gb) : [];
  const sections = SECTIONS.map((s) => ({ section: s, rows: rowsOf(s, fa, fb) }));
  const total = sections.reduce((n, s) => n + s.rows.filter(differs).length, 0);

  return (
    <section>
      <p className="gr-crumbs">
        <Link to="/guardrails">Guardrails</Link> / <Link to={`/guardrails/${encodeURIComponent(id)}`}>{ga?.name ?? id}</Link> / Compare
      </p>
      <PageHeader title="Compare versions" description="Every policy and field of two versions of this guardrail; changed fields are highlighted." />
      <div className="panel gr-pickers">
        <Select<string> label="Version A" value={a} options={options} onChange={(v) => pick(v, b)} />
        <Select<string> label="Version B" value={b} options={options} onChange={(v) => pick(a, v)} />
        <button type="button" onClick={() => pick(b, a)}>
          Swap
        </button>
        <Check label="Show only differences" checked={onlyChanges} onChange={setOnlyChanges} />
      </div>
      <ErrorBanner error={versions.error} />
      <ErrorBanner error={pair.error} />
      {pair.loading && !pair.data && <Loading what="both versions" />}
      {ga && gb && (
        <>
          <p role="status" className="gr-diff-count">
            {total === 0 ? `${label(a)} and ${label(b)} are identical.` : `${total} ${total === 1 ? 'field differs' : 'fields differ'} between ${label(a)} and ${label(b)}.`}
          </p>
          {sections.map(({ section, rows }) => {
            const changed = rows.filter(differs).length;
            const shown = onlyChanges ? rows.filter(differs) : rows;
            return (
              <div key={section} className="panel gr-compare">
                <h2>
                  {section} {changed > 0 ? <span className="badge badge-mask">{changed} changed</span> : <span className="badge">no changes</span>}
                </h2>
                {rows.length === 0 ? (
                  <p className="muted">Not configured in either version.</p>
                ) : shown.length === 0 ? (
                  <p className="muted">No differences.</p>
                ) : (
                  <table>
                    <TableHead columns={['Field', versionColumn(a, ga), versionColumn(b, gb)]} />
                    <tbody>
                      {shown.map((r) => {
                        const d = differs(r);
                        return (
                          <tr key={r.field} className={d ? 'gr-changed' : undefined}>
                            <th scope="row">
                              {r.field}
                              {d && <span className="gr-sr"> (changed)</span>}
                            </th>
                            <td>{r.a === undefined ? <span className="muted">not set</span> : r.a || <span className="muted">—</span>}</td>
                            <td>{r.b === undefined ? <span className="muted">not set</span> : r.b || <span className="muted">—</span>}</td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                )}
              </div>
            );
          })}
        </>
      )}
    </section>
  );
}
