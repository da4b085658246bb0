// Helpers shared by the security tests: running the built CLI with raw-byte environment values and arguments,
// running many runs at once, checking the shape of an error, reading `env -0` dumps, and checking cache files.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sessionCacheNames } from '../../support/cacheDir';
import { CLI } from '../../support/runCli';

export interface RawResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  ms: number;
}

export interface RawRunOptions {
  /** Plain environment, as for runCli. */
  env: Record<string, string | undefined>;
  /** Variables whose values are bytes (invalid UTF-8 stays invalid): exported by a dash wrapper, never by Node. */
  rawEnv?: Record<string, Buffer>;
  /** Prepended as `--profile=<bytes>`, by the same wrapper. */
  rawProfile?: Buffer;
  /** sh code the wrapper evaluates before starting mfa-env (an earlier export, for a --clear). */
  preEval?: Buffer | string;
  args: string[];
  /** A directory of this run's own, for the wrapper's files. */
  dir: string;
  /** 'closed': no fd 0; 'null': /dev/null (default); a string: piped. */
  stdin?: 'closed' | 'null' | string;
  timeoutMs?: number;
  cwd?: string;
}

// dash, POSIX and 8-bit clean: `export "NAME=$value"` passes any bytes but NUL. `$(cat f; printf x)` keeps trailing
// newlines, which command substitution would strip.
const WRAPPER = `
d=$1; shift
if [ -e "$d/envnames" ]; then
  while IFS= read -r n; do v=$(cat "$d/env/$n"; printf x); export "$n=\${v%x}"; done < "$d/envnames"
fi
if [ -e "$d/profile-arg" ]; then p=$(cat "$d/profile-arg"; printf x); set -- "--profile=\${p%x}" "$@"; fi
if [ -e "$d/pre-eval" ]; then c=$(cat "$d/pre-eval"; printf x); eval "\${c%x}"; fi
if [ -n "\${WRAP_CLOSE_STDIN-}" ]; then unset WRAP_CLOSE_STDIN; exec 0<&-; fi
exec "$WRAP_NODE" "$WRAP_CLI" "$@"
`;

/** Writes the files the wrapper (and the shell-side evaluation scripts) read the raw environment from. */
export function writeRawEnv(dir: string, rawEnv: Record<string, Buffer> = {}): void {
  mkdirSync(join(dir, 'env'), { recursive: true });
  const names = Object.keys(rawEnv);
  for (const name of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`bad variable name ${name}`);
    if (rawEnv[name].includes(0)) throw new Error(`${name}: an environment variable cannot hold NUL`);
    writeFileSync(join(dir, 'env', name), rawEnv[name]);
  }
  writeFileSync(join(dir, 'envnames'), names.map((n) => `${n}\n`).join(''));
}

/**
 * Runs the built mfa-env in a session of its own (no tty); through a dash wrapper when it needs raw-byte values, a
 * --profile=<bytes>, an earlier export evaluated first, or no fd 0.
 */
