/** The `bedrock` control-plane operations (restJson1), wired to the guardrail and tag services. */
import { enumOf, int, list, pattern, req, str, struct, validateShape } from '../../core/shapes.ts';
import { validation } from '../../core/errors.ts';
import { guardrailPoliciesMembers } from '../../engine/config/shape.ts';
import type { GuardrailConfig } from '../../engine/config/types.ts';
import { type CreateGuardrailRequest, type GuardrailService, parseVersion } from '../../control/guardrails.ts';
import type { TagService } from '../../control/tags.ts';
import type { EnforcementService, PutEnforcedConfigRequest } from '../../control/enforcement.ts';
import type { ResourcePolicyService } from '../../control/resource-policies.ts';
import type { Tag } from '../../store/types.ts';
import type { Operation, OperationContext } from '../router.ts';

const CLIENT_TOKEN = pattern('[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}', { min: 1, max: 256 });
const TAG_KEY = pattern('[a-zA-Z0-9\\s._:/=+@-]*', { min: 1, max: 128 });
const TAG_VALUE = pattern('[a-zA-Z0-9\\s._:/=+@-]*', { min: 0, max: 256 });
const tagShape = struct({ key: req(TAG_KEY), value: req(TAG_VALUE) });

const createShape = struct({
  ...guardrailPoliciesMembers,
  tags: list(tagShape, 0, 200),
  clientRequestToken: CLIENT_TOKEN,
});
const updateShape = struct(guardrailPoliciesMembers);
const createVersionShape = struct({ description: str({ min: 1, max: 200 }), clientRequestToken: CLIENT_TOKEN });
const tagResourceShape = struct({ resourceARN: req(str({ min: 20, max: 1011 })), tags: req(list(tagShape, 0, 200)) });
const untagResourceShape = struct({
  resourceARN: req(str({ min: 20, max: 1011 })),
  tagKeys: req(list(TAG_KEY, 0, 200)),
});
const listTagsShape = struct({ resourceARN: req(str({ min: 20, max: 1011 })) });
const identifierShape = str({ min: 0, max: 2048 });

/** Header-safe: printable ASCII, `; `-separated. */
function warningsHeader(warnings: readonly string[]): string {
  return warnings.map((w) => w.replace(/[^\x20-\x7e]/g, '?')).join('; ');
}

const CONTROL_BODY_LIMIT = 4 * 1024 * 1024;
const SMALL_BODY_LIMIT = 256 * 1024;

function queryValue(ctx: OperationContext, name: string): string | undefined {
  const v = ctx.query[name];
  if (Array.isArray(v)) throw validation(`The query parameter '${name}' was given more than once.`);
  return v;
}

function label(ctx: OperationContext, name: string): string {
  const v = ctx.labels[name] ?? '';
  validateShape(identifierShape, v, name);
  if (v === '') throw validation(`1 validation error detected: Value '' at '${name}' failed to satisfy constraint: Member must have length greater than or equal to 1`);
  return v;
}

function parseMaxResults(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n))
    throw validation(`1 validation error detected: Value '${raw}' at 'maxResults' failed to satisfy constraint: Member must be an integer`);
  return validateShape<number>(int(1, 1000), n, 'maxResults');
}

const GUARDING_MODE = enumOf(['SELECTIVE', 'COMPREHENSIVE']);
const MODEL_ID = pattern(
  '([a-z0-9-]{1,63}[.][a-z0-9-]{1,63})([:][a-z0-9-]{1,63}){0,2}(/[a-z0-9]{12})?',
  { min: 1, max: 256 },
);
const INCLUDED_MODEL_ID = pattern(
  '(ALL|([a-z0-9-]{1,63}[.][a-z0-9-]{1,63})([:][a-z0-9-]{1,63}){0,2}(/[a-z0-9]{12})?)',
  { min: 1, max: 256 },
);
const CONFIG_ID = pattern('[a-z0-9]+', { min: 1, max: 128 });
const putEnforcedShape = struct({
  configId: CONFIG_ID,
  guardrailInferenceConfig: req(
    struct({
      guardrailIdentifier: req(str({ min: 0, max: 2048 })),
      guardrailVersion: req(str({ min: 1, max: 16 })),
      selectiveContentGuarding: struct({ system: GUARDING_MODE, messages: GUARDING_MODE }),
      modelEnforcement: struct({
        includedModels: req(list(INCLUDED_MODEL_ID, 1, 1000)),
        excludedModels: req(list(MODEL_ID, 0, 1000)),
      }),
    }),
  ),
});
const putResourcePolicyShape = struct({
  resourceArn: req(str({ min: 1, max: 255 })),
  resourcePolicy: req(str({ min: 1, max: 20480 })),
});

