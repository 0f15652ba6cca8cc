/**
 * The invocation gateway's shared steps for every model call (InvokeModel, Converse, their streams and the
 * OpenAI-compatible endpoint): quotas, the model route, the guardrails that apply (organization, account,
 * request) with the caller's permission on each, the compiled guardrails; and afterwards one audit record per
 * invocation and per guardrail application, and the metrics. Fails closed: a guardrail that cannot be resolved,
 * loaded or evaluated refuses the call unless the operator made that guardrail fail-open.
 */
import { ServiceError, accessDenied, notFound, validation } from '../core/errors.ts';
import type { Caller } from '../core/caller.ts';
import { isoTimestamp } from '../core/ports.ts';
import type { GuardrailAssessment, GuardrailUsage } from '../engine/assessment.ts';
import type { CompiledGuardrail } from '../engine/compile.ts';
import type { OutputScope } from '../engine/assess.ts';
import { type OrgEnforcementSource, resolveEnforcement, type EnforcementResolution } from '../control/enforcement-resolver.ts';
import type { Services } from '../control/services.ts';
import { denialMessage } from '../control/authorization.ts';
import { AuditBatchWriter, DEFAULT_AUDIT_DELAY_MS, DEFAULT_AUDIT_HOLD_MS } from '../audit/batch-writer.ts';
import { isStoreUnavailable } from '../store/unavailable.ts';
import { isEmbeddingModel, normalizeModelId } from '../core/models.ts';
import type { ModelProvider } from '../providers/types.ts';
import type { AuditEntry, AuditRepo } from '../store/types.ts';
import { billedTextUnits, firedPolicies, GuardFailure, quotaTextUnits, totalUsage, type GuardOptions, type GuardTarget, type TargetAssessment } from './guarding.ts';
import type { GatewayMetrics, PolicyType } from './metrics.ts';
import type { AccountQuotas, QuotaRefusal } from './quotas.ts';
import type { DetectorRegistry } from './detectors/registry.ts';
import type { DetectorReport } from './detectors/types.ts';
import type { Assessor } from './assessment-pool.ts';

export type RuntimeOperation =
  | 'InvokeModel'
  | 'InvokeModelWithResponseStream'
  | 'Converse'
  | 'ConverseStream'
  | 'ChatCompletions';

export type TraceSetting = 'ENABLED' | 'DISABLED' | 'ENABLED_FULL';

export interface ModelRoute {
  provider: ModelProvider;
  upstreamModel: string;
  modelId: string;
}

export interface ModelRouter {
  route(modelId: string): ModelRoute | undefined;
}

export interface GatewaySettings {
  /** Guardrail ARNs (or `arn:version`) that let calls through when they cannot be evaluated. */
  failOpen: ReadonlySet<string>;
  /** Keep matched text and prompts in audit records (off: only types and names). */
  logContent: boolean;
  /** A guardrail evaluation longer than this fails (closed unless fail-open). */
  guardrailDeadlineMs: number;
  /** Invocation audit records wait at most this long to share a group commit (default 0: the next turn). */
  auditDelayMs?: number;
  /** While the store is unavailable, invocation audit records are held and retried this long (default 5 s). */
  auditHoldMs?: number;
}

export const DEFAULT_GATEWAY_SETTINGS: GatewaySettings = {
  failOpen: new Set(),
  logContent: false,
  guardrailDeadlineMs: 2_000,
};

export interface GatewayDeps {
  services: Services;
  org: OrgEnforcementSource;
  models: ModelRouter;
  quotas: AccountQuotas;
  metrics: GatewayMetrics;
  settings: GatewaySettings;
  /** Where invocation records are appended (default: the store's audit repository, on this thread). */
  auditRepo?: Pick<AuditRepo, 'appendMany'>;
  /** External detectors (`parapet serve --detectors`); absent when none are configured. */
  detectors?: DetectorRegistry;
  /** The server's log (audit records that could not be written are reported there). */
  log?: (line: Record<string, unknown>) => void;
  /** Assessment threads (`parapet serve --assessment-threads`); absent: every assessment runs on this thread. */
  assessor?: Assessor;
}

export interface Prepared {
  caller: Caller;
  requestId: string;
  operation: RuntimeOperation;
  /** As requested. */
  modelId: string;
  route: ModelRoute;
  targets: GuardTarget[];
  resolution: EnforcementResolution;
  startedAt: number;
  trace: TraceSetting;
  /** Some target has external detectors: guarding takes the asynchronous path. */
  external?: boolean;
}

