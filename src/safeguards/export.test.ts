import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { desiredState } from './desired.ts';
import { exportRegions, exportSafeguards, toJson } from './export.ts';
import { SCHEMA_URL, parseSafeguardsText, schemaRef } from './file.ts';
import type { Json } from './file-types.ts';
import { canonicalConfig, localKmsKey } from './guardrail-config.ts';
import { plan } from './plan.ts';
import type { ActualState } from './read-state.ts';
import { type GuardrailState, type SafeguardsState, emptyIds } from './state.ts';

const MGMT = '111111111111';
const CONFIG = canonicalConfig({ blockedInputMessaging: 'a', blockedOutputsMessaging: 'b' });
const ORG = { units: ['Engineering'], accounts: [], policyTypeEnabled: true };

/** The placeholder-form state a file gives on a server (`actual` = what the server has, for the versions). */
function stateOf(yaml: string, actual: SafeguardsState = { organization: ORG, guardrails: [], policies: [], enforcement: [] }): SafeguardsState {
  const d = desiredState(parseSafeguardsText(`apiVersion: parapet/safeguards-v1\n${yaml}`, 'f.yaml').file, actual, known(), 'us-east-1');
  assert.deepEqual(d.problems, []);
  return d.state;
}

const known = () => ({ managementAccountId: MGMT, units: ['Engineering'], accounts: new Map<string, string>() });

function actualOf(state: Partial<SafeguardsState>): ActualState {
  return { state: { organization: ORG, guardrails: [], policies: [], enforcement: [], ...state }, ids: emptyIds(MGMT), known: known() };
}

/** A published guardrail (DRAFT = latest version) with the given resource policy. */
const published = (region: string, resourcePolicy?: Json, versions = [1]): GuardrailState => ({
  region,
  name: 'g',
  config: CONFIG,
  versions,
  latestConfig: CONFIG,
  ...(resourcePolicy ? { resourcePolicy } : {}),
});

const rpOf = (shorthand: string): Json => {
  const g = stateOf(`guardrails:\n  - name: g\n    regions: [us-east-1]\n    config: { blockedInputMessaging: a, blockedOutputsMessaging: b }\n    resourcePolicy: ${shorthand}\n`).guardrails[0];
  assert.ok(g?.resourcePolicy);
  return g.resourcePolicy;
};

