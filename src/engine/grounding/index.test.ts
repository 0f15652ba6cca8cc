import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { scoreGrounding } from './index.ts';
import { normalizeNumber } from './analyze.ts';

const REFUND =
  'Our refund window is 60 days from the date of purchase. Refunds are issued to the original payment method. ' +
  'Items must be unused and in their original packaging.';
const EIFFEL = 'The Eiffel Tower was completed in 1889 for the World Fair. It is 330 metres tall.';
const FRANCE = 'Paris is the capital of France.';
const HOTEL = 'Pets are not allowed in the hotel. Breakfast is served from 7 to 10 in the lobby restaurant.';

/** [sources, response, why] — supported responses: grounding must be ≥ 0.8. */
const SUPPORTED: Array<[string[], string, string]> = [
  [[FRANCE], 'Paris is the capital of France.', 'identical'],
  [[REFUND], 'You can get a refund within sixty days of purchase.', 'number word = digits'],
  [
    [REFUND],
    'Sure! According to the policy, the refund window is 60 days. Refunds go back to your original payment method. Hope this helps!',
    'paraphrase with filler and attribution',
  ],
  [[EIFFEL], 'The Eiffel Tower is 330 metres tall and was completed in 1889.', 'two facts from two sentences'],
  [[HOTEL], 'Pets are not allowed in the hotel.', 'negation on both sides'],
  [[HOTEL], 'Breakfast is served in the lobby restaurant from 7 to 10.', 'reordered'],
  [
    ['Our store opens at 9 on weekdays.', 'On Saturdays the store opens at 10 and closes at 16.'],
    'On Saturdays the store opens at 10.',
    'second source',
  ],
  [[REFUND], 'Items need to be unused and in the original packaging.', 'synonymous verb'],
  [[`${'The museum has a large garden and a cafe. '.repeat(40)}${EIFFEL}`], 'The Eiffel Tower was completed in 1889.', 'fact deep in a long source'],
];

/** [sources, response, why] — unsupported responses: grounding must be < 0.5. */
const UNSUPPORTED: Array<[string[], string, string]> = [
  [[REFUND], 'The refund window is 30 days.', 'wrong number'],
  [[FRANCE], 'London is the capital of France.', 'wrong entity'],
  [[REFUND], 'Refunds are not issued to the original payment method.', 'negation added'],
  [[HOTEL], 'Pets are allowed in the hotel.', 'negation removed'],
  [[EIFFEL], 'It was completed in 1899.', 'wrong year'],
  [[REFUND], 'The refund window is 60 days. Refunds are also available as store credit for 90 days.', 'one invented claim'],
  [[REFUND], 'Our CEO loves surfing in Hawaii every summer.', 'unrelated'],
  [['The conference takes place in March in Lisbon.'], 'The conference takes place in April in Lisbon.', 'wrong month'],
  [[EIFFEL], 'Gustave Eiffel designed the tower for the World Fair.', 'unsupported person'],
  [[REFUND], 'Refunds are processed by our partner bank within a week.', 'invented process'],
  [[], 'Paris is the capital of France.', 'no sources'],
];

test('grounding: supported responses score high', () => {
  for (const [sources, response, why] of SUPPORTED) {
    const { grounding } = scoreGrounding({ sources, response });
    assert.ok(grounding >= 0.8, `${why}: ${grounding} for "${response}"`);
  }
});

test('grounding: unsupported numbers, entities, negations and claims score low', () => {
  for (const [sources, response, why] of UNSUPPORTED) {
    const { grounding } = scoreGrounding({ sources, response });
    assert.ok(grounding < 0.5, `${why}: ${grounding} for "${response}"`);
  }
});

test('grounding: brief examples', () => {
  assert.ok(scoreGrounding({ sources: [FRANCE], response: 'Paris is the capital of France' }).grounding >= 0.9);
  assert.ok(scoreGrounding({ sources: [FRANCE], response: 'London is the capital of France' }).grounding < 0.3);
  assert.ok(
    scoreGrounding({ sources: ['Customers may return items; the refund window is 60 days.'], response: 'The refund window is 30 days.' })
      .grounding < 0.3,
  );
});

test('grounding: nothing to check → 1; an empty response or filler only', () => {
  assert.equal(scoreGrounding({ sources: [REFUND], response: '' }).grounding, 1);
  assert.equal(scoreGrounding({ sources: [REFUND], response: 'Sure! Hope this helps.' }).grounding, 1);
});

