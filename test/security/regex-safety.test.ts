/**
 * Regex safety through the API: every catastrophic pattern of the corpus is either refused at CreateGuardrail
 * and at UpdateGuardrail with a ValidationException that names the regex and says why, or accepted and then
 * evaluated by ApplyGuardrail on 100 KB texts crafted against it without stalling. The time per 100 KB is
 * measured by `npm run bench:regex` (target ≤ 10 ms); this test only bounds it loosely (a backtracking engine
 * would take minutes to years on these texts, so the bound cannot be met by luck and is not a timing test).
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { CreateGuardrailCommand, type CreateGuardrailCommandInput, UpdateGuardrailCommand } from '@aws-sdk/client-bedrock';
import { ApplyGuardrailCommand } from '@aws-sdk/client-bedrock-runtime';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { CATASTROPHIC_PATTERNS } from './regex-corpus.ts';

const TEXT_BYTES = 100_000;
/** Far above the 10 ms target and far below what backtracking would take; see the header. */
const STALL_BOUND_MS = 2_000;

function config(name: string, pattern: string): CreateGuardrailCommandInput {
  return {
    name,
    blockedInputMessaging: 'Blocked input.',
    blockedOutputsMessaging: 'Blocked output.',
    sensitiveInformationPolicyConfig: { regexesConfig: [{ name: 'customer-pattern', pattern, action: 'BLOCK' }] },
  };
}

describe('catastrophic regexes: refused with a clear message, or linear', () => {
  let t: TestServer;
  let harmlessId = '';
  before(async () => {
    t = await startTestServer();
    const created = await t.bedrock().send(new CreateGuardrailCommand(config('harmless', 'order-\\d{6}')));
    harmlessId = created.guardrailId ?? '';
  });
  after(async () => {
    await t?.stop();
  });

  const refused: string[] = [];
  const accepted: string[] = [];
  for (const [i, c] of CATASTROPHIC_PATTERNS.entries()) {
    it(`${c.family}: ${c.pattern.length > 60 ? `${c.pattern.slice(0, 57)}...` : c.pattern}`, async () => {
      let error: { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
      let guardrailId = '';
      try {
        const r = await t.bedrock().send(new CreateGuardrailCommand(config(`catastrophic-${i}`, c.pattern)));
        guardrailId = r.guardrailId ?? '';
      } catch (e) {
        error = e as typeof error;
      }
      if (error !== undefined) {
        refused.push(c.pattern);
        assert.equal(error.name, 'ValidationException', `${c.pattern}: ${String(error.name)} ${String(error.message)}`);
        assert.equal(error.$metadata?.httpStatusCode, 400);
        // The message names the regex and gives a reason, not a stack or an engine dump.
        assert.match(String(error.message), /regex|pattern/i);
        assert.ok(String(error.message).length < 600, `a readable message: ${String(error.message)}`);
        assert.doesNotMatch(String(error.message), /\n\s+at /, 'no stack trace');
        // UpdateGuardrail refuses it too (the same validation on both paths).
        await assert.rejects(
          t.bedrock().send(new UpdateGuardrailCommand({ guardrailIdentifier: harmlessId, ...config('harmless', c.pattern) })),
          (e: unknown) => (e as { name?: string }).name === 'ValidationException',
        );
        return;
      }
      accepted.push(c.pattern);
      for (const text of c.texts(TEXT_BYTES)) {
        const t0 = performance.now();
        const r = await t.runtime().send(
          new ApplyGuardrailCommand({ guardrailIdentifier: guardrailId, guardrailVersion: 'DRAFT', source: 'INPUT', content: [{ text: { text } }] }),
        );
        const ms = performance.now() - t0;
        assert.ok(r.action === 'NONE' || r.action === 'GUARDRAIL_INTERVENED', String(r.action));
        assert.ok(ms < STALL_BOUND_MS, `${c.pattern} took ${ms.toFixed(0)} ms on ${TEXT_BYTES} B`);
      }
    });
  }

  it('the corpus exercises both outcomes (the test is not vacuous)', () => {
    assert.ok(refused.length > 0, 'some patterns are refused (back-references, look-arounds, costly programs)');
    assert.ok(accepted.length > 0, 'some patterns are accepted and shown linear');
  });
});
