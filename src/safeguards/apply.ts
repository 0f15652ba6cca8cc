/**
 * Carries out a plan through the public API, change by change in the plan's order, filling in the placeholders
 * with the ids known so far (those read from the server, and those of what this run created or published). It
 * stops at the first failure and says what was done before it; running it again continues from there, because
 * the next plan only holds what is still missing.
 */
import { type SafeguardsApi, errorCode } from './api.ts';
import { describeChange } from './format.ts';
import type { Json } from './file-types.ts';
import { compactConfig } from './guardrail-config.ts';
import type { Change } from './plan.ts';
import { MANAGEMENT, type ServerIds, enforcementKey } from './state.ts';
import { guardrailArn, render } from './symbols.ts';

export interface ApplyResult {
  done: Change[];
  failed?: { change: Change; error: unknown };
}

export interface ApplyHooks {
  /** Called after each change succeeded (the CLI prints progress). */
  onDone?(change: Change): void;
}

export async function applyPlan(api: SafeguardsApi, changes: readonly Change[], ids: ServerIds, hooks: ApplyHooks = {}): Promise<ApplyResult> {
  const done: Change[] = [];
  for (const change of changes) {
    try {
      await applyChange(api, change, ids);
    } catch (error) {
      return { done, failed: { change, error } };
    }
    done.push(change);
    hooks.onDone?.(change);
  }
  return { done };
}

/** Why a change failed: the AWS error code and message (ApiError and the SDKs both carry a code). */
export function failureReason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const code = errorCode(e);
  return code && code !== 'Error' ? `${code}: ${message}` : message;
}

/** What the CLI says when apply stopped: the change, the reason, and how much of the plan was done before it. */
export function failureMessage(result: ApplyResult, total: number): string | undefined {
  if (!result.failed) return undefined;
  return (
    `apply stopped at "${describeChange(result.failed.change)[1]}": ${failureReason(result.failed.error)}\n` +
    `${result.done.length} of ${total} change(s) were made before it; fix the cause and run apply again to continue.`
  );
}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined || v === '') throw new Error(`${what} is not known (was it created by an earlier change?)`);
  return v;
}

const parentId = (ids: ServerIds, path: string): string =>
  path === '' ? need(ids.rootId, 'the root') : need(ids.units.get(path), `the OU ${path}`);

function targetId(ids: ServerIds, target: string): string {
  if (target === 'root') return need(ids.rootId, 'the root');
  if (target.startsWith('ou:')) return need(ids.units.get(target.slice(3)), `the OU ${target.slice(3)}`);
  if (target.startsWith('account:')) return need(ids.accounts.get(target.slice(8)), `the account ${target.slice(8)}`);
  if (target.startsWith('id:')) return target.slice(3);
  throw new Error(`unknown policy target ${target}`);
}

function guardrailId(ids: ServerIds, region: string, name: string): string {
  return need(ids.guardrails.get(`${region}/${name}`), `the guardrail ${name} in ${region}`);
}

