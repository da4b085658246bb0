// shell/mfa-env.{bash,zsh,fish} are rendered from src/integration/templates by `npm run build`: the shipped files
// must be exactly what the templates give now, with every placeholder filled. And the one rule the shells and the
// CLI must agree on without talking to each other, where the memo of profile functions lives, is checked by
// running both: the CLI writes the memo where cacheDir() says, and each real shell must find it there.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { renderIntegration } from '../../src/integration/renderIntegration';
import { CLI } from '../support/runCli';
import type { InteractiveShell } from '../support/shellSession';

const SHELLS: InteractiveShell[] = ['bash', 'zsh', 'fish'];
/** The files in this repository, not MFA_ENV_TEST_SHELL_DIR's copy: what is shipped is what must match. */
const SHIPPED = join(__dirname, '..', '..', 'shell');

describe.each(SHELLS)('shell/mfa-env.%s', (shell) => {
  const file = join(SHIPPED, `mfa-env.${shell}`);

  it('is what its template renders now (edit the template and run `npm run build`, never shell/)', () => {
    // toBe on the whole text: a hand edit in shell/, or a template edited without a rebuild, shows as a diff.
    expect(readFileSync(file, 'utf8')).toBe(renderIntegration(shell));
  });

  it('has every @PLACEHOLDER@ filled', () => {
    expect(readFileSync(file, 'utf8').match(/@[A-Z_]+@/g) ?? []).toEqual([]);
  });
});

