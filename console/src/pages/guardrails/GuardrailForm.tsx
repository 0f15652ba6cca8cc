/** Create a guardrail (/guardrails/new) or edit its DRAFT (/guardrails/:id/edit): every policy the API accepts. */
import { type FormEvent, useState } from 'react';
import { navigate } from '../../app/router.ts';
import { ErrorBanner, Link, Loading, PageHeader, Select, TextArea, TextInput, useLoad } from '../../components/ui.tsx';
import { TableHead } from '../../components/table.tsx';
import { type BlockAction, createGuardrail, getGuardrail, LIMITS, PII_GROUPS, type SensitiveAction, STRENGTHS, type Strength, type TierName, updateGuardrail } from './api.ts';
import { BLOCK_OPTIONS, CellCheck, CellSelect, Check, SENSITIVE_OPTIONS, SIDE_COLUMNS, SideCells, SideRow, setFlash } from './controls.tsx';
import { type Errors, emptyForm, type FormState, fromGuardrail, newRegex, newTopic, parseWords, toConfig, validate } from './form.ts';

const STRENGTH_OPTIONS = STRENGTHS.map((s) => [s, s[0] + s.slice(1).toLowerCase()] as const);
const TIER_OPTIONS: ReadonlyArray<readonly [TierName | '', string]> = [
  ['', 'Default (Classic)'],
  ['CLASSIC', 'Classic'],
  ['STANDARD', 'Standard (needs a cross-Region profile)'],
];
const PII_OPTIONS: ReadonlyArray<readonly [SensitiveAction | 'OFF', string]> = [['OFF', 'Off'], ...SENSITIVE_OPTIONS];
const FILTER_HELP: Record<string, string> = {
  HATE: 'Discrimination, criticism or dehumanisation based on identity',
  INSULTS: 'Demeaning, humiliating, mocking or bullying language',
  SEXUAL: 'Sexual interest, activity or arousal',
  VIOLENCE: 'Glorifying or threatening physical pain or harm',
  MISCONDUCT: 'Criminal activity, harming or defrauding someone',
  PROMPT_ATTACK: 'Jailbreaks and prompt injection (input only)',
};

export function GuardrailForm(props: { id?: string }) {
  const id = props.id;
  const draft = useLoad((signal) => (id ? getGuardrail(id, 'DRAFT', signal) : Promise.resolve(undefined)), [id]);
  if (!id) return <Editor initial={emptyForm()} />;
  if (draft.loading && !draft.data) return <Loading what="the DRAFT" />;
  if (!draft.data)
    return (
      <section>
        <PageHeader title="Edit DRAFT" />
        <ErrorBanner error={draft.error} />
        <Link to="/guardrails">Back to guardrails</Link>
      </section>
    );
  return <Editor id={id} initial={fromGuardrail(draft.data)} />;
}