async function applyChange(api: SafeguardsApi, c: Change, ids: ServerIds): Promise<void> {
  const org = (op: string, body: Json = {}): Promise<Json> => api.organizations(op, body);
  switch (c.kind) {
    case 'create-organization': {
      const r = await org('CreateOrganization', { FeatureSet: 'ALL' });
      ids.orgId = String((r.Organization as Json).Id);
      ids.rootId = String((((await org('ListRoots')).Roots as Json[])[0] as Json).Id);
      return;
    }
    case 'enable-policy-type':
      await org('EnablePolicyType', { RootId: need(ids.rootId, 'the root'), PolicyType: 'BEDROCK_POLICY' });
      return;
    case 'create-unit': {
      const slash = c.path.lastIndexOf('/');
      const r = await org('CreateOrganizationalUnit', {
        ParentId: parentId(ids, slash < 0 ? '' : c.path.slice(0, slash)),
        Name: c.path.slice(slash + 1),
      });
      ids.units.set(c.path, String((r.OrganizationalUnit as Json).Id));
      return;
    }
    case 'create-account': {
      let status = (await org('CreateAccount', { AccountName: c.account.name, Email: c.account.email })).CreateAccountStatus as Json;
      // AWS creates accounts asynchronously; Parapet answers SUCCEEDED at once. Poll briefly either way.
      for (let i = 0; status.State === 'IN_PROGRESS' && i < 60; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        status = (await org('DescribeCreateAccountStatus', { CreateAccountRequestId: status.Id })).CreateAccountStatus as Json;
      }
      if (status.State === 'FAILED' || !status.AccountId)
        throw new Error(`CreateAccount of ${c.account.name} did not succeed: ${String(status.FailureReason ?? status.State)}`);
      ids.accounts.set(c.account.name, String(status.AccountId));
      return;
    }
    case 'move-account':
      await org('MoveAccount', {
        AccountId: need(ids.accounts.get(c.name), `the account ${c.name}`),
        SourceParentId: parentId(ids, c.from),
        DestinationParentId: parentId(ids, c.to),
      });
      return;
    case 'create-guardrail': {
      const r = await api.bedrock(c.region, { method: 'POST', path: '/guardrails', body: { name: c.name, ...compactConfig(c.config) } });
      ids.guardrails.set(`${c.region}/${c.name}`, String(r.guardrailId));
      return;
    }
    case 'update-guardrail':
      await api.bedrock(c.region, {
        method: 'PUT',
        path: `/guardrails/${encodeURIComponent(guardrailId(ids, c.region, c.name))}`,
        body: { name: c.name, ...compactConfig(c.config) },
      });
      return;
    case 'publish-version': {
      const r = await api.bedrock(c.region, {
        method: 'POST',
        path: `/guardrails/${encodeURIComponent(guardrailId(ids, c.region, c.name))}`,
        body: { description: 'published by parapet apply' },
      });
      ids.published.set(`${c.region}/${c.name}`, Number(r.version));
      return;
    }
    case 'put-resource-policy':
      await api.bedrock(c.region, {
        method: 'POST',
        path: '/resource-policy',
        body: {
          resourceArn: guardrailArn(c.region, ids.managementAccountId, guardrailId(ids, c.region, c.name)),
          resourcePolicy: JSON.stringify(render(c.document, ids)),
        },
      });
      return;
    case 'delete-resource-policy': {
      const arn = guardrailArn(c.region, ids.managementAccountId, guardrailId(ids, c.region, c.name));
      await api.bedrock(c.region, { method: 'DELETE', path: `/resource-policy/${encodeURIComponent(arn)}` });
      return;
    }
    case 'create-policy': {
      const r = await org('CreatePolicy', {
        Name: c.policy.name,
        Description: c.policy.description,
        Type: 'BEDROCK_POLICY',
        Content: JSON.stringify(render(c.policy.content, ids)),
      });
      ids.policies.set(c.policy.name, String(((r.Policy as Json).PolicySummary as Json).Id));
      return;
    }
    case 'update-policy':
      await org('UpdatePolicy', {
        PolicyId: need(ids.policies.get(c.policy.name), `the policy ${c.policy.name}`),
        Description: c.policy.description,
        Content: JSON.stringify(render(c.policy.content, ids)),
      });
      return;
    case 'attach-policy':
    case 'detach-policy':
      await org(c.kind === 'attach-policy' ? 'AttachPolicy' : 'DetachPolicy', {
        PolicyId: need(ids.policies.get(c.policy), `the policy ${c.policy}`),
        TargetId: targetId(ids, c.target),
      });
      return;
    case 'delete-policy':
      await org('DeletePolicy', { PolicyId: need(ids.policies.get(c.policy), `the policy ${c.policy}`) });
      ids.policies.delete(c.policy);
      return;
    case 'put-enforcement': {
      const e = c.enforcement;
      const key = enforcementKey(e);
      const configId = ids.enforcement.get(key);
      const r = await api.bedrock(
        e.region,
        {
          method: 'PUT',
          path: '/enforcedGuardrailsConfiguration',
          body: {
            ...(configId ? { configId } : {}),
            guardrailInferenceConfig: {
              guardrailIdentifier: render(e.guardrail, ids),
              guardrailVersion: render(String(e.version), ids),
              selectiveContentGuarding: { system: e.system, messages: e.messages },
              modelEnforcement: { includedModels: e.include, excludedModels: e.exclude },
            },
          },
        },
        accountIdOf(ids, e.account),
      );
      ids.enforcement.set(key, String(r.configId));
      return;
    }
    case 'delete-enforcement': {
      const key = enforcementKey(c);
      const configId = need(ids.enforcement.get(key), `the configuration of ${c.account} in ${c.region}`);
      await api.bedrock(c.region, { method: 'DELETE', path: `/enforcedGuardrailsConfiguration/${encodeURIComponent(configId)}` }, accountIdOf(ids, c.account));
      ids.enforcement.delete(key);
      return;
    }
    case 'delete-guardrail':
      await api.bedrock(c.region, { method: 'DELETE', path: `/guardrails/${encodeURIComponent(guardrailId(ids, c.region, c.name))}` });
      ids.guardrails.delete(`${c.region}/${c.name}`);
      return;
    case 'delete-unit':
      await org('DeleteOrganizationalUnit', { OrganizationalUnitId: need(ids.units.get(c.path), `the OU ${c.path}`) });
      ids.units.delete(c.path);
      return;
  }
}

function accountIdOf(ids: ServerIds, account: string): string {
  return account === MANAGEMENT ? ids.managementAccountId : need(ids.accounts.get(account), `the account ${account}`);
}
