import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  abortableSleep,
  type AuditPage,
  type AuditQuery,
  type AuditRecord,
  auditDetail,
  auditLine,
  auditQuery,
  auditRow,
  auditTable,
  firedList,
  shortPrincipal,
  tailAudit,
} from './audit-commands.ts';

const ACCOUNT = '111122223333';
const GUARDRAIL = `arn:aws:bedrock:us-east-1:${ACCOUNT}:guardrail/abcdefghijkl:1`;

const INVOCATION: AuditRecord = {
  seq: 41,
  at: '2025-03-01T10:20:30.123Z',
  accountId: ACCOUNT,
  principalArn: `arn:aws:iam::${ACCOUNT}:user/alice`,
  action: 'bedrock:Converse',
  region: 'us-east-1',
  resourceArn: 'arn:aws:bedrock:us-east-1::foundation-model/parapet.demo-v1',
  outcome: 'INTERVENED',
  detail: {
    operation: 'Converse',
    model: 'parapet.demo-v1',
    provider: 'demo:parapet.demo-v1',
    guardrails: [{ guardrail: GUARDRAIL, origin: 'REQUEST' }],
    intervenedOn: 'INPUT',
    modelCalled: false,
    status: 200,
    latencyMs: 3.2,
    textUnits: 1,
  },
};

const APPLICATION: AuditRecord = {
  seq: 42,
  at: '2025-03-01T10:20:30.125Z',
  accountId: ACCOUNT,
  principalArn: `arn:aws:sts::999988887777:assumed-role/Ops/bob`,
  action: 'bedrock:ApplyGuardrail',
  resourceArn: GUARDRAIL,
  outcome: 'INTERVENED',
  detail: {
    operation: 'Converse',
    model: 'parapet.demo-v1',
    guardrail: GUARDRAIL,
    origin: 'REQUEST',
    source: 'INPUT',
    action: 'BLOCKED',
    policies: [
      { policy: 'word', type: 'CUSTOM', action: 'BLOCKED' },
      { policy: 'word', type: 'CUSTOM', action: 'BLOCKED' },
      { policy: 'topic', type: 'DENY', name: 'Finance', action: 'BLOCKED' },
      { policy: 'sensitive_information', type: 'REGEX', name: 'ssn', action: 'BLOCKED' },
    ],
    latencyMs: 1,
    textUnits: 1,
  },
};