/** Everything recorded about one finished (or refused) invocation. */
export interface InvocationReport {
  outcome: 'NONE' | 'INTERVENED' | 'ERROR';
  status: number;
  errorCode?: string;
  /** Who intervened first: INPUT or OUTPUT. */
  intervenedOn?: 'INPUT' | 'OUTPUT';
  input: TargetAssessment[];
  output: TargetAssessment[];
  /** Model token usage when the model ran. */
  usage?: { inputTokens: number; outputTokens: number };
  modelCalled: boolean;
  streamMode?: 'sync' | 'async';
  /** Present only with `logContent`. */
  content?: { input?: unknown; output?: unknown };
  /** The guardrail that could not be evaluated and refused the call (fail closed), and why. */
  failedClosed?: { guardrail: string; reason: string };
}

export function quotaError(op: RuntimeOperation, r: QuotaRefusal): ServiceError {
  return new ServiceError(
    'ThrottlingException',
    r.kind === 'requests'
      ? `Too many requests: this account may make ${r.limit} model calls per second in this Region. Retry in ${r.retryAfterMs} ms.`
      : `Your account has exceeded the allowed text units per second (${r.limit}) for guardrails on ${op}. Retry in ${r.retryAfterMs} ms.`,
  );
}

const STREAMING: ReadonlySet<RuntimeOperation> = new Set(['InvokeModelWithResponseStream', 'ConverseStream']);

const traceKeyCount = (targets: readonly GuardTarget[], id: string) => targets.filter((t) => t.details.guardrailId === id).length;

export class InvocationGateway {
  readonly deps: GatewayDeps;
  /** Invocation records go to the trail in group commits (one transaction for the calls of a busy moment). */
  #audit: AuditBatchWriter | undefined;

  constructor(deps: GatewayDeps) {
    this.deps = deps;
  }

