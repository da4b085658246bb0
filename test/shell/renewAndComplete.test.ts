// Auto-renewal (MFA_ENV_AUTO_RENEW=1) and completion, in real interactive shells.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ACCOUNT, DEMO_USER, type Fixture, startFixture } from '../support/fixture';
import { CLI } from '../support/runCli';
import { type InteractiveShell, integrationFile, plain, ShellSession } from '../support/shellSession';

const TIMEOUT = 30000;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/admin`;

let f: Fixture;
let sessions: ShellSession[] = [];

beforeEach(async () => {
  f = await startFixture({ roles: [{ arn: ROLE, requireMfa: true }] });
  f.home.write({
    config: `[profile demo-user]\nmfa_serial = ${DEMO_USER.serial}\nendpoint_url = ${f.server.url}\n\n[profile admin]\nrole_arn = ${ROLE}\nsource_profile = demo-user\nendpoint_url = ${f.server.url}\n`,
  });
});
afterEach(async () => {
  await Promise.all(sessions.map((s) => s.close()));
  sessions = [];
  await f.stop();
});

async function open(shell: InteractiveShell, env: Record<string, string> = {}, setup?: string): Promise<ShellSession> {
  const s = new ShellSession(shell, { ...f.home.env, ...env }, f.home.home);
  sessions.push(s);
  await s.ready();
  if (setup) expect((await s.run(setup)).status).toBe(0);
  expect(await s.run(`source '${integrationFile(shell)}'`)).toEqual({ out: '', status: 0 });
  return s;
}

/**
 * Puts a stand-in for mfa-env first on PATH that logs each run (`run:` and its arguments, then what it says on stderr)
 * and runs the real one: the auto-renewal sends mfa-env's stderr to /dev/null, so this log is where it shows.
 * Returns the log, so far.
 */
function logRuns(): () => string[] {
  const log = join(f.home.home, 'runs.log');
  const bin = join(f.home.home, 'bin', 'mfa-env');
  rmSync(bin);
  writeFileSync(
    bin,
    `#!/bin/sh\nprintf 'run:%s\\n' "$*" >> '${log}'\nexec '${process.execPath}' '${CLI}' "$@" 2>> '${log}'\n`,
    { mode: 0o755 },
  );
  return () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []);
}

/** Pretends the session ends in `seconds`, with its renewal time 5 minutes before, as mfa-env works it out. */
const setExpiry = (shell: InteractiveShell, seconds: number) =>
  shell === 'fish'
    ? `set -gx MFA_ENV_EXPIRES_AT (math (date +%s) + ${seconds}); set -gx MFA_ENV_RENEW_AT (math $MFA_ENV_EXPIRES_AT - 300)`
    : `export MFA_ENV_EXPIRES_AT=$(( $(date +%s) + ${seconds} )) MFA_ENV_RENEW_AT=$(( $(date +%s) + ${seconds} - 300 ))`;
/** Sets a variable to now + `seconds`, in the shell's own clock. */
const assign = (shell: InteractiveShell, name: string, seconds: number) =>
  shell === 'fish'
    ? `set -gx ${name} (math (date +%s) + ${seconds})`
    : `export ${name}=$(( $(date +%s) + ${seconds} ))`;
/** What a renewal that needs a code says (to /dev/null, but for logRuns). */
const NEEDS_CODE =
  'mfa-env: profile "demo-user" needs an MFA code and --no-input was given; pass --token-code CODE or pipe the code on stdin';
const show = (shell: InteractiveShell, name: string) => (shell === 'fish' ? `echo $${name}` : `echo "$${name}"`);