describe('audit table', () => {
  it('shortens principals of the record’s own account, keeps the account of others', () => {
    assert.equal(shortPrincipal(`arn:aws:iam::${ACCOUNT}:root`, ACCOUNT), 'root');
    assert.equal(shortPrincipal(`arn:aws:sts::${ACCOUNT}:assumed-role/R/s`, ACCOUNT), 'assumed-role/R/s');
    assert.equal(shortPrincipal('arn:aws:iam::999988887777:user/x', ACCOUNT), '999988887777:user/x');
    assert.equal(shortPrincipal('parapet:operator', ACCOUNT), 'parapet:operator');
  });

  it('lists fired policies as TYPE(name), each once', () => {
    assert.deepEqual(firedList((APPLICATION.detail as { policies: unknown }).policies), ['CUSTOM', 'TOPIC(Finance)', 'REGEX(ssn)']);
    assert.deepEqual(firedList('nonsense'), []);
    assert.deepEqual(firedList([null, 3, { type: 'EMAIL' }]), ['EMAIL']);
  });

  it('formats an invocation record: time, account, principal, action, outcome and a short detail', () => {
    assert.deepEqual(auditRow(INVOCATION), [
      '41',
      '2025-03-01T10:20:30Z',
      ACCOUNT,
      'user/alice',
      'bedrock:Converse',
      'INTERVENED',
      'parapet.demo-v1 · intervened on INPUT · model not called · 3.2 ms',
    ]);
  });

  it('formats a guardrail application: guardrail arn:version, source, what fired, latency', () => {
    assert.equal(auditDetail(APPLICATION), `${GUARDRAIL} · INPUT · BLOCKED: CUSTOM, TOPIC(Finance), REGEX(ssn) · 1 ms`);
    const detected = { ...APPLICATION, detail: { guardrail: GUARDRAIL, source: 'OUTPUT', action: 'NONE', policies: [{ type: 'EMAIL' }] } };
    assert.equal(auditDetail(detected), `${GUARDRAIL} · OUTPUT · detected: EMAIL`);
    const failed = { ...APPLICATION, outcome: 'FAILED_OPEN', detail: { guardrail: GUARDRAIL, source: 'INPUT', policies: [], failedOpen: 'deadline', latencyMs: 2000 } };
    assert.equal(auditDetail(failed), `${GUARDRAIL} · INPUT · failed open: deadline · 2000 ms`);
  });

  it('falls back to the resource for other records and never trips over odd details', () => {
    const change: AuditRecord = { ...INVOCATION, action: 'bedrock:PutResourcePolicy', outcome: 'Success', resourceArn: GUARDRAIL, detail: undefined };
    assert.equal(auditDetail(change), GUARDRAIL);
    assert.equal(auditDetail({ ...change, detail: 'text' }), GUARDRAIL);
    assert.equal(auditDetail({ ...change, resourceArn: undefined, detail: [1, 2] }), '');
    assert.equal(auditDetail({ ...change, detail: { failOpen: ['a', 'b', 3] } }), 'fail-open: a, b');
    assert.equal(auditDetail({ ...INVOCATION, detail: { operation: 'Converse', model: 7, latencyMs: 'x' } }), '');
  });

  it('draws the table and the one-line form', () => {
    const t = auditTable([INVOCATION, APPLICATION]);
    for (const col of ['seq', 'time', 'account', 'principal', 'action', 'outcome', 'detail']) assert.match(t, new RegExp(col));
    assert.match(t, /999988887777:assumed-role\/Ops\/bob/);
    assert.equal(
      auditLine(INVOCATION),
      `#41  2025-03-01T10:20:30Z  ${ACCOUNT}  user/alice  bedrock:Converse  INTERVENED  parapet.demo-v1 · intervened on INPUT · model not called · 3.2 ms`,
    );
  });

  it('maps the filters to the query parameters of ListAuditRecords', () => {
    assert.deepEqual(
      auditQuery(
        { outcome: 'INTERVENED', principal: 'arn:p', actionPrefix: 'bedrock:', action: 'a', resource: 'r', since: 's', until: 'u' },
        { account: ACCOUNT, region: 'eu-west-1' },
      ),
      { account: ACCOUNT, region: 'eu-west-1', action: 'a', resource: 'r', since: 's', until: 'u', outcome: 'INTERVENED', principal: 'arn:p', actionPrefix: 'bedrock:' },
    );
  });
});

/** A trail behind a fake ListAuditRecords with the admin API's paging rules. */
class FakeTrail {
  records: AuditRecord[] = [];
  queries: AuditQuery[] = [];

  add(n: number, outcome = 'NONE'): void {
    for (let i = 0; i < n; i++) {
      const seq = this.records.length + 1;
      this.records.push({ seq, at: '2025-01-01T00:00:00Z', accountId: ACCOUNT, principalArn: 'p', action: 'bedrock:Converse', outcome });
    }
  }

  fetch = async (q: AuditQuery): Promise<AuditPage> => {
    this.queries.push(q);
    const limit = Number(q.limit ?? 100);
    const matching = this.records.filter((r) => q.outcome === undefined || r.outcome === q.outcome);
    if (q.after !== undefined) {
      const after = Number(q.after);
      const records = matching.filter((r) => r.seq > after).slice(0, limit);
      return { records, nextAfterSeq: records.at(-1)?.seq ?? after };
    }
    const records = [...matching].reverse().slice(0, limit);
    return { records, ...(records.length === limit ? { nextBeforeSeq: records.at(-1)?.seq } : {}) };
  };
}

/** A sleep that runs `steps[i]` on its i-th call and aborts once they are used up. */
function scriptedSleep(controller: AbortController, steps: Array<() => void>) {
  let calls = 0;
  const sleep = async (ms: number, signal: AbortSignal): Promise<void> => {
    assert.equal(ms, 250);
    assert.equal(signal, controller.signal);
    const step = steps[calls++];
    if (step) step();
    else controller.abort();
  };
  return { sleep, calls: () => calls };
}

