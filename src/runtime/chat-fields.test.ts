/**
 * A chat request as guardable fields (Converse guardContent, InvokeModel input tags, tool results) and the request
 * rebuilt from the guarded texts; the native-body text substitution used for Bedrock pass-through.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ServiceError } from '../core/errors.ts';
import type { ChatRequest, OutputBlock } from '../providers/types.ts';
import { changedTexts, chatFields, missingTexts, outputTexts, rebuildChat, replaceOutputTexts, replaceWithin } from './chat-fields.ts';

const TAG = (s: string, suffix = 'abc') =>
  `<amazon-bedrock-guardrails-guardContent_${suffix}>${s}</amazon-bedrock-guardrails-guardContent_${suffix}>`;

const converse: ChatRequest = {
  system: [{ text: 'You are helpful.' }, { guardContent: { text: { text: 'Be brief.', qualifiers: ['guard_content'] } } }],
  messages: [
    { role: 'user', content: [{ text: 'Hello' }, { guardContent: { text: { text: 'Refunds: 60 days.', qualifiers: ['grounding_source'] } } }] },
    { role: 'assistant', content: [{ text: 'Calling a tool.' }, { toolUse: { toolUseId: 't1', name: 'lookup', input: { q: 'x' } } }] },
    {
      role: 'user',
      content: [{ toolResult: { toolUseId: 't1', content: [{ text: 'first' }, { json: { a: 1 } }, { text: 'second' }], status: 'success' } }],
    },
  ],
  inferenceConfig: { maxTokens: 10 },
};

describe('chatFields', () => {
  it('Converse: one field per text, guardContent and tool-result text, in request order', () => {
    const { fields, locators } = chatFields(converse, { invokeModel: false });
    assert.equal(fields.length, locators.length);
    assert.deepEqual(
      fields.map((f) => [f.part, f.role, f.kind, f.pieces.map((p) => `${p.tagged ? '+' : ''}${p.text}`).join('|'), f.qualifiers ?? null]),
      [
        ['system', 'system', 'text', 'You are helpful.', null],
        ['system', 'system', 'guardContent', '+Be brief.', ['guard_content']],
        ['messages', 'user', 'text', 'Hello', null],
        ['messages', 'user', 'guardContent', '+Refunds: 60 days.', ['grounding_source']],
        ['messages', 'assistant', 'text', 'Calling a tool.', null],
        ['messages', 'user', 'toolResult', 'first', null],
        ['messages', 'user', 'toolResult', 'second', null],
      ],
    );
  });

  it('Converse does not read input tags (they are only for InvokeModel)', () => {
    const chat: ChatRequest = { system: [], messages: [{ role: 'user', content: [{ text: `x ${TAG('y')}` }] }] };
    const { fields } = chatFields(chat, { invokeModel: false });
    assert.deepEqual(fields[0]?.pieces, [{ text: `x ${TAG('y')}`, tagged: false }]);
  });

  it('InvokeModel: texts split by the tags of the given suffix; other suffixes are plain text', () => {
    const chat: ChatRequest = {
      system: [{ text: `sys ${TAG('guard sys')}` }],
      messages: [{ role: 'user', content: [{ text: `a ${TAG('b')} c ${TAG('d')}` }, { text: TAG('other', 'zzz') }] }],
    };
    const { fields } = chatFields(chat, { invokeModel: true, tagSuffix: 'abc' });
    assert.deepEqual(fields[0]?.pieces, [
      { text: 'sys ', tagged: false },
      { text: 'guard sys', tagged: true },
    ]);
    assert.deepEqual(fields[1]?.pieces, [
      { text: 'a ', tagged: false },
      { text: 'b', tagged: true },
      { text: ' c ', tagged: false },
      { text: 'd', tagged: true },
    ]);
    assert.deepEqual(fields[2]?.pieces, [{ text: TAG('other', 'zzz'), tagged: false }]);
    assert.equal(fields[1]?.original, `a ${TAG('b')} c ${TAG('d')}`);
  });

  it('InvokeModel without a suffix accepts any alphanumeric suffix', () => {
    const chat: ChatRequest = { system: [], messages: [{ role: 'user', content: [{ text: TAG('x', 'Q9') }] }] };
    assert.deepEqual(chatFields(chat, { invokeModel: true }).fields[0]?.pieces, [{ text: 'x', tagged: true }]);
  });

  it('nested or unclosed tags are a ValidationException', () => {
    for (const text of [TAG(`a ${TAG('b')}`), `<amazon-bedrock-guardrails-guardContent_abc>open`, '</amazon-bedrock-guardrails-guardContent_abc>']) {
      const chat: ChatRequest = { system: [], messages: [{ role: 'user', content: [{ text }] }] };
      assert.throws(
        () => chatFields(chat, { invokeModel: true, tagSuffix: 'abc' }),
        (e: unknown) => e instanceof ServiceError && e.code === 'ValidationException',
        text,
      );
    }
  });
});

describe('rebuildChat', () => {
  it('puts the guarded texts in place, keeps qualifiers, tool uses and JSON tool results, and never mutates the input', () => {
    const before = structuredClone(converse);
    const cf = chatFields(converse, { invokeModel: false });
    const rewritten = [['SYS'], ['BRIEF'], ['HI'], ['SOURCE'], ['CALLING'], ['FIRST'], ['SECOND']];
    const out = rebuildChat(converse, cf, rewritten);
    assert.deepEqual(out, {
      system: [{ text: 'SYS' }, { guardContent: { text: { text: 'BRIEF', qualifiers: ['guard_content'] } } }],
      messages: [
        { role: 'user', content: [{ text: 'HI' }, { guardContent: { text: { text: 'SOURCE', qualifiers: ['grounding_source'] } } }] },
        { role: 'assistant', content: [{ text: 'CALLING' }, { toolUse: { toolUseId: 't1', name: 'lookup', input: { q: 'x' } } }] },
        {
          role: 'user',
          content: [{ toolResult: { toolUseId: 't1', content: [{ text: 'FIRST' }, { json: { a: 1 } }, { text: 'SECOND' }], status: 'success' } }],
        },
      ],
      inferenceConfig: { maxTokens: 10 },
    });
    assert.deepEqual(converse, before);
  });

  it('removes the input tags even where nothing was masked', () => {
    const chat: ChatRequest = { system: [], messages: [{ role: 'user', content: [{ text: `Summarise: ${TAG('the memo')}` }] }] };
    const cf = chatFields(chat, { invokeModel: true, tagSuffix: 'abc' });
    const unchanged = cf.fields.map((f) => f.pieces.map((p) => p.text));
    assert.deepEqual(rebuildChat(chat, cf, unchanged).messages[0]?.content, [{ text: 'Summarise: the memo' }]);
    assert.deepEqual(changedTexts(cf, unchanged), [[`Summarise: ${TAG('the memo')}`, 'Summarise: the memo']]);
  });

  it('property: rebuilding from the unmasked pieces gives the texts without tags', () => {
    const plain = fc.stringMatching(/^[a-z ,.@]{0,20}$/);
    fc.assert(
      fc.property(fc.array(fc.tuple(plain, fc.boolean()), { minLength: 1, maxLength: 6 }), (parts) => {
        const text = parts.map(([t, tagged]) => (tagged ? TAG(t) : t)).join('');
        const chat: ChatRequest = { system: [{ text }], messages: [{ role: 'user', content: [{ text }] }] };
        const cf = chatFields(chat, { invokeModel: true, tagSuffix: 'abc' });
        const out = rebuildChat(chat, cf, cf.fields.map((f) => f.pieces.map((p) => p.text)));
        const bare = parts.map(([t]) => t).join('');
        assert.deepEqual(out.system, [{ text: bare }]);
        assert.deepEqual(out.messages[0]?.content, [{ text: bare }]);
        // Forwarding a native body: the same substitution, applied to the body's strings.
        const body = { messages: [{ role: 'user', content: text }], system: text, max_tokens: 5 };
        assert.deepEqual(replaceWithin(body, changedTexts(cf, cf.fields.map((f) => f.pieces.map((p) => p.text)))), {
          messages: [{ role: 'user', content: bare }],
          system: bare,
          max_tokens: 5,
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('changedTexts and replaceWithin (native body forwarding)', () => {
  it('only fields whose text changed are paired', () => {
    const chat: ChatRequest = { system: [], messages: [{ role: 'user', content: [{ text: 'a@example.com' }, { text: 'keep' }] }] };
    const cf = chatFields(chat, { invokeModel: true });
    assert.deepEqual(changedTexts(cf, [['{EMAIL}'], ['keep']]), [['a@example.com', '{EMAIL}']]);
  });

  it('replaces inside every string (longest original first), never keys, and copies everything else', () => {
    const body = {
      'a@example.com': 'key stays',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'mail a@example.com and a@example.com.au' }] }],
      n: 3,
      flag: true,
      none: null,
    };
    const out = replaceWithin(body, [
      ['a@example.com', '{EMAIL}'],
      ['a@example.com.au', '{EMAIL-AU}'],
    ]);
    assert.deepEqual(out, {
      'a@example.com': 'key stays',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'mail {EMAIL} and {EMAIL-AU}' }] }],
      n: 3,
      flag: true,
      none: null,
    });
    assert.equal(body.messages[0]?.content[0]?.text, 'mail a@example.com and a@example.com.au', 'the input is not mutated');
  });

  it('no live pairs: the very same value comes back', () => {
    const body = { x: 'y' };
    assert.equal(replaceWithin(body, []), body);
    assert.equal(replaceWithin(body, [['', 'z'], ['y', 'y']]), body);
  });
});

describe('output texts', () => {
  const content: OutputBlock[] = [{ text: 'one' }, { toolUse: { toolUseId: 't', name: 'n', input: {} } }, { text: 'two' }];

  it('reads text blocks only, and replaces them in order around tool calls', () => {
    assert.deepEqual(outputTexts(content), ['one', 'two']);
    assert.deepEqual(replaceOutputTexts(content, ['ONE', 'TWO']), [{ text: 'ONE' }, content[1], { text: 'TWO' }]);
    assert.deepEqual(replaceOutputTexts(content, ['ONE']), [{ text: 'ONE' }, content[1], { text: 'two' }]);
  });
});

describe('JSON tool results', () => {
  it('every string value is a guardable tool-result field, and masks are written back in place', () => {
    const chat: ChatRequest = {
      system: [],
      messages: [
        { role: 'user', content: [{ text: 'look it up' }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'crm', input: {} } }] },
        {
          role: 'user',
          content: [{ toolResult: { toolUseId: 't1', content: [{ json: { name: 'Jane', contact: { email: 'jane@example.com' }, tags: ['vip', 7] } }] } }],
        },
      ],
    };
    const cf = chatFields(chat, { invokeModel: false });
    const leaves = cf.fields.filter((f) => f.kind === 'toolResult').map((f) => f.pieces[0]?.text);
    assert.deepEqual(leaves, ['Jane', 'jane@example.com', 'vip']);
    const rewritten = cf.fields.map((f) => f.pieces.map((p) => (p.text === 'jane@example.com' ? '{EMAIL}' : p.text)));
    const out = rebuildChat(chat, cf, rewritten);
    const tr = out.messages[2]?.content[0];
    assert.ok(tr && 'toolResult' in tr);
    assert.deepEqual(tr.toolResult.content, [{ json: { name: 'Jane', contact: { email: '{EMAIL}' }, tags: ['vip', 7] } }]);
    const orig = chat.messages[2]?.content[0];
    assert.ok(orig && 'toolResult' in orig);
    assert.deepEqual(orig.toolResult.content, [{ json: { name: 'Jane', contact: { email: 'jane@example.com' }, tags: ['vip', 7] } }], 'the request itself is not changed');
  });
});

describe('missingTexts', () => {
  it('names the changed originals that occur in no string of the body', () => {
    const body = { prompt: '<|begin_of_text|>hello jane@example.com<|eot_id|>', n: 1, list: ['other text'] };
    assert.deepEqual(missingTexts(body, [['hello jane@example.com', 'hello {EMAIL}']]), []);
    assert.deepEqual(missingTexts(body, [['jane.doe@example.com', '{EMAIL}']]), ['jane.doe@example.com']);
    assert.deepEqual(missingTexts(body, [['absent', 'absent']]), [], 'an unchanged text needs no replacing');
  });
});
