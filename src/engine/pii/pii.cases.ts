/**
 * Behaviour table for the PII detectors: for every entity type, texts that must be caught (with
 * the exact span texts expected, in order) and near-miss texts that must not produce a finding
 * of that type. Shared by the tests; values are synthetic (test card numbers, documentation
 * examples, checksum-valid made-up identifiers).
 */
import type { PiiEntityType } from '../config/types.ts';

export interface HitCase {
  readonly text: string;
  /** Exact texts of the findings of this type, in order. */
  readonly spans: readonly string[];
}

export interface TypeCases {
  readonly hits: readonly HitCase[];
  /** Texts that must produce no finding of this type. */
  readonly misses: readonly string[];
}

export const PII_CASES: Readonly<Record<PiiEntityType, TypeCases>> = {
  ADDRESS: {
    hits: [
      { text: 'Send it to 123 Main Street please.', spans: ['123 Main Street'] },
      { text: 'He lived at 221B Baker Street, London NW1 6XE for years.', spans: ['221B Baker Street, London NW1 6XE'] },
      {
        text: 'The White House is at 1600 Pennsylvania Avenue NW, Washington, DC 20500.',
        spans: ['1600 Pennsylvania Avenue NW, Washington, DC 20500'],
      },
      { text: 'Ship to 42 Elm Rd Apt 4B, Springfield, IL 62704 by Friday', spans: ['42 Elm Rd Apt 4B, Springfield, IL 62704'] },
      { text: 'Mail the form to P.O. Box 1234 and wait.', spans: ['P.O. Box 1234'] },
      { text: 'billing address: 17 maple road suite 210', spans: ['17 maple road suite 210'] },
      { text: 'Wir wohnen in der Hauptstraße 5, 10115 Berlin.', spans: ['Hauptstraße 5, 10115 Berlin'] },
      { text: 'Le bureau est au 12 rue de la Paix maintenant.', spans: ['12 rue de la Paix'] },
      { text: 'ZIP code: 90210', spans: ['90210'] },
      // Whole addresses: street, unit, city, region, postcode and country, over several lines too.
      {
        text: 'Please ship it to 4410 Oakmont Lane, Apt 12, Fairview, TX 75069 by Monday.',
        spans: ['4410 Oakmont Lane, Apt 12, Fairview, TX 75069'],
      },
      {
        text: 'Jane Roe\n18 Kestrel Way\nSuite 400\nPortland, OR 97201\nPhone: 503-555-0100',
        spans: ['18 Kestrel Way\nSuite 400\nPortland, OR 97201'],
      },
      { text: 'Sie wohnt in der Lindenstraße 14, 80331 München, Germany.', spans: ['Lindenstraße 14, 80331 München, Germany'] },
      { text: 'Envíalo a Calle de Alcalá 42, 28014 Madrid por favor', spans: ['Calle de Alcalá 42, 28014 Madrid'] },
      { text: 'Az iroda: Váci utca 18, Budapest', spans: ['Váci utca 18, Budapest'] },
      { text: 'Mail it to PSC 4120, Box 88\nAPO AE 09021 please', spans: ['PSC 4120, Box 88\nAPO AE 09021'] },
      { text: 'Meet me at the corner of 5th Avenue and Pine Street.', spans: ['the corner of 5th Avenue and Pine Street'] },
      { text: 'my new address is 9 birchwood drive, apt 2', spans: ['9 birchwood drive, apt 2'] },
      { text: 'Deliver to 16 Kingsmere Apt 5, Leeds LS6 2AB', spans: ['16 Kingsmere Apt 5, Leeds LS6 2AB'] },
      { text: 'The bakery on Harrow Road closed.', spans: ['Harrow Road'] },
    ],
    misses: [
      'I walked 3 miles down the road yesterday.',
      'The 2012 National Book Critics Circle award went to her.',
      'Our volumetric rendering engine 12 is faster.',
      'Released on 5 February 2020\nLanguage: English',
      'I have 2 Google Drive accounts.',
      'Chapter 5 Section 3 explains it.',
      'See page 12 of the report for the street names.',
      'Top 10 Things To Do In Town',
      'We sold 500 units last quarter on Main.',
      'the zip file is 12345 bytes',
    ],
  },
  AGE: {
    hits: [
      { text: 'I am 34 years old and live alone.', spans: ['34 years old'] },
      { text: 'A 34-year-old man was seen.', spans: ['34-year-old'] },
      { text: 'Patient age: 42, female.', spans: ['42'] },
      { text: 'She left school aged 16.', spans: ['16'] },
      { text: 'He is thirty-four years old.', spans: ['thirty-four years old'] },
      { text: 'At the age of 7 he moved.', spans: ['7'] },
    ],
    misses: [
      'That happened 34 years ago.',
      'I worked there for 10 years.',
      'Turn to page 34 please.',
      'The average age is rising.',
    ],
  },
  AWS_ACCESS_KEY: {
    hits: [
      { text: 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE', spans: ['AKIAIOSFODNN7EXAMPLE'] },
      { text: 'temporary key ASIAY34FZKBOKMUTVV7A expires soon', spans: ['ASIAY34FZKBOKMUTVV7A'] },
      { text: 'user key "AIDAJQABLZS4A3QDU576" found', spans: ['AIDAJQABLZS4A3QDU576'] },
    ],
    misses: [
      'AKIAIOSFODNN7EXAMPL is too short',
      'AKIA1OSFODNN7EXAMPLE has a 1 which base32 lacks',
      'XKIAIOSFODNN7EXAMPLE has the wrong prefix',
      'akiaiosfodnn7example is lower case',
      'Role AROAJQABLZS4A3QDU576Q is 21 long',
    ],
  },
  AWS_SECRET_KEY: {
    hits: [
      {
        text: 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        spans: ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
      },
      { text: 'secret: 9xQ2mZ8pL4vR7tY1wE5uI3oP6aS0dF2gH8jK4lZ1', spans: ['9xQ2mZ8pL4vR7tY1wE5uI3oP6aS0dF2gH8jK4lZ1'] },
      { text: 'token Hq3+Jz8Ka2Lm9Nb4Vc7Xd1Fs6Gh0Pw5Ry2Tu8EiW', spans: ['Hq3+Jz8Ka2Lm9Nb4Vc7Xd1Fs6Gh0Pw5Ry2Tu8EiW'] },
    ],
    misses: [
      'sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709',
      'abcdefghijabcdefghijabcdefghijabcdefghij',
      'value 9xQ2mZ8pL4vR7tY1wE5uI3oP6aS0dF2gH8jK4lZ1Q is 41 long',
      'padding 9xQ2mZ8pL4vR7tY1wE5uI3oP6aS0dF2gH8jK4lZ1= is base64',
    ],
  },
  CA_HEALTH_NUMBER: {
    hits: [
      { text: 'OHIP number 1234-567-890-AB please', spans: ['1234-567-890-AB'] },
      { text: 'My health card number is 1234567890 and it is valid', spans: ['1234567890'] },
      { text: 'RAMQ: ABCD 1234 5678', spans: ['ABCD 1234 5678'] },
      { text: 'BC personal health number 9123456789.', spans: ['9123456789'] },
    ],
    misses: [
      '1234567890 is just a number',
      'My health card expired last week',
      'OHIP 12345 is too short',
      'The health card number field is required',
    ],
  },
  CA_SOCIAL_INSURANCE_NUMBER: {
    hits: [
      { text: 'SIN: 130 692 544', spans: ['130 692 544'] },
      { text: 'social insurance number 130-692-544 on file', spans: ['130-692-544'] },
      { text: 'my sin is 130692544', spans: ['130692544'] },
    ],
    misses: [
      'SIN: 130 692 545',
      'SIN 830 692 544 starts with 8',
      'the number 130692544 alone',
      'SIN 046 454 286 starts with 0',
    ],
  },
  CREDIT_DEBIT_CARD_CVV: {
    hits: [
      { text: 'CVV: 123', spans: ['123'] },
      { text: 'the security code is 4567.', spans: ['4567'] },
      { text: 'cvc 987, exp 09/27', spans: ['987'] },
    ],
    misses: ['CVV: 12', 'code 123 without the keyword', 'cvv 12345', 'the CVV field is mandatory'],
  },
  CREDIT_DEBIT_CARD_EXPIRY: {
    hits: [
      { text: 'exp 09/27', spans: ['09/27'] },
      { text: 'The card expires 12/2026.', spans: ['12/2026'] },
      { text: 'Valid thru 01-28', spans: ['01-28'] },
      { text: 'Card 4111 1111 1111 1111, 03/29, CVV 123', spans: ['03/29'] },
    ],
    misses: ['exp 13/25', 'born on 12/27/1986', 'add 1/2 cup of sugar', 'the ratio was 10/20'],
  },
  CREDIT_DEBIT_CARD_NUMBER: {
    hits: [
      { text: 'My card 4111 1111 1111 1111 expires soon', spans: ['4111 1111 1111 1111'] },
      { text: 'MC 5555-5555-5555-4444 and Amex 378282246310005', spans: ['5555-5555-5555-4444', '378282246310005'] },
      { text: 'Discover 6011111111111117, JCB 3530111333300000', spans: ['6011111111111117', '3530111333300000'] },
      { text: 'new Mastercard 2223003122003222', spans: ['2223003122003222'] },
      { text: 'Diners 3056 930902 5904 ok', spans: ['3056 930902 5904'] },
      { text: 'UnionPay 6200000000000005.', spans: ['6200000000000005'] },
    ],
    misses: [
      'My card 4111 1111 1111 1112 expires soon',
      'number 1234 5678 9012 3456',
      'placeholder 0000 0000 0000 0000',
      'tracking number 4111111111111111 for your parcel',
    ],
  },
  DRIVER_ID: {
    hits: [
      { text: "My driver's license number is D1234567", spans: ['D1234567'] },
      { text: 'DL# A12345678, issued 2019', spans: ['A12345678'] },
      { text: 'driving licence MORGA657054SM9IJ', spans: ['MORGA657054SM9IJ'] },
      { text: "driver's license: 556677889", spans: ['556677889'] },
      { text: "my driver's license number is b7730512", spans: ['b7730512'] },
    ],
    misses: [
      "My driver's license expired",
      'D1234567 without any keyword',
      "driver's license: abc",
      'license number 12',
    ],
  },
  EMAIL: {
    hits: [
      { text: 'Contact john.doe@example.com today', spans: ['john.doe@example.com'] },
      { text: 'reach me at a+b@sub.example.co.uk.', spans: ['a+b@sub.example.co.uk'] },
      { text: 'From: <user_1@mail.example.org>', spans: ['user_1@mail.example.org'] },
    ],
    misses: ['john@localhost', 'follow @handle on social', 'john.doe@example', 'a@b.c is too short', 'x..y@example.com'],
  },
  INTERNATIONAL_BANK_ACCOUNT_NUMBER: {
    hits: [
      { text: 'IBAN DE89 3704 0044 0532 0130 00, thanks', spans: ['DE89 3704 0044 0532 0130 00'] },
      { text: 'pay GB82WEST12345698765432 now', spans: ['GB82WEST12345698765432'] },
      { text: 'FR14 2004 1010 0505 0001 3M02 606 is French', spans: ['FR14 2004 1010 0505 0001 3M02 606'] },
      { text: 'iban: gb82west12345698765432', spans: ['gb82west12345698765432'] },
      { text: 'NL91ABNA0417164300', spans: ['NL91ABNA0417164300'] },
    ],
    misses: [
      'IBAN DE89 3704 0044 0532 0130 01',
      'GB82WEST1234569876543 is one short',
      'XX89370400440532013000 has no country',
      'the code DE89 alone',
    ],
  },
  IP_ADDRESS: {
    hits: [
      { text: 'server at 192.168.1.10 is down', spans: ['192.168.1.10'] },
      { text: 'block 10.0.0.0/8 and 8.8.8.8.', spans: ['10.0.0.0/8', '8.8.8.8'] },
      { text: 'ping 2001:db8::1 now', spans: ['2001:db8::1'] },
      { text: 'fe80::1ff:fe23:4567:890a and ::ffff:192.0.2.128', spans: ['fe80::1ff:fe23:4567:890a', '::ffff:192.0.2.128'] },
      { text: 'address 2001:0db8:85a3:0000:0000:8a2e:0370:7334 blocked', spans: ['2001:0db8:85a3:0000:0000:8a2e:0370:7334'] },
    ],
    misses: ['256.1.1.1 is not valid', 'sequence 1.2.3.4.5', 'version 1.2.3.4 released', 'meet at 12:30:45', 'std::vector'],
  },
  LICENSE_PLATE: {
    hits: [
      { text: 'license plate 7ABC123 and a dent', spans: ['7ABC123'] },
      { text: 'plate number: AB12 CDE', spans: ['AB12 CDE'] },
      { text: 'registration number KA01AB1234? no, reg plate is XYZ-9876', spans: ['XYZ-9876'] },
    ],
    misses: ['a new license plate frame', 'a plate of pasta', '7ABC123 without a keyword', 'plate number: 1'],
  },
  MAC_ADDRESS: {
    hits: [
      { text: 'MAC 00:1A:2B:3C:4D:5E online', spans: ['00:1A:2B:3C:4D:5E'] },
      { text: 'eth0 00-1a-2b-3c-4d-5e', spans: ['00-1a-2b-3c-4d-5e'] },
      { text: 'switch port 001a.2b3c.4d5e.', spans: ['001a.2b3c.4d5e'] },
    ],
    misses: ['00:1A:2B:3C:4D has five groups', '00:1A-2B:3C:4D:5E mixes separators', 'time 12:30:45', '001a.2b3c.4d5e.6f7a is longer'],
  },
  NAME: {
    hits: [
      { text: 'My name is Jessica Moreau.', spans: ['Jessica Moreau'] },
      { text: 'Dr. Lindqvist signed the form.', spans: ['Lindqvist'] },
      { text: 'Dear Maria, thanks for writing.', spans: ['Maria'] },
      { text: 'Follow up with Colleen Harper in 2 months.', spans: ['Colleen Harper'] },
      { text: 'I spoke with John F. Kennedy yesterday.', spans: ['John F. Kennedy'] },
      { text: "It was Amara's bike.", spans: ['Amara'] },
      { text: 'my name is tracy kowalski', spans: ['tracy kowalski'] },
      { text: 'Will Smith starred in it.', spans: ['Will Smith'] },
      { text: 'Ask Mrs. O’Brien-Smith about it', spans: ['O’Brien-Smith'] },
      // Lists, speech, addressing, speaker labels, possessions, lower-case typing, name suffixes.
      { text: 'They invited four guests: Hannah, Dmitri, Oksana and Pieter.', spans: ['Hannah', 'Dmitri', 'Oksana', 'Pieter'] },
      { text: '"That was close," says Vanterpool.', spans: ['Vanterpool'] },
      { text: 'Thorvaldsen shouted at the referee.', spans: ['Thorvaldsen'] },
      { text: 'Brannagh: "Where are you?"', spans: ['Brannagh'] },
      { text: "Please update Okonkwo's address.", spans: ['Okonkwo'] },
      { text: 'please follow up with priya raman next week', spans: ['priya raman'] },
      { text: 'The report was signed by Robert Hale PhD yesterday.', spans: ['Robert Hale PhD'] },
    ],
    misses: [
      'I flew to El Salvador in May.',
      'who is coming to chad with me?',
      'Shares of Drake PLC fell.',
      'Honestly, I think the Police said nothing.',
      'The Chad basin is large.',
      'Concepts like Freedom and Discipline are capitalised here.',
      'Will you come tomorrow?',
      'May I help you?',
      'We flew to Paris last May.',
      'Mark my words.',
      'The Monday Meeting is in the Main Hall.',
    ],
  },
  PASSWORD: {
    hits: [
      { text: 'password: hunter2', spans: ['hunter2'] },
      { text: 'login?pwd=S3cr3t!&user=bob', spans: ['S3cr3t!'] },
      { text: 'my password is Tr0ub4dor&3.', spans: ['Tr0ub4dor&3'] },
      { text: '{"password": "p@ss w0rd"}', spans: ['p@ss w0rd'] },
      { text: 'I changed my password to Blue42!', spans: ['Blue42!'] },
    ],
    misses: [
      'Click the password reset link.',
      'the password is incorrect',
      'Enter your password to continue',
      'Passwords must be 12 characters long',
    ],
  },
  PHONE: {
    hits: [
      { text: 'Call me at (415) 555-2671 tomorrow', spans: ['(415) 555-2671'] },
      { text: 'London office: +44 20 7946 0958.', spans: ['+44 20 7946 0958'] },
      { text: 'ring 020 7946 0958 or 202-555-0143', spans: ['020 7946 0958', '202-555-0143'] },
      { text: 'Desk: 212.555.0143x751', spans: ['212.555.0143x751'] },
      { text: 'Mobile: 071-234-567', spans: ['071-234-567'] },
      { text: 'You can reach me on 61 51 81 after six.', spans: ['61 51 81'] },
    ],
    misses: [
      'Scores were 61 51 81 in the three rounds.',
      'card 4111 1111 1111 1111',
      'ssn 123-45-6789',
      'in 1999 and 2023-05-12',
      'My order number is 4155552671, I will phone later',
      'born 12/27/1986',
      'When: 2014-02-13 09:33:20',
    ],
  },
  PIN: {
    hits: [
      { text: 'PIN: 1234', spans: ['1234'] },
      { text: 'my pin is 987654.', spans: ['987654'] },
      { text: 'PIN code 4321 for the door', spans: ['4321'] },
    ],
    misses: ['pin 12', 'the pinned post 1234', '1234 without a keyword', 'pin 1234567'],
  },
  SWIFT_CODE: {
    hits: [
      { text: 'SWIFT code: DEUTDEFF', spans: ['DEUTDEFF'] },
      { text: 'BIC NEDSZAJJXXX for the transfer', spans: ['NEDSZAJJXXX'] },
      { text: 'swift/bic BOFAUS3N', spans: ['BOFAUS3N'] },
    ],
    misses: ['OUR BUSINESS IS GROWING', 'SWIFT: DEUTXXFF', 'IPHONE15 is great', 'swift code deutdeff'],
  },
  UK_NATIONAL_HEALTH_SERVICE_NUMBER: {
    hits: [
      { text: 'NHS number 943 476 5919', spans: ['943 476 5919'] },
      { text: 'nhs no: 4010232137', spans: ['4010232137'] },
      { text: 'Patient 485 777 3457 was seen', spans: ['485 777 3457'] },
    ],
    misses: ['NHS number 943 476 5918', 'order 4010232137 shipped', 'NHS 12345', 'NHS 000 000 0000'],
  },
  UK_NATIONAL_INSURANCE_NUMBER: {
    hits: [
      { text: 'NI number AB 12 34 56 C', spans: ['AB 12 34 56 C'] },
      { text: 'national insurance JG103759A', spans: ['JG103759A'] },
      { text: 'CE123456D is on the form', spans: ['CE123456D'] },
    ],
    misses: ['QQ123456C', 'BG123456A', 'AB123456E', 'AO123456A', 'DA123456A'],
  },
  UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER: {
    hits: [
      { text: 'UTR: 1234567890', spans: ['1234567890'] },
      { text: 'unique taxpayer reference 12345 67890', spans: ['12345 67890'] },
      { text: 'My UTR is 9876543210K.', spans: ['9876543210K'] },
    ],
    misses: ['1234567890 alone', 'UTR: 12345', 'UTR 123456789012', 'self assessment is due'],
  },
  URL: {
    hits: [
      { text: 'see https://example.com/path?q=1.', spans: ['https://example.com/path?q=1'] },
      { text: 'go to www.example.org now', spans: ['www.example.org'] },
      { text: '(details at http://foo.example/baz)', spans: ['http://foo.example/baz'] },
      { text: 'New photos on http://www.ShopCorner.co.uk/', spans: ['http://www.ShopCorner.co.uk/'] },
      { text: 'shop at example.com/deals today', spans: ['example.com/deals'] },
    ],
    misses: ['Built with ASP.NET and Node.js', 'https:// alone', 'open file.txt', 'mail bob@example.com'],
  },
  USERNAME: {
    hits: [
      { text: 'username: jdoe', spans: ['jdoe'] },
      { text: 'logged in as admin_01 yesterday', spans: ['admin_01'] },
      { text: 'User ID: u12345', spans: ['u12345'] },
      { text: 'login jsmith42 failed', spans: ['jsmith42'] },
    ],
    misses: [
      'Go to the login page',
      'the user is responsible',
      'username is required',
      'login failed twice',
      'Bot: What is the name on the account?\nUser: Penny Moreau speaking',
    ],
  },
  US_BANK_ACCOUNT_NUMBER: {
    hits: [
      { text: 'account number 12345678901', spans: ['12345678901'] },
      { text: 'Acct #: 00123456789', spans: ['00123456789'] },
      { text: 'my checking account is 987654321.', spans: ['987654321'] },
    ],
    misses: ['account 1234', '12345678901 alone', 'my account has 12345678 followers', 'account number 123456789012345678'],
  },
  US_BANK_ROUTING_NUMBER: {
    hits: [
      { text: 'routing number 021000021', spans: ['021000021'] },
      { text: 'ABA: 011000015', spans: ['011000015'] },
      { text: 'wire via 0260-0959-3', spans: ['0260-0959-3'] },
    ],
    misses: ['routing number 021000022', 'the number 021000021 alone', 'routing 123456789', 'routing 131000028'],
  },
  US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER: {
    hits: [
      { text: 'ITIN 912-70-1234', spans: ['912-70-1234'] },
      { text: 'taxpayer id 900-50-1234.', spans: ['900-50-1234'] },
      { text: 'ITIN: 912781234', spans: ['912781234'] },
    ],
    misses: ['ITIN 912-69-1234', 'ITIN 912-93-1234', '812-70-1234', 'number 912781234 alone'],
  },
  US_PASSPORT_NUMBER: {
    hits: [
      { text: 'passport number 123456789', spans: ['123456789'] },
      { text: 'Passport No: C12345678.', spans: ['C12345678'] },
      { text: 'US passport: 987654321', spans: ['987654321'] },
    ],
    misses: ['passport photo 123', 'passport number: 12345', '123456789 alone', 'passport 1234567890'],
  },
  US_SOCIAL_SECURITY_NUMBER: {
    hits: [
      { text: 'SSN: 123-45-6789', spans: ['123-45-6789'] },
      { text: 'His social security number is 536 22 8726', spans: ['536 22 8726'] },
      { text: 'ssn 536228726', spans: ['536228726'] },
      { text: 'form 219-09-9999 filed', spans: ['219-09-9999'] },
    ],
    misses: ['SSN: 000-12-3456', 'SSN 666-12-3456', 'SSN 912-34-5678', 'SSN 123-00-4567', 'SSN 123-45-0000', 'number 536228726'],
  },
  VEHICLE_IDENTIFICATION_NUMBER: {
    hits: [
      { text: 'VIN: 1HGCM82633A004352', spans: ['1HGCM82633A004352'] },
      { text: 'truck 1M8GDM9AXKP042788 sold', spans: ['1M8GDM9AXKP042788'] },
      { text: 'JH4KA7561PC008269.', spans: ['JH4KA7561PC008269'] },
    ],
    misses: ['VIN: 1HGCM82633A004353', 'VIN 1HGCM82633A00435', 'VIN IHGCM82633A004352', '11111111111111111'],
  },
};
