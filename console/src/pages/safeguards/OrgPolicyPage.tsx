/**
 * Create or edit an organization-level enforcement configuration: a BEDROCK_POLICY policy (one or more
 * Region/configuration entries, each a guardrail version with its guarding modes and model scope) and the
 * roots, OUs and accounts it is attached to. The seed's pitfalls are shown per entry while it is filled in.
 */
import { useMemo, useState } from 'react';
import { currentRegion, getSession } from '../../api/client.ts';
import { navigate } from '../../app/router.ts';
import { Loading, Notice, PageHeader, Select, TextArea, TextInput, useLoad } from '../../components/ui.tsx';
import { BEDROCK_POLICY, describeNode, type GuardrailSummary, listGuardrails, loadOrgTree, loadPolicy, org, type OrgTree, type PolicySummary, type PolicyTarget, policyTypeEnabled } from './api.ts';
import { EnablePolicyTypeNotice, EnforcementFields } from './fields.tsx';
import { setFlash } from './flash.ts';
import { FormPage, LoadFailed, OVERVIEW, useSaveForm } from './parts.tsx';
import {
  AWS_REGIONS,
  buildPolicyDocument,
  codePoints,
  emptySettings,
  entryProblems,
  MAX_BEDROCK_POLICY_CHARS,
  newKey,
  type OrgConfigEntry,
  parsePolicyDocument,
} from './model.ts';

interface Loaded {
  accountId: string;
  tree: OrgTree;
  guardrails: GuardrailSummary[];
  policy?: { PolicySummary: PolicySummary; Content: string };
  targets: PolicyTarget[];
}

export function OrgPolicyPage(props: { policyId?: string }) {
  const data = useLoad(async (signal): Promise<Loaded> => {
    const [session, tree, guardrails] = await Promise.all([getSession(), loadOrgTree(signal), listGuardrails(signal)]);
    const accountId = session?.accountId ?? '';
    return props.policyId ? { accountId, tree, guardrails, ...(await loadPolicy(props.policyId, signal)) } : { accountId, tree, guardrails, targets: [] };
  }, [props.policyId]);
  const title = props.policyId ? 'Edit organization-level configuration' : 'Create organization-level configuration';
  if (data.error) return <LoadFailed title={title} error={data.error} />;
  if (!data.data) return <Loading what="the organization" />;
  return <OrgPolicyForm title={title} loaded={data.data} reloadTree={data.reload} />;
}

function newEntry(existing: readonly OrgConfigEntry[]): OrgConfigEntry {
  const region = currentRegion();
  let n = existing.length + 1;
  while (existing.some((e) => e.region === region && e.name === `config_${n}`)) n++;
  return { ...emptySettings(), key: newKey(), region, name: `config_${n}` };
}

