/**
 * Reads the actual state of a server through its public API — the organization tree, the BEDROCK_POLICY
 * policies and their targets, and in each managed Region the management account's guardrails (DRAFT, versions,
 * resource policy) and every account's enforced configuration — in the planner's form, with the ids behind it.
 */
import type { SafeguardsApi } from './api.ts';
import { errorCode } from './api.ts';
import type { Json } from './file-types.ts';
import { configFromOutput, localKmsKey } from './guardrail-config.ts';
import type { KnownNames } from './desired.ts';
import {
  type AccountState,
  type EnforcementState,
  type GuardrailState,
  MANAGEMENT,
  type PolicyState,
  type SafeguardsState,
  type ServerIds,
  emptyIds,
  enforcementKey,
  guardrailKey,
} from './state.ts';
import { guardrailArn, symbolize } from './symbols.ts';

export interface ActualState {
  state: SafeguardsState;
  ids: ServerIds;
  known: KnownNames;
}

async function pages<T>(fetch: (token: string | undefined) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const r = await fetch(token);
    out.push(...r.items);
    token = r.next;
  } while (token);
  return out;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export async function readActualState(api: SafeguardsApi, regions: readonly string[]): Promise<ActualState> {
  const managementAccountId = await api.callerAccountId();
  const ids = emptyIds(managementAccountId);
  const state: SafeguardsState = { guardrails: [], policies: [], enforcement: [] };
  const known: KnownNames = { managementAccountId, units: [], accounts: new Map() };
  const unitOfAccount = new Map<string, string>();

  // ---- organization
  let org: Json | undefined;
  try {
    org = (await api.organizations('DescribeOrganization')).Organization as Json;
  } catch (e) {
    if (errorCode(e) !== 'AWSOrganizationsNotInUseException') throw e;
  }
  const rawPolicies: Array<{ id: string; name: string; description: string; content: Json; targets: string[] }> = [];
  if (org) {
    if (org.MasterAccountId !== managementAccountId)
      throw new Error(
        `These credentials are of account ${managementAccountId}, a member of organization ${str(org.Id)}: plan, apply and export ` +
          `work as its management account ${str(org.MasterAccountId)}.`,
      );
    ids.orgId = str(org.Id);
    const root = ((await api.organizations('ListRoots')).Roots as Json[] | undefined)?.[0];
    ids.rootId = str(root?.Id);
    const policyTypeEnabled = ((root?.PolicyTypes as Json[] | undefined) ?? []).some((t) => t.Type === 'BEDROCK_POLICY' && t.Status === 'ENABLED');
    const accounts: AccountState[] = [];
    const walk = async (parentId: string, path: string): Promise<void> => {
      const accs = await pages(async (NextToken) => {
        const r = await api.organizations('ListAccountsForParent', { ParentId: parentId, ...(NextToken ? { NextToken } : {}) });
        return { items: (r.Accounts as Json[]) ?? [], next: r.NextToken as string | undefined };
      });
      for (const a of accs) {
        const id = str(a.Id);
        const name = str(a.Name);
        if (id === managementAccountId) {
          known.managementAccountName = name;
          continue;
        }
        ids.accounts.set(name, id);
        unitOfAccount.set(name, path);
        accounts.push({ name, email: str(a.Email), unit: path });
      }
      const ous = await pages(async (NextToken) => {
        const r = await api.organizations('ListOrganizationalUnitsForParent', { ParentId: parentId, ...(NextToken ? { NextToken } : {}) });
        return { items: (r.OrganizationalUnits as Json[]) ?? [], next: r.NextToken as string | undefined };
      });
      for (const ou of ous) {
        const child = path ? `${path}/${str(ou.Name)}` : str(ou.Name);
        ids.units.set(child, str(ou.Id));
        await walk(str(ou.Id), child);
      }
    };
    await walk(ids.rootId, '');
    state.organization = { units: [...ids.units.keys()].sort(), accounts, policyTypeEnabled };
    known.units = state.organization.units;
    known.accounts = new Map(ids.accounts);
    if (known.managementAccountName) known.accounts = new Map([...known.accounts, [known.managementAccountName, managementAccountId]]);

    const summaries = await pages(async (NextToken) => {
      const r = await api.organizations('ListPolicies', { Filter: 'BEDROCK_POLICY', ...(NextToken ? { NextToken } : {}) });
      return { items: (r.Policies as Json[]) ?? [], next: r.NextToken as string | undefined };
    });
    const targetName = new Map<string, string>([[ids.rootId, 'root']]);
    for (const [path, id] of ids.units) targetName.set(id, `ou:${path}`);
    for (const [name, id] of ids.accounts) targetName.set(id, `account:${name}`);
    targetName.set(managementAccountId, `account:${MANAGEMENT}`);
    for (const s of summaries) {
      const id = str(s.Id);
      const p = (await api.organizations('DescribePolicy', { PolicyId: id })).Policy as Json;
      const targets = await pages(async (NextToken) => {
        const r = await api.organizations('ListTargetsForPolicy', { PolicyId: id, ...(NextToken ? { NextToken } : {}) });
        return { items: (r.Targets as Json[]) ?? [], next: r.NextToken as string | undefined };
      });
      let content: Json;
      try {
        content = JSON.parse(str(p.Content)) as Json;
      } catch {
        content = { unreadable: str(p.Content) };
      }
      ids.policies.set(str(s.Name), id);
      rawPolicies.push({
        id,
        name: str(s.Name),
        description: str(s.Description),
        content,
        targets: targets.map((t) => targetName.get(str(t.TargetId)) ?? `id:${str(t.TargetId)}`).sort(),
      });
    }
  }

  // ---- guardrails (first every id, so that the documents read next can be written with placeholders)
  const found: Array<{ region: string; id: string; name: string }> = [];
  for (const region of regions) {
    const list = await pages(async (nextToken) => {
      const r = await api.bedrock(region, { method: 'GET', path: '/guardrails', query: { maxResults: '1000', nextToken } });
      return { items: (r.guardrails as Json[]) ?? [], next: r.nextToken as string | undefined };
    });
    for (const g of list) {
      found.push({ region, id: str(g.id), name: str(g.name) });
      ids.guardrails.set(`${region}/${str(g.name)}`, str(g.id));
    }
  }
  for (const { region, id, name } of found) {
    const versions = (
      await pages(async (nextToken) => {
        const r = await api.bedrock(region, { method: 'GET', path: '/guardrails', query: { guardrailIdentifier: id, maxResults: '1000', nextToken } });
        return { items: (r.guardrails as Json[]) ?? [], next: r.nextToken as string | undefined };
      })
    )
      .map((v) => Number(v.version))
      .filter((n) => Number.isInteger(n))
      .sort((a, b) => a - b);
    const draft = await api.bedrock(region, { method: 'GET', path: `/guardrails/${encodeURIComponent(id)}` });
    const latest = versions.at(-1);
    const latestConfig =
      latest === undefined
        ? undefined
        : localKmsKey(
            configFromOutput(await api.bedrock(region, { method: 'GET', path: `/guardrails/${encodeURIComponent(id)}`, query: { guardrailVersion: String(latest) } })),
            region,
            managementAccountId,
          );
    let resourcePolicy: Json | undefined;
    try {
      const arn = guardrailArn(region, managementAccountId, id);
      const r = await api.bedrock(region, { method: 'GET', path: `/resource-policy/${encodeURIComponent(arn)}` });
      resourcePolicy = JSON.parse(str(r.resourcePolicy)) as Json;
    } catch (e) {
      if (errorCode(e) !== 'ResourceNotFoundException') throw e;
    }
    const config = localKmsKey(configFromOutput(draft), region, managementAccountId);
    const g: GuardrailState = { region, name, config, versions };
    if (latestConfig) {
      // A version's description is the one given when it was published, not the guardrail's: not compared.
      delete latestConfig.description;
      g.latestConfig = config.description === undefined ? latestConfig : { ...latestConfig, description: config.description };
    }
    if (resourcePolicy) g.resourcePolicy = symbolize(resourcePolicy, ids);
    state.guardrails.push(g);
  }
  state.guardrails.sort((a, b) => guardrailKey(a).localeCompare(guardrailKey(b)));

  state.policies = rawPolicies.map(
    (p): PolicyState => ({ name: p.name, description: p.description, content: symbolize(p.content, ids), targets: p.targets }),
  );

  // ---- account-level configurations of every account, in every managed Region
  for (const [account, accountId] of ids.accounts) {
    for (const region of regions) {
      const r = await api.bedrock(region, { method: 'GET', path: '/enforcedGuardrailsConfiguration' }, accountId);
      const c = ((r.guardrailsConfig as Json[] | undefined) ?? [])[0];
      if (!c) continue;
      const guarding = (c.selectiveContentGuarding as Json | undefined) ?? {};
      const models = c.modelEnforcement as { includedModels?: string[]; excludedModels?: string[] } | undefined;
      const e: EnforcementState = {
        account,
        region,
        guardrail: symbolize(str(c.guardrailArn), ids),
        version: /^\d+$/.test(str(c.guardrailVersion)) ? Number(c.guardrailVersion) : str(c.guardrailVersion),
        system: guarding.system === 'SELECTIVE' ? 'SELECTIVE' : 'COMPREHENSIVE',
        messages: guarding.messages === 'SELECTIVE' ? 'SELECTIVE' : 'COMPREHENSIVE',
        include: models?.includedModels ?? ['ALL'],
        exclude: models?.excludedModels ?? [],
      };
      ids.enforcement.set(enforcementKey(e), str(c.configId));
      state.enforcement.push(e);
    }
  }
  return { state, ids, known };
}
