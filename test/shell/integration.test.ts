// The shell integration (shell/mfa-env.{bash,zsh,fish}) in real interactive shells, in a pseudo-terminal where a
// person types: the wrapper evaluates what changes the environment of the very shell it runs in, the per-profile
// functions work for every profile name the AWS SDK accepts, the MFA code is asked on the terminal and not echoed,
// failures leave the shell as it was, and sourcing prints nothing.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCOUNT, DEMO_USER, type Fixture, startFixture } from '../support/fixture';
import { type InteractiveShell, integrationFile, SHELL_DECORATION, ShellSession } from '../support/shellSession';
import { type TempHome, tempHome } from '../support/tempHome';

const TIMEOUT = 30000;
const { version: VERSION } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  version: string;
};
const ROLE = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const MFA_PROMPT = `MFA code for ${DEMO_USER.serial}: `;

/** Profile names with every character the SDK's loader allows besides [A-Za-z0-9_-], and the function each gets. */
const ODD_NAMES: [profile: string, fn: string][] = [
  ['a@b', 'mfa-a@b'],
  ['c+d', 'mfa-c+d'],
  ['e.f', 'mfa-e.f'],
  ['g/h', 'mfa-g_h'],
  ['i%j', 'mfa-i%j'],
  ['k:l', 'mfa-k:l'],
];
/** Profiles named like a builtin, a command and a reserved word, which must not be shadowed when the prefix is empty. */
const SHADOWING = ['test', 'ls', 'while'];

const SHELLS: InteractiveShell[] = ['bash', 'zsh', 'fish'];
/** An empty prefix, exported: mfa-env makes the functions, and only exported variables reach it. */
const NO_PREFIX: Record<InteractiveShell, string> = {
  bash: 'export MFA_ENV_FUNCTION_PREFIX=',
  zsh: 'export MFA_ENV_FUNCTION_PREFIX=',
  fish: "set -gx MFA_ENV_FUNCTION_PREFIX ''",
};

let f: Fixture;
let sessions: ShellSession[] = [];
let others: TempHome[] = [];
/** The directory the shells start in: it holds one known file, for `ls`. */
let workDir: string;

beforeEach(async () => {
  f = await startFixture({
    roles: [
      { arn: ROLE('admin'), requireMfa: true },
      { arn: ROLE('readonly'), requireMfa: true },
    ],
  });
  const section = (name: string, lines: string[]) =>
    `\n[profile ${name}]\n${[...lines, `endpoint_url = ${f.server.url}`].join('\n')}\n`;
  const keys = (name: string) =>
    `\n[${name}]\naws_access_key_id = ${DEMO_USER.accessKeyId}\naws_secret_access_key = ${DEMO_USER.secretAccessKey}\n`;
  const userNames = [...ODD_NAMES.map(([name]) => name), ...SHADOWING];
  f.home.write({
    config:
      readFileSync(f.home.configPath, 'utf8') +
      section('admin', [`role_arn = ${ROLE('admin')}`, 'source_profile = demo-user']) +
      section('readonly', [`role_arn = ${ROLE('readonly')}`, 'source_profile = demo-user']) +
      userNames.map((name) => section(name, [`mfa_serial = ${DEMO_USER.serial}`])).join(''),
    credentials: readFileSync(f.home.credentialsPath, 'utf8') + userNames.map(keys).join(''),
  });
  workDir = join(f.home.home, 'work');
  mkdirSync(workDir);
  writeFileSync(join(workDir, 'ls-marker.txt'), '');
});

afterEach(async () => {
  await Promise.all(sessions.map((s) => s.close()));
  sessions = [];
  for (const h of others) h.remove();
  others = [];
  await f.stop();
});

/** A code the server will not accept now (a clash with the current window is one in a few hundred thousand). */
function wrongCode(): string {
  return f.code() === '000000' ? '111111' : '000000';
}

