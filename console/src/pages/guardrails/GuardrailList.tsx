/** ListGuardrails as a table, a page at a time (nextToken), with each guardrail's latest published version. */
import { useState } from 'react';
import { navigate } from '../../app/router.ts';
import { ErrorBanner, formatTime, Link, Loading, Notice, PageHeader, useLoad } from '../../components/ui.tsx';
import { TableHead } from '../../components/table.tsx';
import { type GuardrailSummary, listGuardrails, listVersions } from './api.ts';
import { useFlash } from './controls.tsx';

const PAGE_SIZE = 25;

export function GuardrailList() {
  const flash = useFlash();
  // The tokens of the pages seen so far: tokens[i] opens page i (undefined for the first).
  const [tokens, setTokens] = useState<Array<string | undefined>>([undefined]);
  const page = tokens.length - 1;
  const list = useLoad((signal) => listGuardrails(tokens[page], PAGE_SIZE, signal), [page, tokens[page]]);
  const rows = list.data?.guardrails ?? [];
  return (
    <section>
      <PageHeader title="Guardrails" description="Guardrails of this account in the current Region. Each has a working DRAFT and numbered, immutable versions.">
        <button type="button" className="primary" onClick={() => navigate('/guardrails/new')}>
          Create guardrail
        </button>
      </PageHeader>
      {flash && <Notice kind="success">{flash}</Notice>}
      <ErrorBanner error={list.error} />
      {list.loading && !list.data ? (
        <Loading what="guardrails" />
      ) : (
        list.data && (
          <>
            <table className="gr-list">
              <caption className="gr-caption">
                {rows.length === 0 && page === 0 ? 'No guardrails yet' : `Page ${page + 1}: ${rows.length} ${rows.length === 1 ? 'guardrail' : 'guardrails'}`}
              </caption>
              <TableHead columns={['Name', 'ID', 'Status', 'Latest version', 'Updated']} />
              <tbody>
                {rows.map((g) => (
                  <Row key={g.id} g={g} />
                ))}
              </tbody>
            </table>
            {rows.length === 0 && page === 0 && <p className="muted">Create a guardrail to filter content, deny topics, block words and mask sensitive information.</p>}
            {(page > 0 || list.data.nextToken) && (
              <div className="actions gr-pager">
                <button type="button" disabled={page === 0 || list.loading} onClick={() => setTokens((t) => t.slice(0, -1))}>
                  Previous page
                </button>
                <button type="button" disabled={!list.data.nextToken || list.loading} onClick={() => setTokens((t) => [...t, list.data?.nextToken])}>
                  Next page
                </button>
              </div>
            )}
          </>
        )
      )}
    </section>
  );
}

function Row(props: { g: GuardrailSummary }) {
  const { g } = props;
  const versions = useLoad((signal) => listVersions(g.id, signal), [g.id, g.updatedAt]);
  const numbered = (versions.data ?? []).filter((v) => v.version !== 'DRAFT');
  const latest = numbered[numbered.length - 1];
  return (
    <tr>
      <th scope="row">
        <Link to={`/guardrails/${encodeURIComponent(g.id)}`}>{g.name}</Link>
        {g.description && <div className="muted gr-sub">{g.description}</div>}
      </th>
      <td className="mono">{g.id}</td>
      <td>
        <span className={g.status === 'READY' ? 'badge badge-ok' : 'badge'}>{g.status}</span>
      </td>
      <td>{versions.error ? <span className="muted">unavailable</span> : versions.loading && !versions.data ? <span className="muted">…</span> : latest ? `Version ${latest.version}` : <span className="muted">DRAFT only</span>}</td>
      <td>{formatTime(g.updatedAt)}</td>
    </tr>
  );
}
