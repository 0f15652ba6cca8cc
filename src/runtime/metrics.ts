/**
 * Gateway metrics in Prometheus text format, named after Amazon Bedrock's CloudWatch metrics for guardrails and
 * model invocations (Invocations, InvocationLatency, InvocationsIntervened, TextUnitCount, InvocationThrottles,
 * InvocationClientErrors, InvocationServerErrors). One registry per server, so test servers never share counts.
 *
 * Every call updates several series. prom-client finds a series by a string it builds from the label values on
 * every update (and the spread label objects cost as much again: about 10 µs per guardrail evaluation); here each
 * label set is found once, through nested maps of its values, and kept as a `Child` that updates its series in
 * place — exactly as prom-client's own `inc` / `observe` would (same arithmetic, same order, so the same text).
 */
import { Counter, Histogram, Registry } from 'prom-client';

type Labels = Record<string, string>;
interface CounterSeries {
  value: number;
  labels: Labels;
}
interface HistogramSeries {
  labels: Labels;
  bucketValues: Record<number, number>;
  sum: number;
  count: number;
}
/** prom-client's own storage of a metric's series (stable through 15.x; checked before every use). */
type Stored<S> = { hashMap?: Record<string, S> };

/**
 * One label set of a counter. Its first `inc` goes through prom-client (which creates the series), later ones add
 * to that series; it starts over through prom-client if the metric was reset, and never takes the shortcut when
 * the series is not where and what prom-client 15 keeps.
 */
class CounterChild {
  readonly #metric: Counter<string>;
  readonly #labels: Labels;
  #series: CounterSeries | undefined;
  #map: object | undefined;

  constructor(metric: Counter<string>, labels: Labels) {
    this.#metric = metric;
    this.#labels = labels;
  }

  get labels(): Labels {
    return this.#labels;
  }

  inc(value: number): void {
    const map = (this.#metric as unknown as Stored<CounterSeries>).hashMap;
    if (this.#series && this.#map === map && value >= 0 && Number.isFinite(value)) {
      this.#series.value += value;
      return;
    }
    this.#metric.inc(this.#labels, value);
    this.#map = map;
    this.#series = findSeries(map, this.#labels, (s) => typeof s.value === 'number');
  }
}

/** One label set of a histogram (as CounterChild). */
class HistogramChild {
  readonly #metric: Histogram<string>;
  readonly #labels: Labels;
  readonly #bounds: readonly number[];
  #series: HistogramSeries | undefined;
  #map: object | undefined;

  constructor(metric: Histogram<string>, labels: Labels, bounds: readonly number[]) {
    this.#metric = metric;
    this.#labels = labels;
    this.#bounds = bounds;
  }
  get labels(): Labels {
    return this.#labels;
  }