// A missing integration file (the build renders them) fails every test below: none is skipped for it.
describe.each(SHELLS)('the %s integration in an interactive shell', (shell) => {
  const file = integrationFile(shell);
  const functionExists = (fn: string) =>
    shell === 'fish' ? `functions -q -- '${fn}'` : `type -- '${fn}' >/dev/null 2>&1`;

  /** An interactive shell at its prompt, `setup` typed first (if any), then the integration sourced. */
  async function open({
    env = f.home.env,
    setup,
  }: {
    env?: Record<string, string>;
    setup?: string;
  } = {}): Promise<ShellSession> {
    const s = new ShellSession(shell, env, workDir);
    sessions.push(s);
    await s.ready();
    if (setup) expect(await s.run(setup)).toEqual({ out: '', status: 0 });
    const sourced = await s.runToPrompt(`source '${file}'`);
    expect({ out: sourced.out, status: sourced.status }).toEqual({ out: '', status: 0 });
    expect(sourced.beforePrompt).toMatch(SHELL_DECORATION);
    return s;
  }

  /** Prints a variable exactly as the shell holds it. */
  async function value(s: ShellSession, name: string): Promise<string> {
    const r = await s.run(`echo "$${name}"`);
    expect(r.status).toBe(0);
    return r.out.replace(/\n$/, '');
  }

  /** Loads demo-user with a code given on the command line; returns the key the server issued. */
  async function loadDemoUser(s: ShellSession, extra = ''): Promise<string> {
    const r = await s.run(`mfa-demo-user -t ${f.code()}${extra}`);
    expect(r).toEqual({ out: '', status: 0 });
    return f.server.issued[f.server.issued.length - 1].accessKeyId;
  }

  it(
    'sourcing prints nothing, also a second time, and the functions still work after it',
    async () => {
      const s = await open();
      const again = await s.runToPrompt(`source '${file}'`);
      expect({ out: again.out, status: again.status }).toEqual({ out: '', status: 0 });
      expect(again.beforePrompt).toMatch(SHELL_DECORATION);
      const key = await loadDemoUser(s);
      expect(await value(s, 'AWS_ACCESS_KEY_ID')).toBe(key);
      expect(await value(s, 'MFA_ENV_PROFILE')).toBe('demo-user');
      // The prompt hook, registered twice if sourcing were not idempotent, prints nothing either.
      const next = await s.runToPrompt('true');
      expect(next.beforePrompt).toMatch(SHELL_DECORATION);
    },
    TIMEOUT,
  );

  it(
    'sourcing with no AWS files at all prints nothing and defines no profile function; the wrapper still works',
    async () => {
      const bare = tempHome();
      others.push(bare);
      rmSync(join(bare.home, '.aws'), { recursive: true, force: true });
      const s = await open({ env: bare.env });
      const again = await s.runToPrompt(`source '${file}'`);
      expect({ out: again.out, status: again.status }).toEqual({ out: '', status: 0 });
      expect((await s.run(functionExists('mfa-demo-user'))).status).not.toBe(0);
      const help = await s.run('mfa-env --help');
      expect(help.status).toBe(0);
      expect(help.out).toContain('Usage:');
      const unknown = await s.run('mfa-env demo-user');
      expect(unknown.status).toBe(3);
    },
    TIMEOUT,
  );

  it(
    'mfa-demo-user asks for the code on the terminal, does not echo it, and loads the session into this shell',
    async () => {
      const s = await open();
      const p = s.start('mfa-demo-user');
      await s.pty.waitFor(MFA_PROMPT, { from: p.from });
      const typedAt = s.pty.output.length;
      const code = f.code();
      s.pty.type(`${code}\r`);
      const r = await s.finish(p);
      expect(r.status).toBe(0);
      expect(s.pty.output.slice(typedAt)).not.toContain(code);
      const [issued] = f.server.issued;
      expect(f.server.issued).toHaveLength(1);
      expect(await value(s, 'AWS_ACCESS_KEY_ID')).toBe(issued.accessKeyId);
      expect(await value(s, 'AWS_SECRET_ACCESS_KEY')).toBe(issued.secretAccessKey);
      expect(await value(s, 'AWS_SESSION_TOKEN')).toBe(issued.sessionToken);
      expect(await value(s, 'MFA_ENV_PROFILE')).toBe('demo-user');
      expect(await value(s, 'AWS_REGION')).toBe('eu-west-1');
    },
    TIMEOUT,
  );

  it(
    'mfa_env_prompt prints nothing with no session, then the profile and the time left',
    async () => {
      const s = await open();
      expect(await s.run('mfa_env_prompt')).toEqual({ out: '', status: 0 });
      await loadDemoUser(s);
      const full = await s.run('mfa_env_prompt');
      expect(full.status).toBe(0);
      expect(full.out).toMatch(/^demo-user (11h59m|12h00m)\n$/);
      await loadDemoUser(s, ' -d 15m');
      const short = await s.run('mfa_env_prompt');
      expect(short.status).toBe(0);
      expect(short.out).toMatch(/^demo-user (14m|15m)\n$/);
    },
    TIMEOUT,
  );

  it(
    'mfa_env_prompt shows MFA_ENV_PROFILE_LABEL, says "expiring" from MFA_ENV_RENEW_AT, and nothing for a malformed time',
    async () => {
      const s = await open();
      await loadDemoUser(s);
      const set = (name: string, value: string) =>
        shell === 'fish' ? `set -gx ${name} ${value}` : `export ${name}=${value}`;
      const inSeconds = (n: number) => (shell === 'fish' ? `(math (date +%s) + ${n})` : `$(( $(date +%s) + ${n} ))`);
      // The label is what is shown, never the raw name.
      expect(await s.run(set('MFA_ENV_PROFILE_LABEL', 'shown'))).toEqual({ out: '', status: 0 });
      expect((await s.run('mfa_env_prompt')).out).toMatch(/^shown (11h59m|12h00m)\n$/);
      // Past the renewal time, however long is left.
      expect(await s.run(set('MFA_ENV_RENEW_AT', inSeconds(-1)))).toEqual({ out: '', status: 0 });
      expect((await s.run('mfa_env_prompt')).out).toMatch(/^shown expiring (11h59m|12h00m)\n$/);
      // Minutes left, but before the renewal time: not expiring yet.
      expect(
        await s.run(`${set('MFA_ENV_RENEW_AT', inSeconds(3600))}; ${set('MFA_ENV_EXPIRES_AT', inSeconds(240))}`),
      ).toEqual({ out: '', status: 0 });
      expect((await s.run('mfa_env_prompt')).out).toMatch(/^shown [34]m\n$/);
      // A time that is no plain epoch number (a leading 0, more than 12 digits, not digits) shows nothing.
      for (const bad of ['0123456789', '1234567890123', '17e8', 'x']) {
        expect(await s.run(`${set('MFA_ENV_EXPIRES_AT', bad)}; mfa_env_prompt`)).toEqual({ out: '', status: 0 });
      }
    },
    TIMEOUT,
  );

  it(
    'mfa-env PROFILE loads, mfa-env renews, mfa-env --clear removes the session from this shell',
    async () => {
      const s = await open();
      // Through the wrapper itself this time, as the README shows it; then renewed with no profile named (a cache hit).
      expect(await s.run(`mfa-env demo-user -t ${f.code()}`)).toEqual({ out: '', status: 0 });
      expect(await value(s, 'AWS_ACCESS_KEY_ID')).toBe(f.server.issued[0].accessKeyId);
      expect(await s.run('mfa-env')).toEqual({ out: '', status: 0 });
      expect(await value(s, 'MFA_ENV_PROFILE')).toBe('demo-user');
      expect(f.server.issued).toHaveLength(1);
      expect(await s.run('mfa-env --clear')).toEqual({ out: '', status: 0 });
      for (const name of [
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'AWS_SESSION_TOKEN',
        'MFA_ENV_PROFILE',
        'MFA_ENV_EXPIRES_AT',
      ]) {
        expect([name, await value(s, name)]).toEqual([name, '']);
      }
      expect(await s.run('mfa_env_prompt')).toEqual({ out: '', status: 0 });
    },
    TIMEOUT,
  );

  it(
    "a failing call leaves the loaded session untouched and returns the tool's exit status",
    async () => {
      const s = await open();
      const key = await loadDemoUser(s);
      const unknown = await s.run('mfa-env nobody');
      expect(unknown.status).toBe(3);
      expect(unknown.out).toContain('mfa-env: profile "nobody" not found');
      expect(await value(s, 'AWS_ACCESS_KEY_ID')).toBe(key);
      expect(await value(s, 'MFA_ENV_PROFILE')).toBe('demo-user');

      const rejected = await s.run(`mfa-demo-user --refresh -t ${wrongCode()}`);
      expect(rejected.status).toBe(5);
      expect(rejected.out).toContain('AWS rejected the MFA code');
      expect(await value(s, 'AWS_ACCESS_KEY_ID')).toBe(key);

      const usage = await s.run('mfa-env --no-such-flag');
      expect(usage.status).toBe(2);
      expect(await value(s, 'AWS_ACCESS_KEY_ID')).toBe(key);
      expect(await value(s, 'MFA_ENV_PROFILE')).toBe('demo-user');
    },
    TIMEOUT,
  );

  it(
    'print-only commands pass through: --help and status are shown, not evaluated',
    async () => {
      const s = await open();
      for (const cmd of ['mfa-env --help', 'mfa-demo-user --help']) {
        const help = await s.run(cmd);
        expect([cmd, help.status]).toEqual([cmd, 0]);
        expect(help.out).toContain('Usage:');
        expect(help.out).toContain('eval "$(mfa-env [PROFILE])"');
        expect(help.out).not.toMatch(/command not found|Unknown command|unknown command/);
      }
      expect(await s.run('mfa-env status')).toEqual({
        out: 'No mfa-env session is loaded in this shell.\n',
        status: 0,
      });
      await loadDemoUser(s);
      const status = await s.run('mfa-env status');
      expect(status.status).toBe(0);
      expect(status.out).toMatch(/^profile: +demo-user$/m);
    },
    TIMEOUT,
  );

  it(
    'output asked for to read is printed, not evaluated: --version, an explicit --shell, --format to a file',
    async () => {
      const s = await open();
      const key = await loadDemoUser(s);
      expect(await s.run('mfa-env --version')).toEqual({ out: `${VERSION}\n`, status: 0 });
      // This shell's own syntax, named: were it evaluated, the session would be gone.
      const own = shell === 'fish' ? 'fish' : 'sh';
      const clear = await s.run(`mfa-env --clear --shell ${own}`);
      expect(clear.status).toBe(0);
      expect(clear.out).toContain(own === 'fish' ? 'set -e -g AWS_ACCESS_KEY_ID' : 'unset AWS_ACCESS_KEY_ID');
      expect(await value(s, 'AWS_ACCESS_KEY_ID')).toBe(key);
      // Redirected, the same bytes as from mfa-env itself.
      const files = await s.run(
        'mfa-env demo-user --format dotenv > a.env; command mfa-env demo-user --format dotenv > b.env; cmp a.env b.env && grep -c AWS_ACCESS_KEY_ID= a.env',
      );
      expect(files).toEqual({ out: '1\n', status: 0 });
      expect(await value(s, 'MFA_ENV_PROFILE')).toBe('demo-user');
    },
    TIMEOUT,
  );

  it(
    `every profile name the SDK allows gets a working function: ${ODD_NAMES.map(([profile, fn]) => `${profile} ${fn}`).join(', ')}`,
    async () => {
      // One shell for all: each function loads its profile over the one before.
      const s = await open();
      const got: string[][] = [];
      for (const [, fn] of ODD_NAMES) {
        const r = await s.run(`${fn} -t ${f.code()}`);
        const key = await value(s, 'AWS_ACCESS_KEY_ID');
        got.push([
          fn,
          r.out,
          String(r.status),
          await value(s, 'MFA_ENV_PROFILE'),
          f.server.issuedFor(key) ? 'a key STS issued' : key,
        ]);
      }
      expect(got).toEqual(ODD_NAMES.map(([profile, fn]) => [fn, '', '0', profile, 'a key STS issued']));
    },
    TIMEOUT,
  );

  it(
    'with an empty prefix, profiles named test and ls do not shadow the builtin and the command, and status says so',
    async () => {
      const s = await open({ setup: NO_PREFIX[shell] });
      const type = await s.run('type test');
      expect(type.status).toBe(0);
      expect(type.out).toMatch(/^test is a (shell )?builtin\n$/);
      const ls = await s.run('ls');
      expect(ls).toEqual({ out: 'ls-marker.txt\n', status: 0 });
      // Profiles with free names got their functions, unprefixed.
      expect(await s.run(`demo-user -t ${f.code()}`)).toEqual({ out: '', status: 0 });
      expect(await value(s, 'MFA_ENV_PROFILE')).toBe('demo-user');
      const status = await s.run('mfa-env status');
      expect(status.status).toBe(0);
      expect(status.out).toContain('Shell functions not defined, since their names were taken:');
      // A builtin, and /usr/bin/test too: whichever check finds it first (mfa-env's, or the shell's as it loads them).
      expect(status.out).toMatch(/^ {2}test \(profile test: would shadow the (builtin|command|existing) test\)$/m);
      // A command on PATH: mfa-env lists PATH's directories.
      expect(status.out).toMatch(/^ {2}ls \(profile ls: would shadow the command ls\)$/m);
    },
    TIMEOUT,
  );

  it(
    'with an empty prefix, a profile named like a reserved word (while) is skipped as well',
    async () => {
      const s = await open({ setup: NO_PREFIX[shell] });
      const type = await s.run('type while');
      expect(type.status).toBe(0);
      // bash: a shell keyword; zsh: a reserved word; fish: a builtin.
      expect(type.out).toMatch(/^while is a (shell keyword|reserved word|builtin)\n$/);
      const status = await s.run('mfa-env status');
      expect(status.out).toMatch(new RegExp(`^ {2}while \\(profile while: a reserved word of ${shell}\\)$`, 'm'));
    },
    TIMEOUT,
  );

  it(
    'an alias of the same name is not shadowed by a profile function, and status says so',
    async () => {
      const s = await open({
        setup: shell === 'fish' ? "alias mfa-demo-user 'echo aliased'" : "alias mfa-demo-user='echo aliased'",
      });
      expect(await s.run('mfa-demo-user')).toEqual({ out: 'aliased\n', status: 0 });
      const status = await s.run('mfa-env status');
      // fish's alias is a function.
      expect(status.out).toMatch(
        new RegExp(
          `^ {2}mfa-demo-user \\(profile demo-user: would shadow the ${shell === 'bash' ? 'alias' : 'existing'} mfa-demo-user\\)$`,
          'm',
        ),
      );
    },
    TIMEOUT,
  );

  it(
    'a profile added to the AWS files gets its function in the next shell, even with the memo kept',
    async () => {
      // The functions are kept in the cache directory (the memo); it must not go stale.
      mkdirSync(f.home.env.MFA_ENV_CACHE_DIR, { recursive: true, mode: 0o700 });
      const first = await open();
      expect((await first.run(functionExists('mfa-late'))).status).not.toBe(0);
      await first.close();
      f.home.write({
        config:
          readFileSync(f.home.configPath, 'utf8') +
          `\n[profile late]\nrole_arn = ${ROLE('readonly')}\nsource_profile = demo-user\n`,
      });
      const second = await open();
      expect((await second.run(functionExists('mfa-late'))).status).toBe(0);
    },
    TIMEOUT,
  );

  it(
    'mfa-admin asks for a code; then a new shell gets mfa-readonly with no code, from the cached MFA session',
    async () => {
      const first = await open();
      const p = first.start('mfa-admin');
      await first.pty.waitFor(MFA_PROMPT, { from: p.from });
      first.pty.type(`${f.code()}\r`);
      expect((await first.finish(p)).status).toBe(0);
      expect(await value(first, 'MFA_ENV_ROLE_ARN')).toBe(ROLE('admin'));
      expect(f.server.calls.map((c) => c.action)).toEqual(['GetSessionToken', 'AssumeRole']);
      await first.close();

      const second = await open();
      const r = await second.run('mfa-readonly');
      expect(r).toEqual({ out: '', status: 0 });
      expect(f.server.calls.map((c) => c.action)).toEqual(['GetSessionToken', 'AssumeRole', 'AssumeRole']);
      const readonly = f.server.issued[2];
      expect(await value(second, 'AWS_ACCESS_KEY_ID')).toBe(readonly.accessKeyId);
      expect(await value(second, 'MFA_ENV_PROFILE')).toBe('readonly');
      expect(await value(second, 'MFA_ENV_ROLE_ARN')).toBe(ROLE('readonly'));
    },
    TIMEOUT,
  );
});

