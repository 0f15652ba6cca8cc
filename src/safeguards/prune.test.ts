import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plan } from './plan.ts';
import type { EnforcementState, GuardrailState, SafeguardsState } from './state.ts';

const config = { blockedInputMessaging: 'a', blockedOutputsMessaging: 'b' };
const guardrail = (name: string): GuardrailState => ({ region: 'us-east-1', name, config, versions: [1], latestConfig: config });
const enforcement: EnforcementState = {
  account: 'team-b',
  region: 'us-east-1',
  guardrail: '${guardrail:us-east-1/scratch}',
  version: 1,
  system: 'COMPREHENSIVE',
  messages: 'COMPREHENSIVE',
  include: ['ALL'],
  exclude: [],
};
const org = { units: ['Engineering'], accounts: [{ name: 'team-b', unit: '' }, { name: 'contractor', unit: '' }], policyTypeEnabled: true };
const policy = { name: 'baseline', description: '', content: { bedrock: {} }, targets: ['root'] };

/** The file: one guardrail, the policy on the root, team-b only. */
const desired: SafeguardsState = { organization: { ...org, accounts: [{ name: 'team-b', unit: '' }] }, guardrails: [guardrail('baseline')], policies: [policy], enforcement: [] };
/** The server: also a guardrail, an attachment, an account-level configuration and an account the file does not name. */
const actual: SafeguardsState = {
  organization: org,
  guardrails: [guardrail('baseline'), guardrail('scratch')],
  policies: [{ ...policy, targets: ['ou:Engineering', 'root'] }],
  enforcement: [enforcement],
};

describe('safeguards planner: --prune', () => {
  it('without --prune, deletes and detaches nothing and lists what it keeps', () => {
    const p = plan(desired, actual, { prune: false });
    assert.deepEqual(p.changes, []);
    assert.deepEqual(p.unmanaged, [
      'account contractor (never removed by apply)',
      'guardrail scratch in us-east-1',
      'attachment of organization policy baseline to OU Engineering',
      'account-level configuration of team-b in us-east-1',
    ]);
  });

  it('with --prune, detaches before deleting the configuration before the guardrail it uses, and never an account', () => {
    const p = plan(desired, actual, { prune: true });
    assert.deepEqual(
      p.changes.map((c) => c.kind),
      ['detach-policy', 'delete-enforcement', 'delete-guardrail'],
    );
    assert.deepEqual(p.unmanaged, ['account contractor (never removed by apply)']);
  });

  it('attaches the new target before detaching the old one (moving a policy leaves no gap)', () => {
    const moved = plan({ ...desired, policies: [{ ...policy, targets: ['ou:Engineering'] }] }, { ...actual, policies: [policy] }, { prune: true });
    assert.deepEqual(
      moved.changes.filter((c) => c.kind.endsWith('-policy')).map((c) => c.kind),
      ['attach-policy', 'detach-policy'],
    );
  });
});
