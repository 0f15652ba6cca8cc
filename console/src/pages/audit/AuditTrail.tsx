/** /audit: the hash-chained audit trail, filtered (the filters live in the URL), paged, with the chain check. */
import { type ReactNode, useState } from 'react';
import { call } from '../../api/client.ts';
import type { GuardrailSummary } from '../guardrails/api.ts';
import { goTo, useSearch } from './location.ts';
import { ErrorBanner, Field, Link, Loading, Notice, PageHeader, Select, formatTime, useLoad } from '../../components/ui.tsx';
import { TableHead } from '../../components/table.tsx';
import {
  type Filters,
  filtersFromQuery,
  filtersToQuery,
  KNOWN_ACTIONS,
  KNOWN_OUTCOMES,
  loadAccountNames,
  loadTrailPage,
  MAX_SCAN,
  outcomeClass,
  PAGE_SIZES,
  POLICY_TYPES,
  shortPrincipal,
  summary,
  validateFilters,
} from './records.ts';

/** An input with suggestions (a datalist): free text, as the API takes it. */
export function SuggestInput(props: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: ReadonlyArray<readonly [string, string]>;
  hint?: ReactNode;
  error?: string | undefined;
  placeholder?: string;
}) {
  return (
    <Field label={props.label} hint={props.hint} error={props.error}>
      {(id, describedBy) => (
        <>
          <input
            id={id}
            list={`${id}-list`}
            value={props.value}
            placeholder={props.placeholder}
            aria-describedby={describedBy}
            aria-invalid={props.error ? true : undefined}
            autoComplete="off"
            onChange={(e) => props.onChange(e.target.value)}
          />
          <datalist id={`${id}-list`}>
            {props.options.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </datalist>
        </>
      )}
    </Field>
  );
}

/** A link to another query of the same page (the shared Link re-renders on a change of path only). */
export function QueryLink(props: { to: string; children: ReactNode }) {
  return (
    <Link to={props.to} go={goTo}>
      {props.children}
    </Link>
  );
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO time as a datetime-local value (local time, to the minute). */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(v: string): string {
  if (!v) return '';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? v : d.toISOString();
}

export function accountLabel(names: ReadonlyMap<string, string> | undefined, id: string): string {
  const n = names?.get(id);
  return n && n !== id ? `${n} (${id})` : id;
}

function FilterForm(props: { initial: Filters; accounts: ReadonlyMap<string, string> | undefined; guardrails: readonly GuardrailSummary[] }) {
  const [f, setF] = useState<Filters>(props.initial);
  const [errors, setErrors] = useState<Partial<Record<keyof Filters, string>>>({});
  const set = <K extends keyof Filters>(k: K, v: Filters[K]) => setF((x) => ({ ...x, [k]: v }));
  const lastFor = (ms: number) => setF((x) => ({ ...x, since: new Date(Date.now() - ms).toISOString(), until: '' }));
  const accountOptions: Array<readonly [string, string]> = [['', 'All accounts you can see'], ...[...(props.accounts ?? new Map()).entries()].map(([id, name]) => [id, `${name} (${id})`] as const)];
  if (f.account && !props.accounts?.has(f.account)) accountOptions.push([f.account, f.account]);
  return (
    <form
      className="panel audit-filters"
      aria-label="Filter the audit trail"
      onSubmit={(e) => {
        e.preventDefault();
        const clean: Filters = { ...f, account: f.account.trim(), guardrail: f.guardrail.trim(), action: f.action.trim(), outcome: f.outcome.trim() };
        const errs = validateFilters(clean);
        setErrors(errs);
        if (Object.keys(errs).length) return;
        goTo(`/audit${filtersToQuery(clean)}`);
      }}
    >
      <div className="audit-filter-grid">
        {props.accounts && props.accounts.size > 0 ? (
          <Select label="Account" value={f.account} options={accountOptions} onChange={(v) => set('account', v)} />
        ) : (
          <SuggestInput label="Account" value={f.account} onChange={(v) => set('account', v)} options={[]} placeholder="12-digit account id" error={errors.account} />
        )}
        <SuggestInput
          label="Guardrail (resource ARN)"
          value={f.guardrail}
          onChange={(v) => set('guardrail', v)}
          options={props.guardrails.map((g) => [g.arn, g.name] as const)}
          placeholder="arn:aws:bedrock:…:guardrail/…"
          hint="Every version, or add :1 or :DRAFT for one."
          error={errors.guardrail}
        />
        <SuggestInput
          label="Action"
          value={f.action}
          onChange={(v) => set('action', v)}
          options={KNOWN_ACTIONS.map((a) => [a, a] as const)}
          placeholder="bedrock:ConverseStream"
          hint="service:* for every action of a service."
          error={errors.action}
        />
        <SuggestInput label="Outcome" value={f.outcome} onChange={(v) => set('outcome', v)} options={KNOWN_OUTCOMES.map((o) => [o, o] as const)} placeholder="INTERVENED" error={errors.outcome} />
        <div>
          <Select label="Policy type" value={f.policy} options={[['', 'Any'], ...POLICY_TYPES]} onChange={(v) => set('policy', v)} hint="Guardrail applications whose policies of this type detected something." />
          <label className="audit-check">
            <input type="checkbox" checked={f.intervening} disabled={!f.policy} onChange={(e) => set('intervening', e.target.checked)} /> Only where it intervened
          </label>
        </div>
        <Field label="From" error={errors.since}>
          {(id, d) => <input id={id} type="datetime-local" value={toLocalInput(f.since)} aria-describedby={d} aria-invalid={errors.since ? true : undefined} onChange={(e) => set('since', fromLocalInput(e.target.value))} />}
        </Field>
        <Field label="To" error={errors.until}>
          {(id, d) => <input id={id} type="datetime-local" value={toLocalInput(f.until)} aria-describedby={d} aria-invalid={errors.until ? true : undefined} onChange={(e) => set('until', fromLocalInput(e.target.value))} />}
        </Field>
        <Select label="Records per page" value={String(f.limit)} options={PAGE_SIZES.map((n) => [String(n), String(n)] as const)} onChange={(v) => set('limit', Number(v))} />
      </div>
      <div className="actions audit-filter-actions">
        <button type="submit" className="primary">
          Apply filters
        </button>
        <button type="button" onClick={() => goTo('/audit')}>
          Clear filters
        </button>
        <span className="muted audit-quick" id="quick-range">
          Time range:
        </span>
        <button type="button" aria-describedby="quick-range" onClick={() => lastFor(60 * 60_000)}>
          Last hour
        </button>
        <button type="button" aria-describedby="quick-range" onClick={() => lastFor(24 * 60 * 60_000)}>
          Last 24 hours
        </button>
        <button type="button" aria-describedby="quick-range" onClick={() => lastFor(7 * 24 * 60 * 60_000)}>
          Last 7 days
        </button>
      </div>
    </form>
  );
}

export interface ChainResult {
  ok: boolean;
  count: number;
  brokenAt?: number;
}

export function VerifyChain() {
  const [state, setState] = useState<{ busy: boolean; result?: ChainResult; error?: unknown }>({ busy: false });
  return (
    <div className="audit-verify">
      <button
        type="button"
        disabled={state.busy}
        onClick={async () => {
          setState({ busy: true });
          try {
            setState({ busy: false, result: await call<ChainResult>('GET', '/admin/v1/audit/verify') });
          } catch (error) {
            setState({ busy: false, error });
          }
        }}
      >
        {state.busy ? 'Verifying…' : 'Verify chain'}
      </button>
      <div aria-live="polite">
        {state.result?.ok && (
          <Notice kind="success" title="Hash chain intact.">
            All {state.result.count.toLocaleString()} records verify: every record’s hash matches its contents and links to the one before it.
          </Notice>
        )}
        {state.result && !state.result.ok && (
          <Notice kind="warning" title="Hash chain broken.">
            Record #{state.result.brokenAt} (or its link to the record before it) was changed or removed; {state.result.count.toLocaleString()} records checked.{' '}
            {state.result.brokenAt !== undefined && <Link to={`/audit/records/${state.result.brokenAt}`}>Open record #{state.result.brokenAt}</Link>}
          </Notice>
        )}
      </div>
      <ErrorBanner error={state.error} />
    </div>
  );
}

export function AuditTrail() {
  const search = useSearch();
  const query = new URLSearchParams(search);
  const filters = filtersFromQuery(query);
  const num = (k: string) => {
    const v = query.get(k);
    return v !== null && /^\d{1,15}$/.test(v) ? Number(v) : undefined;
  };
  const page = { before: num('before'), after: num('after') };
  const invalid = validateFilters(filters);
  const accounts = useLoad((s) => loadAccountNames(s), []);
  const guardrails = useLoad(
    (s) => call<{ guardrails: GuardrailSummary[] }>('GET', '/guardrails', { query: { maxResults: 100 }, signal: s }).then((r) => r.guardrails, () => [] as GuardrailSummary[]),
    [],
  );
  const trail = useLoad((s) => (Object.keys(invalid).length ? Promise.reject(new Error(Object.values(invalid).join(' '))) : loadTrailPage(filters, page, s)), [search]);
  const clientSide = Boolean(filters.policy || filters.guardrail);
  const data = trail.data;
  const first = data?.records[0];
  const last = data?.records.at(-1);

  return (
    <section>
      <PageHeader
        title="Audit trail"
        description="Every change to organizations, policies, resource policies and enforcement, and every model call and guardrail application — append-only and hash-chained."
      >
        <VerifyChain />
      </PageHeader>
      <FilterForm key={search} initial={filters} accounts={accounts.data} guardrails={guardrails.data ?? []} />
      <ErrorBanner error={trail.error} />
      {trail.loading && <Loading what="audit records" />}
      {data && !trail.loading && (
        <>
          <p className="muted" role="status">
            {data.records.length === 0
              ? 'No audit records match these filters.'
              : `Showing ${data.records.length} record${data.records.length === 1 ? '' : 's'}, #${last?.seq}–#${first?.seq}, newest first.`}
            {clientSide && ` ${data.scanned.toLocaleString()} records were read to apply the policy type and guardrail filters.`}
          </p>
          {data.capped && (
            <Notice kind="info">
              The search stopped after reading {MAX_SCAN.toLocaleString()} records. Go to older records to keep looking.
            </Notice>
          )}
          {data.records.length > 0 && (
            <div className="audit-table-wrap">
              <table className="audit-table" aria-label="Audit records, newest first">
                <TableHead columns={['Seq', 'Time', 'Account', 'Principal', 'Action', 'Outcome', 'Detail']} />
                <tbody>
                  {data.records.map((r) => (
                    <tr key={r.seq}>
                      <td>
                        <Link to={`/audit/records/${r.seq}${search}`}>
                          <span className="skip">Record </span>#{r.seq}
                        </Link>
                      </td>
                      <td className="audit-nowrap" title={r.at}>
                        {formatTime(r.at)}
                      </td>
                      <td>{accountLabel(accounts.data, r.accountId)}</td>
                      <td className="audit-break">{shortPrincipal(r.principalArn, r.accountId)}</td>
                      <td className="audit-nowrap">{r.action}</td>
                      <td>
                        <span className={outcomeClass(r.outcome)}>{r.outcome}</span>
                      </td>
                      <td className="audit-break audit-detail">{summary(r)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <nav className="audit-pager" aria-label="Pages of the audit trail">
            {(page.before !== undefined || page.after !== undefined) && <QueryLink to={`/audit${filtersToQuery(filters)}`}>Newest</QueryLink>}
            {data.newer !== undefined && <QueryLink to={`/audit${filtersToQuery(filters, { after: data.newer })}`}>← Newer records</QueryLink>}
            {data.older !== undefined && <QueryLink to={`/audit${filtersToQuery(filters, { before: data.older })}`}>Older records →</QueryLink>}
          </nav>
        </>
      )}
    </section>
  );
}