// bash and zsh keep a coloured copy of the segment in MFA_ENV_PROMPT for PS1/PROMPT, refreshed before each prompt.
describe.each(SHELLS.filter((shell) => shell !== 'fish'))('MFA_ENV_PROMPT in %s', (shell) => {
  it(
    'holds the segment with colours between non-printing markers, and plain text with NO_COLOR',
    async () => {
      const s = new ShellSession(shell, f.home.env, workDir);
      sessions.push(s);
      await s.ready();
      expect(await s.run(`source '${integrationFile(shell)}'`)).toEqual({ out: '', status: 0 });
      expect(await s.run(`mfa-demo-user -t ${f.code()}`)).toEqual({ out: '', status: 0 });
      // Read raw: the markers and escapes are the point here.
      const p = s.start('printf "<%s>\\n" "$MFA_ENV_PROMPT"');
      await s.finish(p);
      const raw = s.pty.output.slice(p.from);
      if (shell === 'bash') expect(raw).toMatch(/<\x01\x1b\[32m\x02demo-user (11h59m|12h00m)\x01\x1b\[0m\x02>/);
      else expect(raw).toMatch(/<%\{%F\{green\}%\}demo-user (11h59m|12h00m)%\{%f%\}>/);
      expect(await s.run('export NO_COLOR=1')).toEqual({ out: '', status: 0 });
      const plainPrompt = await s.run('printf "<%s>\\n" "$MFA_ENV_PROMPT"');
      expect(plainPrompt.out).toMatch(/^<demo-user (11h59m|12h00m)>\n$/);
    },
    TIMEOUT,
  );
});
