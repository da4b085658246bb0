// TOTP helpers shared by the test STS server and the tests: RFC 6238 with the
// parameters AWS virtual MFA devices use (SHA-1, 6 digits, 30-second steps).
import * as OTPAuth from 'otpauth';

const PERIOD = 30;
const DIGITS = 6;

function totp(secretBase32: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(secretBase32),
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD,
  });
}

/** The code an authenticator app shows at `atMs` (defaults to now, as a phone would). */
export function totpCode(secretBase32: string, atMs: number = Date.now()): string {
  return totp(secretBase32).generate({ timestamp: atMs });
}

/** A fresh random 160-bit secret in base32, as IAM generates for a virtual device. */
export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

/**
 * The 30-second step number that `code` belongs to, searching `window` steps either
 * side of `atMs`; null when the code matches none. The server needs the step (not a
 * boolean) to reject a code that was already used.
 */
export function totpMatchStep(secretBase32: string, code: string, atMs: number, window = 1): number | null {
  const delta = totp(secretBase32).validate({ token: code, timestamp: atMs, window });
  return delta === null ? null : OTPAuth.TOTP.counter({ period: PERIOD, timestamp: atMs }) + delta;
}
