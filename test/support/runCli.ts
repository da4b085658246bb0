import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { coverageEnv } from './coverageEnv';

export const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env: Record<string, string | undefined>;
  /** Text piped to stdin; `'null'` for /dev/null; `'closed'` for no fd 0 at all. Default: /dev/null. */
  stdin?: string | 'null' | 'closed';
  timeoutMs?: number;
}

/**
 * Runs the built mfa-env as a user's shell would, but with no controlling terminal (its own session), so a prompt
 * can never reach the terminal running the tests.
 */
export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  const closed = options.stdin === 'closed';
  const [command, argv] = closed
    ? ['sh', ['-c', 'exec 0<&- "$@"', 'sh', process.execPath, CLI, ...args]]
    : [process.execPath, [CLI, ...args]];
  const piped = options.stdin !== undefined && options.stdin !== 'null' && !closed;
  const child = spawn(command, argv, {
    env: { ...coverageEnv(), ...options.env },
    stdio: [piped ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (piped) child.stdin!.end(options.stdin);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      reject(
        new Error(`mfa-env ${args.join(' ')} did not finish in ${options.timeoutMs ?? 20000} ms; stderr: ${stderr}`),
      );
    }, options.timeoutMs ?? 20000);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}
