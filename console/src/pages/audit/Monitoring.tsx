/** /monitoring: charts computed from the audit records of the last hour, day or week. */
import { ErrorBanner, Link, Loading, PageHeader, Select, formatTime, useLoad } from '../../components/ui.tsx';
import { accountLabel } from './AuditTrail.tsx';
import { goTo, useSearch } from './location.ts';
import { Bars, Lines, StackedColumns } from './charts.tsx';
import {
  buckets,
  interventionsByAccount,
  interventionsByPolicy,
  invocationsOverTime,
  isApplication,
  isInvocation,
  latencyOverTime,
  loadWindow,
  MONITORING_CAP,
  quantile,
  WINDOWS,
  type WindowKey,
} from './metrics.ts';
import { detailOf, loadAccountNames, num, POLICY_TYPES, policyLabel } from './records.ts';

const DAY = 24 * 60 * 60_000;

function tickLabel(t: number, step: number): string {
  const d = new Date(t);
  if (step >= 6 * 60 * 60_000) return `${d.toLocaleDateString(undefined, { weekday: 'short' })} ${d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}`;
  return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

function rangeLabel(start: number, end: number, step: number): string {
  const a = new Date(start);
  const b = new Date(end);
  const time = (d: Date) => d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  const date = (d: Date) => d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  return step >= DAY / 4 ? `${date(a)} ${time(a)} – ${date(b)} ${time(b)}` : `${date(a)} ${time(a)}–${time(b)}`;
}

function Stat(props: { label: string; value: string }) {
  return (
    <div className="monitor-stat">
      <div className="monitor-stat-value">{props.value}</div>
      <div className="monitor-stat-label">{props.label}</div>
    </div>
  );
}

export function Monitoring() {
  const query = new URLSearchParams(useSearch());
  const raw = query.get('window');
  const key: WindowKey = WINDOWS.some((w) => w[0] === raw) ? (raw as WindowKey) : '24h';
  const win = WINDOWS.find((w) => w[0] === key) ?? WINDOWS[1];
  const step = win[3];
  const data = useLoad((s) => loadWindow(key, s), [key]);
  const accounts = useLoad((s) => loadAccountNames(s), []);

  const d = data.data;
  const bs = d ? buckets(d.from, d.to, step) : [];
  const labels = bs.map((b) => tickLabel(b.start, step));
  const rowNames = bs.map((b) => rangeLabel(b.start, b.end, step));
  const invocations = d ? d.records.filter(isInvocation) : [];
  const applications = d ? d.records.filter(isApplication) : [];
  const intervened = invocations.filter((r) => r.outcome === 'INTERVENED').length;
  const latencies = applications
    .map((r) => num(detailOf(r)?.latencyMs))
    .filter((x): x is number => x !== undefined)
    .sort((a, b) => a - b);
  const p50 = quantile(latencies, 0.5);
  const p99 = quantile(latencies, 0.99);
  const byPolicy = d ? interventionsByPolicy(d.records) : new Map<string, number>();
  const byAccount = d ? interventionsByAccount(d.records) : new Map<string, number>();
  const latency = d ? latencyOverTime(d.records, bs) : [];
  const oldest = d?.records.at(-1);
  /** The time axis both charts over time share. */
  const overTime = { xLabel: 'Time', labels, rowNames };

  return (
    <section>
      <PageHeader title="Monitoring" description="Model calls, guardrail interventions and guardrail latency, computed from the audit trail.">
        <div className="monitor-controls">
          <Select label="Time window" value={key} options={WINDOWS.map((w) => [w[0], w[1]] as const)} onChange={(v) => goTo(`/monitoring?window=${v}`, { replace: true })} />
          <button type="button" onClick={data.reload} disabled={data.loading}>
            Refresh
          </button>
        </div>
      </PageHeader>
      <ErrorBanner error={data.error} />
      {data.loading && <Loading what="audit records" />}
      {d && !data.loading && (
        <>
          <p role="status" className="monitor-basis">
            Computed from <strong>{d.records.length.toLocaleString()}</strong> audit record{d.records.length === 1 ? '' : 's'} between {formatTime(new Date(d.from).toISOString())} and{' '}
            {formatTime(new Date(d.to).toISOString())} ({invocations.length.toLocaleString()} calls, {applications.length.toLocaleString()} guardrail evaluations).{' '}
            <Link to={`/audit?since=${encodeURIComponent(new Date(d.from).toISOString())}&until=${encodeURIComponent(new Date(d.to).toISOString())}`}>See these records</Link>
          </p>
          {d.capped && (
            <p className="banner banner-info" role="status">
              Only the newest {MONITORING_CAP.toLocaleString()} records were read: the charts cover {oldest ? formatTime(oldest.at) : ''} onwards, not the whole window.
            </p>
          )}
          <div className="monitor-stats">
            <Stat label="Calls" value={invocations.length.toLocaleString()} />
            <Stat label="Intervened" value={intervened.toLocaleString()} />
            <Stat label="Intervention rate" value={invocations.length ? `${((intervened / invocations.length) * 100).toFixed(1)} %` : '—'} />
            <Stat label="Guardrail latency p50" value={p50 === undefined ? '—' : `${p50} ms`} />
            <Stat label="Guardrail latency p99" value={p99 === undefined ? '—' : `${p99} ms`} />
          </div>
          <div className="grid2">
            <StackedColumns
              title="Invocations over time"
              description={`Model calls and direct ApplyGuardrail calls per ${step >= DAY / 4 ? '6 hours' : step >= 60 * 60_000 ? 'hour' : '5 minutes'}, split by outcome: ${invocations.length} in all, ${intervened} intervened.`}
              {...overTime}
              yLabel="Calls"
              series={[
                { key: 'allowed', label: 'Allowed', className: 'series-ok' },
                { key: 'intervened', label: 'Intervened', className: 'series-block' },
                { key: 'refused', label: 'Refused or failed', className: 'series-error' },
              ]}
              values={d ? invocationsOverTime(d.records, bs) : []}
            />
            <Bars
              title="Interventions by policy type"
              description={`Guardrail evaluations that intervened, counted once for each policy type that acted: ${[...byPolicy.entries()].map(([k, v]) => `${policyLabel(k)} ${v}`).join(', ') || 'none'}.`}
              xLabel="Interventions"
              yLabel="Policy type"
              className="series-block"
              empty="No interventions in this window"
              items={POLICY_TYPES.filter(([k]) => byPolicy.has(k)).map(([k, l]) => ({ key: k, label: l, value: byPolicy.get(k) ?? 0 }))}
            />
            <Bars
              title="Interventions by account"
              description={`Calls a guardrail intervened on, by the calling account: ${[...byAccount.entries()].map(([k, v]) => `${accountLabel(accounts.data, k)} ${v}`).join(', ') || 'none'}.`}
              xLabel="Interventions"
              yLabel="Account"
              className="series-account"
              empty="No interventions in this window"
              items={[...byAccount.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => ({ key: k, label: accounts.data?.get(k) ?? k, value: v }))}
            />
            <Lines
              title="Guardrail latency p50 / p99 over time"
              description={`Guardrail processing latency of each evaluation (the records' latencyMs): p50 ${p50 ?? '—'} ms and p99 ${p99 ?? '—'} ms over ${latencies.length} evaluations.`}
              {...overTime}
              yLabel="Latency (ms)"
              unit="ms"
              series={[
                { key: 'p50', label: 'p50', className: 'series-p50' },
                { key: 'p99', label: 'p99', className: 'series-p99' },
              ]}
              values={latency.map((l) => ({ p50: l.p50, p99: l.p99 }))}
              extra={{ label: 'Evaluations', values: latency.map((l) => l.n) }}
            />
          </div>
        </>
      )}
    </section>
  );
}