describe('renderIntegration', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mfa-env-templates-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fills a known placeholder and refuses an unknown one, so a misspelt name breaks the build', () => {
    writeFileSync(join(dir, 'mfa-env.bash'), 'x=@CACHE_DIR_VAR@\n');
    expect(renderIntegration('bash', dir)).toBe('x=MFA_ENV_CACHE_DIR\n');
    writeFileSync(join(dir, 'mfa-env.bash'), 'x=@NO_SUCH_VALUE@\n');
    expect(() => renderIntegration('bash', dir)).toThrow('@NO_SUCH_VALUE@');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Where the memo lives. The shells work out `${MFA_ENV_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/mfa-env}` themselves
// (no process at start-up), and the CLI by cacheDir(). For each environment the CLI makes the memo (`mfa-env
// __profiles SHELL`, as a shell would run it), then the shell starts with the same environment and a PATH whose
// mfa-env only records that it ran: if the shell looks where the CLI wrote, it finds the memo fresh, defines the
// profile's function from it and never runs mfa-env.

/** Each case's directories, under one temporary root. */
interface Layout {
  root: string;
  /** Where the shell and the CLI start (relative paths in the environment are relative to it). */
  cwd: string;
}

const ODD_HOME = "h o'me $x `y` *[a] \\\n!";

const CASES: Array<{ name: string; env: (l: Layout) => Record<string, string | undefined> }> = [
  {
    name: 'MFA_ENV_CACHE_DIR set',
    env: (l) => ({
      HOME: join(l.root, 'home'),
      MFA_ENV_CACHE_DIR: join(l.root, 'own cache'),
      XDG_CACHE_HOME: join(l.root, 'xdg'),
    }),
  },
  { name: 'MFA_ENV_CACHE_DIR relative', env: (l) => ({ HOME: join(l.root, 'home'), MFA_ENV_CACHE_DIR: 'rel cache' }) },
  {
    name: 'MFA_ENV_CACHE_DIR empty, XDG_CACHE_HOME absolute',
    env: (l) => ({ HOME: join(l.root, 'home'), MFA_ENV_CACHE_DIR: '', XDG_CACHE_HOME: join(l.root, 'xdg') }),
  },
  {
    name: 'XDG_CACHE_HOME absolute',
    env: (l) => ({ HOME: join(l.root, 'home'), XDG_CACHE_HOME: join(l.root, 'xdg') }),
  },
  {
    name: 'XDG_CACHE_HOME absolute, with a trailing slash',
    env: (l) => ({ HOME: join(l.root, 'home'), XDG_CACHE_HOME: `${join(l.root, 'xdg')}/` }),
  },
  {
    name: 'XDG_CACHE_HOME relative (ignored, as the XDG spec says)',
    env: (l) => ({ HOME: join(l.root, 'home'), XDG_CACHE_HOME: 'xdg' }),
  },
  { name: 'XDG_CACHE_HOME empty', env: (l) => ({ HOME: join(l.root, 'home'), XDG_CACHE_HOME: '' }) },
  { name: 'neither set', env: (l) => ({ HOME: join(l.root, 'home') }) },
  {
    name: 'HOME with spaces, quotes, $, backquotes, glob characters, a backslash and a newline',
    env: (l) => ({ HOME: join(l.root, ODD_HOME) }),
  },
  { name: 'HOME with a trailing slash', env: (l) => ({ HOME: `${join(l.root, 'home')}/` }) },
];

// Without an absolute HOME the CLI uses the home of the user database, which bash and zsh cannot look up without a
// process: they look for no memo at all (never one relative to wherever the shell starts) and ask for the code.
const NO_HOME = [
  { name: 'HOME relative', env: { HOME: 'rel home' } },
  { name: 'HOME empty', env: { HOME: '' } },
];

const SHELL_ARGV: Record<InteractiveShell, string[]> = {
  bash: ['bash', '--noprofile', '--norc', '-c'],
  zsh: ['zsh', '--no-globalrcs', '--no-rcs', '-c'],
  fish: ['fish', '--no-config', '--private', '-c'],
};

const DEFINED: Record<InteractiveShell, (fn: string) => string> = {
  bash: (fn) => `declare -F -- ${fn} >/dev/null`,
  zsh: (fn) => `(( \${+functions[${fn}]} ))`,
  fish: (fn) => `functions -q -- ${fn}`,
};

/**
 * cacheDir() for the environment as the CLI sees it, made absolute against cwd. It runs in a Node process of its own
 * with exactly that environment: without a usable HOME, cacheDir asks Node for the home directory, which reads the
 * process's real environment (Jest's process.env is a copy). src/session/cacheSettings.ts is bundled for it once.
 */
let cacheDirScript: string;
beforeAll(() => {
  const out = mkdtempSync(join(tmpdir(), 'mfa-env-cachedir-'));
  cacheDirScript = join(out, 'cacheDir.js');
  buildSync({
    stdin: {
      contents: `import { cacheDir } from './src/session/cacheSettings'; process.stdout.write(cacheDir(process.env));`,
      resolveDir: join(__dirname, '..', '..'),
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: cacheDirScript,
    logLevel: 'warning',
  });
});
afterAll(() => cacheDirScript && rmSync(join(cacheDirScript, '..'), { recursive: true, force: true }));

function expectedDir(env: Record<string, string | undefined>, cwd: string): string {
  const result = spawnSync(process.execPath, [cacheDirScript], { cwd, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cacheDir() failed: ${result.stderr}`);
  return resolve(cwd, result.stdout);
}

describe.each(SHELLS)('%s looks for the memo where the CLI keeps it', (shell) => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'mfa-env-memo-path-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it.each(CASES)('$name', ({ env: envOf }) => {
    const layout: Layout = { root, cwd: join(root, 'work') };
    mkdirSync(layout.cwd);
    const caseEnv = envOf(layout);
    if (caseEnv.HOME) mkdirSync(resolve(layout.cwd, caseEnv.HOME), { recursive: true });

    // One profile with an MFA device, in files named outright: where the AWS files are is not what is tested. They
    // are dated an hour back, so the memo is newer even by fish's clock, which has whole seconds.
    const aws = join(root, 'aws');
    mkdirSync(aws);
    writeFileSync(join(aws, 'config'), '[profile demo]\nmfa_serial = arn:aws:iam::123456789012:mfa/demo\n');
    writeFileSync(
      join(aws, 'credentials'),
      '[demo]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = secret\n',
    );
    const anHourAgo = new Date(Date.now() - 3600_000);
    for (const f of ['config', 'credentials']) utimesSync(join(aws, f), anHourAgo, anHourAgo);

    // The mfa-env the shell finds on PATH: it only notes that it ran (a shell that misses the memo runs it).
    const bin = join(root, 'bin');
    const ran = join(root, 'mfa-env-ran');
    mkdirSync(bin);
    writeFileSync(join(bin, 'mfa-env'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${ran}'\n`);
    chmodSync(join(bin, 'mfa-env'), 0o755);

    const env = {
      ...caseEnv,
      PATH: `${bin}:/usr/bin:/bin`,
      LANG: 'C.UTF-8',
      AWS_CONFIG_FILE: join(aws, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(aws, 'credentials'),
    };
    const dir = expectedDir(env, layout.cwd);
    // Every case keeps its memo inside the temporary root: no test writes to the developer's cache.
    expect(dir.startsWith(`${root}/`)).toBe(true);

    const made = spawnSync(process.execPath, [CLI, '__profiles', shell], { cwd: layout.cwd, env, encoding: 'utf8' });
    expect({ status: made.status, stderr: made.stderr }).toEqual({ status: 0, stderr: '' });
    expect(existsSync(join(dir, `profiles.${shell}`))).toBe(true);

    const [cmd, ...args] = SHELL_ARGV[shell];
    const script = `source '${join(SHIPPED, `mfa-env.${shell}`)}'; ${DEFINED[shell]('mfa-demo')} && echo defined`;
    const started = spawnSync(cmd, [...args, script], { cwd: layout.cwd, env, encoding: 'utf8', timeout: 20000 });
    expect({
      status: started.status,
      stdout: started.stdout,
      stderr: started.stderr,
      // What a shell that looked elsewhere does instead: run mfa-env to make the functions.
      mfaEnvRan: existsSync(ran) ? readFileSync(ran, 'utf8') : null,
    }).toEqual({ status: 0, stdout: 'defined\n', stderr: '', mfaEnvRan: null });
  });
});

describe.each(['bash', 'zsh'] as const)('%s without an absolute HOME', (shell) => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'mfa-env-no-home-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it.each(NO_HOME)(
    '$name: sources no memo from the working directory and has mfa-env hand the code over',
    ({ env: caseEnv }) => {
      const cwd = join(root, 'work');
      mkdirSync(cwd);
      // A memo planted where a relative HOME would put it: it must never be read.
      const planted = join(cwd, ...(caseEnv.HOME ? [caseEnv.HOME] : []), '.cache', 'mfa-env');
      mkdirSync(planted, { recursive: true, mode: 0o700 });
      const canary = join(root, 'canary');
      writeFileSync(join(planted, `profiles.${shell}`), `touch '${canary}'\n`, { mode: 0o600 });
      const bin = join(root, 'bin');
      const ran = join(root, 'mfa-env-ran');
      mkdirSync(bin);
      writeFileSync(join(bin, 'mfa-env'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${ran}'\n`);
      chmodSync(join(bin, 'mfa-env'), 0o755);
      const [cmd, ...args] = SHELL_ARGV[shell];
      const started = spawnSync(cmd, [...args, `source '${join(SHIPPED, `mfa-env.${shell}`)}'`], {
        cwd,
        env: { ...caseEnv, PATH: `${bin}:/usr/bin:/bin`, LANG: 'C.UTF-8' },
        encoding: 'utf8',
        timeout: 20000,
      });
      expect({ status: started.status, stderr: started.stderr, canary: existsSync(canary) }).toEqual({
        status: 0,
        stderr: '',
        canary: false,
      });
      expect(readFileSync(ran, 'utf8')).toBe(`__profiles ${shell} --print\n`);
    },
  );
});
