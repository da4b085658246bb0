// How the shell integration tells code from output. Its wrapper runs mfa-env with MFA_ENV_EVAL_FD=N and fd N open
// on a pipe it reads; the wrapper evaluates what arrives there and nothing else. stdout stays what it is without the
// integration (the terminal, or the user's redirect), so `mfa-env list > l.txt`, `--format dotenv > aws.env`,
// `--help` and `exec`'s child are never evaluated, whatever they print. Without the variable, code goes to stdout
// as always, for `eval "$(mfa-env PROFILE)"`.
import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';

export const EVAL_FD_VAR = 'MFA_ENV_EVAL_FD';

export interface EvalChannel {
  /** Hands shell code to the wrapper, to be evaluated in its shell after mfa-env exits with 0. */
  write(code: string): void;
}

/**
 * Takes the channel the wrapper opened, if any, and removes the variable from `env`, so no process mfa-env starts
 * (exec's command, mfa_process) learns of it. The fd is reopened close-on-exec and the inherited one closed: a child
 * never holds the wrapper's pipe, so it can neither write code into it nor keep the wrapper waiting on it.
 */
export function takeEvalChannel(env: Record<string, string | undefined>): EvalChannel | undefined {
  const text = env[EVAL_FD_VAR];
  if (text === undefined) return undefined;
  delete env[EVAL_FD_VAR];
  // The wrappers use 3..9; a value that is not such a pipe is not the wrapper's, and code goes to stdout instead.
  if (!/^[3-9]$/.test(text)) return undefined;
  const inherited = Number(text);
  let fd: number;
  try {
    if (!fstatSync(inherited).isFIFO()) return undefined;
    // /dev/fd/N is the same pipe; Node opens every file close-on-exec.
    fd = openSync(`/dev/fd/${inherited}`, 'w');
    closeSync(inherited);
  } catch {
    return undefined;
  }
  return {
    write(code) {
      // The wrapper's pipe is blocking: writeSync returns once the bytes are in, a pipe buffer at a time.
      const bytes = Buffer.from(code, 'utf8');
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
    },
  };
}

/** What decides whether an export's output is code for the calling shell, or text the user asked to see. */
export interface OutputRequest {
  clear?: boolean;
  /** --shell and --format as given on the command line (undefined when not given). */
  shell?: string;
  format?: string;
  writeProfile?: string;
}

/**
 * The one rule for what the wrapper evaluates: `--clear` and a plain export, in the wrapper's own shell. An explicit
 * --shell or --format asks for text to read or redirect, and --write-profile prints none.
 */
export function isCodeForShell(request: OutputRequest): boolean {
  if (request.shell !== undefined || request.format !== undefined) return false;
  return Boolean(request.clear) || request.writeProfile === undefined;
}
