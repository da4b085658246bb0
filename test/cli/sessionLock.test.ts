// Shells started together for one profile (tmux panes, auto-renewal) ask for one MFA code: the first run takes a
// lock beside the cache entry, the others wait for it and take the session from the cache. A lock is never left
// behind, one whose process is gone is taken over, and the lock never makes a run fail or a cached session wait.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { sessionCacheNames } from '../support/cacheDir';
import { ACCOUNT, type Fixture, startFixture } from '../support/fixture';
import { Pty } from '../support/pty';
import { CLI, type CliResult } from '../support/runCli';
import { evalInShell } from '../support/shells';
import { until } from '../support/until';

let f: Fixture;
let pty: Pty | undefined;
const started: ChildProcess[] = [];
beforeEach(async () => {
  f = await startFixture({ roles: [{ arn: `arn:aws:iam::${ACCOUNT}:role/admin`, requireMfa: true }] });
  f.home.write({
    config: `${readFileSync(f.home.configPath, 'utf8')}\n[profile admin]\nrole_arn = arn:aws:iam::${ACCOUNT}:role/admin\nsource_profile = demo-user\nendpoint_url = ${f.server.url}\n`,
  });
});
afterEach(async () => {
  pty?.kill();
  pty = undefined;
  for (const child of started.splice(0)) killGroup(child);
  await f.stop();
});

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // ended, and everything it started
  }
}

const cacheDir = () => f.home.env.MFA_ENV_CACHE_DIR;
const cacheFiles = () => sessionCacheNames(cacheDir());
const locks = () => cacheFiles().filter((name) => name.endsWith('.lock'));

interface Running {
  child: ChildProcess;
  stderr(): string;
  done: Promise<CliResult>;
}

/** The built CLI in a session of its own (no terminal), its stderr readable while it runs. */
function start(args: string[]): Running {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: f.home.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })),
  );
  return { child, stderr: () => stderr, done };
}

/** An mfa_process standing in for a person: prints `code` (a valid one unless given) once the test says so (a marker file appears). */
function slowCode(code = f.code()): { command: string; release(): void } {
  const marker = join(f.home.home, `typed-${Math.random().toString(16).slice(2)}`);
  const script = join(f.home.home, `slow-code-${Math.random().toString(16).slice(2)}`);
  writeFileSync(script, `#!/bin/sh\nwhile [ ! -e '${marker}' ]; do sleep 0.05; done\necho ${code}\n`, { mode: 0o755 });
  return { command: script, release: () => writeFileSync(marker, '') };
}

/** The lock file of demo-user's MFA session: beside its entry, which one run makes known. */
async function mfaLockFile(): Promise<string> {
  expect((await f.run(['demo-user', '-t', f.code()])).status).toBe(0);
  const [entry] = cacheFiles();
  expect(entry).toMatch(/^mfa-[0-9a-f]{32}\.json$/);
  expect((await f.run(['forget'])).status).toBe(0);
  f.server.resetCalls();
  return join(cacheDir(), entry.replace(/\.json$/, '.lock'));
}

function deadPid(): number {
  const gone = spawnSync('sh', ['-c', 'echo $$']);
  return Number(gone.stdout.toString().trim());
}

const WAITING = (pid: number) => `mfa-env: waiting for the MFA code being entered in another terminal (pid ${pid})\n`;

