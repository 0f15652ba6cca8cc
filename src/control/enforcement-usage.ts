/**
 * Which enforcements use a guardrail: account-level configurations (any account) and BEDROCK_POLICY documents of
 * the organization its owner manages. DeleteGuardrail refuses while any uses it (ResourceInUseException), so an
 * enforced guardrail cannot vanish from under the organization.
 */
import { ServiceError } from '../core/errors.ts';
import { parseBedrockPolicy } from '../org/index.ts';
import type { GuardrailRecord, Store } from '../store/types.ts';

export const BEDROCK_POLICY = 'BEDROCK_POLICY';

/** Human-readable uses of the guardrail (of `version` only, when given). */
export async function enforcementsUsing(store: Store, g: GuardrailRecord, version?: number): Promise<string[]> {
  const uses: string[] = [];
  for (const c of await store.enforcement.listForGuardrail(g.arn))
    if (version === undefined || c.guardrailVersion === version)
      uses.push(`account-level configuration ${c.configId} of account ${c.accountId} (${c.region}, version ${c.guardrailVersion})`);
  const org = await store.organizations.getForAccount(g.accountId);
  if (org && org.managementAccountId === g.accountId) {
    for (const p of await store.organizations.listPolicies(org.orgId, BEDROCK_POLICY)) {
      let ids;
      try {
        ids = parseBedrockPolicy(p.content).identifiers;
      } catch {
        continue;
      }
      for (const id of ids)
        if (id.guardrailArn === g.arn && (version === undefined || id.version === version))
          uses.push(`organization policy ${p.policyId} '${p.name}' (${id.region}, config '${id.configName}', version ${id.version})`);
    }
  }
  return uses;
}

export function inUseCheck(store: Store) {
  return async (g: GuardrailRecord, version?: number): Promise<void> => {
    const uses = await enforcementsUsing(store, g, version);
    if (uses.length === 0) return;
    const what = version === undefined ? `Guardrail ${g.arn}` : `Version ${version} of guardrail ${g.arn}`;
    throw new ServiceError(
      'ResourceInUseException',
      `${what} is enforced by ${uses.slice(0, 5).join('; ')}${uses.length > 5 ? ` and ${uses.length - 5} more` : ''}. ` +
        'Remove it from those enforcements (or point them at another guardrail) before deleting it.',
    );
  };
}
