/**
 * Organization (/organization): the tree of the root, OUs and accounts with the BEDROCK_POLICY policies attached
 * to each, and for a chosen account, Region and model which guardrails are enforced and from where — the dry
 * run behind `parapet verify` (GET /admin/v1/verify), with every misconfiguration it finds.
 */
import { type FormEvent, useId, useState } from 'react';
import { currentRegion, getSession } from '../../api/client.ts';
import { useQuery } from '../../app/router.ts';
import { ErrorBanner, Field, Link, Loading, Notice, PageHeader, useLoad } from '../../components/ui.tsx';
import { TableHead } from '../../components/table.tsx';
import {
  BEDROCK_POLICY,
  describeNode,
  listGuardrails,
  loadOrgTree,
  orgAll,
  type OrgNode,
  type OrgTree,
  type PolicySummary,
  policyTypeEnabled,
  verify,
  type VerifyGuardrail,
  type VerifyReport,
} from '../safeguards/api.ts';
import { AWS_REGIONS, KNOWN_MODELS } from '../safeguards/model.ts';
import './organization.css';

const DEFAULT_MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';

interface OrgData {
  tree: OrgTree;
  /** BEDROCK_POLICY policies attached to each node. */
  attached: Map<string, PolicySummary[]>;
}

async function loadOrg(signal: AbortSignal): Promise<OrgData> {
  const tree = await loadOrgTree(signal);
  const pairs = await Promise.all(
    tree.flat.map(async (n) => [n.id, await orgAll<PolicySummary>('ListPoliciesForTarget', { TargetId: n.id, Filter: BEDROCK_POLICY }, 'Policies', signal)] as const),
  );
  return { tree, attached: new Map(pairs) };
}

interface Check {
  account: string;
  region: string;
  model: string;
}

export function OrganizationPage() {
  const query = useQuery();
  const session = useLoad(() => getSession(), []);
  const orgData = useLoad((signal) => loadOrg(signal), []);
  const [account, setAccount] = useState(query.get('account') ?? '');
  const [region, setRegion] = useState(query.get('region') ?? currentRegion());
  const [model, setModel] = useState(query.get('model') ?? DEFAULT_MODEL);
  const [check, setCheck] = useState<Check | undefined>(() => (query.get('account') ? { account: query.get('account') ?? '', region, model } : undefined));

  const ownAccount = session.data?.accountId ?? '';
  const accounts: OrgNode[] = orgData.data ? orgData.data.tree.flat.filter((n) => n.type === 'ACCOUNT') : [];
  const chosen = account || ownAccount;

  const run = (acct: string) => {
    if (!acct) return;
    setAccount(acct);
    setCheck({ account: acct, region: region.trim(), model: model.trim() });
  };

  return (
    <section>
      <PageHeader
        title="Organization"
        description="The organization’s accounts and the guardrails enforced on them: organization policies on the root and OUs, and each account’s own configuration."
      />
      <div className="org-layout">
        <div className="panel">
          <h2>Organization tree</h2>
          {orgData.loading && !orgData.data && <Loading what="the organization" />}
          {orgData.error !== undefined && (
            <>
              <Notice kind="info">The tree is visible to the organization’s management account; you can still check your own account on the right.</Notice>
              <ErrorBanner error={orgData.error} />
            </>
          )}
          {orgData.data && <TreeView data={orgData.data} selected={check?.account} managementId={orgData.data.tree.organization.MasterAccountId} onSelect={run} />}
        </div>

        <div className="panel">
          <h2>Enforcement for an account</h2>
          <form
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              run(chosen);
            }}
          >
            <Field label="Account">
              {(id) => (
                <select id={id} value={chosen} onChange={(e) => setAccount(e.target.value)}>
                  {accounts.length === 0 && ownAccount && <option value={ownAccount}>This account ({ownAccount})</option>}
                  {accounts.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.name} ({a.id})
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <div className="org-row">
              <ListInput label="Region" value={region} onChange={setRegion} options={AWS_REGIONS} hint="Enforcement is per Region." />
              <ListInput
                label="Model ID"
                value={model}
                onChange={setModel}
                options={KNOWN_MODELS.map((k) => k.id)}
                hint="The model the account would call (model scoping decides which guardrails apply)."
              />
            </div>
            <button type="submit" className="primary" disabled={!chosen || !model.trim() || !region.trim()}>
              Check enforcement
            </button>
          </form>
          {check && <ReportView check={check} tree={orgData.data?.tree} />}
        </div>
      </div>
    </section>
  );
}