  /** Quotas, route, resolution, permission and compiled guardrails; throws the AWS error that refuses the call. */
  async prepare(p: {
    caller: Caller;
    requestId: string;
    operation: RuntimeOperation;
    modelId: string;
    request?: { identifier: string; version: number | 'DRAFT' };
    trace: TraceSetting;
  }): Promise<Prepared> {
    const { services } = this.deps;
    const startedAt = services.monotonic.now();
    const modelId = normalizeModelId(p.modelId);
    // As on AWS: Converse is authorized as bedrock:InvokeModel, the streams as InvokeModelWithResponseStream.
    await services.authz.require({
      caller: p.caller,
      action: STREAMING.has(p.operation) ? 'bedrock:InvokeModelWithResponseStream' : 'bedrock:InvokeModel',
      resource: modelId.startsWith('arn:') ? modelId : `arn:aws:bedrock:${p.caller.region}::foundation-model/${modelId}`,
      resourceAccountId: p.caller.accountId,
    });
    const refusal = await this.deps.quotas.takeRequest(p.caller.accountId, p.caller.region);
    if (refusal) throw quotaError(p.operation, refusal);
    const route = this.deps.models.route(p.modelId);
    if (!route)
      throw validation(
        `The provided model identifier is invalid: '${p.modelId.slice(0, 200)}' is not served by this gateway. ` +
          'Map it to an upstream provider in the models file (parapet serve --models <file>), or call the built-in demo model parapet.demo-v1.',
      );
    let resolution: EnforcementResolution;
    try {
      resolution = await resolveEnforcement(services, this.deps.org, p.caller, modelId, p.request);
    } catch (err) {
      if ((err instanceof ServiceError && err.status < 500) || isStoreUnavailable(err)) throw err;
      throw new ServiceError(
        'ServiceUnavailableException',
        `The guardrails for this call could not be resolved (${err instanceof Error ? err.message : String(err)}); ` +
          'the call was refused because enforced guardrails fail closed.',
      );
    }
    const invalid = resolution.org?.invalidPolicies ?? [];
    if (invalid.length) {
      const first = invalid[0];
      throw validation(
        `The organization's Bedrock policy ${first?.policyName ?? ''} (${first?.policyId ?? ''}) attached to ${first?.targetId ?? ''} is no longer valid: ` +
          `${first?.message ?? ''} Every model call of the affected accounts fails until it is fixed.`,
      );
    }
    if (resolution.applied.length && isEmbeddingModel(modelId))
      throw validation(
        `Guardrails cannot guard the embedding model ${modelId}, and ${resolution.applied.map((g) => `${g.guardrailArn}:${g.version}`).join(', ')} applies to this call. ` +
          'Exclude embedding models from the enforcement configuration (excluded_models / excludedModels).',
      );
    const targets: GuardTarget[] = [];
    for (const g of resolution.applied) {
      const label = `${g.guardrailArn}:${g.version}`;
      if (!g.permitted)
        throw accessDenied(
          `${denialMessage(
            { caller: p.caller, action: 'bedrock:ApplyGuardrail', resource: label, resourceAccountId: g.ownerAccountId },
            g.permission,
          )}. The guardrail is ${g.requested && g.origins.length === 1 ? 'named in the request' : `enforced on this account (${g.origins.join(' + ')})`}; ` +
            (g.ownership === 'CROSS_ACCOUNT'
              ? "its owner must allow this account in the guardrail's resource-based policy, and the caller's identity policy must allow bedrock:ApplyGuardrail. The model was not called."
              : "the caller's identity policy must allow bedrock:ApplyGuardrail on it. The model was not called."),
        );
      const compiled = await this.#load(g.guardrailArn, g.ownerAccountId, g.guardrailId, g.version, g.requested && g.origins.length === 1, p.caller);
      const failOpen = this.deps.settings.failOpen.has(g.guardrailArn) || this.deps.settings.failOpen.has(label);
      const detectors = this.deps.detectors?.forGuardrail(g.guardrailArn, g.guardrailId, g.version);
      targets.push({
        key: g.guardrailId,
        label,
        compiled,
        details: {
          guardrailId: g.guardrailId,
          guardrailVersion: String(g.version),
          guardrailArn: g.guardrailArn,
          guardrailOrigin: [...g.origins],
          guardrailOwnership: g.ownership,
        },
        system: g.system,
        messages: g.messages,
        requestOnly: g.origins.length === 1 && g.origins[0] === 'REQUEST',
        failOpen,
        ...(detectors ? { detectors } : {}),
      });
    }
    for (const t of targets) if (traceKeyCount(targets, t.details.guardrailId) > 1) t.key = `${t.details.guardrailId}:${t.details.guardrailVersion}`;
    return { ...p, route, targets, resolution, startedAt, ...(this.deps.detectors && targets.some((t) => t.detectors) ? { external: true } : {}) };
  }

