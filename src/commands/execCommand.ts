import { spawn } from 'node:child_process';
import type { CommandIo } from '../commandIo';
import type { EnvChange } from '../env/envChange';
import { originalEnv } from '../env/envChange';
import { sessionChange } from '../env/sessionExport';
import { MfaEnvError, UsageError } from '../errors';
import { minTtlSeconds } from '../session/cacheSettings';
import { loadedSession, type SessionArgs, sessionOnce, sessionSource } from '../session/sessionSource';
import { show } from '../text/showText';

export interface ExecResult {
  /** The command's exit code, or 128 + the signal number when a signal ended it (as shells report it). */
  code: number;
  signal?: NodeJS.Signals;
}

export interface ExecArgs extends SessionArgs {
  /** --server / --no-server; undefined: the profile's mfa_exec_server, else no. */
  server?: boolean;
}

// Signals a terminal or a supervisor sends to the whole job or to us; the command decides what they mean.
const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

/**
 * `mfa-env exec PROFILE -- COMMAND [ARGS...]`: runs COMMAND with the session's variables (those an export would
 * set, AWS_PROFILE removed), or with `--server` with a credential endpoint that keeps renewing the session; its stdin,
 * stdout and stderr the user's own. Signals sent to mfa-env are passed on; mfa-env ends as the command ended.
 */
export async function execCommand(
  args: ExecArgs,
  command: string[],
  io: CommandIo,
  signals: NodeJS.EventEmitter,
): Promise<ExecResult> {
  if (command.length === 0) throw new UsageError('exec needs a command: mfa-env exec PROFILE -- COMMAND [ARGS...]');
  const source = await sessionSource(args, io);
  if (args.server ?? source.plan.execServer ?? false) {
    const served = await (await import('./execServer')).serveSession(source, args, io);
    return runCommand(command, served.env, signals, served.close);
  }
  const session = await sessionOnce(source, { refresh: args.refresh });
  return runCommand(
    command,
    applied(io.env, sessionChange(io.env, loadedSession(source.plan, session), minTtlSeconds(originalEnv(io.env)))),
    signals,
  );
}

/** Runs the command to its end, passing signals on; `ended` runs as soon as it has ended (or could not start). */
function runCommand(
  command: string[],
  env: NodeJS.ProcessEnv,
  signals: NodeJS.EventEmitter,
  ended?: () => void,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { env, stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    for (const signal of FORWARDED) signals.on(signal, forward);
    const done = () => {
      for (const signal of FORWARDED) signals.off(signal, forward);
      ended?.();
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      done();
      const why =
        err.code === 'ENOENT' ? 'not found' : err.code === 'EACCES' ? 'not executable' : (err.code ?? err.message);
      // 127 and 126, as shells report a command they cannot find or run.
      reject(new MfaEnvError(`cannot run ${show(command[0])}: ${why}`, err.code === 'ENOENT' ? 127 : 126));
    });
    child.on('exit', (code, signal) => {
      done();
      resolve(signal ? { code: 128 + (signalNumber(signal) ?? 0), signal } : { code: code ?? 1 });
    });
  });
}

export function applied(env: CommandIo['env'], change: EnvChange): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const [name, value] of change) {
    if (value === null) delete out[name];
    else out[name] = value;
  }
  return out;
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  return (require('node:os') as typeof import('node:os')).constants.signals[signal];
}
