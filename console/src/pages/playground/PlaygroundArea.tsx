/**
 * /playground: chat with a model through the gateway (ConverseStream, decoded in the browser) and watch the
 * guardrails that apply — requested, account-enforced, organization-enforced — act on the prompt and the answer.
 */
import { useEffect, useRef, useState } from 'react';
import { ApiError, call, getSession, type Session, switchBack, switchRole } from '../../api/client.ts';
import { ErrorBanner, Field, Link, Loading, Notice, PageHeader, Select, TextArea, TextInput, useLoad } from '../../components/ui.tsx';
import { SuggestInput } from '../audit/AuditTrail.tsx';
import { type AuditPage, detailOf, INVOCATION_ACTIONS, loadAccountNames } from '../audit/records.ts';
import type { GuardrailSummary } from '../guardrails/api.ts';
import type { VerifyReport } from '../safeguards/api.ts';
import { type ChatSettings, converseStream, requestBody, type Turn, validateSettings } from './converse.ts';
import { type GuardrailTrace, intervenedOn, ORIGIN_LABEL, TraceView } from './trace.tsx';
import './playground.css';

const DEMO_MODEL = 'parapet.demo-v1';

interface Exchange {
  id: number;
  prompt: string;
  answer: string;
  streaming: boolean;
  stopReason?: string;
  usage?: { inputTokens?: number; outputTokens?: number };
  latencyMs?: number;
  trace?: GuardrailTrace;
  tools: string[];
  error?: unknown;
}

/** Model ids: the demo model, and the ones the audit trail shows were called recently. */
async function knownModels(signal: AbortSignal): Promise<string[]> {
  const ids = new Set<string>([DEMO_MODEL]);
  try {
    const r = await call<AuditPage>('GET', '/admin/v1/audit', { query: { actionPrefix: 'bedrock:', limit: 500 }, signal });
    for (const rec of r.records) {
      const m = detailOf(rec)?.model;
      if (INVOCATION_ACTIONS.has(rec.action) && typeof m === 'string' && rec.outcome !== 'ValidationException' && rec.outcome !== 'ResourceNotFoundException') ids.add(m);
    }
  } catch (e) {
    if (signal.aborted) throw e;
  }
  return [...ids];
}

function AccountPanel(props: { session: Session | undefined }) {
  const accounts = useLoad((s) => loadAccountNames(s), []);
  const [target, setTarget] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const s = props.session;
  if (!s) return null;
  const members = [...(accounts.data ?? new Map<string, string>()).entries()].filter(([id]) => id !== s.accountId);
  const go = async (change: () => Promise<Session>) => {
    setBusy(true);
    setError(undefined);
    try {
      // The whole console now acts as the new principal: the App re-renders every page for it.
      await change();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="pg-account">
      <h2 id="pg-account">Account</h2>
      <p className="pg-who">
        Calls are made as <span className="mono">{s.principalArn}</span> in account <strong>{s.accountId}</strong>, Region {s.region}.
      </p>
      {s.switchedRole ? (
        <button type="button" disabled={busy} onClick={() => go(switchBack)}>
          Switch back to your own account
        </button>
      ) : members.length > 0 ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (target) void go(() => switchRole(target));
          }}
        >
          <Select
            label="Act in a member account"
            value={target}
            options={[['', 'Choose an account…'], ...members.map(([id, name]) => [id, `${name} (${id})`] as const)]}
            onChange={setTarget}
            hint="Assumes the account’s OrganizationAccountAccessRole for this console session."
          />
          <button type="submit" disabled={busy || !target}>
            {busy ? 'Switching…' : 'Switch account'}
          </button>
        </form>
      ) : null}
      <ErrorBanner error={error} />
    </section>
  );
}

