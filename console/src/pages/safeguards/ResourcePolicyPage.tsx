/**
 * The resource-based policy of one guardrail of the signed-in account: whether it lets the organization's
 * members apply the guardrail (with the one-click fix), and a JSON editor checked with the server's own rules.
 */
import { useState } from 'react';
import { call, currentRegion, getSession, seg } from '../../api/client.ts';
import { navigate } from '../../app/router.ts';
import { ErrorBanner, Loading, Notice, PageHeader, TextArea, useLoad } from '../../components/ui.tsx';
import { deleteResourcePolicy, describeOrganization, getResourcePolicy, type Organization, putResourcePolicy } from './api.ts';
import { ResourcePolicyCheck } from './fields.tsx';
import { BackLink, ConfirmDelete, LoadFailed, OVERVIEW } from './parts.tsx';
import { resourcePolicyProblems, withOrgStatement } from './model.ts';

interface Loaded {
  accountId: string;
  guardrail: { guardrailId: string; guardrailArn: string; name: string };
  organization?: Organization;
  organizationError?: unknown;
  policy?: string;
}

export function ResourcePolicyPage(props: { guardrailId: string }) {
  const [done, setDone] = useState<string>();
  const data = useLoad(async (signal): Promise<Loaded> => {
    const [session, guardrail] = await Promise.all([
      getSession(),
      call<{ guardrailId: string; guardrailArn: string; name: string }>('GET', `/guardrails/${seg(props.guardrailId)}`, { signal }),
    ]);
    let organization: Organization | undefined;
    let organizationError: unknown;
    try {
      organization = await describeOrganization(signal);
    } catch (e) {
      organizationError = e;
    }
    const policy = await getResourcePolicy(guardrail.guardrailArn, signal);
    return {
      accountId: session?.accountId ?? '',
      guardrail,
      ...(organization ? { organization } : { organizationError }),
      ...(policy !== undefined ? { policy } : {}),
    };
  }, [props.guardrailId]);
  if (data.error) return <LoadFailed title="Resource-based policy" error={data.error} />;
  if (!data.data) return <Loading what="the resource-based policy" />;
  return <Editor key={data.data.policy ?? ''} loaded={data.data} reload={data.reload} done={done} setDone={setDone} />;
}

function pretty(text: string | undefined): string {
  if (text === undefined) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function Editor(props: { loaded: Loaded; reload: () => void; done: string | undefined; setDone: (d: string | undefined) => void }) {
  const { guardrail, organization, policy } = props.loaded;
  const arn = guardrail.guardrailArn;
  const [text, setText] = useState(() => pretty(policy));
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const { done, setDone } = props;
  const [confirmDelete, setConfirmDelete] = useState(false);
  const problems = touched ? resourcePolicyProblems(text, arn) : [];

  const save = async () => {
    setTouched(true);
    setError(undefined);
    setDone(undefined);
    if (resourcePolicyProblems(text, arn).length > 0) return;
    setBusy(true);
    try {
      await putResourcePolicy(arn, text);
      setDone('Saved the resource-based policy.');
      props.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await deleteResourcePolicy(arn);
      setConfirmDelete(false);
      setDone('Deleted the resource-based policy.');
      props.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <PageHeader title={`Resource-based policy of ${guardrail.name}`} description={<span className="mono">{arn}</span>}>
        <BackLink />
      </PageHeader>
      {done && <Notice kind="success">{done}</Notice>}
      {organization ? (
        <ResourcePolicyCheck
          guardrailArn={arn}
          orgId={organization.Id}
          accountId={props.loaded.accountId}
          inEditor
          onFixed={() => {
            setDone('Saved the resource-based policy: organization members may now apply this guardrail.');
            props.reload();
          }}
        />
      ) : (
        <Notice kind="info">This account is not in an organization (the server said: {String((props.loaded.organizationError as Error | undefined)?.message ?? 'no organization')}), so there is no organization to share with.</Notice>
      )}
      <div className="panel">
        {policy === undefined && <p>The guardrail has no resource-based policy: only account {props.loaded.accountId} may apply it.</p>}
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <div className="sg-json">
            <TextArea
              label="Policy document (JSON)"
              value={text}
              onChange={(v) => {
                setText(v);
                setTouched(true);
              }}
              rows={16}
              error={problems.length ? `${problems.length} problem${problems.length === 1 ? '' : 's'}: see below.` : undefined}
              hint={`Allowed: bedrock:ApplyGuardrail and bedrock:GetGuardrail, for this account or for the organization (Principal "*" with aws:PrincipalOrgID), on this guardrail (Resource ${arn}, ${arn}:<version> or ${arn}:*). At most 20,480 characters.`}
            />
          </div>
          {problems.length > 0 && (
            <ul className="sg-problems" aria-label="Problems in the policy">
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
          <ErrorBanner error={error} onDismiss={() => setError(undefined)} />
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              Save policy
            </button>
            {organization && (
              <button
                type="button"
                onClick={() => {
                  setText(withOrgStatement(text.trim() ? text : undefined, arn, organization.Id));
                  setTouched(true);
                }}
              >
                Insert the organization statement
              </button>
            )}
            <button type="button" onClick={() => setText(pretty(text))}>
              Format
            </button>
            {policy !== undefined &&
              (confirmDelete ? (
                <ConfirmDelete
                  inline
                  label="Confirm deleting the policy"
                  question="Delete the policy? Other accounts lose access, and their enforced calls will be denied."
                  confirm="Delete policy"
                  busy={busy}
                  onConfirm={remove}
                  onCancel={() => setConfirmDelete(false)}
                />
              ) : (
                <button type="button" className="danger" onClick={() => setConfirmDelete(true)}>
                  Delete
                </button>
              ))}
            <button type="button" onClick={() => navigate(OVERVIEW)}>
              Done
            </button>
          </div>
        </form>
        <p className="muted sg-small">Region {currentRegion()}.</p>
      </div>
    </section>
  );
}