function OrgPolicyForm(props: { title: string; loaded: Loaded; reloadTree: () => void }) {
  const { tree, guardrails, accountId } = props.loaded;
  const initial = useMemo(() => {
    if (!props.loaded.policy) return { entries: [newEntry([])], json: undefined as string | undefined, unsupported: undefined as string | undefined };
    const parsed = parsePolicyDocument(props.loaded.policy.Content);
    return 'entries' in parsed
      ? { entries: parsed.entries, json: undefined, unsupported: undefined }
      : { entries: [] as OrgConfigEntry[], json: pretty(props.loaded.policy.Content), unsupported: parsed.unsupported };
  }, [props.loaded.policy]);

  const [policyId, setPolicyId] = useState(props.loaded.policy?.PolicySummary.Id);
  const [name, setName] = useState(props.loaded.policy?.PolicySummary.Name ?? '');
  const [description, setDescription] = useState(props.loaded.policy?.PolicySummary.Description ?? '');
  const [entries, setEntries] = useState<OrgConfigEntry[]>(initial.entries);
  const [json, setJson] = useState<string | undefined>(initial.json);
  const [jsonError, setJsonError] = useState<string>();
  const [attached, setAttached] = useState(() => new Set(props.loaded.targets.map((t) => t.TargetId)));
  const [selected, setSelected] = useState(() => new Set(props.loaded.targets.map((t) => t.TargetId)));
  const [tried, setTried] = useState(false);
  const form = useSaveForm();

  const enabled = policyTypeEnabled(tree.root);
  const content = json ?? JSON.stringify(buildPolicyDocument(entries));
  const nameError = name.trim() === '' ? 'A name is required.' : codePoints(name) > 128 ? 'The name may have at most 128 characters.' : undefined;
  const descriptionError = codePoints(description) > 512 ? 'The description may have at most 512 characters.' : undefined;
  const chars = codePoints(content);
  const sizeError =
    chars > MAX_BEDROCK_POLICY_CHARS
      ? `The policy document has ${chars} characters; a BEDROCK_POLICY may have at most 10,000. Split it into several policies attached to the same target.`
      : undefined;
  const problems = entries.map((e) => entryProblems(e, entries));
  const entriesOk = json !== undefined || (entries.length > 0 && problems.every((p) => Object.keys(p).length === 0));
  const jsonProblem = json !== undefined ? jsonSyntax(json) : undefined;

  const update = (key: string, e: OrgConfigEntry) => setEntries((list) => list.map((x) => (x.key === key ? e : x)));

  const toJson = () => {
    setJson(JSON.stringify(buildPolicyDocument(entries), null, 2));
    setJsonError(undefined);
  };
  const toForm = () => {
    if (json === undefined) return;
    const parsed = parsePolicyDocument(json);
    if ('unsupported' in parsed) {
      setJsonError(`The form cannot show this document: ${parsed.unsupported}. Keep editing it as JSON.`);
      return;
    }
    setEntries(parsed.entries.length ? parsed.entries : [newEntry([])]);
    setJson(undefined);
    setJsonError(undefined);
  };

  const save = () => {
    setTried(true);
    void form.save(!(nameError || descriptionError || sizeError || !entriesOk || jsonProblem), async () => {
      let id = policyId;
      if (id === undefined) {
        const r = await org<{ Policy: { PolicySummary: PolicySummary } }>('CreatePolicy', {
          Name: name.trim(),
          Description: description,
          Type: BEDROCK_POLICY,
          Content: content,
        });
        id = r.Policy.PolicySummary.Id;
        setPolicyId(id);
      } else {
        await org('UpdatePolicy', { PolicyId: id, Name: name.trim(), Description: description, Content: content });
      }
      const now = new Set(attached);
      for (const t of selected)
        if (!now.has(t)) {
          await org('AttachPolicy', { PolicyId: id, TargetId: t });
          now.add(t);
          setAttached(new Set(now));
        }
      for (const t of attached)
        if (!selected.has(t)) {
          await org('DetachPolicy', { PolicyId: id, TargetId: t });
          now.delete(t);
          setAttached(new Set(now));
        }
      const where = [...selected].map((t) => describeNode(tree.byId.get(t), t));
      setFlash({ message: `Saved policy ${name.trim()} (${id})${where.length ? `, attached to ${where.join(', ')}` : ', not attached to any target (not enforced yet)'}.` });
      navigate(OVERVIEW);
    });
  };

  return (
    <FormPage
      title={props.title}
      description="A BEDROCK_POLICY policy of AWS Organizations, enforced on every account of the targets it is attached to."
      form={form}
      onSubmit={save}
      submitLabel={policyId ? 'Save policy' : 'Create policy'}
    >
      <div className="panel">
        <div className="grid2">
          <TextInput label="Policy name" value={name} onChange={setName} error={tried ? nameError : undefined} required />
          <TextInput label="Description" value={description} onChange={setDescription} error={descriptionError} hint="Optional, up to 512 characters." />
        </div>
      </div>

      {json === undefined ? (
        <>
          {entries.map((e, i) => (
            <fieldset key={e.key} className="panel sg-entry">
              <legend>Configuration {i + 1}</legend>
              <div className="grid2">
                <Select
                  label="Region"
                  value={e.region}
                  options={(AWS_REGIONS.includes(e.region) ? AWS_REGIONS : [e.region, ...AWS_REGIONS]).map((r) => [r, r] as const)}
                  onChange={(region) => update(e.key, { ...e, region })}
                  hint="Enforcement is per Region: member accounts get this guardrail on calls in this Region."
                />
                <TextInput
                  label="Configuration name"
                  value={e.name}
                  onChange={(n) => update(e.key, { ...e, name: n.trim() })}
                  error={tried ? problems[i]?.name : problems[i]?.name && e.name !== '' ? problems[i]?.name : undefined}
                  hint="Letters, digits, _ or -; unique within the Region."
                />
              </div>
              {tried && problems[i]?.region && (
                <p className="field-error" role="alert">
                  {problems[i]?.region}
                </p>
              )}
              <EnforcementFields
                value={e}
                onChange={(s) => update(e.key, { ...e, ...s })}
                guardrails={guardrails}
                level="organization"
                configRegion={e.region}
                accountId={accountId}
                orgId={tree.organization.Id}
                errors={tried ? { guardrail: problems[i]?.guardrail, version: problems[i]?.version, included: problems[i]?.included } : { included: problems[i]?.included }}
                onUseRegion={(region) => update(e.key, { ...e, region })}
              />
              {entries.length > 1 && (
                <button type="button" className="danger" onClick={() => setEntries((list) => list.filter((x) => x.key !== e.key))}>
                  Remove configuration {i + 1}
                </button>
              )}
            </fieldset>
          ))}
          <div className="actions sg-below">
            <button type="button" onClick={() => setEntries((list) => [...list, newEntry(list)])}>
              Add a configuration (another Region or guardrail)
            </button>
            <button type="button" onClick={toJson}>
              Edit the policy document as JSON
            </button>
          </div>
        </>
      ) : (
        <div className="panel">
          {initial.unsupported && json === initial.json && (
            <Notice kind="info">This policy uses features the form does not cover ({initial.unsupported}), so it is edited as JSON.</Notice>
          )}
          <div className="sg-json">
            <TextArea
              label="Policy document (JSON)"
              value={json}
              onChange={(v) => {
                setJson(v);
                setJsonError(undefined);
              }}
              rows={18}
              error={jsonProblem ?? jsonError}
              hint={`${chars.toLocaleString('en-US')} of 10,000 characters. The server validates the document and every guardrail it names.`}
            />
          </div>
          <button type="button" onClick={toForm}>
            Back to the form
          </button>
        </div>
      )}

      <fieldset className="panel">
        <legend>Attach to</legend>
        <p className="muted sg-small">The policy is enforced on every account of the targets you tick (an OU includes the OUs and accounts below it).</p>
        {!enabled && <EnablePolicyTypeNotice root={tree.root} onEnabled={props.reloadTree} />}
        <ul className="sg-targets">
          {tree.flat.map((n) => (
            <li key={n.id} style={{ paddingLeft: `${n.depth * 1.25}rem` }}>
              <label className="sg-radio">
                <input
                  type="checkbox"
                  checked={selected.has(n.id)}
                  onChange={(ev) => {
                    const next = new Set(selected);
                    if (ev.target.checked) next.add(n.id);
                    else next.delete(n.id);
                    setSelected(next);
                  }}
                />
                <span>
                  {n.type === 'ROOT' ? 'Root' : n.type === 'ORGANIZATIONAL_UNIT' ? `OU ${n.name}` : n.name} <span className="muted mono sg-small">{n.id}</span>
                  {attached.has(n.id) && <span className="badge badge-ok">attached</span>}
                </span>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>

      {json === undefined && (
        <details className="panel sg-doc">
          <summary>Policy document that will be saved</summary>
          <pre>{pretty(content)}</pre>
        </details>
      )}

      {tried && !entriesOk && <Notice kind="warning">Some configurations are incomplete: see the messages above.</Notice>}
      {sizeError && (
        <p className="field-error" role="alert">
          {sizeError}
        </p>
      )}
    </FormPage>
  );
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function jsonSyntax(text: string): string | undefined {
  if (text.trim() === '') return 'The policy document is empty.';
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    return `Not valid JSON: ${e instanceof Error ? e.message : String(e)}`;
  }
}
