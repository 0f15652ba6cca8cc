/**
 * The detector registry: one detector per Bedrock PII entity type, and the fixed type priority
 * used to break ties between overlapping findings of equal score and length.
 */
import { PII_ENTITY_TYPES, type PiiEntityType } from '../config/types.ts';
import type { Detector } from './detector.ts';
import { address } from './detectors/address.ts';
import { age } from './detectors/age.ts';
import { awsAccessKey, awsSecretKey } from './detectors/aws.ts';
import { caHealthNumber, caSin } from './detectors/ca.ts';
import { password, pin, username } from './detectors/credentials.ts';
import { creditCardCvv, creditCardExpiry, creditCardNumber, iban, swiftCode } from './detectors/finance.ts';
import { name } from './detectors/name.ts';
import { email, ipAddress, macAddress, url } from './detectors/network.ts';
import { phone } from './detectors/phone.ts';
import { ukNhs, ukNino, ukUtr } from './detectors/uk.ts';
import { usBankAccount, usItin, usPassport, usRouting, usSsn } from './detectors/us.ts';
import { driverId, licensePlate, vin } from './detectors/vehicle.ts';

export const DETECTORS: Readonly<Record<PiiEntityType, Detector>> = {
  ADDRESS: address,
  AGE: age,
  AWS_ACCESS_KEY: awsAccessKey,
  AWS_SECRET_KEY: awsSecretKey,
  CA_HEALTH_NUMBER: caHealthNumber,
  CA_SOCIAL_INSURANCE_NUMBER: caSin,
  CREDIT_DEBIT_CARD_CVV: creditCardCvv,
  CREDIT_DEBIT_CARD_EXPIRY: creditCardExpiry,
  CREDIT_DEBIT_CARD_NUMBER: creditCardNumber,
  DRIVER_ID: driverId,
  EMAIL: email,
  INTERNATIONAL_BANK_ACCOUNT_NUMBER: iban,
  IP_ADDRESS: ipAddress,
  LICENSE_PLATE: licensePlate,
  MAC_ADDRESS: macAddress,
  NAME: name,
  PASSWORD: password,
  PHONE: phone,
  PIN: pin,
  SWIFT_CODE: swiftCode,
  UK_NATIONAL_HEALTH_SERVICE_NUMBER: ukNhs,
  UK_NATIONAL_INSURANCE_NUMBER: ukNino,
  UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER: ukUtr,
  URL: url,
  USERNAME: username,
  US_BANK_ACCOUNT_NUMBER: usBankAccount,
  US_BANK_ROUTING_NUMBER: usRouting,
  US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER: usItin,
  US_PASSPORT_NUMBER: usPassport,
  US_SOCIAL_SECURITY_NUMBER: usSsn,
  VEHICLE_IDENTIFICATION_NUMBER: vin,
};

/**
 * Tie-break order (earlier wins): checksummed and keyword-anchored identifiers first, then
 * network identifiers, then loosely shaped types.
 */
export const TYPE_PRIORITY: readonly PiiEntityType[] = [
  'AWS_ACCESS_KEY',
  'AWS_SECRET_KEY',
  'CREDIT_DEBIT_CARD_NUMBER',
  'INTERNATIONAL_BANK_ACCOUNT_NUMBER',
  'US_SOCIAL_SECURITY_NUMBER',
  'US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER',
  'CA_SOCIAL_INSURANCE_NUMBER',
  'UK_NATIONAL_INSURANCE_NUMBER',
  'UK_NATIONAL_HEALTH_SERVICE_NUMBER',
  'VEHICLE_IDENTIFICATION_NUMBER',
  'US_BANK_ROUTING_NUMBER',
  'SWIFT_CODE',
  'EMAIL',
  'URL',
  'IP_ADDRESS',
  'MAC_ADDRESS',
  'PASSWORD',
  'USERNAME',
  'PIN',
  'CREDIT_DEBIT_CARD_CVV',
  'CREDIT_DEBIT_CARD_EXPIRY',
  'US_PASSPORT_NUMBER',
  'DRIVER_ID',
  'LICENSE_PLATE',
  'UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER',
  'CA_HEALTH_NUMBER',
  'US_BANK_ACCOUNT_NUMBER',
  'PHONE',
  'AGE',
  'ADDRESS',
  'NAME',
];

const RANK: ReadonlyMap<PiiEntityType, number> = new Map(TYPE_PRIORITY.map((t, i) => [t, i]));

export function typeRank(type: PiiEntityType): number {
  return RANK.get(type) ?? PII_ENTITY_TYPES.length;
}
