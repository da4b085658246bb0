import type { EnvChange } from '../envChange';
import { renderDotenv } from './dotenv';
import { renderFish } from './fish';
import { renderSh } from './sh';

/** The shells mfa-env integrates with (init, completion, profile functions, the prompt). */
export const INTEGRATION_SHELLS = ['bash', 'zsh', 'fish'] as const;
/** The shells whose syntax mfa-env writes: those, and POSIX sh for everything else. */
export const SHELLS = ['sh', ...INTEGRATION_SHELLS] as const;
export type Shell = (typeof SHELLS)[number];

/** The shell the shell integration says it is (`MFA_ENV_SHELL`), else sh: the default of `--shell`. */
export function defaultShell(env: Readonly<Record<string, string | undefined>>): Shell {
  const fromEnv = env.MFA_ENV_SHELL;
  return fromEnv && (SHELLS as readonly string[]).includes(fromEnv) ? (fromEnv as Shell) : 'sh';
}

/** Output formats: shell code (sh, fish), `credential_process` JSON, and dotenv lines. */
export const FORMATS = ['sh', 'fish', 'json', 'dotenv'] as const;
export type Format = (typeof FORMATS)[number];

/** Shell code that applies the change when evaluated by `shell`. */
export function renderForShell(shell: Shell, change: EnvChange): string {
  return shell === 'fish' ? renderFish(change) : renderSh(change);
}

/** The format `--shell` implies: bash and zsh read sh. */
export function formatOfShell(shell: Shell): Format {
  return shell === 'fish' ? 'fish' : 'sh';
}

/** An environment change in one of the formats that can express one (json describes credentials instead). */
export function renderChange(format: Exclude<Format, 'json'>, change: EnvChange): string {
  return format === 'dotenv' ? renderDotenv(change) : format === 'fish' ? renderFish(change) : renderSh(change);
}