export function bedrockControlOperations(deps: {
  guardrails: GuardrailService;
  tags: TagService;
  enforcement: EnforcementService;
  resourcePolicies: ResourcePolicyService;
}): Operation[] {
  const { guardrails, tags, enforcement, resourcePolicies } = deps;
  const op = (
    name: string,
    method: string,
    path: string,
    handle: Operation['handle'],
    bodyLimitBytes = SMALL_BODY_LIMIT,
  ): Operation => ({ name, method, path, signingName: 'bedrock', bodyLimitBytes, handle });

  return [
    op(
      'CreateGuardrail',
      'POST',
      '/guardrails',
      async (ctx) => {
        const body = validateShape<CreateGuardrailRequest>(createShape, ctx.body);
        return { status: 202, body: await guardrails.create(ctx.caller, body) };
      },
      CONTROL_BODY_LIMIT,
    ),
    op(
      'UpdateGuardrail',
      'PUT',
      '/guardrails/{guardrailIdentifier}',
      async (ctx) => {
        const id = label(ctx, 'guardrailIdentifier');
        const body = validateShape<GuardrailConfig>(updateShape, ctx.body);
        return { status: 202, body: await guardrails.update(ctx.caller, id, body) };
      },
      CONTROL_BODY_LIMIT,
    ),
    op('GetGuardrail', 'GET', '/guardrails/{guardrailIdentifier}', async (ctx) => {
      const id = label(ctx, 'guardrailIdentifier');
      const v = queryValue(ctx, 'guardrailVersion');
      const version = v === undefined ? 'DRAFT' : parseVersion(v, 'guardrailVersion');
      return { status: 200, body: await guardrails.get(ctx.caller, id, version) };
    }),
    op('ListGuardrails', 'GET', '/guardrails', async (ctx) => {
      const guardrailIdentifier = queryValue(ctx, 'guardrailIdentifier');
      if (guardrailIdentifier !== undefined) validateShape(identifierShape, guardrailIdentifier, 'guardrailIdentifier');
      const nextToken = queryValue(ctx, 'nextToken');
      if (nextToken !== undefined) validateShape(pattern('\\S*', { min: 1, max: 2048 }), nextToken, 'nextToken');
      const maxResults = parseMaxResults(queryValue(ctx, 'maxResults'));
      return {
        status: 200,
        body: await guardrails.list(ctx.caller, {
          guardrailIdentifier: guardrailIdentifier || undefined,
          maxResults,
          nextToken,
        }),
      };
    }),
    op('DeleteGuardrail', 'DELETE', '/guardrails/{guardrailIdentifier}', async (ctx) => {
      const id = label(ctx, 'guardrailIdentifier');
      const v = queryValue(ctx, 'guardrailVersion');
      const version = v === undefined ? undefined : (parseVersion(v, 'guardrailVersion', false) as number);
      return { status: 202, body: await guardrails.delete(ctx.caller, id, version) };
    }),
    op('CreateGuardrailVersion', 'POST', '/guardrails/{guardrailIdentifier}', async (ctx) => {
      const id = label(ctx, 'guardrailIdentifier');
      const body = validateShape<{ description?: string; clientRequestToken?: string }>(createVersionShape, ctx.body);
      return { status: 202, body: await guardrails.createVersion(ctx.caller, id, body) };
    }),
    op('PutEnforcedGuardrailConfiguration', 'PUT', '/enforcedGuardrailsConfiguration', async (ctx) => {
      const body = validateShape<PutEnforcedConfigRequest>(putEnforcedShape, ctx.body);
      const { body: out, warnings } = await enforcement.put(ctx.caller, body, ctx.requestId);
      // Warnings travel in the response metadata (a header), so AWS clients keep working unchanged.
      return { status: 200, body: out, ...(warnings.length ? { headers: { 'x-parapet-warnings': warningsHeader(warnings) } } : {}) };
    }),
    op('ListEnforcedGuardrailsConfiguration', 'GET', '/enforcedGuardrailsConfiguration', async (ctx) => {
      const nextToken = queryValue(ctx, 'nextToken');
      if (nextToken !== undefined) {
        validateShape(pattern('\\S*', { min: 1, max: 2048 }), nextToken, 'nextToken');
        // There is at most one configuration per account and Region: no page follows the first.
        throw validation(`The nextToken '${nextToken.slice(0, 64)}' is not valid: this list has a single page.`);
      }
      return { status: 200, body: await enforcement.list(ctx.caller) };
    }),
    op('DeleteEnforcedGuardrailConfiguration', 'DELETE', '/enforcedGuardrailsConfiguration/{configId}', async (ctx) => {
      const configId = validateShape<string>(CONFIG_ID, ctx.labels.configId ?? '', 'configId');
      return { status: 200, body: await enforcement.delete(ctx.caller, configId, ctx.requestId) };
    }),
    op(
      'PutResourcePolicy',
      'POST',
      '/resource-policy',
      async (ctx) => {
        const body = validateShape<{ resourceArn: string; resourcePolicy: string }>(putResourcePolicyShape, ctx.body);
        return { status: 201, body: await resourcePolicies.put(ctx.caller, body, ctx.requestId) };
      },
    ),
    op('GetResourcePolicy', 'GET', '/resource-policy/{resourceArn}', async (ctx) => {
      const arn = validateShape<string>(str({ min: 1, max: 255 }), ctx.labels.resourceArn ?? '', 'resourceArn');
      return { status: 200, body: await resourcePolicies.get(ctx.caller, arn) };
    }),
    op('DeleteResourcePolicy', 'DELETE', '/resource-policy/{resourceArn}', async (ctx) => {
      const arn = validateShape<string>(str({ min: 1, max: 255 }), ctx.labels.resourceArn ?? '', 'resourceArn');
      return { status: 200, body: await resourcePolicies.delete(ctx.caller, arn, ctx.requestId) };
    }),
    op('TagResource', 'POST', '/tagResource', async (ctx) => {
      const body = validateShape<{ resourceARN: string; tags: Tag[] }>(tagResourceShape, ctx.body);
      return { status: 200, body: await tags.tag(ctx.caller, body.resourceARN, body.tags) };
    }),
    op('UntagResource', 'POST', '/untagResource', async (ctx) => {
      const body = validateShape<{ resourceARN: string; tagKeys: string[] }>(untagResourceShape, ctx.body);
      return { status: 200, body: await tags.untag(ctx.caller, body.resourceARN, body.tagKeys) };
    }),
    op('ListTagsForResource', 'POST', '/listTagsForResource', async (ctx) => {
      const body = validateShape<{ resourceARN: string }>(listTagsShape, ctx.body);
      return { status: 200, body: await tags.list(ctx.caller, body.resourceARN) };
    }),
  ];
}

