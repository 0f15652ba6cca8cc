import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, parseCidr, parseIp } from './ip.ts';

function inCidr(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const a = parseIp(ip);
  assert.ok(c, `cidr ${cidr}`);
  assert.ok(a, `ip ${ip}`);
  return cidrContains(c, a);
}

test('IPv4 CIDR matching', () => {
  assert.equal(inCidr('203.0.113.0/24', '203.0.113.7'), true);
  assert.equal(inCidr('203.0.113.0/24', '203.0.114.7'), false);
  assert.equal(inCidr('10.0.0.0/8', '10.255.255.255'), true);
  assert.equal(inCidr('10.0.0.0/9', '10.128.0.1'), false);
  assert.equal(inCidr('0.0.0.0/0', '1.2.3.4'), true);
  assert.equal(inCidr('192.0.2.1', '192.0.2.1'), true);
  assert.equal(inCidr('192.0.2.1/32', '192.0.2.2'), false);
});

test('IPv6 CIDR matching', () => {
  assert.equal(inCidr('2001:db8::/32', '2001:db8:1234::1'), true);
  assert.equal(inCidr('2001:db8::/32', '2001:db9::1'), false);
  assert.equal(inCidr('2001:db8:abcd:12::/63', '2001:db8:abcd:13::ffff'), true);
  assert.equal(inCidr('2001:db8:abcd:12::/64', '2001:db8:abcd:13::ffff'), false);
  assert.equal(inCidr('::/0', '::1'), true);
  assert.equal(inCidr('::ffff:192.0.2.0/120', '::ffff:192.0.2.99'), true);
  assert.equal(inCidr('0.0.0.0/0', '::1'), false, 'families never mix');
});

test('invalid addresses and prefixes are rejected', () => {
  for (const bad of ['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4x', '1::2::3', 'gggg::1', '1:2:3:4:5:6:7:8:9', '']) {
    assert.equal(parseIp(bad), undefined, bad);
  }
  for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/abc']) assert.equal(parseCidr(bad), undefined, bad);
  assert.deepEqual(parseIp('::1'), [...new Array<number>(15).fill(0), 1]);
});