/** [query, response, sources, why] — relevant: relevance ≥ 0.75. */
const RELEVANT: Array<[string, string, string[], string]> = [
  ['What is the capital of France?', 'Paris is the capital of France.', [FRANCE], 'restates the question'],
  ['What is the capital of France?', 'London is the capital of France.', [FRANCE], 'relevant even if wrong'],
  ['What is the capital of France?', 'Paris.', [FRANCE], 'short answer linked by the source'],
  ['How long is the refund window?', '60 days.', [REFUND], 'number answer linked by the source'],
  ['When was the Eiffel Tower completed?', 'In 1889.', [EIFFEL], 'date answer'],
  ['Who designed the Eiffel Tower?', 'Gustave Eiffel designed it.', [EIFFEL], 'person answer'],
  ['What are the symptoms of the flu?', 'Fever, cough and a sore throat are typical.', [], 'concept answer'],
  ['Are pets allowed in the hotel?', 'No, pets are not allowed.', [HOTEL], 'yes/no question'],
];

/** [query, response, sources, why] — irrelevant: relevance < 0.5. */
const IRRELEVANT: Array<[string, string, string[], string]> = [
  ['What is the capital of France?', 'I like turtles.', [FRANCE], 'unrelated'],
  ['How long is the refund window?', 'Our store has a great selection of shoes.', [REFUND], 'off topic'],
  ['When was the Eiffel Tower completed?', 'The weather in Lisbon is lovely in spring.', [EIFFEL], 'off topic with a date word'],
  ['Who is the CEO of Acme?', 'Our return policy lasts 30 days.', [REFUND], 'wrong answer type and topic'],
  ['How many vacation days do employees get?', 'The office is located downtown near the station.', [], 'off topic'],
  ['What is the capital of France?', 'Hmm.', [FRANCE], 'no content'],
];

test('relevance: relevant answers score high, irrelevant ones low', () => {
  for (const [query, response, sources, why] of RELEVANT) {
    const { relevance } = scoreGrounding({ sources, query, response });
    assert.ok(relevance >= 0.75, `${why}: ${relevance} for "${query}" → "${response}"`);
  }
  for (const [query, response, sources, why] of IRRELEVANT) {
    const { relevance } = scoreGrounding({ sources, query, response });
    assert.ok(relevance < 0.5, `${why}: ${relevance} for "${query}" → "${response}"`);
  }
});

test('relevance: answer type matters ("how long" answered without a duration)', () => {
  const typed = scoreGrounding({ sources: [REFUND], query: 'How long is the refund window?', response: 'The refund window is generous.' });
  const answered = scoreGrounding({ sources: [REFUND], query: 'How long is the refund window?', response: 'The refund window is 60 days.' });
  assert.ok(typed.relevance < answered.relevance);
  assert.ok(typed.relevance < 0.75);
});

test('relevance: no query → 1 (not applicable)', () => {
  assert.equal(scoreGrounding({ sources: [FRANCE], response: 'I like turtles.' }).relevance, 1);
  assert.equal(scoreGrounding({ sources: [FRANCE], query: '   ', response: 'I like turtles.' }).relevance, 1);
});

test('numbers are normalised', () => {
  assert.equal(normalizeNumber('1,000'), '1000');
  assert.equal(normalizeNumber('30.00'), '30');
  assert.equal(normalizeNumber('5th'), '5');
  assert.equal(normalizeNumber('3,5'), '3.5');
  assert.equal(normalizeNumber('10:30'), '10:30');
  assert.equal(normalizeNumber('401k'), null);
  const s = scoreGrounding({ sources: ['The fee is 1,000 dollars.'], response: 'The fee is one thousand dollars.' });
  assert.ok(s.grounding >= 0.8, String(s.grounding));
  const t = scoreGrounding({ sources: ['It costs two hundred and fifty euros.'], response: 'It costs 250 euros.' });
  assert.ok(t.grounding >= 0.8, String(t.grounding));
});

// ── properties ──────────────────────────────────────────────────────────────────────────────────
const WORDS = [
  'the', 'refund', 'window', 'is', 'not', 'days', 'Paris', 'capital', 'of', 'France', 'customers', 'may', 'return',
  'items', 'within', 'never', 'London', 'store', 'opens', 'at', 'and', 'in', 'March', 'fee', 'NASA', "isn't",
  'thirty', 'one', 'hundred', 'fund-raising', 'Globex', '401k', 'x', 'e.g.', 'Dr.',
];
const sentenceArb = fc
  .tuple(
    fc.array(fc.oneof(fc.constantFrom(...WORDS), fc.integer({ min: 0, max: 5000 }).map(String)), { minLength: 1, maxLength: 14 }),
    fc.constantFrom('.', '!', '?', ';', '\n', ''),
  )
  .map(([w, end]) => {
    const s = w.join(' ');
    return s.charAt(0).toUpperCase() + s.slice(1) + end;
  });