  observe(value: number): void {
    const map = (this.#metric as unknown as Stored<HistogramSeries>).hashMap;
    const s = this.#series;
    if (s && this.#map === map && Number.isFinite(value)) {
      // prom-client's observe: the first bucket whose upper bound holds the value (none: only +Inf counts it).
      let bound = -1;
      for (const b of this.#bounds)
        if (value <= b) {
          bound = b;
          break;
        }
      s.sum += value;
      s.count += 1;
      if (Object.prototype.hasOwnProperty.call(s.bucketValues, bound)) s.bucketValues[bound] = (s.bucketValues[bound] ?? 0) + 1;
      return;
    }
    this.#metric.observe(this.#labels, value);
    this.#map = (this.#metric as unknown as Stored<HistogramSeries>).hashMap;
    this.#series = findSeries(this.#map as Record<string, HistogramSeries> | undefined, this.#labels, (x) => typeof x.sum === 'number' && typeof x.count === 'number' && typeof x.bucketValues === 'object');
  }
}

/** The series prom-client stored for exactly this labels object (each label set has one child, which created it). */
function findSeries<S extends { labels: Labels }>(map: Record<string, S> | undefined, labels: Labels, shaped: (s: S) => boolean): S | undefined {
  if (!map || typeof map !== 'object') return undefined;
  for (const k in map) {
    const s = map[k];
    if (s?.labels === labels) return shaped(s) ? s : undefined;
  }
  return undefined;
}

/** Children by label values, one per label set of a metric (label values in the metric's label order). */
class Children<C> {
  readonly #make: (labels: Labels) => C;
  readonly #names: readonly string[];
  readonly #root = new Map<string, unknown>();

  constructor(names: readonly string[], make: (labels: Labels) => C) {
    this.#names = names;
    this.#make = make;
  }

  get(...values: string[]): C {
    let node = this.#root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      const v = values[i] as string;
      let next = node.get(v) as Map<string, unknown> | undefined;
      if (!next) node.set(v, (next = new Map()));
      node = next;
    }
    const leaf = values[last] as string;
    let child = node.get(leaf) as C | undefined;
    if (child === undefined) {
      const labels: Labels = {};
      this.#names.forEach((n, i) => (labels[n] = values[i] as string));
      child = this.#make(labels);
      node.set(leaf, child);
    }
    return child;
  }

  /** Removes every child whose second label value is `value` (this metric's label sets of one guardrail). */
  removeSecond(value: string): C[] {
    const out: C[] = [];
    const depth = this.#names.length;
    const collect = (node: unknown, level: number): void => {
      if (level === depth) out.push(node as C);
      else for (const next of (node as Map<string, unknown>).values()) collect(next, level + 1);
    };
    for (const first of this.#root.values()) {
      const map = first as Map<string, unknown>;
      const sub = map.get(value);
      if (sub === undefined) continue;
      map.delete(value);
      collect(sub, 2);
    }
    return out;
  }
}

/** One guardrail's series for one operation, source and account. */
interface GuardrailSlot {
  invocations: CounterChild;
  latency: HistogramChild;
  /** By policy type, made on first use. */
  intervened: Map<string, CounterChild>;
  textUnits: Map<string, CounterChild>;
}

/** One model's series for one operation and account. */
interface InvocationSlot {
  invocations: CounterChild;
  latency: HistogramChild;
  intervened?: CounterChild;
  throttles?: CounterChild;
  clientErrors?: CounterChild;
  serverErrors?: CounterChild;
}

export type PolicyType = 'content' | 'topic' | 'word' | 'sensitive_information' | 'contextual_grounding';

/**
 * The guardrail label values (`arn:version`) whose series are kept: past this many, the series of the one used
 * least recently are removed, so a process that applies many short-lived versions does not grow without end.
 * (A removed series that comes back starts from zero, which Prometheus reads as a counter reset.)
 */
export const MAX_GUARDRAIL_SERIES = 1000;

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #invocations: Counter<'operation' | 'model' | 'account'>;
  readonly #latency: Histogram<'operation' | 'model'>;
  readonly #intervened: Counter<'operation' | 'model' | 'account'>;
  readonly #throttles: Counter<'operation' | 'account'>;
  readonly #clientErrors: Counter<'operation' | 'account'>;
  readonly #serverErrors: Counter<'operation' | 'account'>;
  readonly #guardrailInvocations: Counter<'operation' | 'guardrail' | 'source' | 'account'>;
  readonly #guardrailLatency: Histogram<'operation' | 'guardrail'>;
  readonly #guardrailIntervened: Counter<'operation' | 'guardrail' | 'source' | 'policy_type' | 'account'>;
  readonly #textUnits: Counter<'operation' | 'guardrail' | 'policy_type' | 'account'>;
  /** Children by label values (label order), and the slots of `guardrail` / `invocation` calls by theirs. */
  readonly #c: {
    invocations: Children<CounterChild>;
    latency: Children<HistogramChild>;
    intervened: Children<CounterChild>;
    throttles: Children<CounterChild>;
    clientErrors: Children<CounterChild>;
    serverErrors: Children<CounterChild>;
    guardrailInvocations: Children<CounterChild>;
    guardrailLatency: Children<HistogramChild>;
    guardrailIntervened: Children<CounterChild>;
    textUnits: Children<CounterChild>;
  };
  /** operation → guardrail → source → account. */
  readonly #guardrailSlots: Children<GuardrailSlot>;
  /** operation → model → account. */
  readonly #invocationSlots: Children<InvocationSlot>;
  /** Guardrail label values with series, least recently used first. */
  readonly #recentGuardrails = new Map<string, true>();

