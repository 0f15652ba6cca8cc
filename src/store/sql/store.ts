import type { ChangeFeed, SecretCipher, Store } from '../types.ts';
import { createAccessKeyRepo } from './access-keys.ts';
import { createAccountRepo } from './accounts.ts';
import { createAuditRepo } from './audit.ts';
import { createEnforcementConfigRepo } from './enforcement.ts';
import { createGuardrailRepo } from './guardrails.ts';
import { createMetaRepo } from './meta.ts';
import { createOrganizationRepo } from './organizations.ts';
import { createPrincipalRepo } from './principals.ts';
import { createResourcePolicyRepo } from './resource-policies.ts';
import { ChangeCounter, WriteDetector } from './change-counter.ts';
import type { SqlRuntime } from './runtime.ts';
import { createSessionRepo } from './sessions.ts';
import { createStateTransfer } from './state.ts';
import { createTagRepo } from './tags.ts';

/**
 * Assembles the portable repositories over one dialect runtime. With a change feed, every event it reports
 * (other processes' commits, and this one's) also bumps the change count.
 */
export function createSqlStore(
  kind: Store['kind'],
  rt: SqlRuntime,
  cipher: SecretCipher,
  close: () => Promise<void>,
  changes?: ChangeFeed,
): Store {
  const counter = new ChangeCounter();
  changes?.subscribe(() => counter.bump());
  const base = rt;
  rt = {
    db: base.db.withPlugin(new WriteDetector(() => counter.bump())),
    async writeTx(keys, fn) {
      let wrote = false;
      const result = await base.writeTx(keys, (tx) => fn(tx.withPlugin(new WriteDetector(() => (wrote = true)))));
      if (wrote) counter.bump(); // committed
      return result;
    },
  };
  return {
    kind,
    changeCount: () => counter.count,
    ...(changes ? { changes } : {}),
    accounts: createAccountRepo(rt),
    accessKeys: createAccessKeyRepo(rt, cipher),
    guardrails: createGuardrailRepo(rt),
    tags: createTagRepo(rt),
    meta: createMetaRepo(rt),
    organizations: createOrganizationRepo(rt),
    principals: createPrincipalRepo(rt),
    sessions: createSessionRepo(rt, cipher),
    resourcePolicies: createResourcePolicyRepo(rt),
    enforcement: createEnforcementConfigRepo(rt),
    audit: createAuditRepo(rt),
    state: createStateTransfer(kind, rt),
    close,
  };
}