describe('audit tail', () => {
  it('prints the last N oldest first, then what arrives, each once, until aborted', async () => {
    const trail = new FakeTrail();
    trail.add(5);
    const controller = new AbortController();
    const seen: number[] = [];
    const { sleep, calls } = scriptedSleep(controller, [() => trail.add(2), () => {}, () => trail.add(1)]);
    await tailAudit({ fetch: trail.fetch, query: {}, lines: 3, intervalMs: 250, signal: controller.signal, sleep, emit: (r) => seen.push(r.seq) });
    assert.deepEqual(seen, [3, 4, 5, 6, 7, 8]);
    assert.equal(calls(), 4);
    // The first call is newest-first with the line count; then every poll asks after the last seq seen.
    assert.equal(trail.queries[0]?.limit, '3');
    assert.equal(trail.queries[0]?.after, undefined);
    assert.deepEqual(trail.queries.slice(1).map((q) => q.after), ['5', '7', '7']);
  });

  it('applies the filters to every call, and --lines 0 shows only new records', async () => {
    const trail = new FakeTrail();
    trail.add(2, 'INTERVENED');
    trail.add(3, 'NONE');
    const controller = new AbortController();
    const seen: number[] = [];
    const { sleep } = scriptedSleep(controller, [() => { trail.add(1, 'NONE'); trail.add(1, 'INTERVENED'); }]);
    await tailAudit({
      fetch: trail.fetch,
      query: { outcome: 'INTERVENED', actionPrefix: 'bedrock:' },
      lines: 0,
      intervalMs: 250,
      signal: controller.signal,
      sleep,
      emit: (r) => seen.push(r.seq),
    });
    assert.deepEqual(seen, [7]);
    assert.ok(trail.queries.every((q) => q.outcome === 'INTERVENED' && q.actionPrefix === 'bedrock:'));
    assert.equal(trail.queries[0]?.limit, '1');
    assert.equal(trail.queries[1]?.after, '2');
  });

  it('follows full pages at once, without sleeping in between', async () => {
    const trail = new FakeTrail();
    const controller = new AbortController();
    const seen: number[] = [];
    const { sleep, calls } = scriptedSleep(controller, [() => trail.add(5)]);
    await tailAudit({ fetch: trail.fetch, query: {}, lines: 10, intervalMs: 250, signal: controller.signal, sleep, emit: (r) => seen.push(r.seq), pageSize: 2 });
    assert.deepEqual(seen, [1, 2, 3, 4, 5]);
    assert.equal(calls(), 2);
    assert.deepEqual(trail.queries.slice(1).map((q) => q.after), ['0', '2', '4']);
  });

  it('stops without another call when aborted while sleeping', async () => {
    const trail = new FakeTrail();
    trail.add(1);
    const controller = new AbortController();
    const sleep = async (): Promise<void> => controller.abort();
    await tailAudit({ fetch: trail.fetch, query: {}, lines: 10, intervalMs: 250, signal: controller.signal, sleep, emit: () => {} });
    assert.equal(trail.queries.length, 1);
  });

  it('passes API errors on', async () => {
    const controller = new AbortController();
    const fetch = async (): Promise<AuditPage> => {
      throw new Error('AccessDeniedException');
    };
    await assert.rejects(
      tailAudit({ fetch, query: {}, lines: 1, intervalMs: 250, signal: controller.signal, sleep: async () => {}, emit: () => {} }),
      /AccessDeniedException/,
    );
  });

  it('property: prints the last N, then every arrival exactly once and in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(20),
        fc.nat(25),
        fc.array(fc.nat(7), { maxLength: 6 }),
        fc.integer({ min: 1, max: 4 }),
        async (initial, lines, batches, pageSize) => {
          const trail = new FakeTrail();
          trail.add(initial);
          const controller = new AbortController();
          const seen: number[] = [];
          const { sleep } = scriptedSleep(controller, batches.map((n) => () => trail.add(n)));
          await tailAudit({ fetch: trail.fetch, query: {}, lines, intervalMs: 250, signal: controller.signal, sleep, emit: (r) => seen.push(r.seq), pageSize });
          const total = trail.records.length;
          const firstShown = Math.max(1, initial - lines + 1);
          const expected = Array.from({ length: total - firstShown + 1 }, (_, i) => firstShown + i);
          assert.deepEqual(seen, expected);
        },
      ),
    );
  });
});

describe('abortableSleep', () => {
  it('returns at once for an aborted signal and ends early on abort, without an error', async () => {
    await abortableSleep(1e9, AbortSignal.abort());
    const controller = new AbortController();
    const sleeping = abortableSleep(1e9, controller.signal);
    controller.abort();
    await sleeping;
  });
});