describe.each(['bash', 'zsh', 'fish'] as InteractiveShell[])('%s', (shell) => {
  it(
    'MFA_ENV_AUTO_RENEW=1 renews a session near its end without a code when the MFA session is cached',
    async () => {
      const s = await open(shell, { MFA_ENV_AUTO_RENEW: '1' });
      expect(await s.run(`mfa-admin -t ${f.code()}`)).toEqual({ out: '', status: 0 });
      const real = f.server.issued[1].expiresAtMs / 1000;
      f.server.resetCalls();
      // Pretend the session has a minute left; the next command (or prompt, in bash) renews it.
      expect((await s.run(setExpiry(shell, 60))).status).toBe(0);
      await s.run('true');
      const after = await s.run(show(shell, 'MFA_ENV_EXPIRES_AT'));
      expect(Number(after.out.trim())).toBe(real);
      expect(s.pty.output).not.toContain('MFA code for');
      // Served from the cache: a code was never needed, and STS not even called.
      expect(f.server.callsOf('GetSessionToken')).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'MFA_ENV_AUTO_RENEW=1 keeps the length the session was asked for: -d 15m is renewed as 15 minutes, not the default hour',
    async () => {
      const s = await open(shell, { MFA_ENV_AUTO_RENEW: '1' });
      expect(await s.run(`mfa-admin -t ${f.code()} -d 15m`)).toEqual({ out: '', status: 0 });
      const fifteen = f.server.issued[1];
      expect((await s.run(show(shell, 'MFA_ENV_DURATION'))).out.trim()).toBe('900');
      expect((await s.run(setExpiry(shell, 60))).status).toBe(0);
      await s.run('true');
      // Renewed from the cache with that 15-minute role session; an hour would have been another AssumeRole.
      expect(Number((await s.run(show(shell, 'MFA_ENV_EXPIRES_AT'))).out.trim())).toBe(fifteen.expiresAtMs / 1000);
      expect((await s.run(show(shell, 'MFA_ENV_DURATION'))).out.trim()).toBe('900');
      expect(f.server.callsOf('AssumeRole').map((c) => c.params.DurationSeconds)).toEqual(['900']);
      expect(s.pty.output).not.toContain('MFA code for');
    },
    TIMEOUT,
  );

  it(
    'MFA_ENV_AUTO_RENEW=1 goes by MFA_ENV_RENEW_AT, the renewal time mfa-env worked out, not by the end',
    async () => {
      const s = await open(shell, { MFA_ENV_AUTO_RENEW: '1' });
      expect(await s.run(`mfa-admin -t ${f.code()}`)).toEqual({ out: '', status: 0 });
      const real = (await s.run(show(shell, 'MFA_ENV_RENEW_AT'))).out.trim();
      expect(Number(real)).toBe(f.server.issued[1].expiresAtMs / 1000 - 300);
      // An hour left, but past the renewal time: renewed (from the cache, which gives the real renewal time back).
      expect((await s.run(assign(shell, 'MFA_ENV_RENEW_AT', -1))).status).toBe(0);
      await s.run('true');
      expect((await s.run(show(shell, 'MFA_ENV_RENEW_AT'))).out.trim()).toBe(real);
      // A minute left, but the renewal time not reached: left alone.
      expect((await s.run(assign(shell, 'MFA_ENV_EXPIRES_AT', 60))).status).toBe(0);
      const fake = (await s.run(show(shell, 'MFA_ENV_EXPIRES_AT'))).out.trim();
      await s.run('true');
      expect((await s.run(show(shell, 'MFA_ENV_EXPIRES_AT'))).out.trim()).toBe(fake);
    },
    TIMEOUT,
  );

  it(
    'MFA_ENV_AUTO_RENEW=1 leaves a session that needs a code alone, asks nothing, and does not retry',
    async () => {
      const s = await open(shell, { MFA_ENV_AUTO_RENEW: '1' });
      const runs = logRuns();
      const code = f.code();
      expect(await s.run(`mfa-demo-user --no-cache -t ${code}`)).toEqual({ out: '', status: 0 });
      const key = f.server.issued[0].accessKeyId;
      expect((await s.run(setExpiry(shell, 60))).status).toBe(0);
      const fake = (await s.run(show(shell, 'MFA_ENV_EXPIRES_AT'))).out.trim();
      const fakeRenew = (await s.run(show(shell, 'MFA_ENV_RENEW_AT'))).out.trim();
      await s.run('true');
      await s.run('true');
      expect((await s.run(show(shell, 'MFA_ENV_EXPIRES_AT'))).out.trim()).toBe(fake);
      expect((await s.run(show(shell, 'AWS_ACCESS_KEY_ID'))).out.trim()).toBe(key);
      // One renewal, refused for want of a code, and not tried again (until another session is loaded).
      expect(runs()).toEqual([`run:--profile=demo-user --no-cache -t ${code}`, 'run:--no-input', NEEDS_CODE]);
      expect((await s.run(show(shell, '__mfa_env_renew_failed'))).out.trim()).toBe(fakeRenew);
      expect(s.pty.output).not.toContain('MFA code for');
      expect(f.server.calls.length).toBe(1);
    },
    TIMEOUT,
  );

  it(
    'MFA_ENV_AUTO_RENEW=1 does not wait while another terminal is asked for the code of the same session',
    async () => {
      // The lock of demo-user's MFA session, held for good by a live process asking a person (this test process):
      // a renewal that waited on it would hang the prompt until the lock is 5 minutes old.
      expect((await f.run(['demo-user', '-t', f.code()])).status).toBe(0);
      const dir = f.home.env.MFA_ENV_CACHE_DIR;
      const [entry] = readdirSync(dir).filter((n) => /^mfa-[0-9a-f]{32}\.json$/.test(n));
      expect((await f.run(['forget'])).status).toBe(0);
      writeFileSync(
        join(dir, entry.replace(/\.json$/, '.lock')),
        `${JSON.stringify({ pid: process.pid, host: hostname(), asking: true })}\n`,
        { mode: 0o600 },
      );
      f.server.resetCalls();

      // A bound of the user's own on the wait, which the renewal must not take: were it to, it would say it waits.
      const s = await open(shell, { MFA_ENV_AUTO_RENEW: '1', MFA_ENV_LOCK_WAIT: '3' });
      const runs = logRuns();
      const code = f.code();
      expect(await s.run(`mfa-demo-user --no-cache -t ${code}`)).toEqual({ out: '', status: 0 });
      expect((await s.run(setExpiry(shell, 60))).status).toBe(0);
      const fakeRenew = (await s.run(show(shell, 'MFA_ENV_RENEW_AT'))).out.trim();
      await s.run('true');
      await s.run('true');
      // Not renewed (it needs a code), not retried, and it went on at once: it never said it was waiting.
      expect(runs()).toEqual([`run:--profile=demo-user --no-cache -t ${code}`, 'run:--no-input', NEEDS_CODE]);
      expect((await s.run(show(shell, '__mfa_env_renew_failed'))).out.trim()).toBe(fakeRenew);
    },
    TIMEOUT,
  );
});

describe('completion', () => {
  it(
    'bash completes subcommands, profiles and options',
    async () => {
      const s = await open('bash');
      // As readline calls it: the line and the cursor (COMP_WORDBREAKS is bash's own).
      const complete = async (line: string, point = line.length) =>
        (
          await s.run(`COMP_LINE='${line}'; COMP_POINT=${point}; __mfa_env_complete; printf '%s\\n' "\${COMPREPLY[@]}"`)
        ).out
          .trim()
          .split('\n');
      expect(await complete('mfa-env de')).toEqual(['demo-user']);
      expect(await complete('mfa-env st')).toEqual(['status']);
      expect(await complete('mfa-env --ref')).toEqual(['--refresh']);
      expect(await complete('mfa-demo-user --no-')).toEqual(['--no-cache', '--no-input']);
      // Only the line up to the cursor counts.
      expect(await complete('mfa-env st --x', 'mfa-env st'.length)).toEqual(['status']);
      // readline replaces only what follows the word break (`=`), so only that part comes back.
      expect(await complete('mfa-env --profile=adm')).toEqual(['admin']);
      expect((await s.run('complete -p mfa-env mfa-admin')).out).toContain('complete -F __mfa_env_complete mfa-admin');
    },
    TIMEOUT,
  );

  it(
    'fish completes subcommands, profiles and options, also for the per-profile functions',
    async () => {
      const s = await open('fish');
      const complete = async (line: string) =>
        (await s.run(`complete -C '${line}'`)).out
          .trim()
          .split('\n')
          .map((l) => l.split('\t')[0]);
      expect(await complete('mfa-env de')).toEqual(['demo-user']);
      expect(await complete('mfa-env adm')).toEqual(['admin']);
      expect(await complete('mfa-env sta')).toEqual(['status']);
      expect(await complete('mfa-env --ref')).toEqual(['--refresh']);
      expect(await complete('mfa-admin --ref')).toEqual(['--refresh']);
    },
    TIMEOUT,
  );

  it(
    'zsh registers its completion with compsys when compinit ran first, and Tab completes',
    async () => {
      const s = await open('zsh', {}, 'autoload -Uz compinit && compinit -u -D');
      expect((await s.run('echo $_comps[mfa-env] $_comps[mfa-admin]')).out.trim()).toBe(
        '__mfa_env_complete __mfa_env_complete',
      );
      // A real Tab: the one candidate completes the word in place, and Enter runs `mfa-env status`.
      const from = s.pty.output.length;
      s.pty.type('mfa-env sta\t\r');
      await s.pty.waitFor('No mfa-env session is loaded in this shell.', { from });
    },
    TIMEOUT,
  );
});

describe('completion after exec PROFILE --', () => {
  // A program on PATH whose own completion offers alpha and beta, and which prints what it was given.
  const FAKE = 'zzfakecmd';
  let bin: string;
  beforeEach(() => {
    bin = join(f.home.home, 'fakebin');
    mkdirSync(bin);
    writeFileSync(join(bin, FAKE), `#!/bin/sh\nprintf 'ARGS:%s\\n' "$*"\n`, { mode: 0o755 });
    writeFileSync(join(f.home.home, 'zzfile.txt'), '');
  });

  const openWithFake = (shell: InteractiveShell, setup?: string) =>
    open(shell, { PATH: `${bin}:${f.home.env.PATH}` }, setup);

  /** Waits until the terminal shows `text` (control sequences aside) after `from`. */
  async function shown(s: ShellSession, text: string, from: number): Promise<void> {
    const deadline = Date.now() + 15000;
    while (!plain(s.pty.output.slice(from)).includes(text)) {
      if (Date.now() > deadline)
        throw new Error(`the terminal never showed ${JSON.stringify(text)}:\n${plain(s.pty.output.slice(from))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Types `line` and a Tab, waits for `completed` on the line, then runs it and returns what the fake command got. */
  async function tabThenRun(s: ShellSession, line: string, completed: string): Promise<string> {
    const from = s.pty.output.length;
    s.pty.type(`${line}\t`);
    await shown(s, completed, from);
    s.pty.type('\r');
    await s.pty.waitFor(/ARGS:.*\r?\n/, { from });
    return /ARGS:(.*?)\r?\n/.exec(plain(s.pty.output.slice(from)))![1];
  }

  const CASES: Array<[InteractiveShell, string, string]> = [
    [
      'bash',
      'with bash-completion',
      'source /usr/share/bash-completion/bash_completion; complete -W "alpha beta" zzfakecmd',
    ],
    [
      'zsh',
      'with compinit',
      'autoload -Uz compinit && compinit -u -D; _zzfakecmd() { compadd alpha beta }; compdef _zzfakecmd zzfakecmd',
    ],
    ['fish', 'as it comes', "complete -c zzfakecmd -f -a 'alpha beta'"],
  ];

  it.each(CASES)(
    "%s %s: the command name from PATH, then the command's own completion",
    async (shell, _how, setup) => {
      const s = await openWithFake(shell, setup);
      expect(await tabThenRun(s, `mfa-env exec demo-user -t ${f.code()} -- zzfak`, `-- ${FAKE} `)).toBe('');
      expect(await tabThenRun(s, `mfa-env exec demo-user -t ${f.code()} -- ${FAKE} al`, `${FAKE} alpha`)).toBe('alpha');
    },
    TIMEOUT,
  );

  it(
    'bash without bash-completion: file names, as bash gives for any command it has no completion for',
    async () => {
      const s = await openWithFake('bash');
      expect(await tabThenRun(s, `mfa-env exec demo-user -t ${f.code()} -- ${FAKE} zzfi`, `${FAKE} zzfile.txt`)).toBe(
        'zzfile.txt',
      );
    },
    TIMEOUT,
  );

  it(
    'nothing wrong is inserted: "--" where the command would go, nothing for a command typed without it',
    async () => {
      const s = await openWithFake('bash');
      const complete = async (line: string) =>
        (
          await s.run(
            `COMP_LINE='${line}'; COMP_POINT=${line.length}; __mfa_env_complete; printf '<%s>\\n' "\${COMPREPLY[@]}"`,
          )
        ).out.trim();
      expect(await complete('mfa-env exec demo-user ')).toBe('<-->');
      expect(await complete('mfa-env exec demo-user zzfa')).toBe('<>');
      expect(await complete(`mfa-env exec demo-user -- zzfa`)).toBe(`<${FAKE}>`);
      // Not after the -- of another command, nor after a -- that was an option's value.
      expect(await complete('mfa-env demo-user -- zzfa')).toBe('<>');
      expect(await complete('mfa-env exec demo-user --mfa-process -- -- zzfa')).toBe('<>');
    },
    TIMEOUT,
  );
});

describe('completion of option values', () => {
  it.each(['bash', 'zsh', 'fish'] as const)(
    '%s: --format, --shell and init complete to their values, not to profiles',
    async (shell) => {
      const words = (line: string[]) => (shell === 'bash' ? [' ', line.join(' ')] : line);
      const complete = async (line: string[]) =>
        (await f.run(['__complete', shell, '--', ...words(line)])).stdout.split('\n').filter(Boolean);
      expect(await complete(['mfa-env', '--format', ''])).toEqual(['sh', 'fish', 'json', 'dotenv']);
      expect(await complete(['mfa-env', '--shell', ''])).toEqual(['sh', 'bash', 'zsh', 'fish']);
      expect(await complete(['mfa-env', '-s', 'z'])).toEqual(
        shell === 'bash' ? ['zsh'] : ['sh', 'bash', 'zsh', 'fish'],
      );
      expect(await complete(['mfa-env', 'init', ''])).toEqual(['bash', 'zsh', 'fish']);
      expect(await complete(['mfa-demo-user', '--format', 'd'])).toEqual(
        shell === 'bash' ? ['dotenv'] : ['sh', 'fish', 'json', 'dotenv'],
      );
    },
  );
});