function ListInput(props: { label: string; value: string; onChange: (v: string) => void; options: readonly string[]; hint: string }) {
  const listId = useId();
  return (
    <Field label={props.label} hint={props.hint}>
      {(id, describedBy) => (
        <>
          <input id={id} list={listId} value={props.value} aria-describedby={describedBy} onChange={(e) => props.onChange(e.target.value)} />
          <datalist id={listId}>
            {props.options.map((o) => (
              <option key={o} value={o} />
            ))}
          </datalist>
        </>
      )}
    </Field>
  );
}

function PolicyChips(props: { policies: PolicySummary[] | undefined }) {
  if (!props.policies?.length) return null;
  return (
    <span className="org-policies">
      {props.policies.map((p) => (
        <Link key={p.Id} to={`/safeguards/organization/${p.Id}`} className="badge org-policy">
          {p.Name}
        </Link>
      ))}
    </span>
  );
}

function TreeView(props: { data: OrgData; selected: string | undefined; managementId: string; onSelect: (id: string) => void }) {
  const { tree, attached } = props.data;
  const node = (n: OrgNode) => (
    <li key={n.id}>
      <div className="org-node">
        {n.type === 'ACCOUNT' ? (
          <button type="button" className="org-account" aria-pressed={props.selected === n.id} onClick={() => props.onSelect(n.id)}>
            {n.name}
          </button>
        ) : (
          <span className="org-container">{n.type === 'ROOT' ? 'Root' : `OU ${n.name}`}</span>
        )}
        <span className="mono muted org-id">{n.id}</span>
        {n.id === props.managementId && <span className="badge">management account</span>}
        <PolicyChips policies={attached.get(n.id)} />
      </div>
      {n.children.length > 0 && <ul>{n.children.map(node)}</ul>}
    </li>
  );
  return (
    <>
      {!policyTypeEnabled(tree.root) && (
        <Notice kind="warning" title="BEDROCK_POLICY is not enabled on the root:">
          no organization policy is enforced. <Link to="/safeguards">Enable it on Cross-account safeguards</Link>.
        </Notice>
      )}
      <p className="muted org-legend">
        Organization {tree.organization.Id}. Choose an account to see what is enforced on it; the labels are the BEDROCK_POLICY policies attached at each level.
      </p>
      <ul className="org-tree" aria-label="Organization tree">
        {node(tree.tree)}
      </ul>
    </>
  );
}

const modeLabel = (m: string): string => (m === 'SELECTIVE' ? 'Selective' : m === 'COMPREHENSIVE' ? 'Comprehensive' : m);

const ORIGIN_LABEL: Record<VerifyGuardrail['origins'][number], string> = {
  ORGANIZATION_ENFORCED: 'Organization policy',
  ACCOUNT_ENFORCED: 'Account-level configuration',
  REQUEST: 'Named in the request',
};

/** The server's reason with target ids named ("attached to r-ab12" → "attached to Root (r-ab12)"). */
function humanize(reason: string, tree: OrgTree | undefined): string {
  if (!tree) return reason;
  return reason.replace(/attached to (r-[0-9a-z]+|ou-[0-9a-z]+-[0-9a-z]+|\d{12})/g, (_m, id: string) => `attached to ${describeNode(tree.byId.get(id), id)}`);
}

