/**
 * The Bedrock runtime's request-guardrail headers (`X-Amzn-Bedrock-GuardrailIdentifier`, `-GuardrailVersion`,
 * `X-Amzn-Bedrock-Trace`), read the same way by InvokeModel and the OpenAI-compatible endpoint.
 */
import { validation } from '../../core/errors.ts';
import type { TraceSetting } from '../../runtime/invocation.ts';
import type { OperationContext } from '../router.ts';
import { parseGuardrailVersion } from './converse.ts';

const TRACE_VALUES: readonly TraceSetting[] = ['ENABLED', 'DISABLED', 'ENABLED_FULL'];

export function headerOf(ctx: OperationContext, name: string): string | undefined {
  const v = ctx.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/**
 * The request guardrail and trace setting. `anyCase` accepts the trace value in any letter case (the OpenAI
 * endpoint's clients set headers by hand); InvokeModel takes the service model's exact values.
 */
export function guardrailHeaders(
  ctx: OperationContext,
  opts: { anyCase?: boolean } = {},
): { request?: { identifier: string; version: number | 'DRAFT' }; trace: TraceSetting } {
  const raw = headerOf(ctx, 'x-amzn-bedrock-trace');
  const traceHeader = raw !== undefined && opts.anyCase ? raw.toUpperCase() : raw;
  if (traceHeader !== undefined && !(TRACE_VALUES as readonly string[]).includes(traceHeader))
    throw validation(`X-Amzn-Bedrock-Trace must be one of ${TRACE_VALUES.join(', ')}; got '${traceHeader.slice(0, 40)}'.`);
  const identifier = headerOf(ctx, 'x-amzn-bedrock-guardrailidentifier');
  const version = headerOf(ctx, 'x-amzn-bedrock-guardrailversion');
  if (identifier && !version) throw validation('X-Amzn-Bedrock-GuardrailVersion is required when X-Amzn-Bedrock-GuardrailIdentifier is set.');
  if (version && !identifier) throw validation('X-Amzn-Bedrock-GuardrailIdentifier is required when X-Amzn-Bedrock-GuardrailVersion is set.');
  return {
    trace: (traceHeader as TraceSetting | undefined) ?? 'DISABLED',
    ...(identifier && version ? { request: { identifier, version: parseGuardrailVersion(version, 'X-Amzn-Bedrock-GuardrailVersion') } } : {}),
  };
}
