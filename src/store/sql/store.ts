import type { SecretCipher, Store } from '../types.ts';
import { createAccessKeyRepo } from './access-keys.ts';
import { createAccountRepo } from './accounts.ts';
import { createGuardrailRepo } from './guardrails.ts';
import { createMetaRepo } from './meta.ts';
import type { SqlRuntime } from './runtime.ts';
import { createTagRepo } from './tags.ts';

/** Assembles the portable repositories over one dialect runtime. */
export function createSqlStore(
  kind: Store['kind'],
  rt: SqlRuntime,
  cipher: SecretCipher,
  close: () => Promise<void>,
): Store {
  return {
    kind,
    accounts: createAccountRepo(rt),
    accessKeys: createAccessKeyRepo(rt, cipher),
    guardrails: createGuardrailRepo(rt),
    tags: createTagRepo(rt),
    meta: createMetaRepo(rt),
    close,
  };
}
