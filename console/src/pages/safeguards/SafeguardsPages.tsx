/**
 * Cross-account safeguards (/safeguards): organization-level enforcement (BEDROCK_POLICY policies of AWS
 * Organizations), account-level enforcement (one configuration per account and Region) and the guardrails'
 * resource-based policies that let member accounts apply an organization guardrail.
 */
import { useEffect, useState } from 'react';
import { ApiError, currentRegion, getSession, switchRole } from '../../api/client.ts';
import { match, navigate } from '../../app/router.ts';
import { ErrorBanner, formatTime, Link, Loading, Notice, PageHeader, useLoad } from '../../components/ui.tsx';
import { TableHead } from '../../components/table.tsx';
import { AccountConfigPage } from './AccountConfigPage.tsx';
import {
  BEDROCK_POLICY,
  deleteEnforcedConfig,
  describeNode,
  type EnforcedConfig,
  type GuardrailSummary,
  listEnforcedConfigs,
  listGuardrails,
  loadOrgTree,
  loadPolicy,
  org,
  orgAll,
  type OrgTree,
  type PolicySummary,
  type PolicyTarget,
} from './api.ts';
import { EnablePolicyTypeNotice } from './fields.tsx';
import { clearFlash, peekFlash } from './flash.ts';
import { describeDocument } from './model.ts';
import { OrgPolicyPage } from './OrgPolicyPage.tsx';
import { ConfirmDelete, EditDelete } from './parts.tsx';
import { ResourcePolicyPage } from './ResourcePolicyPage.tsx';
import './safeguards.css';

export function SafeguardsPages(props: { path: string }) {
  const p = props.path;
  if (match('/safeguards/organization/new', p)) return <OrgPolicyPage />;
  const policyId = match('/safeguards/organization/:policyId', p)?.policyId;
  if (policyId) return <OrgPolicyPage key={policyId} policyId={policyId} />;
  if (match('/safeguards/account/new', p)) return <AccountConfigPage mode="new" />;
  if (match('/safeguards/account/edit', p)) return <AccountConfigPage mode="edit" />;
  const guardrailId = match('/safeguards/resource-policy/:guardrailId', p)?.guardrailId;
  if (guardrailId) return <ResourcePolicyPage key={guardrailId} guardrailId={guardrailId} />;
  return <Overview />;
}

/** The message a form left when it saved, shown once. */
function FlashNotice() {
  const [flash] = useState(peekFlash);
  useEffect(() => clearFlash(), []);
  if (!flash) return null;
  return (
    <>
      <Notice kind="success">{flash.message}</Notice>
      {flash.warnings?.map((w) => (
        <Notice key={w} kind="warning" title="Server warning:">
          {w}
        </Notice>
      ))}
    </>
  );
}

function Overview() {
  const session = useLoad(() => getSession(), []);
  const guardrails = useLoad((signal) => listGuardrails(signal), []);
  return (
    <section>
      <PageHeader
        title="Cross-account safeguards"
        description={
          <>
            Enforce guardrails on every model invocation: across the organization from the management account, or for one account. Region {currentRegion()}.
          </>
        }
      />
      <FlashNotice />
      <OrganizationSection guardrails={guardrails.data} />
      {session.error ? <ErrorBanner error={session.error} /> : <AccountSection accountId={session.data?.accountId} switched={session.data?.switchedRole === true} />}
      <ResourcePolicySection guardrails={guardrails.data} error={guardrails.error} />
    </section>
  );
}

// ---- organization level ---------------------------------------------------------------------------

interface OrgPolicyRow {
  summary: PolicySummary;
  content: string;
  targets: PolicyTarget[];
}

async function loadOrgSection(signal: AbortSignal): Promise<{ tree: OrgTree; policies: OrgPolicyRow[] }> {
  const tree = await loadOrgTree(signal);
  const summaries = await orgAll<PolicySummary>('ListPolicies', { Filter: BEDROCK_POLICY }, 'Policies', signal);
  const policies = await Promise.all(
    summaries.map(async (summary) => {
      const { policy, targets } = await loadPolicy(summary.Id, signal);
      return { summary, content: policy.Content, targets };
    }),
  );
  return { tree, policies: policies.sort((a, b) => a.summary.Name.localeCompare(b.summary.Name)) };
}

