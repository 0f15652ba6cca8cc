/**
 * Put/Get/DeleteResourcePolicy on guardrails (API.md 4.5): who else may GetGuardrail / ApplyGuardrail. The
 * policy language is restricted as on AWS; anything else is a ValidationException that says why.
 */
import { GUARDRAIL_ARN_RE } from '../core/arn.ts';
import type { Caller } from '../core/caller.ts';
import { notFound, validation } from '../core/errors.ts';
import { isoTimestamp } from '../core/ports.ts';
import { parsePolicy, validateGuardrailResourcePolicy } from '../iam/index.ts';
import type { Services } from './services.ts';

export class ResourcePolicyService {
  readonly #s: Services;

  constructor(services: Services) {
    this.#s = services;
  }

  /** The guardrail the ARN names, in the caller's account and Region, after authorizing `action` on it. */
  async #guardrail(caller: Caller, resourceArn: string, action: string) {
    const m = GUARDRAIL_ARN_RE.exec(resourceArn);
    if (!m)
      throw validation(
        `resourceArn '${resourceArn}' is not a guardrail ARN (arn:aws:bedrock:{region}:{account}:guardrail/{id}); ` +
          'resource-based policies are supported on guardrails.',
      );
    const [, partition, region, accountId, guardrailId] = m;
    if (partition !== undefined || region !== caller.region || accountId !== caller.accountId || !guardrailId)
      throw notFound(
        `Guardrail ${resourceArn} was not found in account ${caller.accountId}, Region ${caller.region}. ` +
          'A resource policy is managed by the account that owns the guardrail, in its Region.',
      );
    await this.#s.authz.require({ caller, action, resource: resourceArn, resourceAccountId: accountId });
    const g = await this.#s.store.guardrails.get(accountId, region, guardrailId);
    if (!g) throw notFound(`Guardrail ${resourceArn} was not found.`);
    return g;
  }

  async put(caller: Caller, req: { resourceArn: string; resourcePolicy: string }, requestId?: string) {
    const g = await this.#guardrail(caller, req.resourceArn, 'bedrock:PutResourcePolicy');
    const parsed = parsePolicy(req.resourcePolicy, 'resource');
    if (!('policy' in parsed)) throw validation(`The resource policy is not valid: ${parsed.errors.join('; ')}`);
    validateGuardrailResourcePolicy(parsed.policy, { arn: g.arn, accountId: g.accountId, kind: 'guardrail' });
    const before = await this.#s.store.resourcePolicies.get(g.arn);
    await this.#s.store.resourcePolicies.put({
      resourceArn: g.arn,
      accountId: g.accountId,
      region: g.region,
      document: req.resourcePolicy,
      updatedAt: isoTimestamp(this.#s.clock.now()),
    });
    await this.#s.audit.record({
      accountId: g.accountId,
      principalArn: caller.principalArn,
      action: 'bedrock:PutResourcePolicy',
      region: g.region,
      resourceArn: g.arn,
      ...(requestId ? { requestId } : {}),
      before: before?.document,
      after: req.resourcePolicy,
    });
    return { resourceArn: g.arn };
  }

  async get(caller: Caller, resourceArn: string) {
    const g = await this.#guardrail(caller, resourceArn, 'bedrock:GetResourcePolicy');
    const p = await this.#s.store.resourcePolicies.get(g.arn);
    if (!p) throw notFound(`Guardrail ${g.arn} has no resource-based policy.`);
    return { resourcePolicy: p.document };
  }

  async delete(caller: Caller, resourceArn: string, requestId?: string) {
    const g = await this.#guardrail(caller, resourceArn, 'bedrock:DeleteResourcePolicy');
    const before = await this.#s.store.resourcePolicies.get(g.arn);
    if (!before || !(await this.#s.store.resourcePolicies.delete(g.arn)))
      throw notFound(`Guardrail ${g.arn} has no resource-based policy.`);
    await this.#s.audit.record({
      accountId: g.accountId,
      principalArn: caller.principalArn,
      action: 'bedrock:DeleteResourcePolicy',
      region: g.region,
      resourceArn: g.arn,
      ...(requestId ? { requestId } : {}),
      before: before.document,
    });
    return {};
  }
}
