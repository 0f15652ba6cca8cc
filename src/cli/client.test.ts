import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { xmlText } from './client.ts';

const escapeXml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);

describe('xmlText', () => {
  it('reads STS answers and errors', () => {
    const xml =
      '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>' +
      '<AccessKeyId>ASIAX</AccessKeyId><SecretAccessKey>a+b/c</SecretAccessKey><SessionToken>t&amp;k</SessionToken>' +
      '</Credentials><AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s</Arn></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>';
    const creds = xmlText(xml, 'Credentials') ?? '';
    assert.equal(xmlText(creds, 'SessionToken'), 't&k');
    assert.equal(xmlText(xmlText(xml, 'AssumedRoleUser') ?? '', 'Arn'), 'arn:aws:sts::1:assumed-role/r/s');
    assert.equal(xmlText('<ErrorResponse><Error><Code/></Error></ErrorResponse>', 'Code'), '');
    assert.equal(xmlText('<A>1</A>', 'B'), undefined);
    // A tag whose name is a prefix of another is not mistaken for it.
    assert.equal(xmlText('<ArnX>no</ArnX><Arn>yes</Arn>', 'Arn'), 'yes');
  });

  it('round-trips any escaped text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        assert.equal(xmlText(`<R><Message>${escapeXml(s)}</Message></R>`, 'Message'), s);
      }),
    );
  });
});
