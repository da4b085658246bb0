import type { ChildProcess } from 'node:child_process';
import { MfaInputError } from '../errors';
import { show } from '../text/showText';
import { spawn } from './lazySpawn';
import { type CodeSource, parseCode } from './mfaCode';

const TIMEOUT_MS = 120_000;

/**
 * Codes from a command, as aws-vault's `mfa_process`: `ykman oath accounts code --single aws`, `op item get AWS
 * --otp`. Its stdout is the code; its stdin and stderr are the user's, so a password manager can ask to be
 * unlocked. What it prints is never shown back, not even in an error. It never outlives mfa-env (see watch).
 */
export function codeFromProcess(command: string, origin: string, env: NodeJS.ProcessEnv): CodeSource {
  let running: ChildProcess | undefined;
  return {
    name: origin,
    attempts: 1,
    next: () =>
      new Promise((resolve, reject) => {
        const child = spawn('/bin/sh', ['-c', command], { stdio: ['inherit', 'pipe', 'inherit'], env });
        const watchdog = watch(child);
        running = child;
        let out = '';
        const timer = setTimeout(() => {
          child.kill('SIGTERM');
          reject(new MfaInputError(`${origin} did not print a code within ${TIMEOUT_MS / 1000} s`));
        }, TIMEOUT_MS);
        child.stdout!.on('data', (chunk: Buffer) => {
          if (out.length < 4096) out += chunk.toString();
        });
        child.on('error', (err) => {
          clearTimeout(timer);
          watchdog?.kill('SIGKILL');
          reject(
            new MfaInputError(`${origin} could not be run (${(err as NodeJS.ErrnoException).code ?? err.message})`),
          );
        });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          // The command is over: its watchdog goes first, so it can never act on a pid the system has reused.
          watchdog?.kill('SIGKILL');
          running = undefined;
          if (code !== 0) {
            reject(
              new MfaInputError(
                `${origin} ${show(command)} failed (${signal ? `signal ${signal}` : `exit ${code}`}); check the command`,
              ),
            );
            return;
          }
          const code6 = parseCode(out.trim());
          if (code6 === undefined) reject(new MfaInputError(`${origin} ${show(command)} did not print a 6-digit code`));
          else resolve(code6);
        });
      }),
    // exec --server ending while the command runs: it has nobody left to give a code to.
    close: () => running?.kill('SIGTERM'),
  };
}

/**
 * Ends the command and everything it started when mfa-env ends first, however it ends (kill -9 included, where no
 * code of ours runs): a small shell in a session of its own reads a pipe only mfa-env holds open, and when that
 * reads end-of-file it stops the command's process tree, deepest first. The tree is read with ps before anything
 * is stopped, so orphaned grandchildren are found too.
 */
const WATCHDOG = `
while read -r _; do :; done
tree() {
  for c in $(ps -A -o pid= -o ppid= 2>/dev/null | awk -v p="$1" '$2 == p { print $1 }'); do tree "$c"; done
  echo "$1"
}
for p in $(tree "$1"); do kill -TERM "$p" 2>/dev/null; done
`;

function watch(child: ChildProcess): ChildProcess | undefined {
  if (child.pid === undefined) return undefined;
  const watchdog = spawn('/bin/sh', ['-c', WATCHDOG, 'mfa-env-watchdog', String(child.pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.on('error', () => undefined);
  // Neither it nor its pipe keeps mfa-env running.
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?(): void } | null)?.unref?.();
  return watchdog;
}
