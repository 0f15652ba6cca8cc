import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ConsoleSessions, cookieValue, sessionCookie } from './session.ts';

const clockAt = (t: { now: number }) => ({ now: () => t.now });

describe('ConsoleSessions', () => {
  const key = randomBytes(32);

  it('a token reads back until it expires', () => {
    const t = { now: 1_000_000 };
    const s = new ConsoleSessions(key, clockAt(t), 60_000);
    const { token, claims } = s.issue('AKIAEXAMPLE123456789', 'eu-west-1');
    assert.deepEqual(s.read(token), claims);
    t.now += 59_999;
    assert.ok(s.read(token));
    t.now += 1;
    assert.equal(s.read(token), undefined);
  });

  it('another master key, a revoked session, garbage: refused', () => {
    const t = { now: 0 };
    const s = new ConsoleSessions(key, clockAt(t));
    const other = new ConsoleSessions(randomBytes(32), clockAt(t));
    const { token, claims } = s.issue('AKIAEXAMPLE123456789', 'us-east-1');
    assert.equal(other.read(token), undefined);
    for (const bad of [undefined, '', '.', 'abc', `${token}x`, token.replace('.', '..'), 'x'.repeat(5000)]) assert.equal(s.read(bad), undefined);
    s.revoke(claims);
    assert.equal(s.read(token), undefined);
  });

  it('property: changing any character of a token makes it invalid', () => {
    const s = new ConsoleSessions(key, clockAt({ now: 0 }));
    const { token } = s.issue('AKIAEXAMPLE123456789', 'us-east-1');
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'), (i, ch) => {
        fc.pre(token[i] !== ch);
        const mutated = token.slice(0, i) + ch + token.slice(i + 1);
        return s.read(mutated) === undefined;
      }),
      { numRuns: 500 },
    );
  });

  it('the CSRF token belongs to its session', () => {
    const s = new ConsoleSessions(key, clockAt({ now: 0 }));
    const a = s.issue('AKIAEXAMPLE123456789', 'us-east-1').claims;
    const b = s.issue('AKIAEXAMPLE123456789', 'us-east-1').claims;
    assert.ok(s.checkCsrf(a, s.csrfToken(a)));
    assert.equal(s.checkCsrf(a, s.csrfToken(b)), false);
    assert.equal(s.checkCsrf(a, undefined), false);
    assert.equal(s.checkCsrf(a, ''), false);
  });

  it('a switched-role session lasts no longer than its credentials', () => {
    const s = new ConsoleSessions(key, clockAt({ now: 0 }), 8 * 3600_000);
    const { claims } = s.issue('ASIAEXAMPLE123456789', 'us-east-1', { base: 'AKIAEXAMPLE123456789', expiresAt: 3600_000 });
    assert.equal(claims.expiresAt, 3600_000);
    assert.equal(claims.base, 'AKIAEXAMPLE123456789');
  });

  it('lifetimes outside 60 s … 7 days are refused', () => {
    assert.throws(() => new ConsoleSessions(key, clockAt({ now: 0 }), 1000), /between 60 s and 7 days/);
    assert.throws(() => new ConsoleSessions(key, clockAt({ now: 0 }), 8 * 86400_000), /between 60 s and 7 days/);
  });
});

describe('cookies', () => {
  it('reads one cookie among others; writes HttpOnly SameSite=Strict, Secure on HTTPS', () => {
    assert.equal(cookieValue('a=1; parapet_console=tok.en; b=2', 'parapet_console'), 'tok.en');
    assert.equal(cookieValue('xparapet_console=1', 'parapet_console'), undefined);
    assert.equal(cookieValue(undefined, 'parapet_console'), undefined);
    assert.equal(sessionCookie('t', 60, true), 'parapet_console=t; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure');
  });
});
