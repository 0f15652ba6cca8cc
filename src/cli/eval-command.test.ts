import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateGuardrailCommand } from '@aws-sdk/client-bedrock';
import { startTestServer, type TestServer } from '../../test/helpers/server.ts';
import type { EvalScore } from '../eval/score.ts';
import { parseGuardrailRef, readDataset, runEval } from './eval-command.ts';

const run = promisify(execFile);
const BIN = new URL('../../bin/parapet.mjs', import.meta.url).pathname;

const ROWS = [
  { id: 'word', text: 'Tell me what Globex plans next.', categories: ['word:CUSTOM'] },
  { id: 'mail', text: 'Write to jane.doe@example.com please.', categories: ['pii:EMAIL'], expect: 'ANONYMIZED' },
  { id: 'benign', text: 'What is the capital of France?', categories: [] },
  { id: 'missed', text: 'Nothing to see in this sentence.', categories: ['word:CUSTOM'] },
  { id: 'output-side', text: 'Globex, on the output side.', categories: ['word:CUSTOM'], source: 'OUTPUT' },
];

describe('parapet eval', () => {
  let t: TestServer;
  let dir: string;
  let guardrailId: string;
  const env = { ...process.env };
  delete env.AWS_ACCESS_KEY_ID;
  delete env.AWS_SECRET_ACCESS_KEY;
  delete env.AWS_PROFILE;
  delete env.PARAPET_ACCESS_KEY_ID;

  before(async () => {
    t = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'parapet-eval-'));
    writeFileSync(join(dir, 'rows.jsonl'), `${ROWS.map((r) => JSON.stringify(r)).join('\n')}\n`);
    writeFileSync(join(dir, 'bad.jsonl'), '{"text": "ok", "categories": []}\n{"text": "x", "categories": ["HARM"]}\n');
    const g = await t.bedrock().send(
      new CreateGuardrailCommand({
        name: 'eval-test',
        blockedInputMessaging: 'Blocked.',
        blockedOutputsMessaging: 'Blocked.',
        wordPolicyConfig: { wordsConfig: [{ text: 'Globex' }] },
        sensitiveInformationPolicyConfig: { piiEntitiesConfig: [{ type: 'EMAIL', action: 'ANONYMIZE' }] },
      }),
    );
    guardrailId = g.guardrailId ?? '';
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.stop();
  });

  it('parses ID[:VERSION], keeping an ARN whole', () => {
    assert.deepEqual(parseGuardrailRef('abc123'), { guardrail: 'abc123', version: 'DRAFT' });
    assert.deepEqual(parseGuardrailRef('abc123:2'), { guardrail: 'abc123', version: '2' });
    assert.deepEqual(parseGuardrailRef('abc123:DRAFT'), { guardrail: 'abc123', version: 'DRAFT' });
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:guardrail/abc123';
    assert.deepEqual(parseGuardrailRef(arn), { guardrail: arn, version: 'DRAFT' });
    assert.deepEqual(parseGuardrailRef(`${arn}:3`), { guardrail: arn, version: '3' });
  });

  it('runs every row through ApplyGuardrail and scores the answers', async () => {
    const seen: number[] = [];
    const s = await runEval(
      { endpoint: t.server.url, region: 'us-east-1', credentials: { ...t.credentials, source: 'test' } },
      {
        guardrail: guardrailId,
        version: 'DRAFT',
        rows: readDataset(join(dir, 'rows.jsonl')),
        source: 'INPUT',
        misses: 5,
        concurrency: 2,
        progress: (d) => seen.push(d),
      },
    );
    assert.deepEqual(seen.sort((a, b) => a - b), [1, 2, 3, 4, 5]);
    assert.equal(s.rows, 5);
    assert.deepEqual(s.confusion.BLOCKED, { BLOCKED: 2, ANONYMIZED: 0, NONE: 1 });
    assert.deepEqual(s.confusion.ANONYMIZED, { BLOCKED: 0, ANONYMIZED: 1, NONE: 0 });
    assert.deepEqual(s.confusion.NONE, { BLOCKED: 0, ANONYMIZED: 0, NONE: 1 });
    const word = s.categories.find((c) => c.category === 'word:CUSTOM');
    assert.deepEqual([word?.tp, word?.fn, word?.fp], [2, 1, 0]);
    assert.equal(s.categories.find((c) => c.category === 'pii:EMAIL')?.tp, 1);
    assert.deepEqual(s.misses.falseNegatives.map((m) => m.row), ['missed']);
    assert.equal(s.intervention.falsePositiveRate, 0);
    assert.ok(s.throughput && s.throughput.rowsPerSecond > 0);
  });

  it('prints the report, or JSON with -o json, and exits 0', async () => {
    const base = ['--data-dir', t.dataDir, 'eval', '--guardrail', guardrailId, '--data', join(dir, 'rows.jsonl')];
    const json = await run(process.execPath, [BIN, '-o', 'json', ...base, '--misses', '1'], { env });
    const s = JSON.parse(json.stdout) as EvalScore;
    assert.equal(s.rows, 5);
    assert.equal(s.misses.falseNegatives.length, 1);
    const human = await run(process.execPath, [BIN, ...base], { env });
    assert.match(human.stdout, /Action \(expected × predicted\)/);
    assert.match(human.stdout, /word:CUSTOM/);
    assert.match(human.stdout, /rows\/s/);
    assert.equal(human.stderr.includes('\r'), false, 'no progress line when stderr is not a TTY');
  });

  it('exits 1 on a bad data file, naming the line and the field', async () => {
    await assert.rejects(
      run(process.execPath, [BIN, '--data-dir', t.dataDir, 'eval', '--guardrail', guardrailId, '--data', join(dir, 'bad.jsonl')], { env }),
      (e: { code: number; stderr: string }) => {
        assert.equal(e.code, 1);
        assert.match(e.stderr, /bad\.jsonl: line 2: "categories": "HARM" is not a category/);
        return true;
      },
    );
    await assert.rejects(
      run(process.execPath, [BIN, '--data-dir', t.dataDir, 'eval', '--guardrail', guardrailId, '--data', join(dir, 'absent.jsonl')], { env }),
      (e: { code: number; stderr: string }) => e.code === 1 && /cannot read .*absent\.jsonl/.test(e.stderr),
    );
  });
});
