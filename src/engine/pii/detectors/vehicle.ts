/**
 * Vehicles and driving: VIN, driver's licence number, licence plate.
 */
import type { Detector, PiiFinding, ScanInput } from '../detector.ts';
import { clampScore } from '../detector.ts';
import { contextScorer, keyedDetector, LONG_RUNS, longAlnumRuns } from '../scan-util.ts';
import { compact, isValidVin } from '../validators.ts';

// ---------------------------------------------------------------------------------------------
// VEHICLE_IDENTIFICATION_NUMBER
// ---------------------------------------------------------------------------------------------

/** A 17-character alphanumeric piece delimited by the run ends or by '+' / '/'. */
const ALNUM_PIECE_RE = /(?<![A-Za-z0-9])[A-Za-z0-9]{17}(?![A-Za-z0-9])/g;

const VIN_CONTEXT = contextScorer(
  {
    positive: ['vin', 'vin number', 'vin no', 'vin #', 'vehicle identification', 'vehicle identification number', 'chassis', 'vehicle', 'car', 'truck'],
    before: 48,
  },
  0.15,
);

/** 17 characters without I/O/Q, letters and digits, valid check digit; not inside a longer token. */
export const vin: Detector = {
  type: 'VEHICLE_IDENTIFICATION_NUMBER',
  threshold: 0.5,
  detect(input: ScanInput, out: PiiFinding[]): void {
    const text = input.text;
    const runs = input.memo(LONG_RUNS, longAlnumRuns);
    for (let r = 0; r < runs.length; r += 2) {
      const runStart = runs[r] ?? 0;
      const runEnd = runs[r + 1] ?? 0;
      // Long runs may contain '+' or '/': the VIN is a whole alphanumeric piece of it.
      for (const piece of text.slice(runStart, runEnd).matchAll(ALNUM_PIECE_RE)) {
        const v = piece[0];
        if (!/[A-Z]/.test(v) || !/\d/.test(v) || !isValidVin(v)) continue;
        const start = runStart + (piece.index ?? 0);
        const end = start + 17;
        out.push({
          type: 'VEHICLE_IDENTIFICATION_NUMBER',
          start,
          end,
          score: clampScore(VIN_CONTEXT.score(0.8, text, start, end)),
        });
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------
// DRIVER_ID (context required)
// ---------------------------------------------------------------------------------------------

/** UK DVLA driving licence number: 5 surname chars (9-padded), 6 digits, 2 initials, digit, 2 check letters. */
const UK_DRIVING_LICENCE = /^[A-Z9]{5}\d{6}[A-Z9]{2}\d[A-Z]{2}$/;

export const driverId: Detector = keyedDetector(
  'DRIVER_ID',
  0.5,
  {
    keywords: [
      "driver's license", 'drivers license', 'driver license', "driver's licence", 'drivers licence', 'driver licence',
      'driving licence', 'driving license', "driver's license number", 'driver license number', "driver's license no",
      'driving licence number', 'driving licence no', 'license number', 'licence number', 'license no', 'licence no',
      'license #', 'licence #', 'license id', 'dl', 'dl number', 'dl no', 'dl #', 'dl#', 'dln', 'driver id',
      "driver's id", 'driver number', 'permis de conduire', 'führerschein', 'licencia de conducir', 'carnet de conducir',
      'cdl', 'cdl number',
    ],
    value: '[A-Z0-9*](?:[A-Z0-9*]|[- ](?=\\d)){4,24}(?![A-Za-z0-9])',
  },
  (m, text) => {
    const raw = m.value;
    // The value pattern is case-insensitive; licence numbers are written in upper case, except by people
    // typing everything in lower case ("my driver's license number is a56319335"): a lower-case value is
    // taken after a lower-case keyword when it is mostly digits.
    if (raw !== raw.toUpperCase()) {
      const keyword = text.slice(m.hit.start, m.hit.end);
      const digitShare = raw.replace(/\D/g, '').length / raw.replace(/[- ]/g, '').length;
      if (keyword !== keyword.toLowerCase() || raw !== raw.toLowerCase() || digitShare < 0.6) return null;
    }
    const c = compact(raw);
    if (c.length < 5 || c.length > 20) return null;
    if (UK_DRIVING_LICENCE.test(c)) return { start: m.start, end: m.end, score: 0.9 };
    const digits = c.replace(/\D/g, '').length;
    const letters = c.length - digits;
    if (digits >= 4 && letters <= 3) return { start: m.start, end: m.end, score: 0.85 };
    if (digits >= 3 && letters <= 9) return { start: m.start, end: m.end, score: 0.6 };
    return null;
  },
);

// ---------------------------------------------------------------------------------------------
// LICENSE_PLATE (context required)
// ---------------------------------------------------------------------------------------------

export const licensePlate: Detector = keyedDetector(
  'LICENSE_PLATE',
  0.5,
  {
    keywords: [
      'license plate', 'licence plate', 'license plate number', 'licence plate number', 'license plates', 'plate number',
      'plate no', 'plate #', 'plate', 'plates', 'number plate', 'registration number', 'registration plate',
      'registration mark', 'vehicle registration', 'vehicle registration number', 'car registration', 'reg number',
      'reg no', 'reg plate', 'reg', 'vrn', 'tag number', 'license tag', 'licence tag', 'tags', 'kennzeichen',
      "plaque d'immatriculation", 'immatriculation', 'matrícula', 'targa', 'rego',
    ],
    value: '[A-Z0-9]{1,4}(?:[- ·]?[A-Z0-9]{1,4}){0,2}(?![A-Za-z0-9])',
  },
  (m) => {
    // The value pattern is case-insensitive: drop trailing groups that are ordinary words
    // ("7ABC123 and" → "7ABC123"); plates are upper case.
    let raw = m.value;
    let end = m.end;
    while (raw !== raw.toUpperCase()) {
      const cut = Math.max(raw.lastIndexOf(' '), raw.lastIndexOf('-'), raw.lastIndexOf('·'));
      if (cut <= 0) return null;
      end -= raw.length - cut;
      raw = raw.slice(0, cut);
    }
    const c = compact(raw);
    if (c.length < 2 || c.length > 8) return null;
    const hasDigit = /\d/.test(c);
    const hasLetter = /[A-Z]/.test(c);
    if (hasDigit && hasLetter) return { start: m.start, end, score: 0.85 };
    // All-digit or all-letter (vanity) plates are plausible but weaker.
    if (c.length >= 4) return { start: m.start, end, score: 0.6 };
    return null;
  },
);
