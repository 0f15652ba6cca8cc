/**
 * Guarding a call when guardrails have external detectors (fake detectors here): findings merge into the
 * guardrail's decision, detectors run in parallel, a failed detector refuses the call (GuardFailure naming it)
 * unless the guardrail is fail-open, and guardrails without detectors are unaffected.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, describe, it } from 'node:test';
import { compile, type CompiledGuardrail } from '../../engine/compile.ts';
import type { GuardrailConfig } from '../../engine/config/types.ts';
import type { ExternalFindings } from '../../engine/external.ts';
import { GuardFailure, type GuardOptions, type GuardTarget, guardInput, type InputField } from '../guarding.ts';
import { guardInputWithDetectors, guardOutputWithDetectors } from './guard.ts';
import type { DetectContext, Detector, DetectorBinding } from './types.ts';
import { AssessmentPool, assessmentSettingsFromEnv } from '../assessment-pool.ts';

const config = (name: string, extra: Partial<GuardrailConfig> = {}): GuardrailConfig => ({
  name,
  blockedInputMessaging: `${name}: input blocked`,
  blockedOutputsMessaging: `${name}: output blocked`,
  ...extra,
});
const filtersHate = (name: string) =>
  compile(config(name, { contentPolicyConfig: { filtersConfig: [{ type: 'HATE', inputStrength: 'MEDIUM', outputStrength: 'MEDIUM' }] } }));
const masksEmail = (name: string) =>
  compile(config(name, { sensitiveInformationPolicyConfig: { piiEntitiesConfig: [{ type: 'EMAIL', action: 'ANONYMIZE' }] } }));

function target(compiled: CompiledGuardrail, id: string, detectors?: DetectorBinding[], failOpen = false): GuardTarget {
  const arn = `arn:aws:bedrock:us-east-1:111111111111:guardrail/${id}`;
  return {
    key: id,
    label: `${arn}:1`,
    compiled,
    details: { guardrailId: id, guardrailVersion: '1', guardrailArn: arn, guardrailOrigin: ['ACCOUNT_ENFORCED'], guardrailOwnership: 'SELF' },
    system: 'COMPREHENSIVE',
    messages: 'COMPREHENSIVE',
    requestOnly: false,
    failOpen,
    ...(detectors ? { detectors } : {}),
  };
}

// PARAPET_ASSESSMENT_THREADS=N runs the shipped engine's share on assessment threads (every text offloaded).
const threads = assessmentSettingsFromEnv().threads ?? 0;
const assessor = threads ? await AssessmentPool.start({ threads, inlineBelowChars: 0 }) : undefined;
after(() => assessor?.close());
const opts: GuardOptions = { invokeModel: false, outputScope: 'INTERVENTIONS', now: () => performance.now(), deadlineMs: 10_000, ...(assessor ? { assessor } : {}) };
const user = (text: string): InputField => ({ part: 'messages', role: 'user', kind: 'text', pieces: [{ text, tagged: false }] });

interface FakeLog {
  started: string[];
  texts: string[];
  sources: string[];
  aborted: string[];
}

/** A fake detector: answers `scores` after `delayMs` (or never, or throws). */
function fake(name: string, log: FakeLog, answer: ExternalFindings['scores'] | 'never' | Error, delayMs = 0): Detector {
  return {
    name,
    kind: 'llm-judge',
    detect(text: string, ctx: DetectContext) {
      log.started.push(name);
      log.texts.push(text);
      log.sources.push(ctx.source);
      ctx.signal.addEventListener('abort', () => log.aborted.push(name));
      if (answer === 'never') return new Promise(() => undefined);
      return new Promise((resolve, reject) => setTimeout(() => (answer instanceof Error ? reject(answer) : resolve(answer)), delayMs));
    },
  };
}
const newLog = (): FakeLog => ({ started: [], texts: [], sources: [], aborted: [] });
const bind = (detector: Detector, timeoutMs = 10_000, sources: Array<'INPUT' | 'OUTPUT'> = ['INPUT', 'OUTPUT']): DetectorBinding => ({
  detector,
  timeoutMs,
  sources: new Set(sources),
});

