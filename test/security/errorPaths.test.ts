// Every failure leaves stdout empty (so `eval "$(mfa-env ...)"` evaluates nothing), exits with the documented code
// (README, "Exit codes": 2 usage, 3 config, 4 MFA input, 5 STS refused, 6 STS unreachable, 130 interrupted), and
// says what went wrong in one line starting `mfa-env: ` (a usage error adds the --help hint), with no stack trace,
// no raw control character and no secret.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import type { Fixture } from '../support/fixture';
import { CLI } from '../support/runCli';
import { until } from '../support/until';
import { errorProblems } from './support/harness';
import { knownSecrets, runInvocation, SCENARIOS, type Scenario, scenarioFixture } from './support/scenarios';

let f: Fixture;
beforeEach(async () => {
  f = await scenarioFixture();
});
afterEach(() => f.stop());

const table = (list: Scenario[]) => list.map((s) => [s.name, s] as const);

describe('error paths', () => {
  it('cover at least 30 scenarios and every documented exit code', () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(SCENARIOS.map((s) => s.exit))).toEqual(new Set([2, 3, 4, 5, 6, 130]));
  });

  it.each(table(SCENARIOS.filter((s) => !s.skip)))('%s', async (_, scenario) => {
    const invocation = await scenario.prepare(f);
    const secretsBefore = knownSecrets(f);
    const result = await runInvocation(f, invocation);
    const problems = errorProblems(result, {
      exit: scenario.exit,
      usage: scenario.usage,
      retries: scenario.retries,
      secrets: knownSecrets(f, secretsBefore),
    });
    expect(problems.length ? [...problems, `stderr: ${result.stderr}`] : []).toEqual([]);
  });

  it.skip.each(table(SCENARIOS.filter((s) => s.skip)))('%s (cannot run here)', () => undefined);
});

/** mfa-env with its stdout a pipe whose reader has gone away before anything was written. */
function withClosedStdout(
  args: string[],
): Promise<{ status: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: f.home.env, stdio: ['ignore', 'pipe', 'pipe'] });
  // Node starts in ~50 ms; the read end is closed long before mfa-env writes.
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stderr })));
}

/** `sh -c 'mfa-env ... | true'` in bash, reporting mfa-env's own status from PIPESTATUS. */
function throughTrue(args: string[]): Promise<{ out: string; err: string }> {
  const child = spawn(
    'bash',
    ['--noprofile', '--norc', '-c', '"$0" "$@" | true; echo "${PIPESTATUS[0]}"', process.execPath, CLI, ...args],
    {
      env: f.home.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve) => child.on('close', () => resolve({ out, err })));
}

describe('a broken pipe on stdout', () => {
  // Observed: mfa-env exits 1 (ExitCode.internal, set by cli.ts's stdout 'error' handler) and prints nothing; the
  // README documents 1 as "unexpected internal error" and says nothing of a reader that goes away. Pinned here so
  // that a change is a decision.
  it.each([
    [['--clear']],
    [['--clear', '--shell', 'fish']],
    [['demo-user', '-t', 'CODE']],
    [['demo-user', '-t', 'CODE', '--format', 'json']],
  ])('%j with the reader gone: no stack trace, exit 1', async (args) => {
    const result = await withClosedStdout(args.map((a) => (a === 'CODE' ? f.code() : a)));
    expect(result.stderr).not.toContain('    at ');
    expect(result.stderr).toBe('');
    expect(result).toMatchObject({ status: 1, signal: null });
  });

  it.each([[['--clear']], [['demo-user', '-t', 'CODE']]])('%j | true: no stack trace, exit 1', async (args) => {
    const result = await throughTrue(args.map((a) => (a === 'CODE' ? f.code() : a)));
    expect(result.err).not.toContain('    at ');
    expect(result.err).toBe('');
    expect(result.out).toBe('1\n');
  });
});

describe('a signal while waiting for STS', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s ends the run with nothing on stdout, nothing cached and no stack trace',
    async (signal) => {
      f.server.failNext({ kind: 'hang' }, 10);
      const child = spawn(process.execPath, [CLI, 'demo-user', '-t', f.code()], {
        env: f.home.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      await until('mfa-env to call STS', () => f.server.calls.length > 0);
      child.kill(signal);
      const [status, got] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        child.on('close', (c, s) => resolve([c, s])),
      );
      // Observed: Node's default, death by the signal, which a shell reports as 128 + N (130 for SIGINT, as the README
      // says); exiting with 128 + N from a handler would do as well.
      const number = { SIGINT: 2, SIGTERM: 15 }[signal];
      expect(got === signal || status === 128 + number).toBe(true);
      expect(out).toBe('');
      expect(err).not.toContain('    at ');
      const dir = f.home.env.MFA_ENV_CACHE_DIR;
      expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    },
  );
});