const textArb = fc.array(sentenceArb, { minLength: 1, maxLength: 8 }).map((s) => s.join(' '));

test('property: scores are always in [0, 1]', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(textArb, fc.string({ unit: 'grapheme', maxLength: 200 })), { maxLength: 3 }),
      fc.option(fc.oneof(textArb, fc.string({ maxLength: 80 })), { nil: undefined }),
      fc.oneof(textArb, fc.string({ unit: 'grapheme', maxLength: 200 })),
      (sources, query, response) => {
        const { grounding, relevance } = scoreGrounding({ sources, query, response });
        for (const v of [grounding, relevance]) assert.ok(Number.isFinite(v) && v >= 0 && v <= 1, String(v));
      },
    ),
    { numRuns: 400 },
  );
});

test('property: a response identical to the source scores ≥ 0.9 grounding', () => {
  fc.assert(
    fc.property(textArb, fc.array(textArb, { maxLength: 2 }), (source, others) => {
      const { grounding } = scoreGrounding({ sources: [...others, source], response: source });
      assert.ok(grounding >= 0.9, `${grounding} for ${JSON.stringify(source)}`);
    }),
    { numRuns: 400 },
  );
});

test('property: changing a number of a supported claim to one absent from the source makes it unsupported', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 9999 }),
      fc.integer({ min: 2, max: 9999 }),
      fc.constantFrom('days', 'dollars', 'items', 'metres'),
      (a, b, unit) => {
        fc.pre(a !== b);
        const sources = [`The limit is ${a} ${unit} for every customer.`];
        assert.ok(scoreGrounding({ sources, response: `The limit is ${a} ${unit}.` }).grounding >= 0.8);
        assert.ok(scoreGrounding({ sources, response: `The limit is ${b} ${unit}.` }).grounding < 0.3);
      },
    ),
    { numRuns: 200 },
  );
});

// ── numbers, entities, negation (claim checks; supported ≥ 0.75, the reference threshold) ─────────────
const g = (sources: string[], response: string): number => scoreGrounding({ sources, response }).grounding;

const TOWN = 'Tarvik had 1,480,000 inhabitants in the 2020 census. The town lies 85 kilometres west of the coast.';
const SHOP = 'The blender weighs 3.2 kg. Its motor heats to 60 degrees Celsius at most. A full charge takes 90 minutes.';

test('numbers: approximate and rounded figures are supported within 10 %, wrong ones are not', () => {
  assert.ok(g([TOWN], 'About 1.5 million people live in Tarvik.') >= 0.75);
  assert.ok(g([TOWN], 'Tarvik has roughly 1,500,000 inhabitants.') >= 0.75);
  assert.ok(g([TOWN], 'Tarvik has roughly 2 million inhabitants.') < 0.5);
  assert.ok(g([TOWN], 'Tarvik has 1.5 million inhabitants.') < 0.5, 'an unhedged rounding is a different number');
  assert.ok(g(['Revenue was $412 million.'], 'Revenue was $4.1 billion.') < 0.5);
  assert.ok(g(['About 18,000 cars cross it every day.'], 'Around 18 thousand cars cross it every day.') >= 0.75);
});

test('numbers: unit conversions are supported, changed units are not', () => {
  assert.ok(g([SHOP], 'The blender weighs about 7 pounds.') >= 0.75);
  assert.ok(g([SHOP], 'Its motor heats to 140 °F at most.') >= 0.75);
  assert.ok(g([SHOP], 'A full charge takes an hour and a half.') >= 0.75);
  assert.ok(g([SHOP], 'A full charge takes 90 hours.') < 0.5);
  assert.ok(g([TOWN], 'The town lies about 53 miles west of the coast.') >= 0.75);
  assert.ok(g([TOWN], 'The town lies about 85 miles west of the coast.') < 0.5);
});

test('numbers: years and bounds are never approximate', () => {
  const src = ['The hall was rebuilt in 1947. Children under 12 enter free.'];
  assert.ok(g(src, 'The hall was probably rebuilt in 1946.') < 0.5);
  assert.ok(g(src, 'Children under 11 enter free.') < 0.5);
  assert.ok(g(src, 'Children under 12 enter free.') >= 0.75);
});

