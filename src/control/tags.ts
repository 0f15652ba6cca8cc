/** TagResource / UntagResource / ListTagsForResource on the caller's guardrails. */
import { GUARDRAIL_ARN_RE } from '../core/arn.ts';
import type { Caller } from '../core/caller.ts';
import { notFound, validation } from '../core/errors.ts';
import { LIMITS } from '../engine/config/shape.ts';
import type { Store, Tag } from '../store/types.ts';
import type { Authorizer } from './authorization.ts';

/** Tag keys starting with `aws:` are reserved for AWS, on create as on TagResource. */
export function checkTagKeys(tags: readonly Tag[]): void {
  for (const t of tags)
    if (t.key.toLowerCase().startsWith('aws:')) throw validation(`Tag key '${t.key}' uses the reserved prefix 'aws:'.`);
}

export class TagService {
  readonly #store: Store;
  readonly #authz: Authorizer;

  constructor(store: Store, authz: Authorizer) {
    this.#store = store;
    this.#authz = authz;
  }

  async #requireResource(caller: Caller, resourceArn: string, action: string): Promise<string> {
    const m = GUARDRAIL_ARN_RE.exec(resourceArn);
    if (!m)
      throw validation(
        `1 validation error detected: Value '${resourceArn}' at 'resourceARN' failed to satisfy constraint: ` +
          'Member must be the ARN of a taggable resource (arn:aws:bedrock:{region}:{account}:guardrail/{id})',
      );
    const [, partition, region, accountId, guardrailId] = m;
    if (partition !== undefined || region !== caller.region || accountId !== caller.accountId || !guardrailId)
      throw notFound(`Resource ${resourceArn} was not found in account ${caller.accountId}, Region ${caller.region}.`);
    await this.#authz.require({ caller, action, resource: resourceArn, resourceAccountId: accountId });
    const g = await this.#store.guardrails.get(caller.accountId, caller.region, guardrailId);
    if (!g) throw notFound(`Resource ${resourceArn} was not found.`);
    return g.arn;
  }

  async tag(caller: Caller, resourceArn: string, tags: Tag[]) {
    checkTagKeys(tags);
    const arn = await this.#requireResource(caller, resourceArn, 'bedrock:TagResource');
    await this.#store.tags.put(arn, tags, LIMITS.tagsPerResource);
    return {};
  }

  async untag(caller: Caller, resourceArn: string, keys: string[]) {
    const arn = await this.#requireResource(caller, resourceArn, 'bedrock:UntagResource');
    await this.#store.tags.remove(arn, keys);
    return {};
  }

  async list(caller: Caller, resourceArn: string) {
    const arn = await this.#requireResource(caller, resourceArn, 'bedrock:ListTagsForResource');
    return { tags: await this.#store.tags.list(arn) };
  }
}