  constructor() {
    const registers = [this.registry];
    this.#invocations = new Counter({
      name: 'parapet_invocations_total',
      help: 'Invocations: model calls and ApplyGuardrail requests that reached the gateway.',
      labelNames: ['operation', 'model', 'account'],
      registers,
    });
    this.#latency = new Histogram({
      name: 'parapet_invocation_latency_seconds',
      help: 'InvocationLatency: time from the request to the last byte of the answer.',
      labelNames: ['operation', 'model'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#intervened = new Counter({
      name: 'parapet_invocations_intervened_total',
      help: 'InvocationsIntervened: calls in which at least one guardrail intervened.',
      labelNames: ['operation', 'model', 'account'],
      registers,
    });
    this.#throttles = new Counter({
      name: 'parapet_invocation_throttles_total',
      help: 'InvocationThrottles: calls refused by the account quotas.',
      labelNames: ['operation', 'account'],
      registers,
    });
    this.#clientErrors = new Counter({
      name: 'parapet_invocation_client_errors_total',
      help: 'InvocationClientErrors: calls that ended in a 4xx other than throttling.',
      labelNames: ['operation', 'account'],
      registers,
    });
    this.#serverErrors = new Counter({
      name: 'parapet_invocation_server_errors_total',
      help: 'InvocationServerErrors: calls that ended in a 5xx.',
      labelNames: ['operation', 'account'],
      registers,
    });
    this.#guardrailInvocations = new Counter({
      name: 'parapet_guardrail_invocations_total',
      help: 'Invocations of one guardrail (arn:version) on one source (INPUT or OUTPUT).',
      labelNames: ['operation', 'guardrail', 'source', 'account'],
      registers,
    });
    this.#guardrailLatency = new Histogram({
      name: 'parapet_guardrail_invocation_latency_seconds',
      help: 'InvocationLatency of one guardrail evaluation.',
      labelNames: ['operation', 'guardrail'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#guardrailIntervened = new Counter({
      name: 'parapet_guardrail_invocations_intervened_total',
      help: 'InvocationsIntervened by guardrail, source and the policy type that intervened.',
      labelNames: ['operation', 'guardrail', 'source', 'policy_type', 'account'],
      registers,
    });
    this.#textUnits = new Counter({
      name: 'parapet_text_unit_count_total',
      help: 'TextUnitCount: text units processed, by guardrail and policy type.',
      labelNames: ['operation', 'guardrail', 'policy_type', 'account'],
      registers,
    });
    const counter = (m: Counter<string>, names: string[]) => new Children(names, (l) => new CounterChild(m, l));
    const histogram = (m: Histogram<string>, names: string[]) =>
      new Children(names, (l) => new HistogramChild(m, l, (m as unknown as { upperBounds?: number[] }).upperBounds ?? LATENCY_BUCKETS));
    const c = {
      invocations: counter(this.#invocations, ['operation', 'model', 'account']),
      latency: histogram(this.#latency, ['operation', 'model']),
      intervened: counter(this.#intervened, ['operation', 'model', 'account']),
      throttles: counter(this.#throttles, ['operation', 'account']),
      clientErrors: counter(this.#clientErrors, ['operation', 'account']),
      serverErrors: counter(this.#serverErrors, ['operation', 'account']),
      guardrailInvocations: counter(this.#guardrailInvocations, ['operation', 'guardrail', 'source', 'account']),
      guardrailLatency: histogram(this.#guardrailLatency, ['operation', 'guardrail']),
      guardrailIntervened: counter(this.#guardrailIntervened, ['operation', 'guardrail', 'source', 'policy_type', 'account']),
      textUnits: counter(this.#textUnits, ['operation', 'guardrail', 'policy_type', 'account']),
    };
    this.#c = c;
    this.#guardrailSlots = new Children(['operation', 'guardrail', 'source', 'account'], (l) => ({
      invocations: c.guardrailInvocations.get(l.operation ?? '', l.guardrail ?? '', l.source ?? '', l.account ?? ''),
      latency: c.guardrailLatency.get(l.operation ?? '', l.guardrail ?? ''),
      intervened: new Map(),
      textUnits: new Map(),
    }));
    this.#invocationSlots = new Children(['operation', 'model', 'account'], (l) => ({
      invocations: c.invocations.get(l.operation ?? '', l.model ?? '', l.account ?? ''),
      latency: c.latency.get(l.operation ?? '', l.model ?? ''),
    }));
  }

  invocation(e: {
    operation: string;
    model: string;
    account: string;
    latencySeconds: number;
    intervened: boolean;
    status: number;
    throttled?: boolean;
  }): void {
    const slot = this.#invocationSlots.get(e.operation, e.model, e.account);
    const c = this.#c;
    slot.invocations.inc(1);
    slot.latency.observe(e.latencySeconds);
    if (e.intervened) (slot.intervened ??= c.intervened.get(e.operation, e.model, e.account)).inc(1);
    if (e.throttled || e.status === 429) (slot.throttles ??= c.throttles.get(e.operation, e.account)).inc(1);
    else if (e.status >= 500) (slot.serverErrors ??= c.serverErrors.get(e.operation, e.account)).inc(1);
    else if (e.status >= 400) (slot.clientErrors ??= c.clientErrors.get(e.operation, e.account)).inc(1);
  }

  guardrail(e: {
    operation: string;
    guardrail: string;
    source: 'INPUT' | 'OUTPUT';
    account: string;
    latencySeconds: number;
    intervenedPolicies: readonly PolicyType[];
    textUnits: Partial<Record<PolicyType, number>>;
  }): void {
    const recent = this.#recentGuardrails;
    if (recent.has(e.guardrail)) recent.delete(e.guardrail);
    else if (recent.size >= MAX_GUARDRAIL_SERIES) {
      const oldest = recent.keys().next().value;
      if (oldest !== undefined) {
        recent.delete(oldest);
        this.#forgetGuardrail(oldest);
      }
    }
    recent.set(e.guardrail, true);
    const slot = this.#guardrailSlots.get(e.operation, e.guardrail, e.source, e.account);
    slot.invocations.inc(1);
    slot.latency.observe(e.latencySeconds);
    for (const p of e.intervenedPolicies) {
      let child = slot.intervened.get(p);
      if (!child) slot.intervened.set(p, (child = this.#c.guardrailIntervened.get(e.operation, e.guardrail, e.source, p, e.account)));
      child.inc(1);
    }
    const units = e.textUnits;
    for (const p in units) {
      const n = units[p as PolicyType];
      if (!n) continue;
      let child = slot.textUnits.get(p);
      if (!child) slot.textUnits.set(p, (child = this.#c.textUnits.get(e.operation, e.guardrail, p, e.account)));
      child.inc(n);
    }
  }

  /** Removes every series of one guardrail label value. */
  #forgetGuardrail(guardrail: string): void {
    const c = this.#c;
    for (const [children, metric] of [
      [c.guardrailInvocations, this.#guardrailInvocations],
      [c.guardrailIntervened, this.#guardrailIntervened],
      [c.textUnits, this.#textUnits],
    ] as const)
      for (const child of children.removeSecond(guardrail)) metric.remove(child.labels);
    for (const child of c.guardrailLatency.removeSecond(guardrail)) this.#guardrailLatency.remove(child.labels);
    this.#guardrailSlots.removeSecond(guardrail);
  }

  contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