function Editor(props: { id?: string; initial: FormState }) {
  const [f, setF] = useState<FormState>(props.initial);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<unknown>();
  const [wordDraft, setWordDraft] = useState('');
  const [wordError, setWordError] = useState<string>();
  const errors: Errors = tried ? validate(f) : {};
  const errorCount = Object.keys(errors).length;
  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setF((s) => ({ ...s, [k]: v }));
  const editing = props.id !== undefined;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    setServerError(undefined);
    const problems = validate(f);
    if (Object.keys(problems).length) {
      requestAnimationFrame(() => {
        const el = document.querySelector<HTMLElement>('form.gr-form [aria-invalid="true"]') ?? document.getElementById('gr-form-problems');
        el?.focus();
      });
      return;
    }
    setBusy(true);
    try {
      const config = toConfig(f);
      if (props.id) {
        await updateGuardrail(props.id, config);
        setFlash(`The DRAFT of ${config.name} was saved.`);
        navigate(`/guardrails/${encodeURIComponent(props.id)}`);
      } else {
        const r = await createGuardrail(config);
        setFlash(`Guardrail ${config.name} was created (DRAFT).`);
        navigate(`/guardrails/${encodeURIComponent(r.guardrailId)}`);
      }
    } catch (err) {
      setServerError(err);
      setBusy(false);
    }
  };

  const addWords = () => {
    const { add, error } = parseWords(wordDraft, f.words);
    setWordError(error);
    if (error) return;
    setF((s) => ({ ...s, words: [...s.words, ...add.map((text) => ({ text, inputAction: 'BLOCK' as const, outputAction: 'BLOCK' as const, inputEnabled: true, outputEnabled: true }))] }));
    setWordDraft('');
  };

  return (
    <section>
      <PageHeader
        title={editing ? `Edit DRAFT: ${props.initial.name}` : 'Create guardrail'}
        description={editing ? 'Saving replaces the whole DRAFT configuration. Published versions do not change.' : 'A new guardrail starts as a DRAFT; publish a version to use it in enforcement.'}
      />
      <nav className="gr-jump" aria-label="Form sections">
        <a href="#gr-details">Details</a>
        <a href="#gr-content">Content filters</a>
        <a href="#gr-topics">Denied topics</a>
        <a href="#gr-words">Word filters</a>
        <a href="#gr-pii">Sensitive information</a>
        <a href="#gr-grounding">Contextual grounding</a>
      </nav>
      <form className="gr-form" noValidate onSubmit={submit}>
        <fieldset id="gr-details" className="panel">
          <legend>Details</legend>
          <div className="grid2">
            <TextInput label="Name" name="name" value={f.name} onChange={(v) => set('name', v)} error={errors.name} hint={`1–${LIMITS.name} characters: letters, digits, - and _.`} />
            <TextInput label="Description" name="description" value={f.description} onChange={(v) => set('description', v)} error={errors.description} hint={`Optional, up to ${LIMITS.description} characters.`} />
            <TextArea label="Blocked input message" rows={2} value={f.blockedInput} onChange={(v) => set('blockedInput', v)} error={errors.blockedInput} hint="Returned instead of a prompt the guardrail blocks." />
            <TextArea label="Blocked output message" rows={2} value={f.blockedOutput} onChange={(v) => set('blockedOutput', v)} error={errors.blockedOutput} hint="Returned instead of a model response the guardrail blocks." />
            <TextInput label="KMS key (optional)" value={f.kmsKeyId} onChange={(v) => set('kmsKeyId', v)} error={errors.kmsKeyId} hint="Key ARN, alias ARN, key ID or alias/name." />
            <TextInput
              label="Cross-Region guardrail profile (optional)"
              value={f.profile}
              onChange={(v) => set('profile', v)}
              error={errors.profile}
              hint="A profile ID such as us.guardrail.v1:0, or its ARN. Needed for the Standard tier."
            />
          </div>
        </fieldset>

        <fieldset id="gr-content" className="panel">
          <legend>Content filters</legend>
          <p className="muted gr-lead">A higher strength blocks content the classifier is less sure about. Content not checked on a side is not evaluated there.</p>
          <div className="gr-scroll">
            <table className="gr-grid">
              <TableHead columns={['Filter', 'Input strength', 'Output strength', ...SIDE_COLUMNS]} />
              <tbody>
                {f.filters.map((r, i) => {
                  const upd = (patch: Partial<typeof r>) => set('filters', f.filters.map((x, j) => (j === i ? { ...x, ...patch } : x)));
                  const err = errors[`filters.${r.type}`];
                  return (
                    <tr key={r.type} className={r.on ? undefined : 'gr-off'}>
                      <th scope="row">
                        <Check label={`Use ${r.type} filter`} checked={r.on} onChange={(on) => upd({ on })} hint={FILTER_HELP[r.type]} />
                        {err && (
                          <div className="field-error" role="alert" id={`gr-err-${r.type}`}>
                            {err}
                          </div>
                        )}
                      </th>
                      <td>
                        <CellSelect<Strength> label={`${r.type} input strength`} value={r.inputStrength} options={STRENGTH_OPTIONS} disabled={!r.on} onChange={(v) => upd({ inputStrength: v })} />
                      </td>
                      <td>
                        <CellSelect<Strength>
                          label={`${r.type} output strength`}
                          value={r.outputStrength}
                          options={r.type === 'PROMPT_ATTACK' ? [['NONE', 'None (input only)']] : STRENGTH_OPTIONS}
                          disabled={!r.on}
                          invalid={!!err}
                          {...(err ? { describedBy: `gr-err-${r.type}` } : {})}
                          onChange={(v) => upd({ outputStrength: v })}
                        />
                      </td>
                      <SideCells<BlockAction> name={r.type} value={r} options={BLOCK_OPTIONS} disabled={!r.on} onChange={(v) => upd(v)} />
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <div className="gr-inline">
            <Select<TierName | ''> label="Content filter tier" value={f.contentTier} options={TIER_OPTIONS} onChange={(v) => set('contentTier', v)} />
          </div>
        </fieldset>

        <fieldset id="gr-topics" className="panel">
          <legend>Denied topics</legend>
          <p className="muted gr-lead">
            Up to {LIMITS.topics} topics the guardrail refuses, each described by a definition and up to {LIMITS.examples} sample phrases.
          </p>
          {errors.topics && (
            <div className="field-error" role="alert">
              {errors.topics}
            </div>
          )}
          {f.topics.length === 0 && <p className="muted">No denied topics.</p>}
          {f.topics.map((t, i) => {
            const k = `topics.${t.key}`;
            const upd = (patch: Partial<typeof t>) => set('topics', f.topics.map((x) => (x.key === t.key ? { ...x, ...patch } : x)));
            return (
              <fieldset key={t.key} className="gr-card">
                <legend>Denied topic {i + 1}</legend>
                <div className="grid2">
                  <div>
                    <TextInput label="Topic name" value={t.name} onChange={(v) => upd({ name: v })} error={errors[`${k}.name`]} hint="Letters, digits, spaces and - _ ! ? ." />
                    <TextArea label="Definition" rows={3} value={t.definition} onChange={(v) => upd({ definition: v })} error={errors[`${k}.definition`]} hint={`Up to ${LIMITS.topicDefinition} characters.`} />
                  </div>
                  <TextArea
                    label="Sample phrases"
                    rows={6}
                    value={t.examples}
                    onChange={(v) => upd({ examples: v })}
                    error={errors[`${k}.examples`]}
                    hint={`One per line, up to ${LIMITS.examples} phrases of ${LIMITS.example} characters.`}
                  />
                </div>
                <SideRow<BlockAction> name={`topic ${i + 1}`} value={t} options={BLOCK_OPTIONS} onChange={(v) => upd(v)} />
                <button type="button" className="danger" onClick={() => set('topics', f.topics.filter((x) => x.key !== t.key))}>
                  Remove topic {i + 1}
                </button>
              </fieldset>
            );
          })}
          <button type="button" onClick={() => set('topics', [...f.topics, newTopic()])} disabled={f.topics.length >= LIMITS.topics}>
            Add denied topic
          </button>
          <div className="gr-inline">
            <Select<TierName | ''> label="Denied topic tier" value={f.topicTier} options={TIER_OPTIONS} onChange={(v) => set('topicTier', v)} />
          </div>
        </fieldset>

        <fieldset id="gr-words" className="panel">
          <legend>Word filters</legend>
          <div className="grid2">
            <div>
              <TextArea label="Add words or phrases" rows={3} value={wordDraft} onChange={setWordDraft} error={wordError ?? errors.words} hint={`One per line, up to ${LIMITS.word} characters each; matched as whole words, in any case.`} />
              <button type="button" onClick={addWords} disabled={!wordDraft.trim()}>
                Add words
              </button>
            </div>
            <div>
              <Check label="Filter profanity (managed PROFANITY list)" checked={f.profanity.on} onChange={(on) => set('profanity', { ...f.profanity, on })} />
              {f.profanity.on && <SideRow<BlockAction> name="profanity" value={f.profanity} options={BLOCK_OPTIONS} onChange={(v) => set('profanity', { ...f.profanity, ...v })} />}
            </div>
          </div>
          {f.words.length > 0 ? (
            <div className="gr-scroll gr-words">
              <table className="gr-grid">
                <caption className="gr-caption">
                  {f.words.length} {f.words.length === 1 ? 'word' : 'words'}
                </caption>
                <TableHead columns={['Word or phrase', ...SIDE_COLUMNS, { label: <span className="gr-sr">Remove</span> }]} />
                <tbody>
                  {f.words.map((w, i) => (
                    <tr key={`${i}:${w.text}`}>
                      <th scope="row">{w.text}</th>
                      <SideCells<BlockAction> name={`word ${w.text}`} value={w} options={BLOCK_OPTIONS} onChange={(v) => set('words', f.words.map((x, j) => (j === i ? { ...x, ...v } : x)))} />
                      <td>
                        <button type="button" className="link" aria-label={`Remove word ${w.text}`} onClick={() => set('words', f.words.filter((_, j) => j !== i))}>
                          Remove
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="muted">No custom words.</p>
          )}
        </fieldset>

        <fieldset id="gr-pii" className="panel">
          <legend>Sensitive information</legend>
          <p className="muted gr-lead">Block the request, mask each match as {'{TYPE}'}, or only report it (detect only).</p>
          <div className="gr-scroll">
            <table className="gr-grid gr-pii">
              <TableHead columns={['PII entity type', 'Action', ...SIDE_COLUMNS]} />
              {PII_GROUPS.map(([group, types]) => (
                <tbody key={group}>
                  <tr className="gr-group">
                    <th scope="colgroup" colSpan={6}>
                      {group}
                    </th>
                  </tr>
                  {types.map((type) => {
                    const p = f.pii.find((x) => x.type === type);
                    if (!p) return null;
                    const upd = (patch: Partial<typeof p>) => set('pii', f.pii.map((x) => (x.type === type ? { ...x, ...patch } : x)));
                    return (
                      <tr key={type} className={p.action === 'OFF' ? 'gr-off' : undefined}>
                        <th scope="row" className="mono">
                          {type}
                        </th>
                        <td>
                          <CellSelect
                            label={`${type} action`}
                            value={p.action}
                            options={PII_OPTIONS}
                            onChange={(a) => upd(a === 'OFF' ? { action: a } : { action: a, inputAction: a, outputAction: a })}
                          />
                        </td>
                        {p.action === 'OFF' ? (
                          <td colSpan={4} className="muted gr-na">
                            Not detected
                          </td>
                        ) : (
                          <SideCells<SensitiveAction> name={type} value={p} options={SENSITIVE_OPTIONS} onChange={(v) => upd(v)} />
                        )}
                      </tr>
                    );
                  })}
                </tbody>
              ))}
            </table>
          </div>

          <h3>Regex patterns</h3>
          {errors.regexes && (
            <div className="field-error" role="alert">
              {errors.regexes}
            </div>
          )}
          {f.regexes.length === 0 && <p className="muted">No regex patterns.</p>}
          {f.regexes.map((r, i) => {
            const k = `regexes.${r.key}`;
            const upd = (patch: Partial<typeof r>) => set('regexes', f.regexes.map((x) => (x.key === r.key ? { ...x, ...patch } : x)));
            return (
              <fieldset key={r.key} className="gr-card">
                <legend>Regex {i + 1}</legend>
                <div className="grid2">
                  <TextInput label="Regex name" value={r.name} onChange={(v) => upd({ name: v })} error={errors[`${k}.name`]} hint="Masked matches read {name}." />
                  <TextInput label="Pattern" value={r.pattern} onChange={(v) => upd({ pattern: v })} error={errors[`${k}.pattern`]} hint="RE2 syntax: no back-references or look-around." />
                  <TextInput label="Regex description (optional)" value={r.description} onChange={(v) => upd({ description: v })} error={errors[`${k}.description`]} />
                  <Select<SensitiveAction> label="Regex action" value={r.action} options={SENSITIVE_OPTIONS} onChange={(a) => upd({ action: a, inputAction: a, outputAction: a })} />
                </div>
                <SideRow<SensitiveAction> name={`regex ${i + 1}`} value={r} options={SENSITIVE_OPTIONS} onChange={(v) => upd(v)} />
                <button type="button" className="danger" onClick={() => set('regexes', f.regexes.filter((x) => x.key !== r.key))}>
                  Remove regex {i + 1}
                </button>
              </fieldset>
            );
          })}
          <button type="button" onClick={() => set('regexes', [...f.regexes, newRegex()])} disabled={f.regexes.length >= LIMITS.regexes}>
            Add regex pattern
          </button>
        </fieldset>

        <fieldset id="gr-grounding" className="panel">
          <legend>Contextual grounding</legend>
          <p className="muted gr-lead">
            Checks a model response (source OUTPUT) against a grounding source and the user query; a score below the threshold is flagged. Thresholds run from 0 to{' '}
            {LIMITS.groundingMax}.
          </p>
          <table className="gr-grid">
            <TableHead columns={['Check', 'Threshold', 'Action', { label: 'Enabled', className: 'gr-center' }]} />
            <tbody>
              {f.grounding.map((g, i) => {
                const upd = (patch: Partial<typeof g>) => set('grounding', f.grounding.map((x, j) => (j === i ? { ...x, ...patch } : x)));
                const err = errors[`grounding.${g.type}`];
                return (
                  <tr key={g.type} className={g.on ? undefined : 'gr-off'}>
                    <th scope="row">
                      <Check label={`Use ${g.type} check`} checked={g.on} onChange={(on) => upd({ on })} hint={g.type === 'GROUNDING' ? 'Is the response supported by the source?' : 'Does the response answer the query?'} />
                    </th>
                    <td>
                      <input
                        type="number"
                        min={0}
                        max={LIMITS.groundingMax}
                        step={0.01}
                        aria-label={`${g.type} threshold`}
                        value={g.threshold}
                        disabled={!g.on}
                        aria-invalid={err ? true : undefined}
                        aria-describedby={err ? `gr-err-${g.type}` : undefined}
                        onChange={(e) => upd({ threshold: e.target.value })}
                      />
                      {err && (
                        <div className="field-error" role="alert" id={`gr-err-${g.type}`}>
                          {err}
                        </div>
                      )}
                    </td>
                    <td>
                      <CellSelect<BlockAction> label={`${g.type} action`} value={g.action} options={BLOCK_OPTIONS} disabled={!g.on} onChange={(a) => upd({ action: a })} />
                    </td>
                    <td className="gr-center">
                      <CellCheck label={`${g.type} check enabled`} checked={g.enabled} disabled={!g.on} onChange={(c) => upd({ enabled: c })} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </fieldset>

        <div className="gr-submit">
          {errorCount > 0 && (
            <div id="gr-form-problems" className="banner banner-error" role="alert" tabIndex={-1}>
              Fix {errorCount === 1 ? 'the problem' : `the ${errorCount} problems`} marked above before saving.
            </div>
          )}
          <ErrorBanner error={serverError} onDismiss={() => setServerError(undefined)} />
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Saving…' : editing ? 'Save DRAFT' : 'Create guardrail'}
            </button>
            <Link to={props.id ? `/guardrails/${encodeURIComponent(props.id)}` : '/guardrails'} className="button gr-btn">
              Cancel
            </Link>
          </div>
        </div>
      </form>
    </section>
  );
}
