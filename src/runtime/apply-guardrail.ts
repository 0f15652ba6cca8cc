/**
 * ApplyGuardrail: resolve the guardrail version, compile it once (cached), assess, and answer in the
 * bedrock-runtime shape with invocation metrics and the applied-guardrail details.
 */
import type { Caller } from '../core/caller.ts';
import { validation } from '../core/errors.ts';
import type { Clock } from '../core/ports.ts';
import type { AppliedGuardrailDetails, GuardrailAssessment } from '../engine/assessment.ts';
import { type AssessRequest, assess, type TextBlock } from '../engine/assess.ts';
import type { CompiledCache } from '../engine/cache.ts';
import type { GuardrailService, GuardrailVersionSelector } from '../control/guardrails.ts';

/** Bedrock's per-request input quota: 1,000 text units of 1,000 characters. */
export const MAX_TEXT_CHARS_PER_REQUEST = 1_000_000;

export interface ApplyDeps {
  guardrails: GuardrailService;
  compiled: CompiledCache;
  /** A monotonic clock in milliseconds (with sub-ms precision) for processing latency. */
  monotonic: Clock;
}

export interface ApplyGuardrailRequest {
  guardrailIdentifier: string;
  guardrailVersion: GuardrailVersionSelector;
  source: 'INPUT' | 'OUTPUT';
  content: Array<{ text?: { text: string; qualifiers?: TextBlock['qualifiers'] }; image?: unknown }>;
  outputScope?: 'INTERVENTIONS' | 'FULL';
}

export async function applyGuardrail(deps: ApplyDeps, caller: Caller, req: ApplyGuardrailRequest) {
  const { guardrail, version } = await deps.guardrails.getConfig(
    caller,
    req.guardrailIdentifier,
    req.guardrailVersion,
    'bedrock:ApplyGuardrail',
  );
  const versionLabel = version ? String(version.version) : 'DRAFT';
  const compiled = version
    ? deps.compiled.version(guardrail.arn, version.version, version.config)
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
  const result = assess(compiled, request);
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
