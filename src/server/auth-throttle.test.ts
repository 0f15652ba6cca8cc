import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { addressBucket, AuthThrottle, canonicalIp, clientAddress, DEFAULT_AUTH_FAILURE_LIMITS, FailureCounter, isLoopback } from './auth-throttle.ts';
import { type AnyRequest, createDualServer } from './listener.ts';

const T0 = 1_700_000_000_000;
const KEY = 'AKIAAAAAAAAAAAAAAAAA';
const OTHER_KEY = 'AKIABBBBBBBBBBBBBBBB';

describe('FailureCounter', () => {
  it('refuses an id for a whole window from the failure that reaches the limit, then forgets it', () => {
    const c = new FailureCounter(3, 60_000);
    assert.equal(c.record('a', T0), false);
    assert.equal(c.record('a', T0 + 10_000), false);
    assert.equal(c.retryAfterMs('a', T0 + 10_000), 0);
    assert.equal(c.record('a', T0 + 20_000), true, 'the third failure reaches the limit');
    assert.equal(c.retryAfterMs('a', T0 + 20_000), 60_000);
    assert.equal(c.retryAfterMs('a', T0 + 79_999), 1);
    assert.equal(c.retryAfterMs('b', T0 + 20_000), 0, 'other ids are not affected');
    assert.equal(c.size, 1, 'b never failed: nothing kept for it');
    assert.equal(c.retryAfterMs('a', T0 + 80_000), 0, 'the refusal ends');
    assert.equal(c.size, 0, 'and the expired window is dropped');
    assert.equal(c.record('a', T0 + 80_000), false, 'a new window starts');
  });

  it('counts failures in fixed windows: old failures do not add up with new ones', () => {
    const c = new FailureCounter(3, 60_000);
    c.record('a', T0);
    c.record('a', T0 + 1);
    assert.equal(c.record('a', T0 + 60_000), false, 'the first window ended: this is failure 1 of a new one');
    assert.equal(c.retryAfterMs('a', T0 + 60_000), 0);
  });

  it('stays within maxEntries, dropping expired ids, then ids not refused, before refused ones', () => {
    const c = new FailureCounter(2, 60_000, 100);
    for (let i = 0; i < 10; i++) {
      c.record(`blocked-${i}`, T0);
      c.record(`blocked-${i}`, T0);
    }
    for (let i = 0; i < 10_000; i++) c.record(`spray-${i}`, T0 + 1);
    assert.ok(c.size <= 100, `size ${c.size}`);
    for (let i = 0; i < 10; i++) assert.ok(c.retryAfterMs(`blocked-${i}`, T0 + 2) > 0, 'a spray of one-off ids does not evict refusals');
    // Expired windows go first.
    for (let i = 0; i < 10_000; i++) c.record(`later-${i}`, T0 + 120_000);
    assert.ok(c.size <= 100);
  });

  it('drops the oldest windows when every id is refused', () => {
    const c = new FailureCounter(1, 60_000, 10);
    for (let i = 0; i < 50; i++) c.record(`id-${i}`, T0 + i);
    assert.ok(c.size <= 10);
    assert.ok(c.retryAfterMs('id-49', T0 + 50) > 0, 'the newest refusal is kept');
  });
});