const MUSEUM =
  'The city museum was designed by the architect Lena Holm and opened in 1902. It holds 4,000 paintings. ' +
  'Most of them were collected by local families. In 1990 the curator Piet Vos retired after thirty years.';

test('entities: an unknown name, a two-word name never written together, a role given to someone else', () => {
  assert.ok(g([MUSEUM], 'The museum was designed by the architect Lena Holm.') >= 0.75);
  assert.ok(g([MUSEUM], 'The museum was designed by the architect Karl Holm.') < 0.5);
  assert.ok(g([MUSEUM], 'The museum was designed by Lena Vos.') < 0.5, 'both words occur, never together');
  assert.ok(g([MUSEUM], 'The museum was designed by the architect Piet Vos.') < 0.75, 'a name from another sentence');
});

test('entities: a capitalised sentence start that is a common word is no name', () => {
  const src = ['Refunds usually arrive within 5 days. Our annual profit rose by 4 percent.'];
  assert.ok(g(src, 'Typically, refunds arrive within 5 days.') >= 0.75);
  assert.ok(g(src, 'Roughly 4 percent: profit rose by 4 percent.') >= 0.75);
});

test('negation: clause by clause, contractions and words that negate by themselves', () => {
  const kitchen = ['The lid can go in the dishwasher, but the blade cannot.'];
  assert.ok(g(kitchen, 'The lid can go in the dishwasher.') >= 0.75, 'the negation belongs to the other clause');
  assert.ok(g(kitchen, 'The blade can go in the dishwasher.') < 0.5);
  const rooms = ['Smoking is not allowed in the rooms.'];
  assert.ok(g(rooms, 'Smoking is forbidden in the rooms.') >= 0.75);
  assert.ok(g(rooms, "Smoking isn't permitted in the rooms.") >= 0.75);
  assert.ok(g(rooms, 'Smoking is permitted in the rooms.') < 0.5);
  assert.ok(g(['Smoking is allowed on the terrace.'], 'Smoking is prohibited on the terrace.') < 0.5);
});

test('paraphrase groups: synonyms and abbreviations count as the same word', () => {
  assert.ok(g(['Bicycles are allowed on the train.'], 'Bikes are permitted on the train.') >= 0.75);
  assert.ok(g(['The account pays 3% annual interest.'], 'The account pays 3 percent interest a year.') >= 0.75);
  assert.ok(g(['Kids under 5 travel free.'], 'Children under 5 travel free.') >= 0.75);
});

// ── relevance: focus, dimensions, parts ───────────────────────────────────────────────────────────
const rel = (sources: string[], query: string, response: string): number => scoreGrounding({ sources, query, response }).relevance;

test('relevance: naming the subject without the asked attribute is not an answer', () => {
  const src = ['Tarvik has 1,480,000 inhabitants. Its main industries are fishing and tourism.'];
  assert.ok(rel(src, 'What is the population of Tarvik?', "Tarvik's main industries are fishing and tourism.") < 0.5);
  assert.ok(rel(src, 'What is the population of Tarvik?', 'About 1.5 million people live in Tarvik.') >= 0.75);
  assert.ok(rel(src, 'What is the population of Tarvik?', '1,480,000.') >= 0.75, 'bare figure restating the source');
});

test('relevance: "how deep" wants a depth, "can I bring my bike" wants the bike', () => {
  const lake = ['Lake Oru is fed by two rivers. Its greatest depth is 80 metres.'];
  assert.ok(rel(lake, 'How deep is Lake Oru?', 'Lake Oru is fed by two rivers.') < 0.5);
  assert.ok(rel(lake, 'How deep is Lake Oru?', 'It is 80 metres deep.') >= 0.75);
  const train = ['Bicycles are allowed on the train. Dogs must be kept on a lead.'];
  assert.ok(rel(train, 'Can I take my bike on the train?', 'Bicycles are allowed on board.') >= 0.75);
  assert.ok(rel(train, 'Can I take my bike on the train?', 'Dogs must be kept on a lead.') < 0.5);
});

test('relevance: a partial answer to a two-part question is relevant', () => {
  const bus = ['The bus runs every 20 minutes. A single ticket costs 3 euros.'];
  assert.ok(rel(bus, 'How often does the bus run, and how much is a ticket?', 'A ticket costs 3 euros.') >= 0.75);
  assert.ok(rel(bus, 'How often does the bus run, and how much is a ticket?', 'It runs every 20 minutes.') >= 0.75);
});
