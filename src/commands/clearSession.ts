import { clearChange } from '../env/envChange';
import { renderForShell, type Shell } from '../env/formats';
import type { Env } from '../profiles/configPaths';

/** `mfa-env --clear`: shell code that returns the environment to how it was before mfa-env. No files, no SDK. */
export function clearSession(shell: Shell, env: Env): string {
  return renderForShell(shell, clearChange(env));
}
