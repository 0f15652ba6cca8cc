/** The `bedrock` control-plane operations (restJson1), wired to the guardrail and tag services. */
import { int, list, pattern, req, str, struct, validateShape } from '../../core/shapes.ts';
import { validation } from '../../core/errors.ts';
import { guardrailPoliciesMembers } from '../../engine/config/shape.ts';
import type { GuardrailConfig } from '../../engine/config/types.ts';
import { type CreateGuardrailRequest, type GuardrailService, parseVersion } from '../../control/guardrails.ts';
import type { TagService } from '../../control/tags.ts';
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

export function bedrockControlOperations(deps: { guardrails: GuardrailService; tags: TagService }): Operation[] {
  const { guardrails, tags } = deps;
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