describe('guarding with external detectors', () => {
  it('a finding the guardrail filters blocks with its message; the audit report says which detector caught what', async () => {
    const log = newLog();
    const t = target(filtersHate('A'), 'a', [bind(fake('judge', log, { HATE: 'HIGH' }))]);
    const out = await guardInputWithDetectors([t], [user('hello')], opts);
    assert.equal(out.blocked, true);
    assert.equal(out.blockedMessage, 'A: input blocked');
    assert.deepEqual(out.assessments[0]?.assessment?.contentPolicy?.filters, [
      { type: 'HATE', confidence: 'HIGH', filterStrength: 'MEDIUM', action: 'BLOCKED', detected: true },
    ]);
    const report = out.assessments[0]?.detectors?.[0];
    assert.equal(report?.detector, 'judge');
    assert.deepEqual(report?.caught, [{ type: 'HATE', confidence: 'HIGH', action: 'BLOCKED' }]);
    assert.deepEqual(log.texts, ['hello']);
  });

  it('every detector of every guardrail starts before any answer is awaited (in parallel)', async () => {
    const log = newLog();
    const a = target(filtersHate('A'), 'a', [bind(fake('a1', log, {}, 30)), bind(fake('a2', log, {}, 30))]);
    const b = target(filtersHate('B'), 'b', [bind(fake('b1', log, { HATE: 0.6 }, 30))]);
    const pending = guardInputWithDetectors([a, b], [user('hello')], opts);
    assert.deepEqual(log.started, ['a1', 'a2', 'b1']);
    const out = await pending;
    assert.equal(out.blockedMessage, 'B: input blocked');
  });

  it('only detectors for the side being checked run; a guardrail without content filters runs none', async () => {
    const log = newLog();
    const inputOnly = target(filtersHate('A'), 'a', [bind(fake('in', log, { HATE: 'HIGH' }), 1_000, ['INPUT'])]);
    const out = await guardOutputWithDetectors([inputOnly], ['an answer'], [], opts);
    assert.equal(out.blocked, false);
    assert.deepEqual(log.started, []);
    const noFilters = target(masksEmail('M'), 'm', [bind(fake('judge', log, { HATE: 'HIGH' }))]);
    const masked = await guardInputWithDetectors([noFilters], [user('mail jane@example.com')], opts);
    assert.deepEqual(masked.rewritten, [['mail {EMAIL}']]);
    assert.deepEqual(log.started, []);
  });

  it('a guardrail without detectors next to one with them is assessed as usual (masks compose)', async () => {
    const log = newLog();
    const out = await guardInputWithDetectors(
      [target(masksEmail('M'), 'm'), target(filtersHate('A'), 'a', [bind(fake('judge', log, { HATE: 0.1 }))])],
      [user('mail jane@example.com')],
      opts,
    );
    assert.equal(out.blocked, false);
    assert.deepEqual(out.rewritten, [['mail {EMAIL}']]);
  });

  describe('fail closed', () => {
    const cases: Array<[string, (log: FakeLog) => DetectorBinding, RegExp]> = [
      ['a timeout', (log) => bind(fake('slow', log, 'never'), 20), /detector 'slow' \(llm-judge\) timed out after 20 ms/],
      ['an error', (log) => bind(fake('broken', log, new Error('connection refused'))), /detector 'broken' \(llm-judge\) failed: connection refused/],
      ['an invalid score', (log) => bind(fake('odd', log, { HATE: 7 })), /detector 'odd' \(llm-judge\) answered with an invalid score for HATE/],
    ];
    for (const [name, make, reason] of cases)
      it(`${name}: GuardFailure naming the guardrail and the detector`, async () => {
        const t = target(filtersHate('A'), 'a', [make(newLog())]);
        await assert.rejects(guardInputWithDetectors([t], [user('hello')], opts), (e: unknown) => {
          assert.ok(e instanceof GuardFailure);
          assert.equal(e.target, t);
          assert.match(e.reason, reason);
          assert.match(e.message, /could not be evaluated .*fail closed/);
          return true;
        });
      });

    it('the gateway deadline caps a detector’s own timeout', async () => {
      const t = target(filtersHate('A'), 'a', [bind(fake('slow', newLog(), 'never'), 10_000)]);
      await assert.rejects(guardInputWithDetectors([t], [user('hello')], { ...opts, deadlineMs: 25 }), /timed out after 25 ms/);
    });

    it('fail-open: the call goes on, what was found still applies, and the failure is recorded', async () => {
      const log = newLog();
      const t = target(filtersHate('A'), 'a', [bind(fake('slow', log, 'never'), 20), bind(fake('judge', log, { HATE: 'HIGH' }))], true);
      const out = await guardInputWithDetectors([t], [user('hello')], opts);
      assert.equal(out.blocked, true, "the other detector's finding still blocks");
      assert.match(out.assessments[0]?.failedOpen ?? '', /detector 'slow' \(llm-judge\) timed out/);
      assert.deepEqual(out.assessments[0]?.detectors?.map((d) => [d.detector, d.error ?? 'ok']), [
        ['slow', 'timed out after 20 ms'],
        ['judge', 'ok'],
      ]);
    });

    it('the shipped engine failing stops the detectors still running', async () => {
      const log = newLog();
      const exploding: CompiledGuardrail = (() => {
        const c = filtersHate('X');
        const scanner = {
          scan(): never {
            throw new Error('engine exploded');
          },
        };
        return { ...c, input: { ...c.input, pii: { scanner, actions: new Map([['EMAIL', 'ANONYMIZE' as const]]) } } };
      })();
      const t = target(exploding, 'x', [bind(fake('judge', log, 'never'))]);
      await assert.rejects(guardInputWithDetectors([t], [user('hello')], opts), /detector error: engine exploded/);
      assert.deepEqual(log.aborted, ['judge']);
    });

    it('the synchronous path refuses a guardrail with detectors instead of skipping them', () => {
      const t = target(filtersHate('A'), 'a', [bind(fake('judge', newLog(), {}))]);
      assert.throws(() => guardInput([t], [user('hello')], opts), /its external detectors were not run/);
    });
  });
});
