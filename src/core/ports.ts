/** Ports that keep the lower layers free of I/O: time and randomness are injected. */

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export interface Random {
  /** `n` cryptographically strong random bytes. */
  bytes(n: number): Uint8Array;
}

export const systemClock: Clock = { now: () => Date.now() };

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function fromAlphabet(random: Random, alphabet: string, length: number): string {
  // Rejection sampling keeps the distribution uniform.
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const b of random.bytes(length * 2)) {
      if (b < limit) out += alphabet[b % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/** A 12-character guardrail id, like `hu1dlsv9wy1d`. */
export function newGuardrailId(random: Random): string {
  return fromAlphabet(random, ID_ALPHABET, 12);
}

export function newAccountId(random: Random): string {
  let id = fromAlphabet(random, '0123456789', 12);
  if (id.startsWith('0')) id = `1${id.slice(1)}`;
  return id;
}

/** An access key pair in AWS shapes: `AKIA` + 16 base32 characters, and a 40-character secret. */
export function newAccessKey(random: Random): { accessKeyId: string; secretAccessKey: string } {
  return {
    accessKeyId: `AKIA${fromAlphabet(random, KEY_ALPHABET, 16)}`,
    secretAccessKey: fromAlphabet(random, SECRET_ALPHABET, 40),
  };
}

export function isoTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}
