/**
 * External detectors through the HTTP API: a tiny ONNX model (written by the test) and a Llama Guard-style
 * judge (a fake OpenAI-compatible endpoint) next to the shipped classifiers. Their findings block ApplyGuardrail
 * and Converse through the guardrail's own content filters; a judge that times out fails closed (ApplyGuardrail
 * blocks, Converse is refused) and the audit trail names the detector.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateGuardrailCommand } from '@aws-sdk/client-bedrock';
import { ApplyGuardrailCommand, ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { fnv1a32 } from '../../src/runtime/detectors/onnx-features.ts';
import { parseDetectorsConfig } from '../../src/runtime/detectors/registry.ts';
import { contentText, type FakeOpenAI, startFakeOpenAI } from '../helpers/fake-openai-upstream.ts';
import { writeBagOfWordsModel } from '../helpers/onnx-model.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { signedFetch } from '../helpers/signed-fetch.ts';

const BLOCKED_IN = 'Blocked by the detectors (input).';
const BLOCKED_OUT = 'Blocked by the detectors (output).';
const DIMS = 64;
// Generous: a loaded CI machine must not turn the judge's quick answers into timeouts.
const JUDGE_TIMEOUT_MS = 1_500;

describe('external detectors end to end', () => {
  let t: TestServer;
  let judge: FakeOpenAI;
  let dir: string;
  let guardrailId: string;
  /** A second guardrail: MISCONDUCT on output only (the demo model's answers say "demo", which the model flags). */
  let outputGuardrailId: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parapet-ext-e2e-'));
    // The ONNX model: "kill" → VIOLENCE, "demo" → MISCONDUCT.
    const W = new Float32Array(DIMS * 2);
    W[(fnv1a32('kill') % DIMS) * 2 + 0] = 10;
    W[(fnv1a32('demo') % DIMS) * 2 + 1] = 10;
    writeBagOfWordsModel({ dir: join(dir, 'tox'), dims: DIMS, weights: W, bias: new Float32Array([-5, -5]), labels: ['VIOLENCE', 'MISCONDUCT'] });
    // The judge: "vermin" is hate (S10), "stall" makes it too slow to answer.
    judge = await startFakeOpenAI({
      reply: (req) => {
        const text = req.messages.map((m) => contentText(m.content)).join('\n');
        if (text.includes('stall')) return { text: 'safe', delayMs: 5_000 };
        return { text: text.includes('vermin') ? 'unsafe\nS10' : 'safe' };
      },
    });
    const detectors = parseDetectorsConfig(
      {
        detectors: [
          { name: 'tox-onnx', kind: 'onnx', path: 'tox', timeoutMs: 2_000, guardrails: ['*'] },
          { name: 'llama-guard', kind: 'llm-judge', endpoint: judge.url, model: 'llama-guard-3', timeoutMs: JUDGE_TIMEOUT_MS, guardrails: ['*'], sources: ['INPUT'] },
        ],
      },
      dir,
      {},
    );
    t = await startTestServer({ detectors });
    const bedrock = t.bedrock();
    const filters = (['HATE', 'VIOLENCE'] as const).map((type) => ({ type, inputStrength: 'MEDIUM' as const, outputStrength: 'MEDIUM' as const }));
    const g = await bedrock.send(
      new CreateGuardrailCommand({ name: 'ext', blockedInputMessaging: BLOCKED_IN, blockedOutputsMessaging: BLOCKED_OUT, contentPolicyConfig: { filtersConfig: filters } }),
    );
    guardrailId = g.guardrailId ?? '';
    const o = await bedrock.send(
      new CreateGuardrailCommand({
        name: 'ext-output',
        blockedInputMessaging: BLOCKED_IN,
        blockedOutputsMessaging: BLOCKED_OUT,
        contentPolicyConfig: { filtersConfig: [{ type: 'MISCONDUCT', inputStrength: 'NONE', outputStrength: 'HIGH' }] },
      }),
    );
    outputGuardrailId = o.guardrailId ?? '';
  });
  after(async () => {
    await t?.stop();
    await judge?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const apply = (text: string, source: 'INPUT' | 'OUTPUT' = 'INPUT') =>
    t.runtime().send(new ApplyGuardrailCommand({ guardrailIdentifier: guardrailId, guardrailVersion: 'DRAFT', source, content: [{ text: { text } }] }));
  const converse = (text: string, id = guardrailId) =>
    t.runtime().send(
      new ConverseCommand({
        modelId: 'parapet.demo-v1',
        messages: [{ role: 'user', content: [{ text }] }],
        guardrailConfig: { guardrailIdentifier: id, guardrailVersion: 'DRAFT', trace: 'enabled' },
      }),
    );

  /** Audit records (ApplyGuardrail's are written just after the answer: read until they are there). */
  async function audit(query: Record<string, string>, want: (r: AuditRecord) => boolean): Promise<AuditRecord> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const res = await signedFetch(t.server.url, t.credentials, { path: '/admin/v1/audit', query });
      const found = (res.body as unknown as { records: AuditRecord[] }).records.find(want);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.fail(`no audit record for ${JSON.stringify(query)}`);
  }

  it('ApplyGuardrail: nothing found passes', async () => {
    const r = await apply('hello there');
    assert.equal(r.action, 'NONE');
  });

  it("ApplyGuardrail: the judge's Llama Guard answer blocks through the guardrail's HATE filter", async () => {
    const r = await apply('those people are vermin');
    assert.equal(r.action, 'GUARDRAIL_INTERVENED');
    assert.deepEqual(r.outputs, [{ text: BLOCKED_IN }]);
    const hate = r.assessments?.[0]?.contentPolicy?.filters?.find((f) => f.type === 'HATE');
    assert.deepEqual(hate, { type: 'HATE', confidence: 'HIGH', filterStrength: 'MEDIUM', action: 'BLOCKED', detected: true });
    const rec = await audit({ action: 'bedrock:ApplyGuardrail' }, (x) => Boolean(x.detail.detectors?.some((d) => d.caught?.length)));
    assert.deepEqual(
      rec.detail.detectors?.map((d) => [d.detector, d.caught ?? []]),
      [
        ['tox-onnx', []],
        ['llama-guard', [{ type: 'HATE', confidence: 'HIGH', action: 'BLOCKED' }]],
      ],
    );
  });

  it('ApplyGuardrail on OUTPUT: the ONNX model blocks (the judge serves INPUT only and is not asked)', async () => {
    const asked = judge.requests.length;
    const r = await apply('I will kill the process', 'OUTPUT');
    assert.equal(r.action, 'GUARDRAIL_INTERVENED');
    assert.deepEqual(r.outputs, [{ text: BLOCKED_OUT }]);
    assert.ok(r.assessments?.[0]?.contentPolicy?.filters?.some((f) => f.type === 'VIOLENCE' && f.confidence === 'HIGH' && f.action === 'BLOCKED'));
    assert.equal(judge.requests.length, asked);
  });

  it("Converse: the judge's finding blocks the input; the model is not called", async () => {
    const r = await converse('write a post saying they are vermin');
    assert.equal(r.stopReason, 'guardrail_intervened');
    assert.equal(r.output?.message?.content?.[0]?.text, BLOCKED_IN);
    const filters = r.trace?.guardrail?.inputAssessment?.[guardrailId]?.contentPolicy?.filters;
    assert.ok(filters?.some((f) => f.type === 'HATE' && f.confidence === 'HIGH' && f.action === 'BLOCKED'), JSON.stringify(filters));
  });

  it('Converse: the ONNX model blocks the input', async () => {
    const r = await converse('how do I kill a neighbour');
    assert.equal(r.stopReason, 'guardrail_intervened');
    assert.equal(r.output?.message?.content?.[0]?.text, BLOCKED_IN);
  });

  it('Converse and ConverseStream: the ONNX model blocks the output (the demo model answers "Demo model … here")', async () => {
    const r = await converse('hello', outputGuardrailId);
    assert.equal(r.stopReason, 'guardrail_intervened');
    assert.equal(r.output?.message?.content?.[0]?.text, BLOCKED_OUT);
    const s = await t.runtime().send(
      new ConverseStreamCommand({
        modelId: 'parapet.demo-v1',
        messages: [{ role: 'user', content: [{ text: 'hello' }] }],
        guardrailConfig: { guardrailIdentifier: outputGuardrailId, guardrailVersion: 'DRAFT', streamProcessingMode: 'sync' },
      }),
    );
    let text = '';
    let stop: string | undefined;
    for await (const ev of s.stream ?? []) {
      text += ev.contentBlockDelta?.delta?.text ?? '';
      stop = ev.messageStop?.stopReason ?? stop;
    }
    assert.equal(stop, 'guardrail_intervened');
    assert.equal(text, BLOCKED_OUT);
  });

  it('Converse: a clean prompt and answer pass both detectors', async () => {
    const r = await converse('hello');
    assert.equal(r.stopReason, 'end_turn');
    assert.match(r.output?.message?.content?.[0]?.text ?? '', /You said: hello/);
  });

  describe('the judge times out: fail closed', () => {
    it('ApplyGuardrail blocks, and says which detector failed', async () => {
      const r = await apply('please stall');
      assert.equal(r.action, 'GUARDRAIL_INTERVENED');
      assert.deepEqual(r.outputs, [{ text: BLOCKED_IN }]);
      assert.match(r.actionReason ?? '', new RegExp(`detector 'llama-guard' \\(llm-judge\\) timed out after ${JUDGE_TIMEOUT_MS} ms; external detectors fail closed`));
      const rec = await audit({ action: 'bedrock:ApplyGuardrail' }, (x) => Boolean(x.detail.failedClosed));
      assert.equal(rec.detail.action, 'BLOCKED');
      assert.match(rec.detail.failedClosed?.reason ?? '', /llama-guard.*timed out/);
    });

    it('Converse is refused (ServiceUnavailableException naming the detector); the model is not called; the audit records it', async () => {
      await assert.rejects(converse('please stall'), (e: Error) => {
        assert.equal(e.name, 'ServiceUnavailableException');
        assert.match(e.message, new RegExp(`could not be evaluated \\(detector 'llama-guard' \\(llm-judge\\) timed out after ${JUDGE_TIMEOUT_MS} ms\\).*fail closed`));
        return true;
      });
      const rec = await audit({ action: 'bedrock:Converse', outcome: 'ServiceUnavailableException' }, (x) => Boolean(x.detail.failedClosed));
      assert.equal(rec.detail.modelCalled, false);
      assert.match(rec.detail.failedClosed?.reason ?? '', /llama-guard.*timed out/);
    });
  });
});

interface AuditRecord {
  action: string;
  outcome: string;
  detail: {
    action?: string;
    modelCalled?: boolean;
    failedClosed?: { guardrail: string; reason: string };
    detectors?: Array<{ detector: string; error?: string; caught?: unknown[] }>;
  } & Record<string, unknown>;
}
