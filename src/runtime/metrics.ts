/**
 * Gateway metrics in Prometheus text format, named after Amazon Bedrock's CloudWatch metrics for guardrails and
 * model invocations (Invocations, InvocationLatency, InvocationsIntervened, TextUnitCount, InvocationThrottles,
 * InvocationClientErrors, InvocationServerErrors). One registry per server, so test servers never share counts.
 */
import { Counter, Histogram, Registry } from 'prom-client';

export type PolicyType = 'content' | 'topic' | 'word' | 'sensitive_information' | 'contextual_grounding';

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
    this.#invocations.inc({ operation: e.operation, model: e.model, account: e.account });
    this.#latency.observe({ operation: e.operation, model: e.model }, e.latencySeconds);
    if (e.intervened) this.#intervened.inc({ operation: e.operation, model: e.model, account: e.account });
    if (e.throttled || e.status === 429) this.#throttles.inc({ operation: e.operation, account: e.account });
    else if (e.status >= 500) this.#serverErrors.inc({ operation: e.operation, account: e.account });
    else if (e.status >= 400) this.#clientErrors.inc({ operation: e.operation, account: e.account });
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
    const base = { operation: e.operation, guardrail: e.guardrail };
    this.#guardrailInvocations.inc({ ...base, source: e.source, account: e.account });
    this.#guardrailLatency.observe(base, e.latencySeconds);
    for (const p of e.intervenedPolicies)
      this.#guardrailIntervened.inc({ ...base, source: e.source, policy_type: p, account: e.account });
    for (const [p, n] of Object.entries(e.textUnits))
      if (n) this.#textUnits.inc({ ...base, policy_type: p, account: e.account }, n);
  }

  contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
