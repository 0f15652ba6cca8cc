/**
 * Guardrail control plane: CreateGuardrail, UpdateGuardrail, GetGuardrail, ListGuardrails,
 * DeleteGuardrail, CreateGuardrailVersion. Inputs arrive shape-validated; every config is compiled
 * here, so a config that cannot run is refused before it is stored.
 */
import { createHash } from 'node:crypto';
import { guardrailArn, parseGuardrailIdentifier } from '../core/arn.ts';
import type { Caller } from '../core/caller.ts';
import { notFound, validation } from '../core/errors.ts';
import { type Clock, isoTimestamp, newGuardrailId, type Random } from '../core/ports.ts';
import type { AuditTrail } from '../audit/trail.ts';
import type { CompiledCache } from '../engine/cache.ts';
import { LIMITS } from '../engine/config/shape.ts';
import type { GuardrailConfig } from '../engine/config/types.ts';
import type { GuardrailRecord, GuardrailVersionRecord, Store, Tag } from '../store/types.ts';
import type { Authorizer } from './authorization.ts';
import { checkTagKeys } from './tags.ts';
import { crossRegionDetails, policiesOutput } from './guardrail-output.ts';

export interface ControlDeps {
  store: Store;
  clock: Clock;
  random: Random;
  compiled: CompiledCache;
  authz: Authorizer;
  /** Throws ResourceInUseException when an enforcement uses the guardrail (or that version). */
  inUse?: (g: GuardrailRecord, version?: number) => Promise<void>;
  /** Every change (create, update, version, delete) is appended here. */
  audit?: AuditTrail;
}

/** Operations another account may perform on a guardrail when its resource-based policy allows them. */
const CROSS_ACCOUNT_ACTIONS = new Set(['bedrock:GetGuardrail', 'bedrock:ApplyGuardrail']);

export interface CreateGuardrailRequest extends GuardrailConfig {
  tags?: Tag[];
  clientRequestToken?: string;
}

export type GuardrailVersionSelector = number | 'DRAFT';

const NUMERIC_VERSION_RE = /^[1-9][0-9]{0,7}$/;

