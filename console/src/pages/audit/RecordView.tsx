/** /audit/records/:seq — one audit record: every field, the detail as JSON, and its place in the hash chain. */
import { ErrorBanner, Link, Loading, PageHeader, formatTime, useLoad } from '../../components/ui.tsx';
import { Fact, TableHead } from '../../components/table.tsx';
import { accountLabel, VerifyChain } from './AuditTrail.tsx';
import { useSearch } from './location.ts';
import { loadAccountNames, loadRecord, outcomeClass, policyLabel, policiesOf } from './records.ts';

/** ARNs and hashes: monospaced, broken anywhere to fit. */
const LONG = 'mono audit-break';

function Json(props: { label: string; value: unknown }) {
  if (props.value === undefined) return null;
  return (
    <section className="panel">
      <h2>{props.label}</h2>
      <pre className="audit-json" tabIndex={0} aria-label={`${props.label} (JSON)`}>
        {JSON.stringify(props.value, null, 2)}
      </pre>
    </section>
  );
}

export function RecordView(props: { seq: number }) {
  const search = useSearch();
  const rec = useLoad((s) => loadRecord(props.seq, s), [props.seq]);
  const prev = useLoad((s) => (props.seq > 1 ? loadRecord(props.seq - 1, s) : Promise.resolve(undefined)), [props.seq]);
  const next = useLoad((s) => loadRecord(props.seq + 1, s), [props.seq]);
  const accounts = useLoad((s) => loadAccountNames(s), []);
  const r = rec.data;
  const policies = r ? policiesOf(r) : [];
  const linked = r && prev.data ? prev.data.hash === r.prevHash : undefined;
  return (
    <section className="audit-record">
      <PageHeader title={`Audit record #${props.seq}`} description={r ? `${r.action} · ${formatTime(r.at)}` : undefined}>
        <VerifyChain />
      </PageHeader>
      <nav className="audit-pager" aria-label="Records">
        <Link to={`/audit${search}`}>← Back to the audit trail</Link>
        {prev.data && <Link to={`/audit/records/${props.seq - 1}${search}`}>Previous record (#{props.seq - 1})</Link>}
        {next.data && <Link to={`/audit/records/${props.seq + 1}${search}`}>Next record (#{props.seq + 1})</Link>}
      </nav>
      <ErrorBanner error={rec.error} />
      {rec.loading && <Loading what="the record" />}
      {!rec.loading && !rec.error && !r && (
        <p role="status">Record #{props.seq} does not exist, or it belongs to an account whose records you may not read.</p>
      )}
      {r && !rec.loading && (
        <>
          <div className="grid2">
            <section className="panel">
              <h2>Record</h2>
              <dl className="audit-fields">
                <Fact label="Sequence number">{r.seq}</Fact>
                <Fact label="Time">
                  {formatTime(r.at)} <span className="muted mono">({r.at})</span>
                </Fact>
                <Fact label="Account">{accountLabel(accounts.data, r.accountId)}</Fact>
                <Fact label="Principal" className={LONG}>
                  {r.principalArn}
                </Fact>
                <Fact label="Action" className="mono">
                  {r.action}
                </Fact>
                <Fact label="Outcome">
                  <span className={outcomeClass(r.outcome)}>{r.outcome}</span>
                </Fact>
                <Fact label="Region">{r.region ?? '—'}</Fact>
                <Fact label="Resource" className={LONG}>
                  {r.resourceArn ?? '—'}
                </Fact>
                <Fact label="Request id" className="mono">
                  {r.requestId ?? '—'}
                </Fact>
              </dl>
            </section>
            <section className="panel">
              <h2>Hash chain</h2>
              <dl className="audit-fields">
                <Fact label="Hash" className={LONG}>
                  {r.hash}
                </Fact>
                <Fact label="Previous hash" className={LONG}>
                  {r.prevHash}
                </Fact>
                <Fact label="Link to the previous record">
                  {r.seq === 1
                    ? 'The first record: its previous hash is the chain’s starting value.'
                    : linked === undefined
                      ? `Record #${r.seq - 1} is not visible to you; verify the whole chain instead.`
                      : linked
                        ? `Matches the hash of record #${r.seq - 1}.`
                        : `Does not match the hash of record #${r.seq - 1}: the chain is broken here.`}
                </Fact>
              </dl>
              <p className="muted">Each record’s hash covers its contents and the previous record’s hash, so changing or removing any record breaks every link after it.</p>
            </section>
          </div>
          {policies.length > 0 && (
            <section className="panel">
              <h2>Policies that detected something</h2>
              <table>
                <TableHead columns={['Policy type', 'Type', 'Name', 'Action']} />
                <tbody>
                  {policies.map((p, i) => (
                    <tr key={i}>
                      <td>{policyLabel(p.policy)}</td>
                      <td>{p.type}</td>
                      <td>{p.name ?? '—'}</td>
                      <td>
                        <span className={p.action === 'BLOCKED' ? 'badge badge-block' : p.action === 'ANONYMIZED' ? 'badge badge-mask' : 'badge'}>{p.action}</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
          <Json label="Detail" value={r.detail} />
          <Json label="Before" value={r.before} />
          <Json label="After" value={r.after} />
        </>
      )}
    </section>
  );
}