function ReportView(props: { check: Check; tree: OrgTree | undefined }) {
  const { check, tree } = props;
  const report = useLoad((signal) => verify(check, signal), [check]);
  const names = useLoad(async (signal) => {
    try {
      return new Map((await listGuardrails(signal)).map((g) => [g.arn, g.name]));
    } catch {
      return new Map<string, string>();
    }
  }, []);
  // A new check must not show the previous account's report while its own loads.
  if (report.loading) return <Loading what="the enforcement report" />;
  if (report.error) return <ErrorBanner error={report.error} />;
  const r: VerifyReport | undefined = report.data;
  if (!r) return null;
  const accountName = tree?.byId.get(r.accountId)?.name;
  const errors = r.findings.filter((f) => f.severity === 'error').length;
  const warnings = r.findings.length - errors;
  return (
    <div className="org-report" aria-live="polite">
      <h3>
        {r.modelId} in {accountName ? `${accountName} (${r.accountId})` : `account ${r.accountId}`}, {r.region}
      </h3>
      <p>
        {r.ok ? <span className="badge badge-ok">OK</span> : <span className="badge badge-block">PROBLEMS</span>} {errors} error{errors === 1 ? '' : 's'}, {warnings} warning
        {warnings === 1 ? '' : 's'} · simulated as <span className="mono">{r.principalArn}</span>
        {r.organization && (
          <>
            {' '}
            · organization {r.organization.orgId}
          </>
        )}
      </p>
      <h4>Guardrails that would apply</h4>
      {r.guardrails.length === 0 ? (
        <p>No guardrail would be enforced on this call.</p>
      ) : (
        <table>
          <caption className="org-sr-only">Guardrails that would apply</caption>
          <TableHead columns={['Guardrail', 'Enforced from', 'Guarding', 'May apply']} />
          <tbody>
            {r.guardrails.map((g) => (
              <tr key={`${g.guardrailArn}:${g.version}`}>
                <td>
                  <div>
                    {names.data?.get(g.guardrailArn) ?? g.guardrailId}, version {g.version}
                  </div>
                  <div className="mono org-small">{g.guardrailArn}</div>
                  <div className="muted org-small">{g.ownership === 'SELF' ? 'owned by this account' : `owned by account ${g.ownerAccountId}`}</div>
                </td>
                <td>
                  <div className="org-origins">
                    {g.origins.map((o) => (
                      <span key={o} className="badge">
                        {ORIGIN_LABEL[o]}
                      </span>
                    ))}
                  </div>
                  <ul className="org-reasons">
                    {g.reasons.map((why) => (
                      <li key={why}>{humanize(why, tree)}</li>
                    ))}
                  </ul>
                </td>
                <td className="org-small">
                  System: {modeLabel(g.system)}
                  <br />
                  Messages: {modeLabel(g.messages)}
                </td>
                <td>
                  {g.permitted ? <span className="badge badge-ok">yes</span> : <span className="badge badge-block">no: calls denied</span>}
                  {g.permissionReasons.length > 0 && (
                    <details className="org-small">
                      <summary>Why</summary>
                      <ul className="org-reasons">
                        {g.permissionReasons.map((why) => (
                          <li key={why}>{why}</li>
                        ))}
                      </ul>
                    </details>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {r.skipped.length > 0 && (
        <>
          <h4>Configured but not applied to this call</h4>
          <table>
            <caption className="org-sr-only">Configured but not applied to this call</caption>
            <TableHead columns={['From', 'Guardrail', 'Why not']} />
            <tbody>
              {r.skipped.map((s) => (
                <tr key={`${s.origin}|${s.guardrailArn}|${s.version}|${s.source ?? ''}`}>
                  <td>
                    <span className="badge">{ORIGIN_LABEL[s.origin as VerifyGuardrail['origins'][number]] ?? s.origin}</span>
                    {s.source && <div className="org-small">{humanize(s.source, tree)}</div>}
                  </td>
                  <td className="mono org-small">
                    {s.guardrailArn}:{s.version}
                  </td>
                  <td>{s.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h4>Findings</h4>
      {r.findings.length === 0 ? (
        <p>None: the configuration is consistent.</p>
      ) : (
        <ul className="org-findings">
          {r.findings.map((f) => (
            <li key={`${f.code}|${f.where}|${f.message}`} className={`org-finding org-finding-${f.severity}`}>
              <span className={`badge ${f.severity === 'error' ? 'badge-block' : 'badge-mask'}`}>{f.severity}</span> <strong>{f.code}</strong>{' '}
              <span className="muted">at {humanize(f.where, tree)}</span>
              <div>{f.message}</div>
            </li>
          ))}
        </ul>
      )}
      <p className="muted org-small">
        The same report on the command line: <code>parapet --region {r.region} verify --target {r.accountId} --model {r.modelId}</code>
      </p>
    </div>
  );
}