describe('safeguards export', () => {
  it('uses the resource-policy shorthand when it renders the document exactly, else the document', () => {
    const exportRp = (doc: Json) => exportSafeguards(actualOf({ guardrails: [published('us-east-1', doc)] }), ['us-east-1']).file.guardrails?.[0]?.resourcePolicy;
    assert.deepEqual(exportRp(rpOf('{ allow: organization }')), { allow: 'organization' });
    assert.deepEqual(exportRp(rpOf('{ allow: organization, units: [Engineering], actions: [apply, get] }')), {
      allow: 'organization',
      units: ['Engineering'],
      actions: ['apply', 'get'],
    });
    // Anything the shorthand does not write (another Sid here) keeps the document, with ${guardrail.arn} for itself.
    const custom = { ...rpOf('{ allow: organization }') };
    custom.Statement = [{ ...(custom.Statement as Json[])[0], Sid: 'Mine' }];
    const out = exportRp(custom);
    assert.equal(out?.allow, undefined);
    assert.equal(((out?.document?.Statement as Json[])[0] as Json).Resource, '${guardrail.arn}');
    assert.equal(((out?.document?.Statement as Json[])[0] as Json).Sid, 'Mine');
  });

  it('uses the enforce shorthand when it renders the policy exactly, else the content', () => {
    const policy = stateOf(
      'guardrails:\n  - { name: g, regions: [us-east-1], publish: true, config: { blockedInputMessaging: a, blockedOutputsMessaging: b } }\n' +
        'organizationPolicies:\n  - { name: p, attach: [root], enforce: [{ guardrail: g, exclude: [m] }] }\n',
      { organization: ORG, guardrails: [published('us-east-1')], policies: [], enforcement: [] },
    ).policies[0];
    assert.ok(policy);
    const exportPolicy = (content: Json) =>
      exportSafeguards(actualOf({ guardrails: [published('us-east-1')], policies: [{ ...policy, content }] }), ['us-east-1']).file.organizationPolicies?.[0];
    assert.deepEqual(exportPolicy(policy.content), { name: 'p', attach: ['root'], enforce: [{ guardrail: 'g', regions: ['us-east-1'], exclude: ['m'] }] });
    const more = { bedrock: { ...(policy.content.bedrock as Json), other: { '@@assign': 'x' } } };
    assert.deepEqual(exportPolicy(more), { name: 'p', attach: ['root'], content: more });
  });

  it('merges Regions into one entry in the order of --regions, even when the versions differ by Region', () => {
    const guardrails = [published('eu-west-1', undefined, [1]), published('us-east-1', undefined, [1, 2, 3])];
    const content = {
      bedrock: {
        guardrail_inference: {
          'us-east-1': { g: { identifier: { '@@assign': '${guardrail:us-east-1/g}:3' } } },
          'eu-west-1': { g: { identifier: { '@@assign': '${guardrail:eu-west-1/g}:1' } } },
        },
      },
    };
    const actual = actualOf({ guardrails, policies: [{ name: 'p', description: '', content, targets: ['root'] }] });
    const { file, notes } = exportSafeguards(actual, ['us-east-1', 'eu-west-1']);
    assert.deepEqual(notes, []);
    assert.deepEqual(file.guardrails?.map((g) => [g.name, g.regions, g.publish]), [['g', ['us-east-1', 'eu-west-1'], true]]);
    assert.deepEqual(file.organizationPolicies?.[0]?.enforce, [{ guardrail: 'g', regions: ['us-east-1', 'eu-west-1'] }]);
    // And the file means exactly this server.
    const d = desiredState(file, actual.state, actual.known, 'us-east-1');
    assert.deepEqual(plan(d.state, actual.state, { prune: true }).changes, []);
  });

  it('pins the latest version of a guardrail whose DRAFT differs from it, and says so', () => {
    const draft = canonicalConfig({ blockedInputMessaging: 'a (being edited)', blockedOutputsMessaging: 'b' });
    const actual = actualOf({ guardrails: [{ ...published('us-east-1'), config: draft, versions: [1, 2] }] });
    const { file, notes } = exportSafeguards(actual, ['us-east-1']);
    assert.equal(file.guardrails?.[0]?.version, 2);
    assert.equal(file.guardrails?.[0]?.publish, undefined, 'apply never publishes a DRAFT nobody published');
    assert.equal(file.guardrails?.[0]?.config.blockedInputMessaging, 'a (being edited)');
    assert.match(notes.join('\n'), /DRAFT differs from version 2, so the file pins "version: 2"/);
    const d = desiredState(file, actual.state, actual.known, 'us-east-1');
    assert.deepEqual(plan(d.state, actual.state, { prune: true }).changes, []);
  });

  it('compares a KMS key given by id, alias or ARN as the same key, and exports it without the account', () => {
    const arn = `arn:aws:kms:us-east-1:${MGMT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const withKey = (k: string) => localKmsKey({ ...CONFIG, kmsKeyId: k }, 'us-east-1', MGMT);
    assert.deepEqual(withKey(arn), withKey('1234abcd-12ab-34cd-56ef-1234567890ab'));
    assert.equal(withKey(`arn:aws:kms:us-east-1:${MGMT}:alias/guardrails`).kmsKeyId, 'alias/guardrails');
    const foreign = `arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    assert.equal(withKey(foreign).kmsKeyId, foreign, 'a key of another account keeps its ARN');

    // A file naming the key by id plans nothing against the server's answer (which gives the ARN).
    const fromServer = { ...published('us-east-1'), config: withKey(arn), latestConfig: withKey(arn) };
    const d = stateOf(
      'guardrails:\n  - { name: g, regions: [us-east-1], publish: true, config: { blockedInputMessaging: a, blockedOutputsMessaging: b, kmsKeyId: 1234abcd-12ab-34cd-56ef-1234567890ab } }\n',
      { guardrails: [fromServer], policies: [], enforcement: [] },
    );
    assert.deepEqual(plan(d, { guardrails: [fromServer], policies: [], enforcement: [] }, { prune: false }).changes, []);
    const { file } = exportSafeguards(actualOf({ guardrails: [fromServer] }), ['us-east-1']);
    assert.equal(file.guardrails?.[0]?.config.kmsKeyId, '1234abcd-12ab-34cd-56ef-1234567890ab');
  });

  it('covers by default the CLI\'s Region and every Region the organization policies enforce in', () => {
    const content = { bedrock: { guardrail_inference: { 'eu-west-1': {}, 'us-east-1': {}, 'ap-south-1': {} } } };
    const state: SafeguardsState = { guardrails: [], policies: [{ name: 'p', description: '', content, targets: [] }], enforcement: [] };
    assert.deepEqual(exportRegions(state, 'us-east-1'), ['us-east-1', 'eu-west-1', 'ap-south-1']);
    assert.deepEqual(exportRegions({ guardrails: [], policies: [], enforcement: [] }, 'eu-west-1'), ['eu-west-1']);
  });

  it('writes JSON with its $schema member, which the loader accepts', () => {
    const { file } = exportSafeguards(actualOf({ guardrails: [published('us-east-1')] }), ['us-east-1']);
    const loaded = parseSafeguardsText(toJson(file, './schemas/safeguards.schema.json'), 'f.json');
    assert.equal(loaded.file.$schema, './schemas/safeguards.schema.json');
    assert.deepEqual({ ...loaded.file, $schema: undefined }, { ...file, $schema: undefined });
  });

  it('points $schema at the shipped schema, relative to the current directory when it is under it', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    assert.equal(schemaRef(root), './schemas/safeguards.schema.json');
    assert.equal(schemaRef(`${root}node_modules/..`), './schemas/safeguards.schema.json');
    assert.equal(schemaRef('/nonexistent-elsewhere'), SCHEMA_URL.href, 'an absolute URL from anywhere else');
  });
});