function AppliesPanel(props: { modelId: string; guardrailId: string; guardrailVersion: string; tick: number }) {
  const { modelId, guardrailId, guardrailVersion } = props;
  const report = useLoad(
    (signal) =>
      modelId
        ? call<VerifyReport>('GET', '/admin/v1/verify', {
            query: { model: modelId, ...(guardrailId ? { guardrail: guardrailId, guardrailVersion } : {}) },
            signal,
          })
        : Promise.resolve(undefined),
    [modelId, guardrailId, guardrailVersion, props.tick],
  );
  const r = report.data;
  return (
    <section className="panel" aria-labelledby="pg-applies">
      <h2 id="pg-applies">Guardrails that apply</h2>
      {report.loading && <Loading what="the guardrails that apply" />}
      <ErrorBanner error={report.error} />
      {r && !report.loading && (
        <>
          <p className="muted pg-small">
            For <span className="mono">{r.modelId}</span> in account {r.accountId}, {r.region} (a dry run of the gateway’s resolution).
          </p>
          {r.guardrails.length === 0 ? (
            <p>No guardrail applies: the model’s answers are not guarded.</p>
          ) : (
            <ul className="pg-applies">
              {r.guardrails.map((g) => (
                <li key={`${g.guardrailArn}:${g.version}`}>
                  <span className="mono">{g.guardrailId}</span> version {g.version}{' '}
                  {g.origins.map((o) => (
                    <span key={o} className="badge pg-origin">
                      {ORIGIN_LABEL[o] ?? o}
                    </span>
                  ))}{' '}
                  {g.ownership === 'CROSS_ACCOUNT' && <span className="badge">Cross-account</span>}
                  {!g.permitted && (
                    <span className="badge badge-block" title={g.permissionReasons.join(' ')}>
                      Not permitted: calls will be refused
                    </span>
                  )}
                </li>
              ))}
            </ul>
          )}
          {r.skipped.length > 0 && (
            <p className="muted pg-small">
              Skipped: {r.skipped.map((s) => `${s.guardrailArn}:${s.version} (${s.reason})`).join('; ')}
            </p>
          )}
        </>
      )}
    </section>
  );
}

const INITIAL: ChatSettings = { modelId: DEMO_MODEL, system: '', guardrailId: '', guardrailVersion: '', trace: 'enabled', streamMode: 'sync', maxTokens: '', temperature: '' };

export function PlaygroundArea(props: { path: string }) {
  if (props.path.replace(/\/+$/, '') !== '/playground')
    return (
      <section>
        <h1>Not found</h1>
        <p>
          There is no console page at {props.path}. <Link to="/playground">Go to the playground</Link>.
        </p>
      </section>
    );
  return <Playground />;
}

