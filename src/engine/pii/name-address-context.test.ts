/**
 * Context words raise or lower the confidence of NAME and ADDRESS candidates: the same word or street is
 * reported (or reported with a higher score) next to supporting context and dropped next to contrary context.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPiiScanner } from './index.ts';

const names = createPiiScanner(['NAME']);
const addresses = createPiiScanner(['ADDRESS']);

/** The score of the finding whose text is `value`, or 0 when it is not reported. */
function scoreOf(scanner: typeof names, text: string, value: string): number {
  const f = scanner.scan(text).find((x) => text.slice(x.start, x.end) === value);
  return f?.score ?? 0;
}

describe('NAME context raises confidence', () => {
  it('a greeting raises a known given name', () => {
    assert.ok(scoreOf(names, 'Dear Harriet, thanks for the notes.', 'Harriet') > scoreOf(names, 'Harriet called.', 'Harriet'));
  });
  it('an honorific makes an unknown word a name', () => {
    assert.equal(scoreOf(names, 'Quillfeather arrived.', 'Quillfeather'), 0);
    assert.ok(scoreOf(names, 'Mr. Quillfeather arrived.', 'Quillfeather') >= 0.85);
  });
  it('a speech verb makes an unknown word a name', () => {
    assert.equal(scoreOf(names, 'Vanterpool arrived.', 'Vanterpool'), 0);
    assert.ok(scoreOf(names, '"Fine," says Vanterpool.', 'Vanterpool') >= 0.5);
    assert.ok(scoreOf(names, 'Vanterpool shouted at the driver.', 'Vanterpool') >= 0.5);
  });
  it('"my name is" takes a lower-case word-like name', () => {
    assert.equal(scoreOf(names, 'ask mark', 'mark'), 0);
    assert.ok(scoreOf(names, 'my name is mark', 'mark') >= 0.5);
  });
  it('a list of known names carries an unknown item', () => {
    assert.ok(scoreOf(names, 'Our founders: Anna, Peter and Zoltavia.', 'Zoltavia') >= 0.5);
  });
});

describe('NAME context lowers confidence', () => {
  it('a place noun after a given name makes it a place', () => {
    assert.ok(scoreOf(names, 'I spoke with Jordan yesterday.', 'Jordan') >= 0.5);
    assert.equal(scoreOf(names, 'We swam in the Jordan River.', 'Jordan'), 0);
  });
  it('"Washington Post" is not a person', () => {
    assert.deepEqual(names.scan('I read the Washington Post today.'), []);
  });
  it('an organisation suffix makes a name an organisation', () => {
    assert.ok(scoreOf(names, 'Drake called.', 'Drake') >= 0.5);
    assert.equal(scoreOf(names, 'Drake PLC called.', 'Drake'), 0);
  });
  it('a saint prefix makes a given name a place', () => {
    assert.ok(scoreOf(names, 'Giovanni arrived.', 'Giovanni') >= 0.5);
    assert.equal(scoreOf(names, 'We drove to San Giovanni today.', 'Giovanni'), 0);
  });
  it('a country name of several words is a place', () => {
    assert.deepEqual(names.scan('I flew to El Salvador and Sri Lanka.'), []);
  });
});

describe('ADDRESS context raises confidence', () => {
  it('address context accepts a street with no street type', () => {
    assert.equal(scoreOf(addresses, 'We met at 14 Foxley 9', '14 Foxley 9'), 0);
    assert.ok(scoreOf(addresses, 'address: 14 Foxley 9', '14 Foxley 9') >= 0.5);
  });
  it('"lives at" raises a street', () => {
    assert.ok(scoreOf(addresses, 'He lives at 221B Baker Street', '221B Baker Street') > scoreOf(addresses, 'Try 221B Baker Street', '221B Baker Street'));
  });
  it('address context accepts a lower-case street', () => {
    assert.equal(scoreOf(addresses, 'we met at 9 birchwood drive', '9 birchwood drive'), 0);
    assert.ok(scoreOf(addresses, 'my address is 9 birchwood drive', '9 birchwood drive') >= 0.5);
  });
  it('a unit and a postcode after a street raise it', () => {
    const alone = scoreOf(addresses, '95 Dora Creek', '95 Dora Creek');
    assert.equal(alone, 0);
    assert.ok(scoreOf(addresses, '95 Dora Creek Apt. 604, Tamworth NSW 2340', '95 Dora Creek Apt. 604, Tamworth NSW 2340') >= 0.5);
  });
});

describe('ADDRESS context lowers confidence', () => {
  it('ordinary English words before a street type are not a street', () => {
    assert.deepEqual(addresses.scan('I walked 3 miles down the road'), []);
    assert.ok(scoreOf(addresses, 'I walked to 3 Millbrook Road', '3 Millbrook Road') >= 0.5);
  });
  it('a year is not a house number', () => {
    assert.deepEqual(addresses.scan('In 2012 Olympic Park Drive opened.'), []);
    assert.ok(scoreOf(addresses, 'Deliver to 2012 Olympic Park Drive', '2012 Olympic Park Drive') >= 0.5);
  });
  it('a brand before an everyday street type is not a street', () => {
    assert.deepEqual(addresses.scan('I have 2 Google Drive accounts.'), []);
  });
  it('a run of numbers after address context is a card number, not a street and its postcodes', () => {
    // Found by the card-insertion property: "hq" (headquarters) made "vbv 4000 0000 0000" an ADDRESS.
    assert.deepEqual(addresses.scan('hq vbv 4000 0000 0000 0002'), []);
    const all = createPiiScanner(['ADDRESS', 'CREDIT_DEBIT_CARD_NUMBER']).scan('hq vbv 4000 0000 0000 0002');
    assert.deepEqual(all.map((f) => [f.type, f.start, f.end]), [['CREDIT_DEBIT_CARD_NUMBER', 7, 26]]);
    assert.ok(scoreOf(addresses, 'address: Hauptstraße 5, 10115 Berlin', 'Hauptstraße 5, 10115 Berlin') > 0);
  });
});
