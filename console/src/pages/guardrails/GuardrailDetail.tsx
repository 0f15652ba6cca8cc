/** One guardrail: its DRAFT summarised, its versions, publishing a version, deleting it. */
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { navigate } from '../../app/router.ts';
import { ErrorBanner, formatTime, Link, Loading, Notice, PageHeader, TextInput, useLoad } from '../../components/ui.tsx';
import { Fact, TableHead } from '../../components/table.tsx';
import { codePoints, createVersion, deleteGuardrail, type Guardrail, getGuardrail, LIMITS, listVersions } from './api.ts';
import { setFlash, useFlash } from './controls.tsx';
import { ConfigSummary } from './summary.tsx';

const base = (id: string) => `/guardrails/${encodeURIComponent(id)}`;

export function GuardrailDetail(props: { id: string }) {
  const { id } = props;
  const flash = useFlash();
  const draft = useLoad((signal) => getGuardrail(id, 'DRAFT', signal), [id]);
  const versions = useLoad((signal) => listVersions(id, signal), [id]);
  const [published, setPublished] = useState<string>();
  const [confirming, setConfirming] = useState(false);

  if (draft.loading && !draft.data) return <Loading what="the guardrail" />;
  const g = draft.data;
  if (!g)
    return (
      <section>
        <PageHeader title="Guardrail" />
        <ErrorBanner error={draft.error} />
        <Link to="/guardrails">Back to guardrails</Link>
      </section>
    );
  const numbered = (versions.data ?? []).filter((v) => v.version !== 'DRAFT');
  return (
    <section>
      <p className="gr-crumbs">
        <Link to="/guardrails">Guardrails</Link> / {g.name}
      </p>
      <PageHeader title={g.name} description={g.description}>
        <Link to={`${base(id)}/edit`} className="button gr-btn">
          Edit DRAFT
        </Link>
        <Link to={`${base(id)}/test`} className="button gr-btn">
          Test guardrail
        </Link>
        <Link to={`${base(id)}/compare?a=DRAFT&b=${numbered.length ? numbered[numbered.length - 1]?.version : 'DRAFT'}`} className="button gr-btn">
          Compare versions
        </Link>
        <button type="button" className="danger" onClick={() => setConfirming(true)} aria-expanded={confirming}>
          Delete
        </button>
      </PageHeader>
      {flash && <Notice kind="success">{flash}</Notice>}
      {confirming && <ConfirmDelete g={g} versionCount={numbered.length} onCancel={() => setConfirming(false)} />}

      <div className="panel">
        <dl className="gr-facts">
          <Fact label="ARN">
            <code className="gr-arn" title="Click to select the whole ARN">
              {g.guardrailArn}
            </code>
          </Fact>
          <Fact label="ID" className="mono">
            {g.guardrailId}
          </Fact>
          <Fact label="Status">
            <span className={g.status === 'READY' ? 'badge badge-ok' : 'badge'}>{g.status}</span>
          </Fact>
          <Fact label="DRAFT updated">{formatTime(g.updatedAt)}</Fact>
          <Fact label="Created">{formatTime(g.createdAt)}</Fact>
          <Fact label="Blocked input message">{g.blockedInputMessaging}</Fact>
          <Fact label="Blocked output message">{g.blockedOutputsMessaging}</Fact>
          {g.kmsKeyArn && (
            <Fact label="KMS key" className="mono">
              {g.kmsKeyArn}
            </Fact>
          )}
          {g.crossRegionDetails && (
            <Fact label="Cross-Region profile" className="mono">
              {g.crossRegionDetails.guardrailProfileArn}
            </Fact>
          )}
        </dl>
      </div>

      <div className="gr-detail-grid">
        <div className="panel">
          <h2>Versions</h2>
          <ErrorBanner error={versions.error} />
          {versions.loading && !versions.data ? (
            <Loading what="versions" />
          ) : (
            <table className="gr-versions">
              <TableHead columns={['Version', 'Description', 'Created', { label: <span className="gr-sr">Actions</span> }]} />
              <tbody>
                {(versions.data ?? []).map((v) => (
                  <tr key={v.version}>
                    <th scope="row">{v.version}</th>
                    <td>{v.description ?? <span className="muted">—</span>}</td>
                    <td>{formatTime(v.version === 'DRAFT' ? v.updatedAt : v.createdAt)}</td>
                    <td className="gr-nowrap">
                      <Link to={`${base(id)}/test?version=${v.version}`}>
                        Test<span className="gr-sr"> {v.version === 'DRAFT' ? 'the DRAFT' : `version ${v.version}`}</span>
                      </Link>
                      {v.version !== 'DRAFT' && (
                        <>
                          {' · '}
                          <Link to={`${base(id)}/compare?a=DRAFT&b=${v.version}`}>
                            Compare<span className="gr-sr"> version {v.version}</span> with DRAFT
                          </Link>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <Publish
          id={id}
          published={published}
          onPublished={(v) => {
            setPublished(v);
            versions.reload();
          }}
        />
      </div>

      <div className="panel gr-config">
        <h2>DRAFT configuration</h2>
        <ConfigSummary g={g} />
      </div>
    </section>
  );
}

function Publish(props: { id: string; published?: string | undefined; onPublished: (version: string) => void }) {
  const [description, setDescription] = useState('');
  const [error, setError] = useState<unknown>();
  const [fieldError, setFieldError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const d = description.trim();
    if (codePoints(d) > LIMITS.versionDescription) {
      setFieldError(`The description must be at most ${LIMITS.versionDescription} characters (it has ${codePoints(d)}).`);
      return;
    }
    setFieldError(undefined);
    setError(undefined);
    setBusy(true);
    try {
      const r = await createVersion(props.id, d);
      setDescription('');
      props.onPublished(r.version);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="panel" onSubmit={submit} noValidate aria-labelledby="gr-publish-title">
      <h2 id="gr-publish-title">Publish a version</h2>
      <p className="muted">Snapshots the DRAFT as the next immutable version. Enforcement and cross-account use need a numbered version.</p>
      <TextInput label="Version description (optional)" value={description} onChange={setDescription} error={fieldError} hint={`Up to ${LIMITS.versionDescription} characters.`} />
      {props.published && (
        <Notice kind="success" title={`Published version ${props.published}.`}>
          Use it as guardrail version {props.published}.
        </Notice>
      )}
      <ErrorBanner error={error} onDismiss={() => setError(undefined)} />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Publishing…' : 'Publish version'}
      </button>
    </form>
  );
}

function ConfirmDelete(props: { g: Guardrail; versionCount: number; onCancel: () => void }) {
  const { g } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await deleteGuardrail(g.guardrailId);
      setFlash(`Guardrail ${g.name} was deleted.`);
      navigate('/guardrails');
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <div className="banner banner-warning gr-confirm" role="alertdialog" aria-labelledby="gr-del-title" aria-describedby="gr-del-desc" tabIndex={-1} ref={ref}>
      <strong id="gr-del-title">Delete {g.name}?</strong>
      <p id="gr-del-desc">
        This deletes the DRAFT and {props.versionCount === 0 ? 'no published versions' : props.versionCount === 1 ? 'its 1 published version' : `all ${props.versionCount} published versions`}. It cannot be undone.
        A guardrail that an enforcement uses cannot be deleted.
      </p>
      <ErrorBanner error={error} />
      <div className="actions">
        <button type="button" className="danger" onClick={confirm} disabled={busy}>
          {busy ? 'Deleting…' : 'Delete permanently'}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