function OrganizationSection(props: { guardrails: GuardrailSummary[] | undefined }) {
  const data = useLoad((signal) => loadOrgSection(signal), []);
  const [confirm, setConfirm] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();

  const remove = async (row: OrgPolicyRow) => {
    setBusy(true);
    setError(undefined);
    try {
      // A policy that is still attached cannot be deleted (PolicyInUseException): detach it first.
      for (const t of row.targets) await org('DetachPolicy', { PolicyId: row.summary.Id, TargetId: t.TargetId });
      await org('DeletePolicy', { PolicyId: row.summary.Id });
      setDone(`Deleted policy ${row.summary.Name}.`);
      setConfirm(undefined);
      data.reload();
    } catch (e) {
      setError(e);
      data.reload();
    } finally {
      setBusy(false);
    }
  };

  const notManagement = data.error instanceof ApiError && (data.error.type === 'AccessDeniedException' || data.error.type === 'AWSOrganizationsNotInUseException');
  return (
    <section className="panel" aria-labelledby="sg-org">
      <div className="sg-section-head">
        <h2 id="sg-org">Organization-level enforcement configurations</h2>
        <button type="button" className="primary" aria-label="Create an organization-level configuration" onClick={() => navigate('/safeguards/organization/new')} disabled={!data.data}>
          Create
        </button>
      </div>
      <p className="muted">
        BEDROCK_POLICY policies of AWS Organizations, managed from the management account. A policy enforces a guardrail of the management account on every account of the
        root, OU or account it is attached to.
      </p>
      {done && <Notice kind="success">{done}</Notice>}
      <ErrorBanner error={error} onDismiss={() => setError(undefined)} />
      {data.loading && !data.data && <Loading what="the organization’s policies" />}
      {data.error !== undefined && (
        <>
          {notManagement && (
            <Notice kind="info">Organization-level configurations are managed from the organization’s management account (the server said why below).</Notice>
          )}
          <ErrorBanner error={data.error} />
        </>
      )}
      {data.data && (
        <>
          <EnablePolicyTypeNotice root={data.data.tree.root} onEnabled={data.reload} />
          {data.data.policies.length === 0 ? (
            <p>There is no BEDROCK_POLICY policy yet.</p>
          ) : (
            <table>
              <caption className="sg-sr-only">BEDROCK_POLICY policies</caption>
              <TableHead columns={['Policy', 'Enforces', 'Attached to', 'Actions']} />
              <tbody>
                {data.data.policies.map((row) => (
                  <tr key={row.summary.Id}>
                    <td>
                      <Link to={`/safeguards/organization/${row.summary.Id}`}>{row.summary.Name}</Link>
                      <div className="muted sg-small mono">{row.summary.Id}</div>
                      {row.summary.Description && <div className="muted sg-small">{row.summary.Description}</div>}
                    </td>
                    <td>
                      <ul className="sg-plain">
                        {describeDocument(row.content).map((c) => (
                          <li key={`${c.region}/${c.name}`}>
                            <span className="badge">{c.region}</span> {guardrailLabel(c.identifier, props.guardrails)}
                            <div className="mono sg-small">{c.identifier}</div>
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td>
                      {row.targets.length === 0 ? (
                        <span className="muted">not attached (not enforced)</span>
                      ) : (
                        <ul className="sg-plain">
                          {row.targets.map((t) => (
                            <li key={t.TargetId}>{describeNode(data.data?.tree.byId.get(t.TargetId), t.TargetId)}</li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td>
                      {confirm === row.summary.Id ? (
                        <ConfirmDelete
                          label={`Confirm deleting ${row.summary.Name}`}
                          question={`Delete ${row.summary.Name}${row.targets.length ? ` (it is detached from ${row.targets.length} target${row.targets.length === 1 ? '' : 's'} first)` : ''}?`}
                          confirm="Delete policy"
                          busy={busy}
                          onConfirm={() => remove(row)}
                          onCancel={() => setConfirm(undefined)}
                        />
                      ) : (
                        <EditDelete what={row.summary.Name} onEdit={() => navigate(`/safeguards/organization/${row.summary.Id}`)} onDelete={() => setConfirm(row.summary.Id)} />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

/** "name, version N" for a versioned guardrail ARN of a listed guardrail; empty when unknown. */
function guardrailLabel(identifier: string, guardrails: GuardrailSummary[] | undefined): string {
  const colon = identifier.lastIndexOf(':');
  const g = guardrails?.find((x) => x.arn === identifier.slice(0, colon));
  return g ? `${g.name}, version ${identifier.slice(colon + 1)}` : '';
}

// ---- account level --------------------------------------------------------------------------------

export function describeScope(c: EnforcedConfig): string {
  const m = c.modelEnforcement;
  if (!m) return 'All models';
  const inc = m.includedModels.includes('ALL') ? 'All models' : m.includedModels.join(', ') || '(none)';
  return m.excludedModels.length ? `${inc}, except ${m.excludedModels.join(', ')}` : inc;
}

function AccountSection(props: { accountId: string | undefined; switched: boolean }) {
  const configs = useLoad((signal) => listEnforcedConfigs(signal), []);
  const members = useLoad(async (signal) => {
    try {
      return await orgAll<{ Id: string; Name: string }>('ListAccounts', {}, 'Accounts', signal);
    } catch {
      // Only the management account lists the organization's accounts; the others act in their own.
      return [];
    }
  }, []);
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const [target, setTarget] = useState('');
  const region = currentRegion();
  const config = configs.data?.[0];
  const others = (members.data ?? []).filter((a) => a.Id !== props.accountId);

  const remove = async (c: EnforcedConfig) => {
    setBusy(true);
    setError(undefined);
    try {
      await deleteEnforcedConfig(c.configId);
      setDone(`Deleted configuration ${c.configId}.`);
      setConfirm(false);
      configs.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const actIn = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await switchRole(target);
      // The whole console now acts in that account: start it afresh.
      window.location.assign('/console/safeguards');
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="sg-account">
      <div className="sg-section-head">
        <h2 id="sg-account">Account-level enforcement configurations</h2>
        {configs.data && !config && (
          <button type="button" className="primary" aria-label="Create an account-level configuration" onClick={() => navigate('/safeguards/account/new')}>
            Create
          </button>
        )}
      </div>
      <p className="muted">
        One configuration per account and Region: it enforces a guardrail on every model invocation of account {props.accountId ?? '…'} in {region}
        {props.switched ? ' (you act in it through a switched role)' : ''}.
      </p>
      {others.length > 0 && (
        <div className="sg-target">
          <label htmlFor="sg-target">Configure another account</label>
          <select id="sg-target" value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="">Choose an account of the organization…</option>
            {others.map((a) => (
              <option key={a.Id} value={a.Id}>
                {a.Name} ({a.Id})
              </option>
            ))}
          </select>
          <button type="button" disabled={!target || busy} onClick={actIn}>
            Act in this account
          </button>
          <span className="muted sg-small">Switches role into its OrganizationAccountAccessRole; “Switch back” at the top returns.</span>
        </div>
      )}
      {done && <Notice kind="success">{done}</Notice>}
      <ErrorBanner error={error} onDismiss={() => setError(undefined)} />
      {configs.loading && !configs.data && <Loading what="the account’s configuration" />}
      <ErrorBanner error={configs.error} />
      {configs.data &&
        (config ? (
          <table>
            <caption className="sg-sr-only">Account-level configuration</caption>
            <TableHead columns={['Configuration', 'Guardrail', 'Version', 'System / messages', 'Models', 'Updated', 'Actions']} />
            <tbody>
              <tr>
                <td className="mono">{config.configId}</td>
                <td className="mono sg-small">{config.guardrailArn}</td>
                <td>{config.guardrailVersion}</td>
                <td>
                  {config.selectiveContentGuarding?.system ?? 'COMPREHENSIVE'} / {config.selectiveContentGuarding?.messages ?? 'COMPREHENSIVE'}
                </td>
                <td className="sg-small">{describeScope(config)}</td>
                <td className="sg-small">
                  {formatTime(config.updatedAt)}
                  <div className="muted mono">{config.updatedBy}</div>
                </td>
                <td>
                  {confirm ? (
                    <ConfirmDelete
                      label="Confirm deleting the account-level configuration"
                      question={`Delete configuration ${config.configId}?`}
                      confirm="Delete configuration"
                      busy={busy}
                      onConfirm={() => remove(config)}
                      onCancel={() => setConfirm(false)}
                    />
                  ) : (
                    <EditDelete what="the account-level configuration" onEdit={() => navigate('/safeguards/account/edit')} onDelete={() => setConfirm(true)} />
                  )}
                </td>
              </tr>
            </tbody>
          </table>
        ) : (
          <p>
            There is no account-level configuration in {region}.
          </p>
        ))}
    </section>
  );
}

// ---- resource-based policies ------------------------------------------------------------------------

function ResourcePolicySection(props: { guardrails: GuardrailSummary[] | undefined; error: unknown }) {
  const [chosen, setChosen] = useState('');
  return (
    <section className="panel sg-rp" aria-labelledby="sg-rp">
      <h2 id="sg-rp">Guardrail resource-based policies</h2>
      <p className="muted">
        Member accounts apply an organization guardrail only when its resource-based policy lets them call bedrock:ApplyGuardrail; without it their model calls are denied.
      </p>
      <ErrorBanner error={props.error} />
      {props.guardrails && (
        <form
          className="sg-inline"
          onSubmit={(e) => {
            e.preventDefault();
            if (chosen) navigate(`/safeguards/resource-policy/${encodeURIComponent(chosen)}`);
          }}
        >
          <label htmlFor="sg-rp-guardrail">Guardrail</label>
          <select id="sg-rp-guardrail" value={chosen} onChange={(e) => setChosen(e.target.value)}>
            <option value="">Choose a guardrail…</option>
            {props.guardrails.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name} ({g.id})
              </option>
            ))}
          </select>
          <button type="submit" disabled={!chosen}>
            Edit its resource-based policy
          </button>
        </form>
      )}
      {props.guardrails?.length === 0 && <p>There is no guardrail in {currentRegion()} yet.</p>}
    </section>
  );
}
