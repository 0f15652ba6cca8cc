import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RestRequest, SafeguardsApi } from './api.ts';
import { applyPlan, failureMessage } from './apply.ts';
import { desiredState } from './desired.ts';
import { parseSafeguardsText } from './file.ts';
import type { Json } from './file-types.ts';
import { PHASE, plan } from './plan.ts';
import { type SafeguardsState, emptyIds } from './state.ts';

const MGMT = '111111111111';
const NOTHING: SafeguardsState = { guardrails: [], policies: [], enforcement: [] };

const FILE = `apiVersion: parapet/safeguards-v1
regions: [us-east-1, eu-west-1]
organization:
  units: [{ name: Engineering }]
  accounts: [{ name: team-a, unit: Engineering }]
guardrails:
  - name: baseline
    regions: [us-east-1, eu-west-1]
    publish: true
    resourcePolicy: { allow: organization }
    config: { blockedInputMessaging: a, blockedOutputsMessaging: b }
organizationPolicies:
  - name: baseline
    attach: [root]
    enforce: [{ guardrail: baseline }]
accountEnforcement:
  - { account: team-a, guardrail: baseline, regions: [eu-west-1] }
`;

interface Call {
  op: string;
  region?: string;
  accountId?: string;
  body: Json;
}

/**
 * A fake server: answers every write apply makes with made-up ids, records the calls, and fails the call for
 * which `fail` returns an error.
 */
function fakeApi(fail: (c: Call) => Error | undefined = () => undefined): SafeguardsApi & { calls: Call[] } {
  const calls: Call[] = [];
  const record = (c: Call): void => {
    const error = fail(c);
    if (error) throw error;
    calls.push(c);
  };
  return {
    calls,
    callerAccountId: async () => MGMT,
    async organizations(op, body = {}) {
      record({ op, body });
      switch (op) {
        case 'CreateOrganization':
          return { Organization: { Id: 'o-abcdefghij' } };
        case 'ListRoots':
          return { Roots: [{ Id: 'r-root' }] };
        case 'CreateOrganizationalUnit':
          return { OrganizationalUnit: { Id: `ou-root-${String(body.Name).toLowerCase()}` } };
        case 'CreateAccount':
          return { CreateAccountStatus: { State: 'SUCCEEDED', AccountId: '222222222222' } };
        case 'CreatePolicy':
          return { Policy: { PolicySummary: { Id: `p-${String(body.Name)}` } } };
        default:
          return {};
      }
    },
    async bedrock(region: string, req: RestRequest, accountId?: string) {
      const op = `${req.method} ${req.path.split('/').length > 2 ? req.path.replace(/\/[^/]+$/, '/{id}') : req.path}`;
      record({ op, region, ...(accountId ? { accountId } : {}), body: (req.body ?? {}) as Json });
      if (op === 'POST /guardrails') return { guardrailId: `g${region.replace(/-/g, '')}` };
      if (op === 'POST /guardrails/{id}') return { version: '1' };
      if (op === 'PUT /enforcedGuardrailsConfiguration') return { configId: `c-${region}` };
      return {};
    },
  };
}

function planned(file = FILE) {
  const loaded = parseSafeguardsText(file, 'f.yaml');
  const d = desiredState(loaded.file, NOTHING, { managementAccountId: MGMT, units: [], accounts: new Map() }, 'us-east-1');
  assert.deepEqual(d.problems, []);
  return plan(d.state, NOTHING, { prune: false }).changes;
}