function Playground() {
  const [settings, setSettings] = useState<ChatSettings>(INITIAL);
  const [checked, setChecked] = useState({ modelId: INITIAL.modelId, guardrailId: '', guardrailVersion: '' });
  const [tick, setTick] = useState(0);
  const [errors, setErrors] = useState<Partial<Record<keyof ChatSettings | 'prompt', string>>>({});
  const [prompt, setPrompt] = useState('');
  const [exchanges, setExchanges] = useState<Exchange[]>([]);
  const [busy, setBusy] = useState(false);
  const abort = useRef<AbortController | undefined>(undefined);
  const nextId = useRef(1);
  const session = useLoad(() => getSession(), []);
  const models = useLoad((s) => knownModels(s), []);
  const guardrails = useLoad(
    (s) => call<{ guardrails: GuardrailSummary[] }>('GET', '/guardrails', { query: { maxResults: 100 }, signal: s }).then((r) => r.guardrails),
    [],
  );
  const versions = useLoad(
    (s) =>
      settings.guardrailId
        ? call<{ guardrails: GuardrailSummary[] }>('GET', '/guardrails', { query: { guardrailIdentifier: settings.guardrailId, maxResults: 100 }, signal: s }).then((r) => r.guardrails.map((g) => g.version))
        : Promise.resolve([] as string[]),
    [settings.guardrailId],
  );
  const set = <K extends keyof ChatSettings>(k: K, v: ChatSettings[K]) => setSettings((x) => ({ ...x, [k]: v }));
  const log = useRef<HTMLDivElement>(null);

  useEffect(() => () => abort.current?.abort(), []);
  useEffect(() => {
    log.current?.scrollTo({ top: log.current.scrollHeight });
  }, [exchanges]);

  const update = (id: number, f: (e: Exchange) => Exchange) => setExchanges((xs) => xs.map((x) => (x.id === id ? f(x) : x)));

  /** Earlier exchanges a guardrail intervened on are left out of the conversation sent next. */
  const history = (): Turn[] =>
    exchanges
      .filter((x) => !x.streaming && !x.error && x.stopReason && x.stopReason !== 'guardrail_intervened' && x.answer)
      .flatMap((x): Turn[] => [
        { role: 'user', text: x.prompt },
        { role: 'assistant', text: x.answer },
      ]);

  const send = async () => {
    const errs: Partial<Record<keyof ChatSettings | 'prompt', string>> = validateSettings(settings);
    if (!prompt.trim()) errs.prompt = 'Type a message to send.';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    const modelId = settings.modelId.trim();
    const s = { ...settings, modelId };
    const id = nextId.current++;
    const text = prompt;
    const body = requestBody(s, [...history(), { role: 'user', text }]);
    setExchanges((xs) => [...xs, { id, prompt: text, answer: '', streaming: true, tools: [] }]);
    setPrompt('');
    setBusy(true);
    setChecked({ modelId, guardrailId: s.guardrailId, guardrailVersion: s.guardrailVersion });
    const ac = new AbortController();
    abort.current = ac;
    try {
      await converseStream(modelId, body, ac.signal, (ev) => {
        if (ev.type === 'text') update(id, (x) => ({ ...x, answer: x.answer + ev.text }));
        else if (ev.type === 'tool') update(id, (x) => ({ ...x, tools: [...x.tools, ev.name] }));
        else if (ev.type === 'stop') update(id, (x) => ({ ...x, stopReason: ev.stopReason }));
        else if (ev.type === 'metadata')
          update(id, (x) => ({ ...x, ...(ev.usage ? { usage: ev.usage } : {}), ...(ev.latencyMs !== undefined ? { latencyMs: ev.latencyMs } : {}), ...(ev.trace ? { trace: ev.trace } : {}) }));
        else if (ev.type === 'exception') update(id, (x) => ({ ...x, error: new ApiError(ev.name, ev.message, 200) }));
      });
      update(id, (x) => ({ ...x, streaming: false }));
    } catch (e) {
      update(id, (x) => ({ ...x, streaming: false, ...(ac.signal.aborted ? { stopReason: x.stopReason ?? 'stopped by you' } : { error: e }) }));
    } finally {
      abort.current = undefined;
      setBusy(false);
      setTick((t) => t + 1);
    }
  };

  const guardrailOptions: Array<readonly [string, string]> = [['', 'None (only the enforced guardrails)'], ...(guardrails.data ?? []).map((g) => [g.id, `${g.name} (${g.id})`] as const)];

  return (
    <section>
      <PageHeader
        title="Playground"
        description="Chat with a model through the gateway and see the guardrails — requested, account-enforced and organization-enforced — act on the prompt and the answer."
      />
      <div className="pg-layout">
        <div className="pg-side">
          <AccountPanel session={session.data} />
          <section className="panel" aria-labelledby="pg-settings">
            <h2 id="pg-settings">Settings</h2>
            <SuggestInput
              label="Model"
              value={settings.modelId}
              onChange={(v) => set('modelId', v)}
              options={(models.data ?? [DEMO_MODEL]).map((m) => [m, m === DEMO_MODEL ? 'Parapet demo model (local)' : m] as const)}
              hint="A model id the gateway serves; parapet.demo-v1 is the built-in demo model."
              error={errors.modelId}
            />
            <TextArea label="System prompt (optional)" value={settings.system} onChange={(v) => set('system', v)} rows={2} />
            <Select
              label="Request guardrail"
              value={settings.guardrailId}
              options={guardrailOptions}
              onChange={(v) => setSettings((x) => ({ ...x, guardrailId: v, guardrailVersion: v ? 'DRAFT' : '' }))}
              hint="Enforced guardrails apply whether or not you name one."
            />
            {settings.guardrailId && (
              <Select
                label="Guardrail version"
                value={settings.guardrailVersion}
                options={(versions.data?.length ? versions.data : ['DRAFT']).map((v) => [v, v === 'DRAFT' ? 'DRAFT (working draft)' : `Version ${v}`] as const)}
                onChange={(v) => set('guardrailVersion', v)}
              />
            )}
            {errors.guardrailVersion && (
              <p className="field-error" role="alert">
                {errors.guardrailVersion}
              </p>
            )}
            <div className="pg-row">
              <Select
                label="Trace"
                value={settings.trace}
                options={[
                  ['enabled', 'Enabled'],
                  ['enabled_full', 'Enabled, full'],
                  ['disabled', 'Disabled'],
                ]}
                onChange={(v) => set('trace', v)}
              />
              <Select
                label="Stream processing"
                value={settings.streamMode}
                options={[
                  ['sync', 'Synchronous'],
                  ['async', 'Asynchronous'],
                ]}
                onChange={(v) => set('streamMode', v)}
              />
            </div>
            <div className="pg-row">
              <TextInput label="Max tokens" value={settings.maxTokens} onChange={(v) => set('maxTokens', v)} error={errors.maxTokens} placeholder="model default" />
              <TextInput label="Temperature" value={settings.temperature} onChange={(v) => set('temperature', v)} error={errors.temperature} placeholder="0–1" />
            </div>
          </section>
          <AppliesPanel modelId={checked.modelId} guardrailId={checked.guardrailId} guardrailVersion={checked.guardrailVersion} tick={tick} />
        </div>
        <div className="pg-main">
          <section className="panel pg-chat" aria-labelledby="pg-conversation">
            <div className="pg-chat-head">
              <h2 id="pg-conversation">Conversation</h2>
              <button type="button" disabled={busy || !exchanges.length} onClick={() => setExchanges([])}>
                Clear conversation
              </button>
            </div>
            <div className="pg-log" role="log" aria-label="Messages" aria-busy={busy} ref={log} tabIndex={0}>
              {!exchanges.length && <p className="muted">Send a message to start. Try “repeat: my email is jane@example.com” with the demo model.</p>}
              {exchanges.map((x) => (
                <ExchangeView key={x.id} x={x} />
              ))}
            </div>
            <form
              className="pg-composer"
              onSubmit={(e) => {
                e.preventDefault();
                if (!busy) void send();
              }}
            >
              <Field label="Message" error={errors.prompt} hint="Ctrl+Enter sends.">
                {(id, d) => (
                  <textarea
                    id={id}
                    rows={3}
                    value={prompt}
                    aria-describedby={d}
                    aria-invalid={errors.prompt ? true : undefined}
                    onChange={(e) => setPrompt(e.target.value)}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !busy) {
                        e.preventDefault();
                        void send();
                      }
                    }}
                  />
                )}
              </Field>
              <div className="actions">
                <button type="submit" className="primary" disabled={busy}>
                  {busy ? 'Streaming…' : 'Send'}
                </button>
                {busy && (
                  <button type="button" onClick={() => abort.current?.abort()}>
                    Stop
                  </button>
                )}
              </div>
            </form>
          </section>
        </div>
      </div>
    </section>
  );
}

