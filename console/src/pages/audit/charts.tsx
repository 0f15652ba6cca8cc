/**
 * Small hand-made SVG charts. Every chart is an `img` with a <title> and a description, and has its numbers in a
 * data table behind a details/summary for screen readers and for copying.
 */
import { type ReactNode, useId } from 'react';
import { TableHead } from '../../components/table.tsx';

const W = 560;
const H = 250;
const M = { top: 14, right: 16, bottom: 46, left: 56 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

/** A "nice" upper bound and tick step for values up to `max`. */
export function niceScale(max: number, integer = false, ticks = 4): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 1 };
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  let step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  // Counts: whole-number ticks only.
  if (integer) step = Math.max(1, Math.ceil(step));
  return { top: Math.ceil(max / step) * step, step };
}

const fmt = (v: number) => (Number.isInteger(v) ? v.toLocaleString() : v.toLocaleString(undefined, { maximumFractionDigits: 2 }));

export interface Series {
  key: string;
  label: string;
  /** A class of audit.css that colours the series (fill for bars, stroke for lines). */
  className: string;
}

/** A chart's title, its description (its numbers in words) and its axis titles. */
interface Titles {
  title: string;
  description: string;
  xLabel: string;
  yLabel: string;
}

/** The chart's SVG (with its axis titles), its legend, and its data table behind a summary. */
function Frame(props: { chart: Titles; children: ReactNode; legend?: readonly Series[]; table: ReactNode }) {
  const { chart } = props;
  const id = useId();
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-t ${id}-d`} className="chart-svg">
        <title id={`${id}-t`}>{chart.title}</title>
        <desc id={`${id}-d`}>{chart.description}</desc>
        {props.children}
        <text className="chart-axis-title" x={M.left + PW / 2} y={H - 6} textAnchor="middle">
          {chart.xLabel}
        </text>
        <text className="chart-axis-title" transform={`translate(14 ${M.top + PH / 2}) rotate(-90)`} textAnchor="middle">
          {chart.yLabel}
        </text>
      </svg>
      {props.legend && props.legend.length > 1 && (
        <ul className="chart-legend" aria-label={`Legend of ${chart.title}`}>
          {props.legend.map((s) => (
            <li key={s.key}>
              <span className={`chart-swatch ${s.className}`} aria-hidden="true" />
              {s.label}
            </li>
          ))}
        </ul>
      )}
      <details className="chart-data">
        <summary>Data table: {chart.title}</summary>
        {props.table}
      </details>
    </figure>
  );
}

/** The tick values 0, step, 2·step … up to `top`. */
function ticksOf(top: number, step: number): number[] {
  const ticks: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(v);
  return ticks;
}

function YAxis(props: { top: number; step: number; unit?: string }) {
  const ticks = ticksOf(props.top, props.step);
  return (
    <g aria-hidden="true">
      {ticks.map((v) => {
        const y = M.top + PH - (v / props.top) * PH;
        return (
          <g key={v}>
            <line className="chart-grid" x1={M.left} x2={M.left + PW} y1={y} y2={y} />
            <text className="chart-tick" x={M.left - 6} y={y + 4} textAnchor="end">
              {fmt(v)}
              {props.unit ?? ''}
            </text>
          </g>
        );
      })}
      <line className="chart-axis" x1={M.left} x2={M.left} y1={M.top} y2={M.top + PH} />
      <line className="chart-axis" x1={M.left} x2={M.left + PW} y1={M.top + PH} y2={M.top + PH} />
    </g>
  );
}

/** Labels under the x axis: at most `max` of them, evenly spread. */
function XLabels(props: { labels: readonly string[]; center: (i: number) => number; max?: number }) {
  const n = props.labels.length;
  const every = Math.max(1, Math.ceil(n / (props.max ?? 6)));
  return (
    <g aria-hidden="true">
      {props.labels.map((l, i) =>
        i % every === 0 ? (
          <text key={i} className="chart-tick" x={props.center(i)} y={M.top + PH + 16} textAnchor="middle">
            {l}
          </text>
        ) : null,
      )}
    </g>
  );
}

/** The data table of a chart over time: a row per bucket, a column per series (and any extra columns). */
interface SeriesTableProps {
  xLabel: string;
  /** How many rows (buckets). */
  rows: number;
  rowNames: readonly string[];
  series: readonly Series[];
  /** A series' column header (e.g. with its unit). */
  heading?: (s: Series) => string;
  /** A series' value in row i, as shown. */
  cell: (i: number, s: Series) => string;
  extra?: ReadonlyArray<{ label: string; cell: (i: number) => string }>;
}

function SeriesTable(props: SeriesTableProps) {
  const extra = props.extra ?? [];
  return (
    <table>
      <TableHead columns={[props.xLabel, ...props.series.map((s) => props.heading?.(s) ?? s.label), ...extra.map((e) => e.label)]} />
      <tbody>
        {Array.from({ length: props.rows }, (_, i) => (
          <tr key={i}>
            <th scope="row">{props.rowNames[i]}</th>
            {props.series.map((s) => (
              <td key={s.key}>{props.cell(i, s)}</td>
            ))}
            {extra.map((e) => (
              <td key={e.label}>{e.cell(i)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What every chart over time has: titles, a bucket per column (short labels, full names) and its series. */
interface OverTime extends Titles {
  labels: readonly string[];
  /** Full bucket names for the table (e.g. "10:00–10:05"). */
  rowNames: readonly string[];
  series: readonly Series[];
}

/** The frame of a chart over time: the legend of its series, and their values per bucket as the data table. */
function OverTimeFrame(props: { chart: OverTime; rows: number; table: Pick<SeriesTableProps, 'heading' | 'cell' | 'extra'>; children: ReactNode }) {
  const c = props.chart;
  return (
    <Frame
      chart={c}
      legend={c.series}
      table={<SeriesTable xLabel={c.xLabel} rows={props.rows} rowNames={c.rowNames} series={c.series} {...props.table} />}
    >
      {props.children}
    </Frame>
  );
}

/** Stacked columns over time (one column per bucket). */
export function StackedColumns(props: OverTime & { values: ReadonlyArray<Record<string, number>> }) {
  const n = props.labels.length;
  const totals = props.values.map((v) => props.series.reduce((s, x) => s + (v[x.key] ?? 0), 0));
  const { top, step } = niceScale(Math.max(0, ...totals), true);
  const slot = PW / Math.max(1, n);
  const bw = Math.max(2, slot * 0.7);
  return (
    <OverTimeFrame chart={props} rows={props.values.length} table={{ cell: (i, s) => fmt(props.values[i]?.[s.key] ?? 0), extra: [{ label: 'Total', cell: (i) => fmt(totals[i] ?? 0) }] }}>
      <YAxis top={top} step={step} />
      <g>
        {props.values.map((v, i) => {
          let y = M.top + PH;
          const x = M.left + i * slot + (slot - bw) / 2;
          return (
            <g key={i}>
              {props.series.map((s) => {
                const val = v[s.key] ?? 0;
                if (!val) return null;
                const h = (val / top) * PH;
                y -= h;
                return (
                  <rect key={s.key} className={s.className} x={x} y={y} width={bw} height={h}>
                    <title>{`${props.rowNames[i]}: ${fmt(val)} ${s.label.toLowerCase()}`}</title>
                  </rect>
                );
              })}
            </g>
          );
        })}
      </g>
      <XLabels labels={props.labels} center={(i) => M.left + i * slot + slot / 2} />
    </OverTimeFrame>
  );
}

/** Lines over time; a missing value (no data in the bucket) breaks the line. */
export function Lines(
  props: OverTime & {
    unit: string;
    values: ReadonlyArray<Record<string, number | undefined>>;
    /** An extra column for the table (e.g. the sample size). */
    extra?: { label: string; values: readonly number[] };
  },
) {
  const n = props.labels.length;
  const all = props.values.flatMap((v) => props.series.map((s) => v[s.key]).filter((x): x is number => x !== undefined));
  const { top, step } = niceScale(Math.max(0, ...all));
  const slot = PW / Math.max(1, n);
  const cx = (i: number) => M.left + i * slot + slot / 2;
  const cy = (v: number) => M.top + PH - (v / top) * PH;
  const extra = props.extra;
  return (
    <OverTimeFrame
      chart={props}
      rows={props.values.length}
      table={{
        heading: (s) => `${s.label} (${props.unit})`,
        cell: (i, s) => {
          const x = props.values[i]?.[s.key];
          return x === undefined ? '—' : fmt(x);
        },
        ...(extra ? { extra: [{ label: extra.label, cell: (i: number) => fmt(extra.values[i] ?? 0) }] } : {}),
      }}
    >
      <YAxis top={top} step={step} />
      {props.series.map((s) => {
        // Runs of consecutive buckets with a value, each one path.
        const runs: Array<Array<[number, number]>> = [];
        let cur: Array<[number, number]> = [];
        props.values.forEach((v, i) => {
          const x = v[s.key];
          if (x === undefined) {
            if (cur.length) runs.push(cur);
            cur = [];
          } else cur.push([cx(i), cy(x)]);
        });
        if (cur.length) runs.push(cur);
        return (
          <g key={s.key} className={s.className}>
            {runs.map((r, j) => (
              <polyline key={j} className="chart-line" points={r.map(([x, y]) => `${x},${y}`).join(' ')} />
            ))}
            {props.values.map((v, i) => {
              const x = v[s.key];
              return x === undefined ? null : (
                <circle key={i} className="chart-dot" cx={cx(i)} cy={cy(x)} r={3}>
                  <title>{`${props.rowNames[i]}: ${s.label} ${fmt(x)} ${props.unit}`}</title>
                </circle>
              );
            })}
          </g>
        );
      })}
      <XLabels labels={props.labels} center={cx} />
    </OverTimeFrame>
  );
}

/** Horizontal bars for categories (policy types, accounts). */
export function Bars(props: Titles & { items: ReadonlyArray<{ key: string; label: string; value: number }>; className: string; empty: string }) {
  const { top, step } = niceScale(Math.max(0, ...props.items.map((i) => i.value)), true);
  const n = Math.max(1, props.items.length);
  const left = 150;
  const pw = W - left - M.right;
  const slot = PH / n;
  const bh = Math.min(28, slot * 0.7);
  const ticks = ticksOf(top, step);
  return (
    <Frame
      chart={props}
      table={
        <table>
          <TableHead columns={[props.yLabel, props.xLabel]} />
          <tbody>
            {props.items.map((i) => (
              <tr key={i.key}>
                <th scope="row">{i.label}</th>
                <td>{fmt(i.value)}</td>
              </tr>
            ))}
            {!props.items.length && (
              <tr>
                <td colSpan={2}>{props.empty}</td>
              </tr>
            )}
          </tbody>
        </table>
      }
    >
      <g aria-hidden="true">
        {ticks.map((v) => {
          const x = left + (v / top) * pw;
          return (
            <g key={v}>
              <line className="chart-grid" x1={x} x2={x} y1={M.top} y2={M.top + PH} />
              <text className="chart-tick" x={x} y={M.top + PH + 16} textAnchor="middle">
                {fmt(v)}
              </text>
            </g>
          );
        })}
        <line className="chart-axis" x1={left} x2={left} y1={M.top} y2={M.top + PH} />
        <line className="chart-axis" x1={left} x2={left + pw} y1={M.top + PH} y2={M.top + PH} />
      </g>
      {props.items.map((it, i) => {
        const y = M.top + i * slot + (slot - bh) / 2;
        const w = (it.value / top) * pw;
        return (
          <g key={it.key}>
            <text className="chart-tick" x={left - 6} y={y + bh / 2 + 4} textAnchor="end" aria-hidden="true">
              {it.label.length > 19 ? `${it.label.slice(0, 18)}…` : it.label}
            </text>
            <rect className={props.className} x={left} y={y} width={Math.max(w, 1)} height={bh}>
              <title>{`${it.label}: ${fmt(it.value)}`}</title>
            </rect>
            <text className="chart-value" x={left + w + 4} y={y + bh / 2 + 4} aria-hidden="true">
              {fmt(it.value)}
            </text>
          </g>
        );
      })}
      {!props.items.length && (
        <text className="chart-empty" x={left + pw / 2} y={M.top + PH / 2} textAnchor="middle">
          {props.empty}
        </text>
      )}
    </Frame>
  );
}
