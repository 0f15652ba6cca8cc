/**
 * The gateway's metrics keep each label set's series at hand instead of asking prom-client to find it on every
 * update: the text they render must be exactly what prom-client's own `inc` / `observe` give for the same
 * events (values, float sums, series order), also after the registry is reset.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { GatewayMetrics, type PolicyType } from './metrics.ts';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The metrics as they were written before (prom-client's API on every call): the reference. */
class Reference {
  readonly registry = new Registry();
  readonly #r = [this.registry];
  readonly invocations = new Counter({ name: 'parapet_invocations_total', help: 'Invocations: model calls and ApplyGuardrail requests that reached the gateway.', labelNames: ['operation', 'model', 'account'], registers: this.#r });
  readonly latency = new Histogram({ name: 'parapet_invocation_latency_seconds', help: 'InvocationLatency: time from the request to the last byte of the answer.', labelNames: ['operation', 'model'], buckets: BUCKETS, registers: this.#r });
  readonly intervened = new Counter({ name: 'parapet_invocations_intervened_total', help: 'InvocationsIntervened: calls in which at least one guardrail intervened.', labelNames: ['operation', 'model', 'account'], registers: this.#r });
  readonly throttles = new Counter({ name: 'parapet_invocation_throttles_total', help: 'InvocationThrottles: calls refused by the account quotas.', labelNames: ['operation', 'account'], registers: this.#r });
  readonly clientErrors = new Counter({ name: 'parapet_invocation_client_errors_total', help: 'InvocationClientErrors: calls that ended in a 4xx other than throttling.', labelNames: ['operation', 'account'], registers: this.#r });
  readonly serverErrors = new Counter({ name: 'parapet_invocation_server_errors_total', help: 'InvocationServerErrors: calls that ended in a 5xx.', labelNames: ['operation', 'account'], registers: this.#r });
  readonly gInvocations = new Counter({ name: 'parapet_guardrail_invocations_total', help: 'Invocations of one guardrail (arn:version) on one source (INPUT or OUTPUT).', labelNames: ['operation', 'guardrail', 'source', 'account'], registers: this.#r });
  readonly gLatency = new Histogram({ name: 'parapet_guardrail_invocation_latency_seconds', help: 'InvocationLatency of one guardrail evaluation.', labelNames: ['operation', 'guardrail'], buckets: BUCKETS, registers: this.#r });
  readonly gIntervened = new Counter({ name: 'parapet_guardrail_invocations_intervened_total', help: 'InvocationsIntervened by guardrail, source and the policy type that intervened.', labelNames: ['operation', 'guardrail', 'source', 'policy_type', 'account'], registers: this.#r });
  readonly textUnits = new Counter({ name: 'parapet_text_unit_count_total', help: 'TextUnitCount: text units processed, by guardrail and policy type.', labelNames: ['operation', 'guardrail', 'policy_type', 'account'], registers: this.#r });

  invocation(e: Parameters<GatewayMetrics['invocation']>[0]): void {
    this.invocations.inc({ operation: e.operation, model: e.model, account: e.account });
    this.latency.observe({ operation: e.operation, model: e.model }, e.latencySeconds);
    if (e.intervened) this.intervened.inc({ operation: e.operation, model: e.model, account: e.account });
    if (e.throttled || e.status === 429) this.throttles.inc({ operation: e.operation, account: e.account });
    else if (e.status >= 500) this.serverErrors.inc({ operation: e.operation, account: e.account });
    else if (e.status >= 400) this.clientErrors.inc({ operation: e.operation, account: e.account });
  }

  guardrail(e: Parameters<GatewayMetrics['guardrail']>[0]): void {
    const base = { operation: e.operation, guardrail: e.guardrail };
    this.gInvocations.inc({ ...base, source: e.source, account: e.account });
    this.gLatency.observe(base, e.latencySeconds);
    for (const p of e.intervenedPolicies) this.gIntervened.inc({ ...base, source: e.source, policy_type: p, account: e.account });
    for (const [p, n] of Object.entries(e.textUnits)) if (n) this.textUnits.inc({ ...base, policy_type: p, account: e.account }, n);
  }
}

/** A deterministic mix of events: several operations, guardrails, accounts, sources, statuses and latencies. */
function* events(n: number, seed = 7): Generator<['invocation', Parameters<GatewayMetrics['invocation']>[0]] | ['guardrail', Parameters<GatewayMetrics['guardrail']>[0]]> {
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)] as T;
  const policies: PolicyType[] = ['content', 'topic', 'word', 'sensitive_information', 'contextual_grounding'];
  for (let i = 0; i < n; i++) {
    const operation = pick(['ApplyGuardrail', 'Converse', 'ChatCompletions']);
    const account = pick(['111111111111', '222222222222']);
    if (rnd() < 0.4)
      yield ['invocation', { operation, model: pick(['none', 'parapet.demo-v1']), account, latencySeconds: rnd() * pick([0.001, 0.1, 100]), intervened: rnd() < 0.3, status: pick([200, 200, 400, 429, 503]), throttled: rnd() < 0.05 }];
    else
      yield [
        'guardrail',
        {
          operation,
          guardrail: `arn:aws:bedrock:us-east-1:${account}:guardrail/g${Math.floor(rnd() * 3)}:${pick(['1', 'DRAFT'])}`,
          source: pick(['INPUT', 'OUTPUT'] as const),
          account,
          latencySeconds: rnd() * pick([0.0004, 0.01, 2, 70]),
          intervenedPolicies: policies.filter(() => rnd() < 0.2),
          textUnits: Object.fromEntries(policies.filter(() => rnd() < 0.7).map((p) => [p, Math.floor(rnd() * 3)])),
        },
      ];
  }
}

describe('gateway metrics', () => {
  it('render exactly what prom-client gives for the same events, across a reset', async () => {
    const fast = new GatewayMetrics();
    const ref = new Reference();
    const feed = (n: number, seed: number) => {
      for (const [kind, e] of events(n, seed)) {
        if (kind === 'invocation') {
          fast.invocation(e);
          ref.invocation(e);
        } else {
          fast.guardrail(e);
          ref.guardrail(e);
        }
      }
    };
    feed(3000, 7);
    assert.equal(await fast.render(), await ref.registry.metrics());
    fast.registry.resetMetrics();
    ref.registry.resetMetrics();
    feed(2000, 11);
    const text = await fast.render();
    assert.equal(text, await ref.registry.metrics());
    assert.match(text, /parapet_guardrail_invocation_latency_seconds_bucket\{le="\+Inf",operation="[A-Za-z]+",guardrail="arn:aws:bedrock:[^"]+"\} \d+/);
  });
});

describe('guardrail series are bounded', () => {
  it('keeps the series of the most recently used MAX_GUARDRAIL_SERIES guardrail versions', async () => {
    const { MAX_GUARDRAIL_SERIES } = await import('./metrics.ts');
    const m = new GatewayMetrics();
    const apply = (g: string, source: 'INPUT' | 'OUTPUT' = 'INPUT') =>
      m.guardrail({ operation: 'ApplyGuardrail', guardrail: g, source, account: '111122223333', latencySeconds: 0.003, intervenedPolicies: ['word'], textUnits: { word: 1 } });
    apply('g-old');
    for (let i = 0; i < MAX_GUARDRAIL_SERIES - 1; i++) apply(`g${i}`);
    apply('g-old', 'OUTPUT'); // used again: now the most recent
    apply('g-new'); // one past the bound: g0, the least recently used, goes
    const text = await m.render();
    const guardrails = new Set([...text.matchAll(/guardrail="([^"]+)"/g)].map((x) => x[1]));
    assert.equal(guardrails.size, MAX_GUARDRAIL_SERIES);
    assert.ok(!guardrails.has('g0'));
    assert.ok(guardrails.has('g-old') && guardrails.has('g-new') && guardrails.has('g1'));
    assert.match(text, /parapet_guardrail_invocations_total\{operation="ApplyGuardrail",guardrail="g-old",source="INPUT",account="111122223333"\} 1/);
    // A forgotten guardrail that comes back starts over.
    apply('g0');
    assert.match(await m.render(), /parapet_guardrail_invocations_total\{operation="ApplyGuardrail",guardrail="g0",source="INPUT",account="111122223333"\} 1\n/);
  });
});
