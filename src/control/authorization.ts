/**
 * Authorization of every operation: the caller's identity policies (root: everything in its own account; users:
 * their inline policies; assumed-role sessions: the role's policies) combined with the resource's policy, with
 * the organization condition keys (`aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`) of the caller's account.
 */
import { principalKindOf, type Caller } from '../core/caller.ts';
import { accessDenied } from '../core/errors.ts';
import { isoTimestamp, type Clock } from '../core/ports.ts';
import {
  authorize,
  type Evaluation,
  type LabelledPolicy,
  parsePolicy,
  principalConditionKeys,
} from '../iam/index.ts';
import type { OrganizationRecord, Store } from '../store/types.ts';

export interface AccessRequest {
  caller: Caller;
  /** e.g. `bedrock:GetGuardrail` */
  action: string;
  /** The resource ARN (`*` for actions without a resource). */
  resource: string;
  /**
   * Other names of the same resource (e.g. `…:guardrail/id:1` for a version): the request is denied if a Deny
   * matches any name, allowed if an Allow matches any.
   */
  resourceAlternatives?: readonly string[];
  resourceAccountId: string;
  /** The resource-based policy (JSON text), when the resource has one. */
  resourcePolicy?: string | undefined;
  /** Extra condition keys, e.g. `bedrock:GuardrailIdentifier`. */
  extraKeys?: Record<string, string | string[]>;
}

export interface OrgPosition {
  org: OrganizationRecord;
  /** `o-…/r-…/ou-…/…/` as in `aws:PrincipalOrgPaths` (the account's parent path). */
  path: string;
  /** Root → … → parent ids. */
  ancestors: string[];
}

/** The root of an account may do anything in its own account; across accounts its identity side allows all too. */
const ROOT_POLICY: LabelledPolicy = {
  label: 'account-root',
  policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['*'], Resource: ['*'] }] },
};

export class Authorizer {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** The account's organization and its position in it; undefined for a standalone account. */
  async orgPosition(accountId: string): Promise<OrgPosition | undefined> {
    const m = await this.#store.organizations.getMembership(accountId);
    if (!m) return undefined;
    const org = await this.#store.organizations.get(m.orgId);
    if (!org) return undefined;
    const chain: string[] = [];
    let parent: string | undefined = m.parentId;
    // Bounded walk: OUs nest at most 5 deep on AWS; a corrupt cycle must not hang the request.
    for (let depth = 0; parent !== undefined && depth < 16; depth++) {
      chain.unshift(parent);
      if (parent === org.rootId) break;
      parent = (await this.#store.organizations.getOu(parent))?.parentId;
    }
    return { org, path: `${org.orgId}/${chain.join('/')}/`, ancestors: chain };
  }

  async identityPolicies(caller: Caller): Promise<LabelledPolicy[]> {
    const kind = principalKindOf(caller.principalArn);
    if (kind === 'root') return [ROOT_POLICY];
    const holder = kind === 'assumed-role' ? caller.session?.roleArn : caller.principalArn;
    if (!holder) return [];
    const out: LabelledPolicy[] = [];
    for (const p of await this.#store.principals.listPolicies(holder)) {
      // A stored policy that no longer parses grants nothing (fail closed).
      const parsed = parsePolicy(p.document, 'identity');
      if ('policy' in parsed) out.push({ label: `${holder}#${p.policyName}`, policy: parsed.policy });
    }
    return out;
  }

  async evaluate(req: AccessRequest): Promise<Evaluation> {
    if (!req.resourceAlternatives?.length) return this.#evaluateOne(req);
    const all = [req.resource, ...req.resourceAlternatives];
    const results = await Promise.all(all.map((resource) => this.#evaluateOne({ ...req, resource })));
    const deny = results.find((r) => r.decision === 'ExplicitDeny');
    if (deny) return deny;
    return results.find((r) => r.decision === 'Allow') ?? results[0] ?? { decision: 'ImplicitDeny', reasons: [] };
  }

  async #evaluateOne(req: AccessRequest): Promise<Evaluation> {
    const pos = await this.orgPosition(req.caller.accountId);
    const conditionKeys = {
      ...principalConditionKeys({
        arn: req.caller.principalArn,
        accountId: req.caller.accountId,
        ...(pos ? { orgId: pos.org.orgId, orgPath: pos.path } : {}),
        region: req.caller.region,
      }),
      'aws:CurrentTime': isoTimestamp(this.#clock.now()),
      ...req.extraKeys,
    };
    let resource: LabelledPolicy | undefined;
    if (req.resourcePolicy !== undefined) {
      const parsed = parsePolicy(req.resourcePolicy, 'resource');
      if ('policy' in parsed) resource = { label: `resource-policy(${req.resource})`, policy: parsed.policy };
    }
    return authorize({
      identity: await this.identityPolicies(req.caller),
      resource,
      resourceAccountId: req.resourceAccountId,
      ctx: {
        principal: { arn: req.caller.principalArn, accountId: req.caller.accountId },
        action: req.action,
        resource: req.resource,
        conditionKeys,
      },
    });
  }

  /** Throws AccessDeniedException in AWS's words, naming what would have to allow it. */
  async require(req: AccessRequest): Promise<Evaluation> {
    const e = await this.evaluate(req);
    if (e.decision === 'Allow') return e;
    throw accessDenied(denialMessage(req, e));
  }
}

export function denialMessage(req: AccessRequest, e: Evaluation): string {
  const head = `User: ${req.caller.principalArn} is not authorized to perform: ${req.action} on resource: ${req.resource}`;
  if (e.decision === 'ExplicitDeny') return `${head} with an explicit deny (${e.reasons.join(', ')})`;
  if (req.caller.accountId !== req.resourceAccountId)
    return `${head} because no resource-based policy allows the ${req.action} action`;
  return `${head} because no identity-based policy allows the ${req.action} action`;
}
