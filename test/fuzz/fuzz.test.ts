/**
 * The short fuzz run of `npm test` (the long one is `npm run fuzz`), the catalogue's coverage of the router, and
 * regression tests for what the fuzzer found.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { formatReport, type FuzzServer, problemsOf, runFuzz, startFuzzServer } from './harness.ts';
import { fillPath } from './catalogue.ts';
import { buildCase } from './mutate.ts';
import { judge } from './oracle.ts';
import { send, sign, type WireRequest, type WireResponse } from './wire.ts';

const SHORT_RUN = 3_000;

describe('fuzzing every route', () => {
  let fs: FuzzServer;
  before(async () => {
    fs = await startFuzzServer();
  });
  after(async () => fs.stop());

  const hostHeader = (): [string, string] => ['host', `${fs.ep.host}:${fs.ep.port}`];

  async function signed(o: { method: string; path: string; body: string | Buffer; headers?: Array<[string, string]>; service?: string }): Promise<WireRequest> {
    const wire: WireRequest = {
      method: o.method,
      path: o.path,
      headers: [['content-type', 'application/json'], ...(o.headers ?? [])],
      body: Buffer.isBuffer(o.body) ? o.body : Buffer.from(o.body),
      transport: { kind: 'agent' },
    };
    wire.headers = [...(await sign(fs.ep, wire, { ...fs.creds, service: o.service ?? 'bedrock' })), hostHeader()];
    return wire;
  }

  async function answer(wire: WireRequest): Promise<WireResponse> {
    const out = await send(fs.ep, wire);
    assert.ok(out.ok, `no answer: ${out.ok ? '' : out.error}`);
    const j = judge(wire, out, { cut: false });
    assert.deepEqual(j.violations, [], `${out.response.status} ${out.response.body.toString('utf8').slice(0, 300)}`);
    return out.response;
  }

  it('has a fuzz entry for every registered operation, and no other', () => {
    const ops = fs.operations.map((o) => o.name).sort();
    assert.deepEqual(fs.catalogue.map((e) => e.name).sort(), ops);
    for (const e of fs.catalogue) assert.ok(!/\{/.test(fillPath(e.template, e.labels)) && Object.keys(e.labels).every((l) => e.template.includes(`{${l}}`)), e.name);
    assert.equal(new Set(fs.catalogue.map((e) => e.family)).size, 7);
  });

  it('answers every valid example without a server error', async () => {
    let ok = 0;
    for (let i = 0; i < fs.catalogue.length; i++) {
      const entry = fs.catalogue[i]!;
      const built = await buildCase(fs.ep, entry, { entry: i, mutations: [], auth: 'signed', garbageAuth: '', transport: { kind: 'agent' } }, fs.creds);
      const out = await send(fs.ep, built.wire);
      const j = judge(built.wire, out, built);
      assert.deepEqual(j.violations, [], `${entry.name}: ${out.ok ? out.response.body.toString('utf8').slice(0, 300) : out.error}`);
      if (j.status !== undefined && j.status < 300) ok++;
    }
    // Destructive examples name what does not exist (404), and some depend on state; most succeed.
    assert.ok(ok >= fs.catalogue.length / 2, `only ${ok} of ${fs.catalogue.length} valid examples succeeded`);
  });

  it(`survives ${SHORT_RUN} malformed requests: AWS errors only, no 5xx, bounded memory`, async () => {
    const seed = fc.readConfigureGlobal().seed ?? 20261125;
    const report = await runFuzz(fs, { requests: SHORT_RUN, seed, concurrency: 8 });
    const problems = problemsOf(report);
    assert.deepEqual(problems, [], `${formatReport(report)}\nseed ${seed}`);
    assert.equal(report.requests, SHORT_RUN);
    for (const s of report.families.values()) assert.equal(s.fivexx, 0);
  });

  describe('regressions', () => {
    it('refuses a body nested 100,000 levels deep with SerializationException, not a stack overflow (OpenAI route)', async () => {
      const deep = `{"model":"parapet.demo-v1","messages":[{"role":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)},"content":"x"}]}`;
      const wire: WireRequest = {
        method: 'POST',
        path: '/v1/chat/completions',
        headers: [['content-type', 'application/json'], ['authorization', `Bearer ${fs.creds.accessKeyId}:${fs.creds.secretAccessKey}`], hostHeader()],
        body: Buffer.from(deep),
        transport: { kind: 'agent' },
      };
      const r = await answer(wire);
      assert.equal(r.status, 400);
      assert.equal(JSON.parse(r.body.toString()).error.code, 'SerializationException');
    });

    it('refuses deep nesting on restJson and awsJson routes too', async () => {
      const doc = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
      const conv = await answer(await signed({ method: 'POST', path: '/model/parapet.demo-v1/converse', body: `{"messages":[],"additionalModelRequestFields":{"x":${doc}}}` }));
      assert.equal(conv.headers['x-amzn-errortype'], 'SerializationException');
      const org = await answer(
        await signed({
          method: 'POST',
          path: '/',
          body: `{"PolicyId":${doc}}`,
          service: 'organizations',
          headers: [['x-amz-target', 'AWSOrganizationsV20161128.DescribePolicy']],
        }),
      );
      assert.equal(JSON.parse(org.body.toString()).__type, 'SerializationException');
      // 256 levels are still accepted as JSON.
      const ok = await answer(await signed({ method: 'POST', path: '/model/parapet.demo-v1/converse', body: `{"messages":[],"additionalModelRequestFields":{"x":${'['.repeat(250)}${']'.repeat(250)}}}` }));
      assert.notEqual(ok.headers['x-amzn-errortype'], 'SerializationException');
    });

    it('answers a request without Host with an AWS error of its protocol (not a bare 400)', async () => {
      const query: WireRequest = {
        method: 'POST',
        path: '/',
        headers: [['content-type', 'application/x-www-form-urlencoded']],
        body: Buffer.from('Action=GetCallerIdentity&Version=2011-06-15'),
        transport: { kind: 'raw' },
      };
      const q = await answer(query);
      assert.equal(q.status, 400);
      assert.match(q.body.toString(), /<ErrorResponse.*<Code>ValidationError<\/Code>.*Host header/);
      const rest = await answer({ method: 'GET', path: '/guardrails', headers: [], body: Buffer.alloc(0), transport: { kind: 'raw' } });
      assert.equal(rest.headers['x-amzn-errortype'], 'ValidationException');
    });

    it('answers what the HTTP parser refuses with AWS errors: CR in a header value, oversized headers', async () => {
      const bad = await answer({ method: 'GET', path: '/guardrails', headers: [hostHeader(), ['x-a', 'x\rInjected: 1']], body: Buffer.alloc(0), transport: { kind: 'raw' } });
      assert.equal(bad.status, 400);
      assert.equal(bad.headers['x-amzn-errortype'], 'ValidationException');
      const big = await answer({ method: 'GET', path: '/guardrails', headers: [hostHeader(), ['x-big', 'h'.repeat(70_000)]], body: Buffer.alloc(0), transport: { kind: 'raw' } });
      assert.equal(big.status, 413);
      assert.equal(big.headers['x-amzn-errortype'], 'RequestEntityTooLargeException');
    });

    it('serves a request with an unknown Expect value instead of a bare 417', async () => {
      const r = await answer(await signed({ method: 'GET', path: '/guardrails', body: '', headers: [['expect', 'something-else']] }));
      assert.equal(r.status, 200);
    });

    it('answers a body found too large while streaming (no Content-Length) with 413, not a reset', async () => {
      const wire = await signed({ method: 'POST', path: '/tagResource', body: Buffer.alloc(400 * 1024, 'a') });
      // A length beyond the first 1,000 headers is not seen by the handler: the body is measured as it arrives.
      const filler: Array<[string, string]> = Array.from({ length: 1_000 }, (_, i) => [`x-f${i}`, '1']);
      wire.headers = [...wire.headers, ...filler];
      const r = await answer(wire);
      assert.equal(r.status, 413);
      assert.equal(r.headers['x-amzn-errortype'], 'RequestEntityTooLargeException');
    });

    it('answers the request before pipelined garbage, then closes', async () => {
      const wire: WireRequest = {
        method: 'GET',
        path: '/guardrails',
        headers: [hostHeader(), ['x-a', 'b\r\n\r\nNOT HTTP AT ALL\r\n']],
        body: Buffer.alloc(0),
        transport: { kind: 'raw' },
      };
      const r = await answer(wire);
      assert.equal(r.status, 403);
      assert.equal(r.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
    });
  });
});