export function runRaw(options: RawRunOptions): Promise<RawResult> {
  mkdirSync(options.dir, { recursive: true });
  writeRawEnv(options.dir, options.rawEnv);
  if (options.rawProfile) writeFileSync(join(options.dir, 'profile-arg'), options.rawProfile);
  if (options.preEval !== undefined) writeFileSync(join(options.dir, 'pre-eval'), options.preEval);
  const piped = options.stdin !== undefined && options.stdin !== 'null' && options.stdin !== 'closed';
  // The wrapper only when it has something to do: one process less per run.
  const direct = !options.rawEnv && !options.rawProfile && options.preEval === undefined && options.stdin !== 'closed';
  const env: Record<string, string | undefined> = direct
    ? { ...options.env }
    : { ...options.env, WRAP_NODE: process.execPath, WRAP_CLI: CLI };
  if (options.stdin === 'closed') env.WRAP_CLOSE_STDIN = '1';
  const [command, argv] = direct
    ? [process.execPath, [CLI, ...options.args]]
    : ['dash', ['-c', WRAPPER, 'wrap', options.dir, ...options.args]];
  const started = Date.now();
  const child = spawn(command, argv, {
    env: scrub(env),
    stdio: [piped ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    detached: true,
    cwd: options.cwd,
  });
  if (piped) child.stdin!.end(options.stdin);
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => out.push(d));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  return new Promise((resolve, reject) => {
    const timeoutMs = options.timeoutMs ?? 30000;
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
      reject(new Error(`mfa-env ${options.args.join(' ')} did not finish in ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout: Buffer.concat(out), stderr, ms: Date.now() - started });
    });
  });
}

function scrub(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** Runs `tasks` with at most `limit` at a time; results in order. */
export async function pool<T>(limit: number, tasks: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

// ---------------------------------------------------------------------------------------------------------------
// The shape of a failure

export interface ErrorExpectation {
  /** The documented exit code (or any of several, for hostile values whose fate depends on where they land). */
  exit: number | number[];
  /** Usage errors add `Run "mfa-env --help" for usage.` on a second line. */
  usage?: boolean;
  /** STS calls carrying an MFA code that are retried say so first, one line per retry (README, faults.test.ts). */
  retries?: boolean;
  /** Strings that must not appear anywhere in stdout or stderr. */
  secrets: string[];
}

/** Control characters that would let an error message span lines or drive the terminal (a final \n excepted). */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;
/** What a run says when it re-sends a request that carried an MFA code (a slow answer on a loaded machine). */
export const RETRY_NOTICE = /^mfa-env: [^\n]*; trying again with the same MFA code$/;

/** Everything wrong with a failed run, as sentences; empty when it failed the documented way. */
export function errorProblems(
  r: { status: number | null; stdout: string | Buffer; stderr: string },
  e: ErrorExpectation,
): string[] {
  const problems: string[] = [];
  const stdout = r.stdout.toString();
  const exits = Array.isArray(e.exit) ? e.exit : [e.exit];
  if (stdout !== '') problems.push(`stdout is not empty: ${JSON.stringify(stdout.slice(0, 200))}`);
  if (!exits.includes(r.status as number)) problems.push(`exit ${r.status}, expected ${exits.join(' or ')}`);
  if (r.stderr.includes('    at ')) problems.push('stderr holds a stack trace');
  if (!r.stderr.endsWith('\n'))
    problems.push(`stderr does not end with a newline: ${JSON.stringify(r.stderr.slice(-200))}`);
  const lines = r.stderr.split('\n').slice(0, -1);
  if (e.usage) {
    if (lines.length !== 2 || lines[1] !== 'Run "mfa-env --help" for usage.')
      problems.push(
        `a usage error is two lines, the second the --help hint: ${JSON.stringify(r.stderr.slice(0, 400))}`,
      );
    lines.splice(1);
  }
  const error = lines.at(-1) ?? '';
  const before = lines.slice(0, -1);
  if (!e.usage && before.length > 0 && !(e.retries && before.every((l) => RETRY_NOTICE.test(l)))) {
    problems.push(
      `stderr is ${lines.length} lines, expected one${e.retries ? ' after retry notices' : ''}: ${JSON.stringify(r.stderr.slice(0, 600))}`,
    );
  }
  if (!error.startsWith('mfa-env: '))
    problems.push(`the error line does not start with "mfa-env: ": ${JSON.stringify(error.slice(0, 200))}`);
  if (RAW_CONTROL.test(lines.join('')))
    problems.push(`stderr holds raw control characters: ${JSON.stringify(r.stderr.slice(0, 600))}`);
  for (const secret of e.secrets) {
    if (secret && (r.stderr.includes(secret) || stdout.includes(secret)))
      problems.push(`a secret shows: ...${secret.slice(-6)}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// Environment dumps and cache files

/** `env -0` output as name -> bytes. */
export function parseEnvDump(dump: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let start = 0;
  for (let i = 0; i < dump.length; i++) {
    if (dump[i] !== 0) continue;
    const entry = dump.subarray(start, i);
    const eq = entry.indexOf(0x3d);
    if (eq > 0) out.set(entry.subarray(0, eq).toString('latin1'), Buffer.from(entry.subarray(eq + 1)));
    start = i + 1;
  }
  return out;
}

export const CACHE_FIELDS = [
  'version',
  'kind',
  'profile',
  'sourceProfile',
  'mfaSerial',
  'accessKeyId',
  'secretAccessKey',
  'sessionToken',
  'expiration',
  'createdAt',
] as const;

/** Problems with one cache file (empty when it is a complete, valid entry as README describes it). */
export function cacheEntryProblems(path: string): string[] {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    return [`${path}: not JSON (${(err as Error).message})`];
  }
  const problems: string[] = [];
  if (entry.version !== 1) problems.push(`${path}: version ${String(entry.version)}`);
  if (entry.kind !== 'mfa' && entry.kind !== 'role') problems.push(`${path}: kind ${String(entry.kind)}`);
  for (const field of CACHE_FIELDS) {
    if (field === 'version') continue;
    if (typeof entry[field] !== 'string' || entry[field] === '') problems.push(`${path}: ${field} missing`);
  }
  if (typeof entry.expiration === 'string' && Number.isNaN(Date.parse(entry.expiration)))
    problems.push(`${path}: expiration ${entry.expiration}`);
  return problems;
}

/** The session files of a cache directory (and temp files), without the plan memos and compiled code. */
export function listDir(dir: string): string[] {
  return sessionCacheNames(dir);
}

/** A TOTP code that is not the current one (nor, by construction, a neighbour in the 30-s window). */
export function wrongCode(code: string): string {
  return String((Number(code) + 500000) % 1000000).padStart(6, '0');
}