/** Parse a `GuardrailVersion` (`DRAFT` or 1..99999999); `allowDraft: false` for numeric-only members. */
export function parseVersion(value: string, member: string, allowDraft = true): GuardrailVersionSelector {
  if (allowDraft && value === 'DRAFT') return 'DRAFT';
  if (NUMERIC_VERSION_RE.test(value)) return Number(value);
  const pattern = allowDraft ? '(([1-9][0-9]{0,7})|(DRAFT))' : '[1-9][0-9]{0,7}';
  throw validation(
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ` +
      `Member must satisfy regular expression pattern: ${pattern}`,
  );
}

/** Stable JSON (sorted keys) so equal requests hash equally. */
function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

export function requestHash(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('hex');
}

function configOf(req: GuardrailConfig): GuardrailConfig {
  const {
    name,
    description,
    blockedInputMessaging,
    blockedOutputsMessaging,
    kmsKeyId,
    topicPolicyConfig,
    contentPolicyConfig,
    wordPolicyConfig,
    sensitiveInformationPolicyConfig,
    contextualGroundingPolicyConfig,
    automatedReasoningPolicyConfig,
    crossRegionConfig,
  } = req;
  const config: GuardrailConfig = { name, blockedInputMessaging, blockedOutputsMessaging };
  if (description !== undefined) config.description = description;
  if (kmsKeyId !== undefined) config.kmsKeyId = kmsKeyId;
  if (topicPolicyConfig) config.topicPolicyConfig = topicPolicyConfig;
  if (contentPolicyConfig) config.contentPolicyConfig = contentPolicyConfig;
  if (wordPolicyConfig) config.wordPolicyConfig = wordPolicyConfig;
  if (sensitiveInformationPolicyConfig) config.sensitiveInformationPolicyConfig = sensitiveInformationPolicyConfig;
  if (contextualGroundingPolicyConfig) config.contextualGroundingPolicyConfig = contextualGroundingPolicyConfig;
  if (automatedReasoningPolicyConfig) config.automatedReasoningPolicyConfig = automatedReasoningPolicyConfig;
  if (crossRegionConfig) config.crossRegionConfig = crossRegionConfig;
  return config;
}

export function guardrailNotFound(identifier: string, caller: Caller): Error {
  return notFound(
    `Guardrail '${identifier}' was not found in account ${caller.accountId}, Region ${caller.region}. ` +
      'Check the identifier, the Region your client signs for, and the account of your credentials.',
  );
}

function versionNotFound(identifier: string, version: number): Error {
  return notFound(`Version ${version} of guardrail '${identifier}' was not found.`);
}

export class GuardrailService {
  readonly #deps: ControlDeps;

  constructor(deps: ControlDeps) {
    this.#deps = deps;
  }

  async #audit(caller: Caller, action: string, resourceArn: string, change: { before?: unknown; after?: unknown; detail?: unknown }) {
    await this.#deps.audit?.record({
      accountId: caller.accountId,
      principalArn: caller.principalArn,
      region: caller.region,
      action,
      resourceArn,
      ...change,
    });
  }

  /**
   * Resolve an id or ARN to a guardrail in the caller's Region and authorize `action` on it. A guardrail of
   * another account is reachable by ARN for GetGuardrail and ApplyGuardrail when its resource-based policy
   * (and the caller's identity policies) allow it; authorization comes before existence, so a denied caller
   * learns nothing about the other account.
   */
  async access(caller: Caller, identifier: string, action: string, version?: GuardrailVersionSelector): Promise<GuardrailRecord> {
    const ref = parseGuardrailIdentifier(identifier);
    if (!ref)
      throw validation(
        `1 validation error detected: Value '${identifier}' at 'guardrailIdentifier' failed to satisfy constraint: ` +
          'Member must be a guardrail id ([a-z0-9]+) or a guardrail ARN (arn:aws:bedrock:{region}:{account}:guardrail/{id})',
      );
    const owner = ref.accountId ?? caller.accountId;
    if (
      (ref.partition && ref.partition !== 'aws') ||
      (ref.region && ref.region !== caller.region) ||
      (owner !== caller.accountId && !CROSS_ACCOUNT_ACTIONS.has(action))
    )
      throw guardrailNotFound(identifier, caller);
    const arn = guardrailArn(caller.region, owner, ref.guardrailId);
    const policy = await this.#deps.store.resourcePolicies.get(arn);
    await this.#deps.authz.require({
      caller,
      action,
      resource: arn,
      ...(typeof version === 'number' ? { resourceAlternatives: [`${arn}:${version}`] } : {}),
      resourceAccountId: owner,
      resourcePolicy: policy?.document,
    });
    const rec = await this.#deps.store.guardrails.get(owner, caller.region, ref.guardrailId);
    if (!rec) throw guardrailNotFound(identifier, caller);
    return rec;
  }

  /** The ARN pattern IAM checks for actions on no particular guardrail (Create, List). */
  #anyGuardrail(caller: Caller): string {
    return guardrailArn(caller.region, caller.accountId, '*');
  }

  async create(caller: Caller, req: CreateGuardrailRequest) {
    await this.#deps.authz.require({
      caller,
      action: 'bedrock:CreateGuardrail',
      resource: this.#anyGuardrail(caller),
      resourceAccountId: caller.accountId,
    });
    checkTagKeys(req.tags ?? []);
    const config = configOf(req);
    const guardrailId = newGuardrailId(this.#deps.random);
    const arn = guardrailArn(caller.region, caller.accountId, guardrailId);
    // A config that cannot run → ValidationException before anything is stored; the compiled DRAFT
    // stays cached for the first ApplyGuardrail.
    this.#deps.compiled.draft(arn, config);
    const now = isoTimestamp(this.#deps.clock.now());
    const rec = await this.#deps.store.guardrails.create({
      record: {
        accountId: caller.accountId,
        region: caller.region,
        guardrailId,
        arn,
        config,
        status: 'READY',
        latestVersion: 0,
        createdAt: now,
        updatedAt: now,
      },
      clientRequestToken: req.clientRequestToken,
      requestHash: requestHash({ config, tags: req.tags ?? [] }),
      maxPerAccountRegion: LIMITS.guardrailsPerAccountRegion,
      tags: req.tags,
      maxTags: LIMITS.tagsPerResource,
    });
    // An idempotent replay returns the guardrail created before: only a real creation is recorded.
    if (rec.guardrailId === guardrailId)
      await this.#audit(caller, 'bedrock:CreateGuardrail', rec.arn, { after: { config, tags: req.tags ?? [] } });
    return { guardrailId: rec.guardrailId, guardrailArn: rec.arn, version: 'DRAFT', createdAt: rec.createdAt };
  }

  async update(caller: Caller, identifier: string, req: GuardrailConfig) {
    const current = await this.access(caller, identifier, 'bedrock:UpdateGuardrail');
    const config = configOf(req);
    this.#deps.compiled.draft(current.arn, config);
    const now = isoTimestamp(this.#deps.clock.now());
    const rec = await this.#deps.store.guardrails.updateDraft(
      caller.accountId,
      caller.region,
      current.guardrailId,
      config,
      now,
    );
    if (!rec) throw guardrailNotFound(identifier, caller);
    await this.#audit(caller, 'bedrock:UpdateGuardrail', rec.arn, { before: current.config, after: config });
    return { guardrailId: rec.guardrailId, guardrailArn: rec.arn, version: 'DRAFT', updatedAt: rec.updatedAt };
  }

  /** The DRAFT or a numbered version, as stored. */
  async getConfig(
    caller: Caller,
    identifier: string,
    version: GuardrailVersionSelector,
    action = 'bedrock:GetGuardrail',
  ): Promise<{ guardrail: GuardrailRecord; version?: GuardrailVersionRecord }> {
    const guardrail = await this.access(caller, identifier, action, version);
    if (version === 'DRAFT') return { guardrail };
    const v = await this.#deps.store.guardrails.getVersion(guardrail.accountId, guardrail.region, guardrail.guardrailId, version);
    if (!v) throw versionNotFound(identifier, version);
    return { guardrail, version: v };
  }

  async get(caller: Caller, identifier: string, version: GuardrailVersionSelector) {
    const { guardrail, version: v } = await this.getConfig(caller, identifier, version);
    const config = v?.config ?? guardrail.config;
    const description = v?.description ?? config.description;
    return {
      name: config.name,
      guardrailId: guardrail.guardrailId,
      guardrailArn: guardrail.arn,
      version: v ? String(v.version) : 'DRAFT',
      status: guardrail.status,
      ...(description ? { description } : {}),
      ...policiesOutput(config, guardrail.region, guardrail.accountId),
      createdAt: v?.createdAt ?? guardrail.createdAt,
      updatedAt: v?.updatedAt ?? guardrail.updatedAt,
      blockedInputMessaging: config.blockedInputMessaging,
      blockedOutputsMessaging: config.blockedOutputsMessaging,
    };
  }

  async list(caller: Caller, req: { guardrailIdentifier?: string; maxResults?: number; nextToken?: string }) {
    const maxResults = req.maxResults ?? 100;
    if (!req.guardrailIdentifier) {
      await this.#deps.authz.require({
        caller,
        action: 'bedrock:ListGuardrails',
        resource: this.#anyGuardrail(caller),
        resourceAccountId: caller.accountId,
      });
      const page = await this.#deps.store.guardrails.list(caller.accountId, caller.region, {
        maxResults,
        nextToken: req.nextToken,
      });
      return {
        guardrails: page.items.map((g) => summary(g, g.config, 'DRAFT', g.createdAt, g.updatedAt, caller)),
        ...(page.nextToken ? { nextToken: page.nextToken } : {}),
      };
    }
    // Every version of one guardrail: the DRAFT first, then the numbered versions ascending.
    const g = await this.access(caller, req.guardrailIdentifier, 'bedrock:ListGuardrails');
    const items = [];
    let remaining = maxResults;
    if (!req.nextToken) {
      items.push(summary(g, g.config, 'DRAFT', g.createdAt, g.updatedAt, caller));
      remaining -= 1;
    }
    let nextToken: string | undefined;
    if (remaining > 0) {
      const page = await this.#deps.store.guardrails.listVersions(caller.accountId, caller.region, g.guardrailId, {
        maxResults: remaining,
        nextToken: req.nextToken === FIRST_VERSION_PAGE ? undefined : req.nextToken,
      });
      for (const v of page.items)
        items.push(summary(g, v.config, String(v.version), v.createdAt, v.updatedAt, caller, v.description));
      nextToken = page.nextToken;
    } else if (g.latestVersion > 0) {
      // The first page held only the DRAFT; probe whether versions exist before offering a token.
      const probe = await this.#deps.store.guardrails.listVersions(caller.accountId, caller.region, g.guardrailId, {
        maxResults: 1,
      });
      if (probe.items.length > 0) nextToken = FIRST_VERSION_PAGE;
    }
    return { guardrails: items, ...(nextToken ? { nextToken } : {}) };
  }

  async delete(caller: Caller, identifier: string, version?: number) {
    const g = await this.access(caller, identifier, 'bedrock:DeleteGuardrail', version);
    await this.#deps.inUse?.(g, version);
    if (version !== undefined) {
      const ok = await this.#deps.store.guardrails.deleteVersion(caller.accountId, caller.region, g.guardrailId, version);
      if (!ok) throw versionNotFound(identifier, version);
      this.#deps.compiled.forget(g.arn, version);
      await this.#audit(caller, 'bedrock:DeleteGuardrail', `${g.arn}:${version}`, { detail: { version } });
      return {};
    }
    await this.#deps.store.guardrails.delete(caller.accountId, caller.region, g.guardrailId);
    await this.#deps.store.resourcePolicies.delete(g.arn);
    this.#deps.compiled.forget(g.arn);
    await this.#audit(caller, 'bedrock:DeleteGuardrail', g.arn, { before: g.config });
    return {};
  }

  async createVersion(caller: Caller, identifier: string, req: { description?: string; clientRequestToken?: string }) {
    const g = await this.access(caller, identifier, 'bedrock:CreateGuardrailVersion');
    const v = await this.#deps.store.guardrails.createVersion({
      accountId: caller.accountId,
      region: caller.region,
      guardrailId: g.guardrailId,
      description: req.description,
      createdAt: isoTimestamp(this.#deps.clock.now()),
      clientRequestToken: req.clientRequestToken,
      requestHash: requestHash({ description: req.description ?? null }),
      maxVersions: LIMITS.versionsPerGuardrail,
    });
    if (!v) throw guardrailNotFound(identifier, caller);
    if (v.version > g.latestVersion)
      await this.#audit(caller, 'bedrock:CreateGuardrailVersion', `${g.arn}:${v.version}`, {
        after: { version: v.version, description: req.description ?? null, config: v.config },
      });
    return { guardrailId: g.guardrailId, version: String(v.version) };
  }
}

/**
 * ListGuardrails with an identifier pages over [DRAFT, 1, 2, …]; when the first page holds only the
 * DRAFT, the next page starts at the first version. This token stands for "versions from the start".
 */
export const FIRST_VERSION_PAGE = 'versions';

function summary(
  g: GuardrailRecord,
  config: GuardrailConfig,
  version: string,
  createdAt: string,
  updatedAt: string,
  caller: Caller,
  versionDescription?: string,
) {
  const cr = crossRegionDetails(config, caller.region, caller.accountId);
  const description = versionDescription ?? config.description;
  return {
    id: g.guardrailId,
    arn: g.arn,
    status: g.status,
    name: config.name,
    ...(description ? { description } : {}),
    version,
    createdAt,
    updatedAt,
    ...(cr ? { crossRegionDetails: cr } : {}),
  };
}
