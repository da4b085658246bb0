// An STS or IAM answer of any size or speed: mfa-env reads at most 1 MiB of one (src/session/answerSize.ts), refuses
// a bigger one at once (exit 6, nothing cached or printed, not retried), and one that trickles in ends within
// --timeout like a silent server. Each CLI run here is measured: wall time, and peak memory from the kernel.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type Fixture, startFixture } from '../support/fixture';
import { CLI, type CliResult } from '../support/runCli';

const MiB = 1 << 20;
/** Node and the SDK take about 50 MB; reading a 100 MB answer took 3.8 GB. */
const PEAK_LIMIT = 100 * MiB;
/** --timeout 3, plus process start and exit. */
const TIME_LIMIT_MS = 5_000;

interface Measured extends CliResult {
  elapsedMs: number;
  /** The process's peak resident memory (VmHWM), in bytes; 0 if never read. */
  peakBytes: number;
}

/**
 * Runs the built CLI as runCli does (own session, stdin /dev/null), sampling VmHWM in /proc/PID/status every 10 ms
 * until it exits. VmHWM is the kernel's high-water mark of the process's resident memory and never goes down, so
 * the last sample is the peak, short of what the last 10 ms before exit added. Killed after `killAfterMs`.
 */
function runMeasured(args: string[], env: Record<string, string>, killAfterMs = 15_000): Promise<Measured> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let peakBytes = 0;
  const sample = (): void => {
    try {
      const kb = /^VmHWM:\s*(\d+) kB$/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
      if (kb !== undefined) peakBytes = Math.max(peakBytes, Number(kb) * 1024);
    } catch {
      // gone
    }
  };
  const sampler = setInterval(sample, 10);
  const killer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, killAfterMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    // 'exit', not 'close': the process is a zombie now, its memory released and its high-water mark with it.
    child.on('exit', () => {
      clearInterval(sampler);
      clearTimeout(killer);
    });
    child.on('close', (status, signal) =>
      resolve({ status, signal, stdout, stderr, elapsedMs: Date.now() - started, peakBytes }),
    );
  });
}

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(() => f.stop());

const cacheFiles = () => (existsSync(f.home.env.MFA_ENV_CACHE_DIR) ? readdirSync(f.home.env.MFA_ENV_CACHE_DIR) : []);
const login = () => runMeasured(['demo-user', '-t', f.code(), '--timeout', '3'], f.home.env);

describe.each([
  ['announced by Content-Length', true],
  ['chunked, with no Content-Length', false],
])('a 100 MB STS answer, %s', (_, contentLength) => {
  it('is refused within --timeout, in under 100 MB of memory, not retried, nothing printed or cached', async () => {
    f.server.failNext({ kind: 'huge', bytes: 100 * MiB, contentLength }, 10);
    const result = await login();
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 6, stdout: '' });
    expect(result.stderr).toBe(
      `mfa-env: STS at ${f.server.url} answered GetSessionToken with more than 1 MiB; not read\n`,
    );
    expect(result.elapsedMs).toBeLessThan(TIME_LIMIT_MS);
    expect(result.peakBytes).toBeGreaterThan(0);
    expect(result.peakBytes).toBeLessThan(PEAK_LIMIT);
    expect(f.server.callsOf('GetSessionToken')).toHaveLength(1);
    expect(cacheFiles()).toEqual([]);
  }, 40_000);
});

describe('the 1 MiB bound', () => {
  it.each([
    ['with Content-Length', true],
    ['chunked', false],
  ])('an answer of exactly 1 MiB is read and used; one byte more is refused (%s)', async (_, contentLength) => {
    f.server.failNext({ kind: 'huge', bytes: MiB, contentLength });
    const used = await login();
    expect(used).toMatchObject({ status: 0, stderr: '' });
    expect(used.stdout).toContain(`export AWS_ACCESS_KEY_ID='${f.server.issued[0].accessKeyId}'`);

    f.server.failNext({ kind: 'huge', bytes: MiB + 1, contentLength });
    const refused = await runMeasured(['demo-user', '-t', f.code(), '--timeout', '3', '--refresh'], f.home.env);
    expect(refused).toMatchObject({ status: 6, stdout: '' });
    expect(refused.stderr).toMatch(/answered GetSessionToken with more than 1 MiB; not read\n$/);
  });

  it('a normal answer passes through untouched', async () => {
    const result = await login();
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).toContain(`export AWS_SESSION_TOKEN='${f.server.issued[0].sessionToken}'`);
  });
});

describe('an answer that trickles in, one byte every 100 ms for ever', () => {
  it('ends within --timeout as an answer that did not come in time, exit 6', async () => {
    f.server.failNext({ kind: 'drip', intervalMs: 100 }, 10);
    const result = await login();
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 6, stdout: '' });
    expect(result.stderr).toBe(
      `mfa-env: STS at ${f.server.url} did not answer in time; check your network and try again\n`,
    );
    expect(result.elapsedMs).toBeLessThan(TIME_LIMIT_MS);
    expect(cacheFiles()).toEqual([]);
  }, 40_000);
});

describe('mfa-env setup against a 100 MB IAM answer', () => {
  it.each([
    ['with Content-Length', true],
    ['chunked', false],
  ])(
    'is refused (%s): exit 6, nothing printed, the config file unchanged',
    async (_, contentLength) => {
      const config = `[profile demo-user]\nregion = eu-west-1\nendpoint_url = ${f.server.url}\n`;
      writeFileSync(f.home.configPath, config);
      f.server.failNext({ kind: 'huge', bytes: 100 * MiB, contentLength }, 10);
      const result = await runMeasured(['setup', 'demo-user', '--yes'], f.home.env);
      expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 6, stdout: '' });
      expect(result.stderr).toBe(
        `mfa-env: IAM at ${f.server.url} answered ListMFADevices with more than 1 MiB; not read\n`,
      );
      expect(result.elapsedMs).toBeLessThan(TIME_LIMIT_MS);
      expect(result.peakBytes).toBeLessThan(PEAK_LIMIT);
      expect(f.server.callsOf('ListMFADevices')).toHaveLength(1);
      expect(readFileSync(f.home.configPath, 'utf8')).toBe(config);
    },
    40_000,
  );
});
