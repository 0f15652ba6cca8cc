/**
 * The fields shared by the organization-level and account-level forms — guardrail, version, content guarding,
 * model scope — and the seed's four pitfalls, shown inline while the form is filled in (before saving).
 */
import { type ReactNode, useEffect, useId, useState } from 'react';
import { currentRegion } from '../../api/client.ts';
import { ErrorBanner, Field, Link, Loading, Notice, Select, TextInput, useLoad } from '../../components/ui.tsx';
import {
  BEDROCK_POLICY,
  type GuardingMode,
  type GuardrailSummary,
  getResourcePolicy,
  listVersions,
  org,
  policyTypeEnabled,
  publishVersion,
  putResourcePolicy,
  type Root,
} from './api.ts';
import {
  type EnforcementSettings,
  guardrailIdOf,
  guardrailOwner,
  guardrailRegion,
  isEmbeddingModel,
  KNOWN_MODELS,
  modelIdProblem,
  modelScopeHints,
  orgGrant,
  withOrgStatement,
} from './model.ts';

export type Level = 'organization' | 'account';

const MODES: ReadonlyArray<readonly [GuardingMode, string]> = [
  ['COMPREHENSIVE', 'Comprehensive: guard all content'],
  ['SELECTIVE', 'Selective: guard only tagged content'],
];

export function RadioGroup<T extends string>(props: { legend: string; name: string; value: T; options: ReadonlyArray<readonly [T, ReactNode]>; onChange: (v: T) => void }) {
  return (
    <fieldset className="sg-radio-group">
      <legend>{props.legend}</legend>
      {props.options.map(([v, label]) => (
        <label key={v} className="sg-radio">
          <input type="radio" name={props.name} value={v} checked={props.value === v} onChange={() => props.onChange(v)} />
          <span>{label}</span>
        </label>
      ))}
    </fieldset>
  );
}

