import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cardBrand,
  isValidAbaRouting,
  isValidBic,
  isValidCardNumber,
  isValidIban,
  isValidItin,
  isValidNhs,
  isValidNino,
  isValidSin,
  isValidSsn,
  isValidVin,
  luhnValid,
} from './validators.ts';
import { isIPv6, isHostName } from './detectors/network.ts';
import { looksRandom } from './detectors/aws.ts';

test('Luhn', () => {
  assert.ok(luhnValid('4111111111111111'));
  assert.ok(luhnValid('79927398713'));
  assert.ok(!luhnValid('79927398710'));
  assert.ok(!luhnValid('4111-1111'));
});

test('card networks by IIN prefix and length', () => {
  const brands: Array<[string, string | null]> = [
    ['4111111111111111', 'VISA'],
    ['4222222222222', 'VISA'],
    ['5555555555554444', 'MASTERCARD'],
    ['2223003122003222', 'MASTERCARD'],
    ['378282246310005', 'AMEX'],
    ['6011111111111117', 'DISCOVER'],
    ['3530111333300000', 'JCB'],
    ['30569309025904', 'DINERS'],
    ['6200000000000005', 'UNIONPAY'],
    ['6759649826438453', 'MAESTRO'],
    ['37828224631000', null], // Amex prefix, wrong length
    ['9111111111111111', null],
  ];
  for (const [digits, brand] of brands) assert.equal(cardBrand(digits), brand, digits);
  assert.ok(isValidCardNumber('4111111111111111'));
  assert.ok(!isValidCardNumber('4111111111111112'), 'Luhn');
  assert.ok(!isValidCardNumber('0000000000000000'), 'no network, placeholder');
});

test('ABA routing numbers: prefix and 3-7-1 checksum', () => {
  assert.ok(isValidAbaRouting('021000021'));
  assert.ok(isValidAbaRouting('011000015'));
  assert.ok(!isValidAbaRouting('021000022'));
  assert.ok(!isValidAbaRouting('123456789'));
  assert.ok(!isValidAbaRouting('000000000'));
  assert.ok(!isValidAbaRouting('13100002'), 'length');
});

test('SSN structure', () => {
  assert.ok(isValidSsn('123456789'));
  for (const bad of ['000123456', '666123456', '900123456', '123006789', '123450000', '111111111']) {
    assert.ok(!isValidSsn(bad), bad);
  }
});

test('ITIN group ranges', () => {
  for (const g of ['50', '65', '70', '88', '90', '92', '94', '99']) assert.ok(isValidItin(`912${g}1234`), g);
  for (const g of ['49', '66', '69', '89', '93', '00']) assert.ok(!isValidItin(`912${g}1234`), g);
  assert.ok(!isValidItin('812701234'));
});

test('Canadian SIN', () => {
  assert.ok(isValidSin('130692544'));
  assert.ok(!isValidSin('130692545'), 'Luhn');
  assert.ok(!isValidSin('046454286'), 'first digit 0');
});

test('NHS mod-11', () => {
  assert.ok(isValidNhs('9434765919'));
  assert.ok(isValidNhs('4010232137'));
  assert.ok(!isValidNhs('9434765918'));
  assert.ok(!isValidNhs('0000000000'));
});

test('National Insurance prefixes and suffix', () => {
  assert.ok(isValidNino('AB123456C'));
  assert.ok(isValidNino('JG103759A'));
  for (const bad of ['QQ123456C', 'DA123456A', 'AO123456A', 'BG123456A', 'GB123456A', 'NK123456A', 'TN123456A', 'ZZ123456A', 'AB123456E']) {
    assert.ok(!isValidNino(bad), bad);
  }
});

test('VIN check digit', () => {
  assert.ok(isValidVin('1HGCM82633A004352'));
  assert.ok(isValidVin('1M8GDM9AXKP042788'));
  assert.ok(!isValidVin('1HGCM82633A004353'));
  assert.ok(!isValidVin('IHGCM82633A004352'), 'I is not allowed');
});

test('IBAN and BIC', () => {
  assert.ok(isValidIban('DE89370400440532013000'));
  assert.ok(isValidIban('GB82WEST12345698765432'));
  assert.ok(!isValidIban('DE89370400440532013001'));
  assert.ok(isValidBic('DEUTDEFF'));
  assert.ok(isValidBic('NEDSZAJJXXX'));
  assert.ok(!isValidBic('DEUTXXFF'), 'country');
  assert.ok(!isValidBic('DEUTDEF'), 'length');
});

test('IPv6 forms', () => {
  for (const ok of ['2001:db8::1', '::1', 'fe80::1ff:fe23:4567:890a', '2001:0db8:85a3:0000:0000:8a2e:0370:7334', '::ffff:192.0.2.128', '1::1.2.3.4']) {
    assert.ok(isIPv6(ok), ok);
  }
  for (const bad of ['12:30:45', '1:2:3:4:5:6:7:8:9', '2001:db8:::1', 'g::1', '::', '1::2::3']) assert.ok(!isIPv6(bad), bad);
});

test('host names', () => {
  assert.ok(isHostName('example.com'));
  assert.ok(isHostName('sub.example.co.uk'));
  assert.ok(!isHostName('localhost'));
  assert.ok(!isHostName('example.c'));
  assert.ok(!isHostName('-bad.com'));
});

test('random-looking secrets vs hashes and words', () => {
  assert.ok(looksRandom('9xQ2mZ8pL4vR7tY1wE5uI3oP6aS0dF2gH8jK4lZ1'));
  assert.ok(!looksRandom('da39a3ee5e6b4b0d3255bfef95601890afd80709'), 'hex hash');
  assert.ok(!looksRandom('ThisIsAVeryLongCamelCaseIdentifierName12'), 'identifier');
});
