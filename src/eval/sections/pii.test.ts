import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parsePresidio, piiSection, PRESIDIO_SETS } from './pii.ts';

describe('parsePresidio', () => {
  it('turns Presidio code-point offsets into UTF-16 offsets', () => {
    const text = '😀 call Anna Berg';
    const rows = parsePresidio(
      JSON.stringify([{ full_text: text, spans: [{ entity_type: 'PERSON', entity_value: 'Anna Berg', start_position: 7, end_position: 16 }] }]),
      'test',
    );
    const g = rows[0]?.gold[0];
    assert.ok(g !== undefined);
    assert.equal(text.slice(g.start, g.end), 'Anna Berg');
  });
  it('names the row of a malformed set', () => {
    assert.throws(() => parsePresidio('[{"full_text": 3, "spans": []}]', 'bad.json'), /bad\.json\[0\]/);
  });
});

describe('piiSection', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parapet-pii-eval-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'pii'));
  const row = (text: string, spans: [string, string][]) => ({
    full_text: text,
    spans: spans.map(([type, value]) => ({ entity_type: type, entity_value: value, start_position: text.indexOf(value), end_position: text.indexOf(value) + value.length })),
  });
  const data = [
    row('Please call Harriet Vance at 415-555-2671.', [['PERSON', 'Harriet Vance'], ['PHONE_NUMBER', '415-555-2671']]),
    row('She lives at 221B Baker Street, London.', [['STREET_ADDRESS', '221B Baker Street'], ['LOCATION', 'London']]),
    row('Write to ops@example.com today.', [['EMAIL_ADDRESS', 'ops@example.com']]),
  ];
  for (const f of PRESIDIO_SETS) writeFileSync(join(dir, 'pii', f), JSON.stringify(data));

  it('prints a table per set and returns the target rows measured on the large set', async () => {
    const { text, targets } = await piiSection(dir);
    for (const f of PRESIDIO_SETS) assert.ok(text.includes(f), f);
    assert.match(text, /micro: structured types/);
    assert.deepEqual(
      targets.map((t) => [t.metric, t.target]),
      [
        ['structured types span F1 (micro)', '≥ 0.95'],
        ['NAME span F1', '≥ 0.80'],
        ['ADDRESS span F1', '≥ 0.80'],
      ],
    );
    for (const t of targets) {
      assert.equal(t.value, 1);
      assert.equal(t.met, true);
      assert.match(t.note ?? '', /presidio-generated-large/);
    }
  });
});
