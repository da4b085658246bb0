import type { ProcessHost } from './processHost';
import type { Env } from './profiles/configPaths';

/** What a command gets of the world below the entry point (main.ts makes it from `process`). */
export interface CommandIo {
  env: Env;
  stdin: NodeJS.ReadableStream;
  uid: number;
  /** This process (pid, signals): `process` itself, passed down from the entry point. */
  host: ProcessHost;
  /**
   * The clock (ms since the epoch; Date.now from the entry point): what decides whether a session is fresh and what
   * time-left is shown. Deadlines and timeouts measure elapsed time with the real clock, as timers do.
   */
  now(): number;
  /** A problem worked around (a bad cache file): `mfa-env: warning: ...` on stderr. */
  warn(message: string): void;
  /** Plain information for the user on stderr. */
  say(message: string): void;
  /** --debug / MFA_ENV_DEBUG=1: what is being done, on stderr; absent otherwise. Never given a secret. */
  debug?(message: string): void;
}
