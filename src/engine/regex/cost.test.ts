import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { regexCostProblem } from './cost.ts';

describe('regexCostProblem', () => {
  it('accepts ordinary patterns, including every regex of the reference guardrail', () => {
    const ref = JSON.parse(readFileSync(new URL('../../../bench/reference-guardrail.json', import.meta.url), 'utf8')) as {
      sensitiveInformationPolicyConfig: { regexesConfig: { pattern: string }[] };
    };
    const patterns = [
      ...ref.sensitiveInformationPolicyConfig.regexesConfig.map((r) => r.pattern),
      '\\w{300}',
      '(\\w{1,10}){1,10}',
      '(?i)secret[-_ ]?key\\s*[:=]\\s*[A-Za-z0-9/+]{40}',
      '[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){3,7}',
      'x'.repeat(500),
    ];
    for (const p of patterns) assert.equal(regexCostProblem(p), undefined, p);
  });

  it('refuses patterns that are slow on RE2', () => {
    for (const p of ['(\\w{1,30}){1,10}', '(\\w{1,100}){1,10}', '\\w{1000}\\w{1000}\\w{1000}\\w{1000}', '(\\w+){1,50}', '((a{1,20}){1,20}){1,20}'])
      assert.ok(regexCostProblem(p), p);
  });
});
