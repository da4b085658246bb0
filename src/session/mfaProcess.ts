import { spawn, type ChildProcess } from 'node:child_process';
import { MfaInputError, show } from '../errors';
import { parseCode, type CodeSource } from './mfaCode';

const TIMEOUT_MS = 120_000;

/**
 * Codes from a command, as aws-vault's `mfa_process`: `ykman oath accounts code --single aws`, `op item get AWS
 * --otp`. Its stdout is the code; its stdin and stderr are the user's, so a password manager can ask to be
 * unlocked. What it prints is never shown back, not even in an error.
 */
export function codeFromProcess(command: string, origin: string, env: NodeJS.ProcessEnv): CodeSource {
  let running: ChildProcess | undefined;
  return {
    name: origin,
    attempts: 1,
    next: () =>
      new Promise((resolve, reject) => {
        const child = spawn('/bin/sh', ['-c', command], { stdio: ['inherit', 'pipe', 'inherit'], env });
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
          reject(new MfaInputError(`${origin} could not be run (${(err as NodeJS.ErrnoException).code ?? err.message})`));
        });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          running = undefined;
          if (code !== 0) {
            reject(new MfaInputError(`${origin} ${show(command)} failed (${signal ? `signal ${signal}` : `exit ${code}`}); check the command`));
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