describe('AuthThrottle', () => {
  it('has the documented defaults', () => {
    assert.deepEqual({ ...DEFAULT_AUTH_FAILURE_LIMITS }, {
      perAddress: 20,
      perKey: 100,
      windowMs: 60_000,
      familiarMs: 86_400_000,
      exemptLoopback: true,
      maxEntries: 10_000,
    });
  });

  it('refuses limits that make no sense when it is configured', () => {
    assert.throws(() => new AuthThrottle({ perAddress: -1 }), /perAddress must be an integer of at least 0/);
    assert.throws(() => new AuthThrottle({ windowMs: 0 }), /windowMs/);
    assert.throws(() => new AuthThrottle({ perKey: Number.NaN }), /perKey/);
    assert.throws(() => new AuthThrottle({ maxEntries: 0.5 }), /maxEntries/);
  });

  it('refuses an address after perAddress failures, for any key; other addresses are unaffected', () => {
    const t = new AuthThrottle();
    for (let i = 0; i < 19; i++) assert.deepEqual(t.failed('203.0.113.7', `AKIAGUESS${String(i).padStart(11, '0')}`, T0), []);
    assert.equal(t.check('203.0.113.7', KEY, T0), undefined);
    assert.deepEqual(t.failed('203.0.113.7', 'AKIAGUESS99999999999', T0), ['address']);
    assert.deepEqual(t.check('203.0.113.7', KEY, T0 + 1_000), { scope: 'address', retryAfterMs: 59_000 });
    assert.deepEqual(t.check('203.0.113.7', undefined, T0 + 1_000)?.scope, 'address');
    assert.equal(t.check('198.51.100.1', KEY, T0 + 1_000), undefined);
    assert.equal(t.check('203.0.113.7', KEY, T0 + 60_000), undefined, 'after the window');
  });

  it('refuses a key id after perKey failures from any addresses; other keys are unaffected', () => {
    const t = new AuthThrottle();
    // 5 addresses × 20 failures: each address reaches its own limit, and together they reach the key's.
    const reached: string[] = [];
    for (let a = 0; a < 5; a++) for (let i = 0; i < 20; i++) reached.push(...t.failed(`203.0.113.${a}`, KEY, T0));
    assert.deepEqual(reached.filter((s) => s === 'key'), ['key'], 'the key limit is reported once');
    assert.deepEqual(t.check('198.51.100.1', KEY, T0 + 1), { scope: 'key', retryAfterMs: 59_999 });
    assert.equal(t.check('198.51.100.1', OTHER_KEY, T0 + 1), undefined);
  });

  it('one address alone cannot lock a key: it is stopped at its own limit first', () => {
    const t = new AuthThrottle();
    for (let i = 0; i < 20; i++) t.failed('203.0.113.7', KEY, T0);
    assert.equal(t.check('203.0.113.7', KEY, T0)?.scope, 'address');
    assert.equal(t.check('198.51.100.1', KEY, T0), undefined);
  });

  it('a key that authenticated from an address keeps working there while the address or the key is refused', () => {
    const t = new AuthThrottle();
    t.succeeded('198.51.100.1', KEY, T0);
    for (let a = 0; a < 5; a++) for (let i = 0; i < 20; i++) t.failed(`203.0.113.${a}`, KEY, T0);
    for (let i = 0; i < 20; i++) t.failed('198.51.100.1', 'AKIAGUESS00000000000', T0);
    assert.equal(t.check('198.51.100.1', KEY, T0 + 1), undefined, 'familiar: neither the key lock nor the address lock applies');
    assert.equal(t.check('198.51.100.1', OTHER_KEY, T0 + 1)?.scope, 'address', 'other keys from the refused address are refused');
    assert.equal(t.check('192.0.2.9', KEY, T0 + 1)?.scope, 'key', 'the key from a new address is refused');
    // Familiarity ends after familiarMs.
    const short = new AuthThrottle({ familiarMs: 1_000 });
    short.succeeded('198.51.100.1', KEY, T0);
    for (let i = 0; i < 20; i++) short.failed('198.51.100.1', 'AKIAGUESS00000000000', T0);
    assert.equal(short.check('198.51.100.1', KEY, T0 + 999), undefined);
    assert.equal(short.check('198.51.100.1', KEY, T0 + 1_000)?.scope, 'address');
  });

  it('a success does not reset the failure count (a good key cannot be interleaved to guess at others)', () => {
    const t = new AuthThrottle({ familiarMs: 0 });
    for (let i = 0; i < 10; i++) t.failed('203.0.113.7', 'AKIAGUESS00000000000', T0);
    t.succeeded('203.0.113.7', KEY, T0);
    for (let i = 0; i < 10; i++) t.failed('203.0.113.7', 'AKIAGUESS00000000000', T0);
    assert.equal(t.check('203.0.113.7', KEY, T0)?.scope, 'address', 'familiarMs 0: no exemption either');
  });

  it('counts ids that are not access key ids per address only (bounded keys), and 0 turns a limit off', () => {
    const t = new AuthThrottle();
    for (let i = 0; i < 200; i++) t.failed(`203.0.113.${i % 250}`, `not-a-key-${'x'.repeat(1000)}-${i}`, T0);
    assert.equal(t.sizes.keys, 0);
    const off = new AuthThrottle({ perAddress: 0, perKey: 0 });
    for (let i = 0; i < 500; i++) off.failed('203.0.113.7', KEY, T0);
    assert.equal(off.check('203.0.113.7', KEY, T0), undefined);
  });

  it('keeps every table within maxEntries', () => {
    const t = new AuthThrottle({ maxEntries: 50 });
    for (let i = 0; i < 5_000; i++) {
      const id = `AKIA${String(i).padStart(16, '0')}`;
      t.failed(`10.0.${i >> 8}.${i & 255}`, id, T0 + i);
      t.succeeded(`10.1.${i >> 8}.${i & 255}`, id, T0 + i);
    }
    const s = t.sizes;
    assert.ok(s.addresses <= 50 && s.keys <= 50 && s.familiar <= 50, JSON.stringify(s));
  });
});