/** A list of model ids with an input (suggesting the known models) to add more, and a remove button per entry. */
export function ModelList(props: { label: 'Include' | 'Exclude'; items: string[]; onChange: (items: string[]) => void; extra?: ReactNode }) {
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string>();
  const listId = useId();
  const allowAll = props.label === 'Include';
  const add = () => {
    const v = draft.trim();
    if (!v) {
      setError('Type a model id first.');
      return;
    }
    const problem = modelIdProblem(v, allowAll);
    if (problem) {
      setError(problem);
      return;
    }
    if (props.items.includes(v)) {
      setError(`${v} is already in ${props.label}.`);
      return;
    }
    setError(undefined);
    setDraft('');
    props.onChange([...props.items, v]);
  };
  return (
    <fieldset className="sg-models">
      <legend>{props.label}</legend>
      {props.items.length === 0 ? (
        <p className="muted">{props.label === 'Include' ? 'No model listed.' : 'No model excluded.'}</p>
      ) : (
        <ul aria-label={`${props.label} list`}>
          {props.items.map((m) => (
            <li key={m}>
              <code>{m}</code>
              {isEmbeddingModel(m) && <span className="badge">embedding</span>}
              <button type="button" className="link" aria-label={`Remove ${m} from ${props.label}`} onClick={() => props.onChange(props.items.filter((x) => x !== m))}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="sg-add-row">
        <Field label={`Add a model to ${props.label}`} error={error}>
          {(id, describedBy) => (
            <input
              id={id}
              list={listId}
              value={draft}
              aria-describedby={describedBy}
              aria-invalid={error ? true : undefined}
              placeholder="e.g. anthropic.claude-3-haiku-20240307-v1:0"
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  add();
                }
              }}
            />
          )}
        </Field>
        <button type="button" className="sg-add" onClick={add}>
          Add to {props.label}
        </button>
      </div>
      {props.extra}
      <datalist id={listId}>
        {(allowAll ? ['ALL', ...KNOWN_MODELS.map((k) => k.id)] : KNOWN_MODELS.map((k) => k.id)).map((id) => (
          <option key={id} value={id} />
        ))}
      </datalist>
    </fieldset>
  );
}

export type FieldErrors = Partial<Record<'guardrail' | 'version' | 'included', string>>;

/** Guardrail, version, guarding modes and model scope, with the pitfalls that concern them. */
export function EnforcementFields(props: {
  value: EnforcementSettings;
  onChange: (v: EnforcementSettings) => void;
  guardrails: GuardrailSummary[];
  level: Level;
  /** The Region the configuration applies in. */
  configRegion: string;
  /** The signed-in account. */
  accountId: string;
  /** The organization (for the resource-policy check of organization-level configurations). */
  orgId?: string | undefined;
  errors: FieldErrors;
  /** Organization level: move the configuration to another Region (the Region-mismatch fix). */
  onUseRegion?: (region: string) => void;
}) {
  const v = props.value;
  const { onChange } = props;
  const set = (patch: Partial<EnforcementSettings>) => onChange({ ...v, ...patch });
  const listed = props.guardrails.find((g) => g.arn === v.guardrailArn);
  const [manual, setManual] = useState(v.guardrailArn !== '' && !listed);
  const pickerValue = manual ? 'other' : (listed?.arn ?? '');
  const region = guardrailRegion(v.guardrailArn);
  const owner = guardrailOwner(v.guardrailArn);
  const scopeName = useId();
  const versions = useLoad(
    async (signal) => (listed ? { id: listed.id, list: await listVersions(listed.id, signal) } : undefined),
    [listed?.id],
  );
  // While another guardrail's versions load, the previous list must not be taken for this one's.
  const published = listed && versions.data?.id === listed.id ? versions.data.list : undefined;
  const [publishing, setPublishing] = useState(false);
  const [publishError, setPublishError] = useState<unknown>();

  // A guardrail just picked gets its newest version (or DRAFT, which then shows why it cannot be enforced).
  const pickDefault = published !== undefined && v.version === '';
  useEffect(() => {
    if (pickDefault) onChange({ ...v, version: published?.[0]?.version ?? 'DRAFT' });
  }, [pickDefault, published, v, onChange]);

  const publish = async () => {
    if (!listed) return;
    setPublishing(true);
    setPublishError(undefined);
    try {
      const r = await publishVersion(listed.id);
      set({ version: r.version });
      versions.reload();
    } catch (e) {
      setPublishError(e);
    } finally {
      setPublishing(false);
    }
  };

  const versionOptions: Array<readonly [string, string]> = (published ?? []).map((x) => [x.version, `${x.version}${x.description ? ` — ${x.description}` : ''}`] as const);
  if (published && v.version !== '' && v.version !== 'DRAFT' && !published.some((x) => x.version === v.version))
    versionOptions.unshift([v.version, `${v.version} (not a published version)`]);
  versionOptions.push(['DRAFT', 'DRAFT (working draft, cannot be enforced)']);

  return (
    <div className="sg-fields">
      <div className="grid2">
        <div>
          <Field label="Guardrail" error={props.errors.guardrail}>
            {(id, describedBy) => (
              <select
                id={id}
                value={pickerValue}
                aria-describedby={describedBy}
                aria-invalid={props.errors.guardrail ? true : undefined}
                onChange={(e) => {
                  const arn = e.target.value;
                  setManual(arn === 'other');
                  // A failed publish was about the guardrail chosen before.
                  setPublishError(undefined);
                  set({ guardrailArn: arn === 'other' ? '' : arn, version: '' });
                }}
              >
                <option value="">Choose a guardrail…</option>
                {props.guardrails.map((g) => (
                  <option key={g.arn} value={g.arn}>
                    {g.name} ({g.id})
                  </option>
                ))}
                <option value="other">Another guardrail (enter its ARN)</option>
              </select>
            )}
          </Field>
          {manual && (
            <TextInput
              label="Guardrail ARN"
              value={v.guardrailArn}
              onChange={(arn) => set({ guardrailArn: arn.trim() })}
              placeholder="arn:aws:bedrock:us-east-1:123456789012:guardrail/abc123def456"
              hint={props.level === 'organization' ? 'A guardrail of the management account, in another Region.' : 'A guardrail of another Region, or another account’s guardrail shared with this one.'}
            />
          )}
        </div>
        <div>
          {listed ? (
            versions.error ? (
              <ErrorBanner error={versions.error} />
            ) : !published ? (
              <Loading what="versions" />
            ) : (
              <Field label="Version" error={props.errors.version} hint="Only published, numeric versions can be enforced.">
                {(id, describedBy) => (
                  <select id={id} value={v.version || 'DRAFT'} aria-describedby={describedBy} aria-invalid={props.errors.version ? true : undefined} onChange={(e) => set({ version: e.target.value })}>
                    {versionOptions.map(([value, label]) => (
                      <option key={value} value={value}>
                        {label}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            )
          ) : (
            <TextInput label="Version" value={v.version} onChange={(version) => set({ version: version.trim() })} error={props.errors.version} hint="A published version number, such as 1." />
          )}
        </div>
      </div>

      {v.version === 'DRAFT' && (
        <Notice kind="warning" title={published && published.length === 0 ? 'No published version.' : 'DRAFT cannot be enforced.'}>
          {listed && published && published.length === 0 ? `${listed.name} has only its DRAFT. ` : ''}
          Only numeric versions can be enforced: a DRAFT is mutable, so what is enforced could change under you. Publish a version and enforce its number.
          {listed && published && (
            <span className="sg-fix-inline">
              {published.length === 0 ? (
                <button type="button" onClick={publish} disabled={publishing}>
                  {publishing ? 'Publishing…' : `Publish version 1 of ${listed.name}`}
                </button>
              ) : (
                <button type="button" onClick={() => set({ version: published[0]?.version ?? 'DRAFT' })}>
                  Use version {published[0]?.version}
                </button>
              )}
              <Link to={`/guardrails/${encodeURIComponent(listed.id)}`}>Open {listed.name} in Guardrails</Link>
            </span>
          )}
        </Notice>
      )}
      <ErrorBanner error={publishError} onDismiss={() => setPublishError(undefined)} />

      {region !== undefined && region !== props.configRegion && (
        <Notice kind="warning" title="Region mismatch.">
          The guardrail is in <strong>{region}</strong>, but this configuration applies in <strong>{props.configRegion}</strong>. Cross-account safeguards are
          Region-specific: calls in {props.configRegion} can only get a guardrail of {props.configRegion}. Create the guardrail (and publish a version) in{' '}
          {props.configRegion} and enforce that one, or apply this configuration in {region}.
          {props.onUseRegion && (
            <span className="sg-fix-inline">
              <button type="button" onClick={() => props.onUseRegion?.(region)}>
                Apply this configuration in {region}
              </button>
            </span>
          )}
        </Notice>
      )}

      {/* Keyed by guardrail: a fix (or its failure) is about the guardrail it was made for. */}
      {v.guardrailArn !== '' && props.level === 'organization' && <ResourcePolicyCheck key={v.guardrailArn} guardrailArn={v.guardrailArn} orgId={props.orgId} accountId={props.accountId} />}
      {v.guardrailArn !== '' && props.level === 'account' && owner !== undefined && owner !== props.accountId && (
        <Notice kind="info" title="Another account’s guardrail.">
          It belongs to account {owner}, whose resource-based policy must let account {props.accountId} call bedrock:ApplyGuardrail on it, or every enforced call is
          denied. Only account {owner} can read or change that policy; the server checks it when you save.
        </Notice>
      )}

      <div className="sg-two">
        <fieldset>
          <legend>Content guarding</legend>
          <Select label="System prompt" value={v.system} options={MODES} onChange={(system) => set({ system })} hint="Selective: only tagged parts; nothing when untagged." />
          <Select label="Messages" value={v.messages} options={MODES} onChange={(messages) => set({ messages })} hint="Selective: only tagged messages; all when untagged." />
          <p className="muted sg-small">Model output is always guarded.</p>
        </fieldset>

        <fieldset>
          <legend>Models</legend>
          <RadioGroup
            legend="Apply the guardrail to"
            name={`scope-${scopeName}`}
            value={v.scope}
            options={[
              ['ALL', 'All models, except the ones in Exclude'],
              ['INCLUDE', 'Only the models in Include (minus any in Exclude)'],
            ]}
            onChange={(scope) => set({ scope })}
          />
          {v.scope === 'INCLUDE' && v.included.length === 0 && (
            <Notice kind="warning" title="The Include list is empty.">
              {props.level === 'organization'
                ? 'You chose to guard only the models you list, but listed none; in a BEDROCK_POLICY an empty included_models list means every model. Add the model ids to guard, or choose All models.'
                : 'You chose to guard only the models you list, but listed none: the API refuses an empty Include list. Add the model ids to guard, or choose All models.'}
            </Notice>
          )}
          {v.scope === 'INCLUDE' && <ModelList label="Include" items={v.included} onChange={(included) => set({ included })} />}
          <ModelList
            label="Exclude"
            items={v.excluded}
            onChange={(excluded) => set({ excluded })}
            extra={
              <button type="button" onClick={() => set({ excluded: [...v.excluded, ...KNOWN_MODELS.filter((k) => k.embedding && !v.excluded.includes(k.id)).map((k) => k.id)] })}>
                Exclude the embedding models
              </button>
            }
          />
          {props.errors.included && (
            <p className="field-error" role="alert">
              {props.errors.included}
            </p>
          )}
          {modelScopeHints(v).map((h) => (
            <p key={h} className="sg-hint-warning">
              {h}
            </p>
          ))}
          <p className="muted sg-small">Guardrails cannot guard embedding models (enforced calls to them fail): exclude them.</p>
        </fieldset>
      </div>
    </div>
  );
}

/**
 * Pitfall 2: the guardrail's resource-based policy must let the organization's members call
 * bedrock:ApplyGuardrail, or their model calls fail with AccessDeniedException. Offers the one-click fix.
 */
export function ResourcePolicyCheck(props: { guardrailArn: string; orgId?: string | undefined; accountId: string; onFixed?: () => void; inEditor?: boolean }) {
  const arn = props.guardrailArn;
  const region = guardrailRegion(arn);
  const owner = guardrailOwner(arn);
  const here = region === currentRegion() && owner === props.accountId;
  const loaded = useLoad(async (signal) => ({ arn, policy: here ? await getResourcePolicy(arn, signal) : undefined }), [arn, here]);
  // The policy of this guardrail (not of the one chosen before, while this one's loads).
  const current = loaded.data?.arn === arn ? loaded.data : undefined;
  const [fixing, setFixing] = useState(false);
  const [fixError, setFixError] = useState<unknown>();
  const [fixed, setFixed] = useState(false);
  const id = guardrailIdOf(arn) ?? '';
  if (region === undefined || owner === undefined) return null;
  if (owner !== props.accountId)
    return (
      <Notice kind="warning" title="Not a guardrail of this account.">
        The guardrail belongs to account {owner}. Organization-level enforcement can only use guardrails of the management account; the organization policy would be refused.
      </Notice>
    );
  if (!here)
    return (
      <Notice kind="info" title="Resource-based policy not checked.">
        The guardrail is in {region}; switch the console Region to {region} to check that its resource-based policy lets the organization’s members apply it.
      </Notice>
    );
  if (!props.orgId) return null;
  if (loaded.error) return <ErrorBanner error={loaded.error} />;
  if (!current) return <Loading what="the guardrail’s resource-based policy" />;
  const grant = orgGrant(current.policy, props.orgId);
  const orgId = props.orgId;
  const fix = async () => {
    setFixing(true);
    setFixError(undefined);
    try {
      await putResourcePolicy(arn, withOrgStatement(current.policy, arn, orgId));
      setFixed(true);
      loaded.reload();
      props.onFixed?.();
    } catch (e) {
      setFixError(e);
    } finally {
      setFixing(false);
    }
  };
  if (grant.orgWide)
    return (
      <Notice kind="success" title="Resource-based policy OK.">
        {fixed ? 'The resource-based policy now lets' : 'The guardrail’s resource-based policy lets'} every account of organization {orgId} apply this guardrail.
        {!props.inEditor && (
          <>
            {' '}
            <Link to={`/safeguards/resource-policy/${encodeURIComponent(id)}`}>View the policy</Link>
          </>
        )}
      </Notice>
    );
  const why =
    current.policy === undefined
      ? 'The guardrail has no resource-based policy'
      : grant.unreadable
        ? `The guardrail’s resource-based policy cannot be read (${grant.unreadable})`
        : grant.orgPaths.length > 0
          ? `The guardrail’s resource-based policy lets only the accounts under ${grant.orgPaths.join(', ')} apply it`
          : `The guardrail’s resource-based policy does not let the accounts of organization ${orgId} apply it`;
  return (
    <div className="banner banner-warning" role="alert">
      <strong>Member accounts cannot apply this guardrail. </strong>
      {why}: the member accounts’ model calls would fail with AccessDeniedException.
      <div className="actions sg-fix">
        <button type="button" className="primary" onClick={fix} disabled={fixing}>
          {fixing ? 'Saving the policy…' : 'Let organization members apply this guardrail'}
        </button>
        <span className="muted sg-small">adds a statement allowing bedrock:ApplyGuardrail to Principal "*" with aws:PrincipalOrgID = {orgId}</span>
        {!props.inEditor && <Link to={`/safeguards/resource-policy/${encodeURIComponent(id)}`}>Edit the resource policy</Link>}
      </div>
      <ErrorBanner error={fixError} onDismiss={() => setFixError(undefined)} />
    </div>
  );
}

/** BEDROCK_POLICY must be enabled on the root before a policy of that type can be attached (or enforced). */
export function EnablePolicyTypeNotice(props: { root: Root; onEnabled: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  if (policyTypeEnabled(props.root)) return null;
  return (
    <div className="banner banner-warning" role="alert">
      <strong>The BEDROCK_POLICY policy type is not enabled </strong>
      on root {props.root.Id}: no organization-level configuration is enforced, and none can be attached, until it is.{' '}
      <button
        type="button"
        className="primary"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(undefined);
          try {
            await org('EnablePolicyType', { RootId: props.root.Id, PolicyType: BEDROCK_POLICY });
            props.onEnabled();
          } catch (e) {
            setError(e);
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? 'Enabling…' : 'Enable BEDROCK_POLICY'}
      </button>
      <ErrorBanner error={error} onDismiss={() => setError(undefined)} />
    </div>
  );
}