describe('two runs of one profile at once on a cold cache', () => {
  it.each([
    ['demo-user', 0],
    ['admin', 2],
  ])(
    '%s: the second waits for the code the first is given, and is served from the cache',
    async (profile, assumeRoleCalls) => {
      const code = slowCode();
      const first = start([profile, '--mfa-process', code.command]);
      await until('the first run to take the lock', () => locks().length === 1);
      // --no-input: the second cannot ask, so only the first's code can serve it.
      const second = start([profile, '--no-input']);
      await until('the second run to say it waits', () => second.stderr().includes('waiting'));
      expect(second.stderr()).toBe(WAITING(first.child.pid!));
      expect(f.server.callsOf('GetSessionToken')).toEqual([]);

      code.release();
      const [a, b] = await Promise.all([first.done, second.done]);
      expect(a).toMatchObject({ status: 0, stderr: '' });
      expect(b).toMatchObject({ status: 0, stderr: WAITING(first.child.pid!) });
      const [envA, envB] = [evalInShell('sh', a.stdout, f.home.env), evalInShell('sh', b.stdout, f.home.env)];
      expect(envB.MFA_ENV_PROFILE).toBe(profile);
      expect(f.server.issuedFor(envB.AWS_ACCESS_KEY_ID)).toBeDefined();
      if (profile === 'demo-user') expect(envB.AWS_SESSION_TOKEN).toBe(envA.AWS_SESSION_TOKEN);
      // One code, one GetSessionToken; a role is then assumed by each run from the one MFA session.
      expect(f.server.callsOf('GetSessionToken').map((c) => c.status)).toEqual([200]);
      expect(f.server.callsOf('AssumeRole')).toHaveLength(assumeRoleCalls);
      expect(locks()).toEqual([]);
    },
  );

  it('runs given the same code all succeed where STS takes a code once', async () => {
    await f.stop();
    f = await startFixture({ rejectReusedCodes: true });
    const code = f.code();
    const results = await Promise.all(Array.from({ length: 6 }, () => f.run(['demo-user', '-t', code])));
    // Waiting for a run that has its code in hand is not worth a word.
    for (const r of results) expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(new Set(results.map((r) => r.stdout)).size).toBe(1);
    expect(f.server.callsOf('GetSessionToken')).toHaveLength(1);
    expect(locks()).toEqual([]);
  });

  it('when the first gets no session, the second goes on by itself', async () => {
    const wrong = slowCode('000000');
    const first = start(['demo-user', '--mfa-process', wrong.command]);
    await until('the first run to take the lock', () => locks().length === 1);
    const second = start(['demo-user', '-t', f.code()]);
    await until('the second run to say it waits', () => second.stderr().includes('waiting'));
    wrong.release();
    const [a, b] = await Promise.all([first.done, second.done]);
    expect(a).toMatchObject({ status: 5, stdout: '' });
    expect(b).toMatchObject({ status: 0, stderr: WAITING(first.child.pid!) });
    expect(f.server.callsOf('GetSessionToken').map((c) => c.status)).toEqual([403, 200]);
    expect(locks()).toEqual([]);
  });
});