function ExchangeView(props: { x: Exchange }) {
  const x = props.x;
  const intervened = x.stopReason === 'guardrail_intervened';
  const on = intervenedOn(x.trace);
  return (
    <article className="pg-exchange" aria-label={`Exchange ${x.id}`}>
      <div className="pg-msg pg-user">
        <div className="pg-role">You</div>
        <div className="pg-text">{x.prompt}</div>
      </div>
      <div className={`pg-msg pg-assistant${intervened ? ' pg-intervened' : ''}`}>
        <div className="pg-role">Model</div>
        <div className="pg-text">
          {x.answer}
          {x.streaming && <span className="pg-cursor" aria-hidden="true" />}
        </div>
        {x.tools.length > 0 && <p className="muted pg-small">Asked to call the tool{x.tools.length > 1 ? 's' : ''} {x.tools.join(', ')}.</p>}
        {x.streaming && <p className="muted pg-small">Streaming…</p>}
        {intervened && (
          <Notice kind="warning" title="A guardrail intervened.">
            {on === 'input' ? 'It blocked the prompt before the model saw it.' : on === 'output' ? 'It acted on the model’s answer.' : 'The answer above is the guardrail’s message.'}{' '}
            This exchange is left out of the conversation sent next.
          </Notice>
        )}
        {!intervened && on && !x.streaming && (
          <Notice kind="info" title="A guardrail masked sensitive information">
            in the {on === 'input' ? 'prompt before the model saw it' : 'answer'}.
          </Notice>
        )}
        {x.error !== undefined && <ErrorBanner error={x.error} />}
        {!x.streaming && (x.stopReason || x.usage || x.latencyMs !== undefined) && (
          <p className="pg-meta">
            {x.stopReason && (
              <>
                Stop reason: <span className={intervened ? 'badge badge-block' : 'badge badge-ok'}>{x.stopReason}</span>
              </>
            )}
            {x.usage && (
              <span className="muted">
                {' '}
                · {x.usage.inputTokens ?? 0} input / {x.usage.outputTokens ?? 0} output tokens
              </span>
            )}
            {x.latencyMs !== undefined && <span className="muted"> · {x.latencyMs} ms</span>}
          </p>
        )}
        {x.trace && <TraceView trace={x.trace} />}
      </div>
    </article>
  );
}