describe('safeguards apply (against a fake API)', () => {
  it('applies every change in phase order, filling placeholders with the ids created earlier in the run', async () => {
    const changes = planned();
    const api = fakeApi();
    const r = await applyPlan(api, changes, emptyIds(MGMT));
    assert.equal(r.failed, undefined);
    assert.equal(r.done.length, changes.length);
    const phases = r.done.map((c) => PHASE[c.kind]);
    assert.deepEqual(phases, [...phases].sort((a, b) => a - b), 'phases never go back');

    assert.deepEqual(
      api.calls.map((c) => `${c.op}${c.region ? ` ${c.region}` : ''}`),
      [
        'CreateOrganization',
        'ListRoots',
        'EnablePolicyType',
        'CreateOrganizationalUnit',
        'CreateAccount',
        'MoveAccount',
        'POST /guardrails us-east-1',
        'POST /guardrails eu-west-1',
        'POST /guardrails/{id} us-east-1',
        'POST /guardrails/{id} eu-west-1',
        'POST /resource-policy us-east-1',
        'POST /resource-policy eu-west-1',
        'CreatePolicy',
        'AttachPolicy',
        'PUT /enforcedGuardrailsConfiguration eu-west-1',
      ],
    );
    const call = (op: string, region?: string): Call => {
      const c = api.calls.find((x) => x.op === op && (region === undefined || x.region === region));
      assert.ok(c, op);
      return c;
    };
    // The OU under the root just created, the account moved into it by the id CreateAccount gave.
    assert.equal(call('CreateOrganizationalUnit').body.ParentId, 'r-root');
    assert.deepEqual(call('MoveAccount').body, { AccountId: '222222222222', SourceParentId: 'r-root', DestinationParentId: 'ou-root-engineering' });
    // Each Region's resource policy names that Region's guardrail and the organization created.
    for (const region of ['us-east-1', 'eu-west-1']) {
      const arn = `arn:aws:bedrock:${region}:${MGMT}:guardrail/g${region.replace(/-/g, '')}`;
      const rp = call('POST /resource-policy', region).body;
      assert.equal(rp.resourceArn, arn);
      const doc = JSON.parse(String(rp.resourcePolicy)) as { Statement: Array<{ Resource: string; Condition: unknown }> };
      assert.equal(doc.Statement[0]?.Resource, arn);
      assert.deepEqual(doc.Statement[0]?.Condition, { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } });
    }
    // The policy enforces the version published in this run, in each Region.
    const content = JSON.parse(String(call('CreatePolicy').body.Content)) as { bedrock: { guardrail_inference: Record<string, { baseline: { identifier: unknown } }> } };
    assert.deepEqual(content.bedrock.guardrail_inference['eu-west-1']?.baseline.identifier, { '@@assign': `arn:aws:bedrock:eu-west-1:${MGMT}:guardrail/geuwest1:1` });
    assert.deepEqual(call('AttachPolicy').body, { PolicyId: 'p-baseline', TargetId: 'r-root' });
    // The account-level configuration is written as the account created, with the guardrail and version of its Region.
    const enf = call('PUT /enforcedGuardrailsConfiguration');
    assert.equal(enf.accountId, '222222222222');
    assert.deepEqual(enf.body.guardrailInferenceConfig, {
      guardrailIdentifier: `arn:aws:bedrock:eu-west-1:${MGMT}:guardrail/geuwest1`,
      guardrailVersion: '1',
      selectiveContentGuarding: { system: 'COMPREHENSIVE', messages: 'COMPREHENSIVE' },
      modelEnforcement: { includedModels: ['ALL'], excludedModels: [] },
    });
  });

  it('stops at the first error: nothing after it is called, and it says how many changes were made', async () => {
    const changes = planned();
    const api = fakeApi((c) =>
      c.op === 'POST /guardrails' && c.region === 'eu-west-1' ? Object.assign(new Error('The regex is not safe.'), { code: 'ValidationException' }) : undefined,
    );
    const r = await applyPlan(api, changes, emptyIds(MGMT));
    assert.equal(r.done.length, 6, 'organization, policy type, OU, account, move, the us-east-1 guardrail');
    assert.equal(r.failed?.change.kind, 'create-guardrail');
    assert.equal(api.calls.at(-1)?.op, 'POST /guardrails');
    assert.equal(api.calls.filter((c) => c.op === 'POST /guardrails').length, 1, 'the failed call is the last one made');
    assert.equal(
      failureMessage(r, changes.length),
      `apply stopped at "create guardrail baseline": ValidationException: The regex is not safe.\n` +
        `6 of ${changes.length} change(s) were made before it; fix the cause and run apply again to continue.`,
    );
    assert.equal(failureMessage({ done: r.done }, changes.length), undefined);
  });

  it('reports progress after each change, and never writes a placeholder it cannot fill', async () => {
    const seen: string[] = [];
    const r = await applyPlan(fakeApi(), planned().slice(0, 3), emptyIds(MGMT), { onDone: (c) => seen.push(c.kind) });
    assert.deepEqual(seen, ['create-organization', 'enable-policy-type', 'create-unit']);
    assert.equal(r.done.length, 3);

    // An account-level configuration of a guardrail nobody created: the change fails, nothing is sent.
    const enforcement = planned().filter((c) => c.kind === 'put-enforcement');
    const ids = emptyIds(MGMT);
    ids.accounts.set('team-a', '222222222222');
    const api = fakeApi();
    const failed = await applyPlan(api, enforcement, ids);
    assert.match(String((failed.failed?.error as Error).message), /is not known yet/);
    assert.deepEqual(api.calls, []);
  });
});
