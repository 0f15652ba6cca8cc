import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PHASE, plan } from './plan.ts';
import { parseSafeguardsText } from './file.ts';
import { canonicalConfig, compactConfig } from './guardrail-config.ts';
import type { SafeguardsState } from './state.ts';
import { withChangeSource, currentChangeSource, withSourceDetail } from '../audit/change-source.ts';

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const region = fc.constantFrom('us-east-1', 'eu-west-1');
const state: fc.Arbitrary<SafeguardsState> = fc.record({
  organization: fc.option(fc.record({ units: fc.uniqueArray(name, { maxLength: 3 }), accounts: fc.constant(null).map(() => []), policyTypeEnabled: fc.boolean() }), { nil: undefined }),
  guardrails: fc.uniqueArray(
    fc.record({ region, name, config: fc.constant({ blockedInputMessaging: 'a', blockedOutputsMessaging: 'b' }), versions: fc.constant(null).map(() => [1]), publish: fc.boolean() }),
    { selector: (g) => `${g.region}/${g.name}`, maxLength: 4 },
  ),
  policies: fc.uniqueArray(fc.record({ name, description: fc.string(), content: fc.constant({ bedrock: {} }), targets: fc.constant(null).map(() => ['root']) }), { selector: (p) => p.name, maxLength: 3 }),
  enforcement: fc.constant(null).map(() => []),
}).map((s) => ({ ...s, guardrails: s.guardrails.map((g) => ({ ...g, latestConfig: g.config })) }));

describe('safeguards planner', () => {
  it('plan(x, x) is empty, with or without prune', () => {
    fc.assert(fc.property(state, (s) => plan(s, s, { prune: true }).changes.length === 0));
  });

  it('plan(x, nothing) creates everything in dependency order, and pruning the other way deletes it in order', () => {
    const empty: SafeguardsState = { guardrails: [], policies: [], enforcement: [] };
    fc.assert(
      fc.property(state, (s) => {
        for (const changes of [plan(s, empty, { prune: true }).changes, plan(empty, s, { prune: true }).changes]) {
          const phases = changes.map((c) => PHASE[c.kind]);
          assert.deepEqual(phases, [...phases].sort((a, b) => a - b));
        }
      }),
    );
  });

  it('canonical configs survive the compact file form', () => {
    const c = canonicalConfig({ blockedInputMessaging: 'a', blockedOutputsMessaging: 'b', contentPolicyConfig: { filtersConfig: [{ type: 'HATE', inputStrength: 'HIGH', outputStrength: 'LOW', inputAction: 'NONE' }] } });
    assert.deepEqual(canonicalConfig(compactConfig(c)), c);
  });

  it('reports schema problems with the path of the bad field', () => {
    assert.throws(() => parseSafeguardsText('apiVersion: parapet/safeguards-v1\naccountEnforcement:\n  - account: a\n    guardrail: g\n    system: SOMETIMES\n', 'f.yaml'), /accountEnforcement\[0\]\.system: must be one of "SELECTIVE", "COMPREHENSIVE"/);
    assert.throws(() => parseSafeguardsText('{"format":"parapet-export","version":1}', 'b.json'), /parapet import b\.json/);
  });

  it('the change source reaches audit details in its async context only', async () => {
    assert.equal(currentChangeSource(), undefined);
    await withChangeSource('safeguards-file sha256=ab', async () => {
      await Promise.resolve();
      assert.deepEqual(withSourceDetail({ warnings: [] }, currentChangeSource()), { warnings: [], changeSource: 'safeguards-file sha256=ab' });
    });
    assert.equal(currentChangeSource(), undefined);
  });
});