  async #load(
    arn: string,
    owner: string,
    guardrailId: string,
    version: number | 'DRAFT',
    requestOnly: boolean,
    caller: Caller,
  ): Promise<CompiledGuardrail> {
    const { store, compiled } = this.deps.services;
    const region = arn.split(':')[3] ?? caller.region;
    // A published version never changes: once compiled, no need to read it again (deletions evict it, on every
    // replica through the store's change feed).
    if (typeof version === 'number') {
      const hit = compiled.cachedVersion(arn, version);
      if (hit) return hit;
    }
    const since = compiled.generation;
    try {
      const g = await store.guardrails.get(owner, region, guardrailId);
      if (g && version === 'DRAFT') return compiled.draft(g.arn, g.config);
      const v = g && typeof version === 'number' ? await store.guardrails.getVersion(owner, region, guardrailId, version) : undefined;
      if (g && v) return compiled.version(g.arn, v.version, v.config, since);
    } catch (err) {
      if ((err instanceof ServiceError && err.status < 500) || isStoreUnavailable(err)) throw err;
      throw new ServiceError(
        'ServiceUnavailableException',
        `Guardrail ${arn}:${version} could not be loaded (${err instanceof Error ? err.message : String(err)}); the call was refused because guardrails fail closed.`,
      );
    }
    if (requestOnly)
      throw notFound(`The guardrail ${arn} version ${version} was not found. Check the guardrail identifier and version.`);
    throw validation(
      `The enforced guardrail ${arn}:${version} no longer exists, so this call cannot be guarded and is refused. ` +
        'Point the enforcement configuration at an existing numbered version.',
    );
  }

  guardOptions(p: Prepared, invokeModel: boolean): GuardOptions {
    const outputScope: OutputScope = p.trace === 'ENABLED_FULL' ? 'FULL' : 'INTERVENTIONS';
    return {
      invokeModel,
      outputScope,
      now: () => this.deps.services.monotonic.now(),
      deadlineMs: this.deps.settings.guardrailDeadlineMs,
      ...(this.deps.assessor ? { assessor: this.deps.assessor } : {}),
    };
  }

  /**
   * Text-unit quota for what was just evaluated (taken after the fact; debt throttles the next calls). Nobody
   * waits for it: with shared counters it lands in the background.
   */
  chargeTextUnits(p: Prepared, assessed: readonly TargetAssessment[]): void {
    this.deps.quotas.chargeTextUnits(p.caller.accountId, p.caller.region, totalUsage(assessed).textUnits);
  }

  /**
   * Before evaluation: refuse when the account is already over its text-unit rate. Throws the ThrottlingException
   * (in-process counters), or returns a promise that rejects with it (shared counters).
   */
  checkTextUnits(p: Prepared, chars: number): void | Promise<void> {
    if (!p.targets.length) return;
    const units = Math.ceil(chars / 1000) * p.targets.length;
    const refusal = this.deps.quotas.takeTextUnits(p.caller.accountId, p.caller.region, Math.min(units, 1));
    if (refusal instanceof Promise)
      return refusal.then((r) => {
        if (r) throw quotaError(p.operation, r);
      });
    if (refusal) throw quotaError(p.operation, refusal);
  }

  /**
   * Maps a GuardFailure to the AWS error that refuses the call, carrying the report that records which guardrail
   * (and which external detector, in the reason) failed closed.
   */
  static failure(err: unknown, partial: Partial<InvocationReport> = {}): never {
    if (err instanceof GuardFailure) {
      const e = new ServiceError('ServiceUnavailableException', err.message);
      const report: InvocationReport = {
        outcome: 'ERROR',
        status: e.status,
        errorCode: e.code,
        input: [],
        output: [],
        modelCalled: false,
        ...partial,
        failedClosed: { guardrail: err.target.label, reason: err.reason },
      };
      throw Object.assign(e, { report });
    }
    throw err;
  }

  /** One audit record for the invocation and one per guardrail application, in one append; plus metrics. */
  async record(p: Prepared, r: InvocationReport): Promise<void> {
    const { services, metrics, settings } = this.deps;
    const latencyMs = services.monotonic.now() - p.startedAt;
    const at = isoTimestamp(services.clock.now());
    const base = {
      at,
      accountId: p.caller.accountId,
      principalArn: p.caller.principalArn,
      region: p.caller.region,
      requestId: p.requestId,
    };
    const applications = [...r.input, ...r.output];
    const perGuardrail = p.targets.map((t) => ({
      guardrail: t.label,
      origin: t.details.guardrailOrigin,
      ownership: t.details.guardrailOwnership,
      ...(t.failOpen ? { failOpen: true } : {}),
    }));
    const textUnits = applications.reduce((n, a) => n + unitsOf(a), 0);
    // What each application's policies did: for its audit record and its metrics (worked out once).
    const firedOf = applications.map((a) => (a.assessment ? firedPolicies(a.assessment) : []));
    const entries: AuditEntry[] = [
      {
        ...base,
        action: auditAction(p.operation),
        resourceArn: `arn:aws:bedrock:${p.caller.region}::foundation-model/${normalizeModelId(p.modelId)}`,
        outcome: r.outcome === 'ERROR' ? (r.errorCode ?? 'Error') : r.outcome,
        detail: {
          operation: p.operation,
          model: p.modelId,
          provider: `${p.route.provider.name}:${p.route.upstreamModel}`,
          guardrails: perGuardrail,
          skipped: p.resolution.skipped.map((s) => ({ guardrail: `${s.guardrailArn}:${s.version}`, origin: s.origin, reason: s.reason })),
          ...(r.intervenedOn ? { intervenedOn: r.intervenedOn } : {}),
          modelCalled: r.modelCalled,
          ...(r.streamMode ? { streamMode: r.streamMode } : {}),
          status: r.status,
          ...(r.failedClosed ? { failedClosed: r.failedClosed } : {}),
          latencyMs: round(latencyMs),
          textUnits,
          ...(r.usage ? { usage: r.usage } : {}),
          ...(settings.logContent && r.content ? { content: r.content } : {}),
        },
      },
      ...applications.map((a, i): AuditEntry => {
        const fired = firedOf[i] ?? [];
        return {
          ...base,
          action: 'bedrock:ApplyGuardrail',
          resourceArn: a.target.label,
          outcome: a.failedOpen ? 'FAILED_OPEN' : a.result?.action === 'GUARDRAIL_INTERVENED' ? 'INTERVENED' : 'NONE',
          detail: {
            operation: p.operation,
            model: p.modelId,
            guardrail: a.target.label,
            origin: a.target.details.guardrailOrigin,
            ownership: a.target.details.guardrailOwnership,
            source: a.source,
            action: a.result?.blocked ? 'BLOCKED' : a.result?.anonymized ? 'ANONYMIZED' : 'NONE',
            policies: fired.map((f) => (settings.logContent ? f : { policy: f.policy, type: f.type, ...(f.name ? { name: f.name } : {}), action: f.action })),
            ...(settings.logContent && a.assessment ? { assessment: a.assessment } : {}),
            latencyMs: round(a.latencyMs),
            textUnits: unitsOf(a),
            ...(a.result ? { usage: a.result.usage } : {}),
            ...(a.failedOpen ? { failedOpen: a.failedOpen, failOpenConfigured: true } : {}),
            ...(a.detectors ? { detectors: a.detectors } : {}),
          },
        };
      }),
    ];
    applications.forEach((a, i) => {
      metrics.guardrail({
        operation: p.operation,
        guardrail: a.target.label,
        source: a.source,
        account: p.caller.accountId,
        latencySeconds: a.latencyMs / 1000,
        intervenedPolicies: a.assessment ? interveningPolicies(firedOf[i] ?? []) : [],
        textUnits: a.result ? unitsByPolicy(a.result.usage) : {},
      });
    });
    metrics.invocation({
      operation: p.operation,
      model: p.route.modelId,
      account: p.caller.accountId,
      latencySeconds: latencyMs / 1000,
      intervened: r.outcome === 'INTERVENED',
      status: r.status,
    });
    await this.#append(entries);
  }

  /**
   * Appends invocation-plane records in group commits; resolves once they are durable (held and retried during
   * a short outage of the store, see AuditBatchWriter). The operations wait for it before they answer.
   */
  #append(entries: AuditEntry[]): Promise<unknown> {
    this.#audit ??= new AuditBatchWriter(this.deps.auditRepo ?? this.deps.services.store.audit, {
      delayMs: this.deps.settings.auditDelayMs ?? DEFAULT_AUDIT_DELAY_MS,
      holdMs: this.deps.settings.auditHoldMs ?? DEFAULT_AUDIT_HOLD_MS,
    });
    return this.#audit.append(entries);
  }

  /** The audit record of a call already refused could not be written: said in the log, never dropped silently. */
  reportLostRecord(requestId: string, operation: string, err: unknown): void {
    this.deps.log?.({
      requestId,
      error: 'AuditRecordLost',
      operation,
      detail: `the audit record of this refused call could not be written: ${err instanceof Error ? err.message : String(err)}`,
    });
  }

  /** ApplyGuardrail's request quota (the text units are charged by `recordApplyGuardrail`). */
  async takeApplyQuota(caller: Caller): Promise<void> {
    const refusal = await this.deps.quotas.takeRequest(caller.accountId, caller.region);
    if (refusal) throw quotaError('ApplyGuardrail' as RuntimeOperation, refusal);
  }

  /** The audit record and metrics of one ApplyGuardrail call. */
  async recordApplyGuardrail(
    caller: Caller,
    requestId: string,
    source: 'INPUT' | 'OUTPUT',
    result: { action: string; usage: GuardrailUsage; assessments: GuardrailAssessment[] },
    detectors?: { reports?: DetectorReport[]; failure?: string },
  ): Promise<void> {
    const a = result.assessments[0];
    const d = a?.appliedGuardrailDetails;
    if (!a || !d) return;
    const label = `${d.guardrailArn}:${d.guardrailVersion}`;
    const u = result.usage;
    const units = billedTextUnits(u);
    this.deps.quotas.chargeTextUnits(caller.accountId, caller.region, quotaTextUnits(u));
    const fired = firedPolicies(a);
    const latencyMs = a.invocationMetrics?.guardrailProcessingLatency ?? 0;
    this.deps.metrics.guardrail({
      operation: 'ApplyGuardrail',
      guardrail: label,
      source,
      account: caller.accountId,
      latencySeconds: latencyMs / 1000,
      intervenedPolicies: interveningPolicies(fired),
      textUnits: unitsByPolicy(u),
    });
    this.deps.metrics.invocation({
      operation: 'ApplyGuardrail',
      model: 'none',
      account: caller.accountId,
      latencySeconds: latencyMs / 1000,
      intervened: result.action === 'GUARDRAIL_INTERVENED',
      status: 200,
    });
    await this.#append([{
      at: isoTimestamp(this.deps.services.clock.now()),
      accountId: caller.accountId,
      principalArn: caller.principalArn,
      region: caller.region,
      requestId,
      action: 'bedrock:ApplyGuardrail',
      resourceArn: label,
      outcome: result.action === 'GUARDRAIL_INTERVENED' ? 'INTERVENED' : 'NONE',
      detail: {
        operation: 'ApplyGuardrail',
        guardrail: label,
        origin: d.guardrailOrigin,
        ownership: d.guardrailOwnership,
        source,
        action:
          detectors?.failure || fired.some((f) => f.action === 'BLOCKED') ? 'BLOCKED' : fired.some((f) => f.action === 'ANONYMIZED') ? 'ANONYMIZED' : 'NONE',
        policies: fired.map((f) => (this.deps.settings.logContent ? f : { policy: f.policy, type: f.type, ...(f.name ? { name: f.name } : {}), action: f.action })),
        ...(this.deps.settings.logContent ? { assessment: a } : {}),
        ...(detectors?.reports ? { detectors: detectors.reports } : {}),
        ...(detectors?.failure ? { failedClosed: { guardrail: label, reason: detectors.failure } } : {}),
        latencyMs,
        textUnits: units,
        usage: u,
      },
    }]);
  }

  /** Writes the audit records still queued (before reading the trail, and when the server closes). */
  async drain(): Promise<void> {
    await this.#audit?.drain();
  }

  /** A call refused before `prepare` finished (quota, model, permission, resolution): audit and metrics only. */
  async recordRefusal(
    base: { caller: Caller; requestId: string; operation: RuntimeOperation; modelId: string },
    err: ServiceError,
  ): Promise<void> {
    const { services, metrics } = this.deps;
    // Only served models become label values: a caller cannot grow the metrics with made-up model ids.
    metrics.invocation({
      operation: base.operation,
      model: this.deps.models.route(base.modelId)?.modelId ?? 'unrouted',
      account: base.caller.accountId,
      latencySeconds: 0,
      intervened: false,
      status: err.status,
      throttled: err.code === 'ThrottlingException',
    });
    await this.#append([{
      at: isoTimestamp(services.clock.now()),
      accountId: base.caller.accountId,
      principalArn: base.caller.principalArn,
      region: base.caller.region,
      requestId: base.requestId,
      action: auditAction(base.operation),
      resourceArn: `arn:aws:bedrock:${base.caller.region}::foundation-model/${normalizeModelId(base.modelId)}`,
      outcome: err.code,
      detail: { operation: base.operation, model: base.modelId, status: err.status, message: err.message, modelCalled: false },
    }]);
  }
}

/** The text units of one evaluation by metrics policy type. */
function unitsByPolicy(u: GuardrailUsage): Record<PolicyType, number> {
  return {
    content: u.contentPolicyUnits,
    topic: u.topicPolicyUnits,
    word: u.wordPolicyUnits,
    sensitive_information: u.sensitiveInformationPolicyUnits,
    contextual_grounding: u.contextualGroundingPolicyUnits,
  };
}

function unitsOf(a: TargetAssessment): number {
  return a.result ? billedTextUnits(a.result.usage) : 0;
}

/** The policy types that acted (from `firedPolicies`), in first-seen order. */
function interveningPolicies(fired: ReadonlyArray<{ policy: string; action: string }>): PolicyType[] {
  const out = new Set<PolicyType>();
  for (const f of fired) if (f.action !== 'NONE') out.add(f.policy as PolicyType);
  return [...out];
}

/** The audit action of an invocation: the Bedrock operation, or Parapet's own OpenAI-compatible endpoint. */
function auditAction(op: RuntimeOperation): string {
  return op === 'ChatCompletions' ? 'parapet:ChatCompletions' : `bedrock:${op}`;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
