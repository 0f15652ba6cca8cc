/** The `bedrock-runtime` operations (restJson1; the runtime also signs as service `bedrock`). */
import { enumOf, list, req, str, struct, union, validateShape } from '../../core/shapes.ts';
import { validation } from '../../core/errors.ts';
import { parseVersion } from '../../control/guardrails.ts';
import { type ApplyDeps, type ApplyGuardrailRequest, applyGuardrail, type DetectorNotes } from '../../runtime/apply-guardrail.ts';
import type { Operation } from '../router.ts';
import type { InvocationGateway } from '../../runtime/invocation.ts';

/** ApplyGuardrail accepts up to this many bytes of JSON (texts up to ~1 MB plus framing). */
export const APPLY_BODY_LIMIT = 8 * 1024 * 1024;

const applyShape = struct({
  source: req(enumOf(['INPUT', 'OUTPUT'])),
  content: req(
    list(
      union({
        text: struct({
          text: req(str()),
          qualifiers: list(enumOf(['grounding_source', 'query', 'guard_content'])),
        }),
        image: struct({ format: req(enumOf(['png', 'jpeg'])), source: req(struct({})) }),
      }),
    ),
  ),
  outputScope: enumOf(['INTERVENTIONS', 'FULL']),
});

export function bedrockRuntimeOperations(deps: ApplyDeps & { gateway?: InvocationGateway }): Operation[] {
  return [
    {
      name: 'ApplyGuardrail',
      method: 'POST',
      path: '/guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply',
      signingName: 'bedrock',
      bodyLimitBytes: APPLY_BODY_LIMIT,
      async handle(ctx) {
        const identifier = ctx.labels.guardrailIdentifier ?? '';
        if (!identifier)
          throw validation(
            "1 validation error detected: Value '' at 'guardrailIdentifier' failed to satisfy constraint: Member must have length greater than or equal to 1",
          );
        const guardrailVersion = parseVersion(ctx.labels.guardrailVersion ?? '', 'guardrailVersion');
        const body = validateShape<Omit<ApplyGuardrailRequest, 'guardrailIdentifier' | 'guardrailVersion'>>(
          applyShape,
          ctx.body,
        );
        await deps.gateway?.takeApplyQuota(ctx.caller);
        const notes: DetectorNotes | undefined = deps.detectors ? {} : undefined;
        const result = await applyGuardrail(deps, ctx.caller, { ...body, guardrailIdentifier: identifier, guardrailVersion }, notes);
        const gateway = deps.gateway;
        return {
          status: 200,
          body: result,
          ...(gateway ? { after: () => gateway.recordApplyGuardrail(ctx.caller, ctx.requestId, body.source, result, notes) } : {}),
        };
      },
    },
  ];
}
