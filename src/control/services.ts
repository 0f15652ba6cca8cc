/** Everything the operations need, built once by the composition root (server/serve.ts) and the tests. */
import type { Clock, Random } from '../core/ports.ts';
import type { AuditTrail } from '../audit/trail.ts';
import type { CompiledCache } from '../engine/cache.ts';
import type { Store } from '../store/types.ts';
import type { AccountService } from './accounts.ts';
import type { Authorizer } from './authorization.ts';
import type { GuardrailService } from './guardrails.ts';
import type { AdminService } from './admin.ts';
import type { EnforcementService } from './enforcement.ts';
import type { OrganizationService } from './organizations.ts';
import type { VerifyService } from './verify.ts';
import type { ResourcePolicyService } from './resource-policies.ts';
import type { TagService } from './tags.ts';

export interface Services {
  store: Store;
  clock: Clock;
  random: Random;
  /** Monotonic clock for latencies. */
  monotonic: Clock;
  compiled: CompiledCache;
  authz: Authorizer;
  audit: AuditTrail;
  accounts: AccountService;
  guardrails: GuardrailService;
  tags: TagService;
  enforcement: EnforcementService;
  resourcePolicies: ResourcePolicyService;
  organizations: OrganizationService;
  verify: VerifyService;
  admin: AdminService;
  /** Audit records written behind the answers (the gateway's group commits): drained before the trail is read. */
  pendingAudit?: { drain(): Promise<void> };
}
