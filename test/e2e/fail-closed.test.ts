/**
 * Fail closed, and the operator's fail-open: a guardrail that cannot be evaluated in time refuses the call
 * (ServiceUnavailableException, the model is not called) unless the operator made that guardrail fail-open,
 * which the audit trail records at start and on every call it lets through.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { signedFetch } from '../helpers/signed-fetch.ts';

describe('fail closed, fail open', () => {
  let t: TestServer;
  let teamA: { accessKeyId: string; secretAccessKey: string; accountId: string };
  // A deadline nothing can meet: every evaluation of the demo organization's guardrail "fails".
  before(async () => {
    t = await startTestServer({ demo: true, gateway: { guardrailDeadlineMs: 0 } });
    const a = t.server.credentials.accounts.find((x) => x.name === 'team-a');
    assert.ok(a);
    teamA = { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey, accountId: a.accountId };
  });
  after(async () => t.stop());

  const ask = () =>
    t.runtime('us-east-1', teamA).send(new ConverseCommand({ modelId: 'parapet.demo-v1', messages: [{ role: 'user', content: [{ text: 'hello' }] }] }));

  it('an enforced guardrail that cannot be evaluated refuses the call', async () => {
    await assert.rejects(ask(), (e: Error) => {
      assert.equal(e.name, 'ServiceUnavailableException');
      assert.match(e.message, /could not be evaluated \(evaluation took .* past the 0 ms deadline\).*fail closed/);
      return true;
    });
  });

  it('made fail-open by the operator, the call goes through and the audit says so', async () => {
    const records = await signedFetch(t.server.url, t.credentials, { path: '/admin/v1/audit', query: { action: 'bedrock:PutResourcePolicy' } });
    const arn = (records.body as unknown as { records: Array<{ resourceArn: string }> }).records[0]?.resourceArn ?? '';
    assert.match(arn, /:guardrail\//);
    (t.server.gateway.deps.settings.failOpen as Set<string>).add(arn);
    try {
      const r = await ask();
      assert.equal(r.stopReason, 'end_turn');
      const audit = await signedFetch(t.server.url, t.credentials, { path: '/admin/v1/audit', query: { account: teamA.accountId, outcome: 'FAILED_OPEN' } });
      const failed = (audit.body as unknown as { records: Array<{ detail: { failedOpen?: string; failOpenConfigured?: boolean } }> }).records;
      assert.ok(failed.length >= 1);
      assert.match(failed[0]?.detail.failedOpen ?? '', /deadline/);
      assert.equal(failed[0]?.detail.failOpenConfigured, true);
    } finally {
      (t.server.gateway.deps.settings.failOpen as Set<string>).delete(arn);
    }
  });

  it('a gateway started with fail-open guardrails records that choice', async () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:guardrail/abcdefghijkl:3';
    const other = await startTestServer({ gateway: { failOpen: new Set([arn]) } });
    try {
      const res = await signedFetch(other.server.url, other.credentials, { path: '/admin/v1/audit', query: { action: 'parapet:ConfigureFailOpen' } });
      const rec = (res.body as unknown as { records: Array<{ detail: { failOpen: string[] } }> }).records[0];
      assert.deepEqual(rec?.detail.failOpen, [arn]);
    } finally {
      await other.stop();
    }
  });
});
