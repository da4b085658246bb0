import { UsageError } from '../../errors';
import type { EnvChange } from '../envChange';
import { checkName } from './checks';

// For a shell's prompt and renewals only: a container has neither.
const SHELL_ONLY = new Set(['MFA_ENV_PROFILE_LABEL', 'MFA_ENV_RENEW_AT', 'MFA_ENV_DURATION']);

/**
 * `NAME=value` lines for `docker run --env-file` and similar readers, which take everything after the first `=`
 * literally: no quoting, no escapes, one line per variable. So only the variables a program needs are written
 * (not mfa-env's bookkeeping), nothing is written for a removed variable, and a value that cannot be written as
 * one plain line is refused rather than mangled.
 */
export function renderDotenv(change: EnvChange): string {
  let out = '';
  for (const [name, value] of change) {
    checkName(name);
    if (value === null || name.startsWith('MFA_ENV_SAVED') || SHELL_ONLY.has(name)) continue;
    if (/[\0\r\n]/.test(value))
      throw new UsageError(
        `the value of ${name} spans lines, which the dotenv format cannot hold; use --format sh or json`,
      );
    out += `${name}=${value}\n`;
  }
  return out;
}