describe('the lock is removed however the run ends', () => {
  it('after a wrong code', async () => {
    const result = await f.run(['demo-user', '-t', '000000']);
    expect(result).toMatchObject({ status: 5, stdout: '' });
    expect(cacheFiles()).toEqual([]);
  });

  it('after Ctrl-C at the prompt', async () => {
    pty = new Pty(`mfa-env demo-user >/dev/null; echo "status=$?"`, { env: f.home.env });
    await pty.waitFor('MFA code for');
    expect(locks()).toHaveLength(1);
    pty.type('12\x03');
    await pty.waitFor(/status=\d+/);
    expect(pty.output).toContain('status=130');
    expect(cacheFiles()).toEqual([]);
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    'after %s while an mfa_process runs, the run still ending by it',
    async (signal) => {
      const code = slowCode();
      const run = start(['demo-user', '--mfa-process', code.command]);
      await until('the run to take the lock', () => locks().length === 1);
      // To mfa-env alone: the mfa_process it started, waiting on, would otherwise race it to the end. That one holds
      // mfa-env's stderr open, so it is ended once mfa-env has (if it was started by then).
      run.child.kill(signal);
      await new Promise((resolve) => run.child.once('exit', resolve));
      killGroup(run.child);
      const result = await run.done;
      expect(result.signal === signal || result.status === 128 + { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 }[signal]).toBe(
        true,
      );
      expect(result.stdout).toBe('');
      expect(result.stderr).not.toContain('    at ');
      expect(cacheFiles()).toEqual([]);
    },
  );
});

describe('waiting', () => {
  it('Ctrl-C while waiting exits 130 with nothing on stdout, and leaves the holder alone', async () => {
    const code = slowCode();
    const first = start(['demo-user', '--mfa-process', code.command]);
    await until('the first run to take the lock', () => locks().length === 1);
    const second = start(['demo-user', '--no-input']);
    await until('the second run to say it waits', () => second.stderr().includes('waiting'));
    second.child.kill('SIGINT');
    const b = await second.done;
    expect(b).toMatchObject({ status: 130, signal: null, stdout: '' });
    expect(b.stderr).toBe(
      `${WAITING(first.child.pid!)}mfa-env: cancelled while waiting for the MFA code being entered in another terminal (pid ${first.child.pid})\n`,
    );
    expect(locks()).toHaveLength(1);
    code.release();
    expect(await first.done).toMatchObject({ status: 0, stderr: '' });
    expect(locks()).toEqual([]);
  });

  it('a lock whose process is gone is taken over at once', async () => {
    const lock = await mfaLockFile();
    writeFileSync(lock, `${JSON.stringify({ pid: deadPid(), host: hostname() })}\n`, { mode: 0o600 });
    const began = Date.now();
    const result = await f.run(['demo-user', '-t', f.code()]);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(Date.now() - began).toBeLessThan(5000);
    expect(f.server.callsOf('GetSessionToken')).toHaveLength(1);
    expect(locks()).toEqual([]);
  });

  it('a lock older than 5 minutes is taken over though its pid lives (it may be another process by now)', async () => {
    const lock = await mfaLockFile();
    writeFileSync(lock, `${JSON.stringify({ pid: process.pid, host: hostname() })}\n`, { mode: 0o600 });
    const longAgo = Date.now() / 1000 - 6 * 60;
    utimesSync(lock, longAgo, longAgo);
    const result = await f.run(['demo-user', '-t', f.code()]);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(locks()).toEqual([]);
  });

  it('an empty lock (its maker killed before writing its pid) is taken over once a few seconds old', async () => {
    const lock = await mfaLockFile();
    writeFileSync(lock, '', { mode: 0o600 });
    const aWhileAgo = Date.now() / 1000 - 10;
    utimesSync(lock, aWhileAgo, aWhileAgo);
    const result = await f.run(['demo-user', '-t', f.code()]);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(locks()).toEqual([]);
  });

  it('MFA_ENV_LOCK_WAIT bounds the wait (0 in the shell integration auto-renewal): then the run goes on alone', async () => {
    const lock = await mfaLockFile();
    // Held by a live process (this one), for good: without a bound a run would wait until the lock is 5 minutes old.
    writeFileSync(lock, `${JSON.stringify({ pid: process.pid, host: hostname(), asking: true })}\n`, { mode: 0o600 });
    const now = await f.run(['demo-user', '--no-input'], { env: { MFA_ENV_LOCK_WAIT: '0' }, timeoutMs: 10000 });
    expect(now.status).toBe(4);
    expect(now.stdout).toBe('');
    expect(now.stderr).not.toContain('waiting');
    const after1s = await f.run(['demo-user', '--no-input'], { env: { MFA_ENV_LOCK_WAIT: '1' }, timeoutMs: 10000 });
    expect(after1s.status).toBe(4);
    expect(after1s.stderr).toContain(`waiting for the MFA code being entered in another terminal (pid ${process.pid})`);
    const bad = await f.run(['demo-user', '--no-input'], { env: { MFA_ENV_LOCK_WAIT: 'soon' } });
    expect(bad).toMatchObject({
      status: 3,
      stdout: '',
      stderr: 'mfa-env: MFA_ENV_LOCK_WAIT is "soon", not a duration; use seconds or a form like 1m\n',
    });
    // Going on alone with a code: it makes the session itself, and leaves the other's lock alone.
    expect(
      (await f.run(['demo-user', '-t', f.code()], { env: { MFA_ENV_LOCK_WAIT: '0' }, timeoutMs: 10000 })).status,
    ).toBe(0);
    expect(locks()).toHaveLength(1);
  });

  it('a fresh cached session is served without looking at the lock', async () => {
    const lock = await mfaLockFile();
    expect((await f.run(['demo-user', '-t', f.code()])).status).toBe(0);
    // Held by a live process (this one), for good: a run that looked at it would wait.
    writeFileSync(lock, `${JSON.stringify({ pid: process.pid, host: hostname() })}\n`, { mode: 0o600 });
    const result = await f.run(['admin', '--no-input'], { timeoutMs: 5000 });
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect((await f.run(['demo-user', '--no-input'], { timeoutMs: 5000 })).status).toBe(0);
    expect(locks()).toHaveLength(1);
  });

  it('--refresh neither waits for nor takes the lock', async () => {
    const lock = await mfaLockFile();
    writeFileSync(lock, `${JSON.stringify({ pid: process.pid, host: hostname() })}\n`, { mode: 0o600 });
    const result = await f.run(['demo-user', '-t', f.code(), '--refresh'], { timeoutMs: 5000 });
    expect(result).toMatchObject({ status: 0, stderr: '' });
  });
});

describe('a lock that cannot be used', () => {
  it.each([
    ['a symlink', (lock: string) => symlinkSync(join(f.home.home, 'elsewhere'), lock)],
    ['a directory', (lock: string) => mkdirSync(lock)],
  ])('is done without when it is %s', async (_, plant) => {
    const lock = await mfaLockFile();
    plant(lock);
    const result = await f.run(['demo-user', '-t', f.code()]);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(readdirSync(f.home.home)).not.toContain('elsewhere');
  });
});