describe('client addresses', () => {
  const req = (remoteAddress: string | undefined, headers: Record<string, string | string[]> = {}) =>
    ({ socket: { remoteAddress }, headers }) as unknown as AnyRequest;

  it('is the peer address, whatever X-Forwarded-For a remote peer claims', () => {
    assert.equal(clientAddress(req('203.0.113.7'), true), '203.0.113.7');
    assert.equal(clientAddress(req('203.0.113.7', { 'x-forwarded-for': '198.51.100.1' }), true), '203.0.113.7');
    assert.equal(clientAddress(req('::ffff:203.0.113.7'), true), '203.0.113.7', 'IPv4-mapped counts as IPv4');
    assert.equal(clientAddress(req(undefined), true), 'unknown');
  });

  it('counts IPv6 peers per /64', () => {
    assert.equal(clientAddress(req('2001:db8:1:2:aaaa::1'), true), '2001:db8:1:2::/64');
    assert.equal(clientAddress(req('2001:db8:1:2:bbbb:cccc:dddd:eeee'), true), '2001:db8:1:2::/64');
    assert.equal(addressBucket('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(canonicalIp('fe80::1%eth0'), 'fe80::1');
    assert.equal(canonicalIp('0:0:0:0:0:ffff:7f00:1'), '127.0.0.1');
    assert.equal(canonicalIp('not an ip'), undefined);
  });

  it('behind a loopback proxy is the last X-Forwarded-For entry; a loopback peer forwarding nothing is exempt', () => {
    assert.equal(clientAddress(req('127.0.0.1', { 'x-forwarded-for': '10.9.8.7, 203.0.113.7' }), true), '203.0.113.7');
    assert.equal(clientAddress(req('::1', { 'x-forwarded-for': ['10.9.8.7', '203.0.113.8:4711'] }), true), '203.0.113.8');
    assert.equal(clientAddress(req('::ffff:127.0.0.1', { 'x-forwarded-for': '[2001:db8::5]:443' }), true), '2001:db8:0:0::/64');
    assert.equal(clientAddress(req('127.0.0.1', { 'x-forwarded-for': 'garbage' }), true), 'forwarded:invalid', 'not a way around the limit');
    assert.equal(clientAddress(req('127.0.0.1'), true), undefined);
    assert.equal(clientAddress(req('127.0.0.2', { 'x-forwarded-for': ' ' }), true), undefined);
    assert.equal(clientAddress(req('127.0.0.1'), false), '127.0.0.1');
    assert.equal(isLoopback('127.255.0.1'), true);
    assert.equal(isLoopback('::1'), true);
    assert.equal(isLoopback('::2'), false);
    assert.equal(isLoopback('10.0.0.1'), false);
  });

  it('is known for HTTP/2 requests as for HTTP/1.1 ones (the listener gives the session its TCP peer)', async () => {
    const d = createDualServer((r, res) => res.end(String(r.socket?.remoteAddress)));
    await new Promise<void>((resolve) => d.server.listen(0, '127.0.0.1', () => resolve()));
    const port = (d.server.address() as AddressInfo).port;
    try {
      assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), '127.0.0.1');
      const session = http2.connect(`http://127.0.0.1:${port}`);
      const stream = session.request({ ':path': '/' });
      let text = '';
      stream.on('data', (c: Buffer) => (text += c.toString()));
      await new Promise((resolve) => stream.on('end', resolve));
      session.close();
      assert.equal(text, '127.0.0.1');
    } finally {
      await d.close();
    }
  });
});
