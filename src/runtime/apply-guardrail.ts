/**
 * ApplyGuardrail: resolve the guardrail version, compile it once (cached), assess, and answer in the
 * bedrock-runtime shape with invocation metrics and the applied-guardrail details.
 */
import type { Caller } from '../core/caller.ts';
import { ServiceError, validation } from '../core/errors.ts';
import type { Clock } from '../core/ports.ts';
import type { AppliedGuardrailDetails, GuardrailAssessment } from '../engine/assessment.ts';
import { type AssessRequest, type AssessResult, assess, type TextBlock } from '../engine/assess.ts';
import type { CompiledCache } from '../engine/cache.ts';
import type { CompiledGuardrail } from '../engine/compile.ts';
import type { GuardrailService, GuardrailVersionSelector } from '../control/guardrails.ts';
import { blockForFailure } from '../engine/external.ts';
import type { DetectorRegistry } from './detectors/registry.ts';
import { applyDetection, startDetection } from './detectors/run.ts';
import type { DetectorReport } from './detectors/types.ts';
import { AssessmentEngineError, type Assessor } from './assessment-pool.ts';

/** Bedrock's per-request input quota: 1,000 text units of 1,000 characters. */
export const MAX_TEXT_CHARS_PER_REQUEST = 1_000_000;

export interface ApplyDeps {
  guardrails: GuardrailService;
  compiled: CompiledCache;
  /** A monotonic clock in milliseconds (with sub-ms precision) for processing latency. */
  monotonic: Clock;
  /** External detectors (`parapet serve --detectors`); absent when none are configured. */
  detectors?: DetectorRegistry;
  /** Assessment threads (`parapet serve --assessment-threads`); absent: assessments run on this thread. */
  assessor?: Assessor;
}

/** What the external detectors did for one call (filled by `applyGuardrail` when some ran; for the audit trail). */
export interface DetectorNotes {
  reports?: DetectorReport[];
  /** The detector that gave no answer, so the guardrail blocked (fail closed). */
  failure?: string;
}

export interface ApplyGuardrailRequest {
  guardrailIdentifier: string;
  guardrailVersion: GuardrailVersionSelector;
  source: 'INPUT' | 'OUTPUT';
  content: Array<{ text?: { text: string; qualifiers?: TextBlock['qualifiers'] }; image?: unknown }>;
  outputScope?: 'INTERVENTIONS' | 'FULL';
}

export async function applyGuardrail(deps: ApplyDeps, caller: Caller, req: ApplyGuardrailRequest, notes?: DetectorNotes) {
  const since = deps.compiled.generation;
  const { guardrail, version } = await deps.guardrails.getConfig(
    caller,
    req.guardrailIdentifier,
    req.guardrailVersion,
    'bedrock:ApplyGuardrail',
  );
  const versionLabel = version ? String(version.version) : 'DRAFT';
  const compiled = version
    ? deps.compiled.version(guardrail.arn, version.version, version.config, since)
    : deps.compiled.draft(guardrail.arn, guardrail.config);

  const blocks: TextBlock[] = [];
  req.content.forEach((b, i) => {
    if (b.image !== undefined)
      throw validation(
        `content.${i + 1}.member.image: image content is not supported by Parapet; send text blocks only.`,
      );
    if (b.text) blocks.push({ text: b.text.text, qualifiers: b.text.qualifiers });
  });

  const chars = blocks.reduce((n, b) => n + b.text.length, 0);
  if (chars > MAX_TEXT_CHARS_PER_REQUEST)
    throw validation(
      `ApplyGuardrail accepts at most ${MAX_TEXT_CHARS_PER_REQUEST / 1000} text units (${MAX_TEXT_CHARS_PER_REQUEST.toLocaleString('en-US')} characters) ` +
        `per request; this one has ${chars.toLocaleString('en-US')} characters. Split the text across requests.`,
    );

  const started = deps.monotonic.now();
  const request: AssessRequest = { source: req.source, content: blocks, outputScope: req.outputScope };
  const bindings = deps.detectors?.forGuardrail(guardrail.arn, guardrail.guardrailId, versionLabel);
  // External detectors start first and work while the shipped engine assesses.
  const pending = bindings ? startDetection(bindings, compiled, request, { now: () => deps.monotonic.now() }) : undefined;
  let result: AssessResult;
  try {
    result = deps.assessor?.offloads(compiled, chars) ? await assessOnThread(deps.assessor, compiled, request, guardrail.arn, versionLabel) : assess(compiled, request);
  } catch (err) {
    pending?.abort();
    throw err;
  }
  if (pending) {
    const applied = applyDetection(compiled, request, result, await pending.done);
    // Fail closed: with no fail-open choice on ApplyGuardrail, a detector that gave no answer blocks.
    result = applied.failure ? blockForFailure(compiled, request, applied.result, applied.failure) : applied.result;
    if (notes) {
      notes.reports = applied.reports;
      if (applied.failure) notes.failure = applied.failure;
    }
  }
  const latency = Math.max(0, Math.round(deps.monotonic.now() - started));

  const details: AppliedGuardrailDetails = {
    guardrailId: guardrail.guardrailId,
    guardrailVersion: versionLabel,
    guardrailArn: guardrail.arn,
    guardrailOrigin: ['REQUEST'],
    guardrailOwnership: guardrail.accountId === caller.accountId ? 'SELF' : 'CROSS_ACCOUNT',
  };
  const assessment: GuardrailAssessment = {
    ...result.assessment,
    invocationMetrics: {
      guardrailProcessingLatency: latency,
      usage: result.usage,
      guardrailCoverage: result.coverage,
    },
    appliedGuardrailDetails: details,
  };
  return {
    usage: result.usage,
    action: result.action,
    ...(result.actionReason ? { actionReason: result.actionReason } : {}),
    outputs: result.outputs,
    assessments: [assessment],
    guardrailCoverage: result.coverage,
  };
}

/**
 * The assessment on an assessment thread: the engine's own error as it would have been thrown here; the pool's
 * failure (a thread that died, or no answer in time) refuses the call, as a guardrail that cannot be evaluated does.
 */
async function assessOnThread(assessor: Assessor, compiled: CompiledGuardrail, request: AssessRequest, arn: string, version: string): Promise<AssessResult> {
  try {
    return await assessor.assess(compiled, request);
  } catch (err) {
    if (err instanceof AssessmentEngineError) throw new Error(err.message);
    throw new ServiceError(
      'ServiceUnavailableException',
      `Guardrail ${arn}:${version} could not be evaluated (${err instanceof Error ? err.message : String(err)}); the request was refused because guardrails fail closed. Retry it.`,
    );
  }
}
