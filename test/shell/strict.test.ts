// Sourcing the shell integration from an rc file must never disturb the shell: under each shell's strict modes it
// prints nothing, fails nothing, can be repeated, defines the functions, and starts no process (a shell rc file is
// read for every new terminal, so a fork there is paid again and again).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_USER, demoConfig } from '../support/fixture';
import { tempHome, type TempHome } from '../support/tempHome';
import { integrationFile, type InteractiveShell } from '../support/shellSession';

const TIMEOUT = 30000;
const SHELLS: InteractiveShell[] = ['bash', 'zsh', 'fish'];

/** The strict way to run `script` in each shell; `-e` aborts on any failing command, `-u` on any unset variable. */
function argv(shell: InteractiveShell, script: string): string[] {
  switch (shell) {
    case 'bash':
      return ['bash', '--noprofile', '--norc', '-e', '-u', '-o', 'pipefail', '-c', script];
    case 'zsh':
      return ['zsh', '--no-globalrcs', '--no-rcs', '-e', '-u', '-c', script];
    case 'fish':
      return ['fish', '--no-config', '--private', '-c', script];
  }
}

/** Sources the file twice; with `fn`, then checks that function exists, silently. fish has no -e: each step is checked. */
function sourceTwice(shell: InteractiveShell, file: string, fn?: string): string {
  if (shell === 'fish') {
    return `source '${file}'; or exit 11; source '${file}'; or exit 12` + (fn ? `; functions -q -- '${fn}'; or exit 13` : '');
  }
  return `source '${file}'; source '${file}'` + (fn ? `; type -- '${fn}' >/dev/null` : '');
}

type Setup = 'no AWS files' | "the fixture's files" | 'roles and odd profile names, with a cache directory';

/** An isolated HOME for each case. */
function makeHome(setup: Setup): TempHome {
  if (setup === 'no AWS files') {
    const h = tempHome();
    rmSync(join(h.home, '.aws'), { recursive: true, force: true });
    return h;
  }
  const h = tempHome(demoConfig('http://127.0.0.1:9'));
  if (setup !== "the fixture's files") {
    const extra = (name: string, lines: string[]) => `\n[profile ${name}]\n${lines.join('\n')}\n`;
    h.write({
      config:
        readFileSync(h.configPath, 'utf8') +
        extra('admin', ['role_arn = arn:aws:iam::123456789012:role/admin', 'source_profile = demo-user']) +
        extra('sso', ['sso_session = corp']) +
        '\n[sso-session corp]\nsso_region = us-east-1\n' +
        ['a@b', 'c+d', 'e.f', 'g/h', 'i%j', 'k:l', 'test', 'ls'].map((n) => extra(n, [`mfa_serial = ${DEMO_USER.serial}`])).join(''),
    });
    // zsh keeps what it read in the cache directory when there is one.
    mkdirSync(h.env.MFA_ENV_CACHE_DIR, { recursive: true, mode: 0o700 });
  }
  return h;
}

const SETUPS: { setup: Setup; fn?: string }[] = [
  { setup: 'no AWS files' },
  { setup: "the fixture's files", fn: 'mfa-demo-user' },
  { setup: 'roles and odd profile names, with a cache directory', fn: 'mfa-admin' },
];

let homes: TempHome[] = [];
afterEach(() => {
  for (const h of homes) h.remove();
  homes = [];
});

function home(setup: Setup): TempHome {
  const h = makeHome(setup);
  homes.push(h);
  return h;
}

const present = SHELLS.filter((shell) => existsSync(integrationFile(shell)));
for (const shell of SHELLS.filter((s) => !present.includes(s))) {
  it.skip(`${shell}: skipped: ${integrationFile(shell)} does not exist yet`, () => undefined);
}

describe.each(present)('sourcing the %s integration in strict mode', (shell) => {
  const file = integrationFile(shell);

  it.each(SETUPS)(
    'with $setup: prints nothing, exits 0, twice in a row and in a second shell',
    ({ setup, fn }) => {
      const h = home(setup);
      // Twice: the second shell finds what the first one left behind (zsh's cached profile list).
      for (const round of [1, 2]) {
        const [cmd, ...args] = argv(shell, sourceTwice(shell, file, fn));
        const result = spawnSync(cmd, args, { cwd: h.home, env: h.env, encoding: 'utf8', timeout: 20000 });
        expect({ round, status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ round, status: 0, stdout: '', stderr: '' });
      }
    },
    TIMEOUT,
  );

  it(
    'with odd profile names defines one function per servable profile, names mapped',
    () => {
      const h = home('roles and odd profile names, with a cache directory');
      const fns = ['mfa-demo-user', 'mfa-admin', 'mfa-a@b', 'mfa-c+d', 'mfa-e.f', 'mfa-g_h', 'mfa-i%j', 'mfa-k:l', 'mfa-test', 'mfa-ls'];
      const check =
        shell === 'fish'
          ? fns.map((fn) => `functions -q -- '${fn}'; or echo 'missing ${fn}'`).join('; ') + "; if functions -q mfa-sso; echo 'unexpected mfa-sso'; end"
          : fns.map((fn) => `type -- '${fn}' >/dev/null 2>&1 || echo 'missing ${fn}'`).join('; ') + "; ! type mfa-sso >/dev/null 2>&1 || echo 'unexpected mfa-sso'";
      const [cmd, ...args] = argv(shell, `source '${file}'; ${check}`);
      const result = spawnSync(cmd, args, { cwd: h.home, env: h.env, encoding: 'utf8', timeout: 20000 });
      expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
    },
    TIMEOUT,
  );
});

// ---------------------------------------------------------------------------------------------------------------
// No process is started while sourcing: the shell runs under strace, and every process creation after its own exec
// is counted (threads are not processes: clone with CLONE_THREAD is left out).

const strace = spawnSync('strace', ['-V'], { encoding: 'utf8' });
const haveStrace = !strace.error && strace.status === 0;
if (!haveStrace) {
  it.skip('skipped: strace is not installed (apt-get install strace), so process creation is not counted', () => undefined);
}

/** Process creations in an strace -f log, after the traced program's own execve. */
function processCreations(log: string): string[] {
  const lines = log.split('\n').filter(Boolean);
  const firstExec = lines.findIndex((l) => /^\d+\s+execve\(/.test(l));
  return lines.slice(firstExec + 1).filter((l) => {
    const m = /^\d+\s+(execve|execveat|clone3?|fork|vfork)\(/.exec(l);
    if (!m) return false;
    if (m[1].startsWith('clone') && /CLONE_THREAD/.test(l)) return false;
    return true;
  });
}

function countUnderStrace(shell: InteractiveShell, script: string, h: TempHome): string[] {
  const log = join(h.home, 'strace.log');
  const result = spawnSync('strace', ['-f', '-qq', '-e', 'trace=execve,execveat,clone,clone3,fork,vfork', '-o', log, ...argv(shell, script)], {
    cwd: h.home,
    env: h.env,
    encoding: 'utf8',
    timeout: 20000,
  });
  if (result.status !== 0 && /ptrace|Operation not permitted/.test(result.stderr)) throw new Error(`strace cannot trace here: ${result.stderr}`);
  expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
  return processCreations(readFileSync(log, 'utf8'));
}

(haveStrace ? describe.each(present) : describe.skip.each(present))('sourcing the %s integration under strace', (shell) => {
  const file = integrationFile(shell);

  it(
    'the count sees a process the shell does start',
    () => {
      const h = home('no AWS files');
      // /bin/true is one fork and one exec (two entries); the trailing command stops the shell from exec'ing it in place.
      expect(countUnderStrace(shell, shell === 'fish' ? '/bin/true; true' : '/bin/true; :', h).length).toBeGreaterThanOrEqual(2);
    },
    TIMEOUT,
  );

  it.each(SETUPS)(
    'with $setup: starts no process',
    ({ setup, fn }) => {
      const h = home(setup);
      // The shell on its own, for comparison: whatever it starts with nothing sourced is not the integration's doing.
      const baseline = countUnderStrace(shell, shell === 'fish' ? 'true' : ':', h);
      const sourcing = countUnderStrace(shell, sourceTwice(shell, file, fn), h);
      if (shell === 'fish') {
        // fish: reported rather than required to be zero; it must at least add nothing to what fish does by itself.
        expect(sourcing.length).toBeLessThanOrEqual(baseline.length);
      } else {
        expect(baseline).toEqual([]);
        expect(sourcing).toEqual([]);
      }
    },
    TIMEOUT,
  );
});

// fish has two ways to say "empty": a list of one empty string (what an exported `MFA_ENV_FUNCTION_PREFIX=` becomes)
// and an empty list (`set -g MFA_ENV_FUNCTION_PREFIX`). Both mean no prefix.
(present.includes('fish') ? describe : describe.skip)('fish: an empty MFA_ENV_FUNCTION_PREFIX', () => {
  it.each([
    ['a list of one empty string', "set -g MFA_ENV_FUNCTION_PREFIX ''"],
    ['an empty list', 'set -g MFA_ENV_FUNCTION_PREFIX'],
  ])(
    'as %s means no prefix, and sourcing prints nothing',
    (_, setup) => {
      const h = home("the fixture's files");
      const [cmd, ...args] = argv('fish', `${setup}; source '${integrationFile('fish')}'; or exit 11; functions -q demo-user; or exit 13`);
      const result = spawnSync(cmd, args, { cwd: h.home, env: h.env, encoding: 'utf8', timeout: 20000 });
      expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
    },
    TIMEOUT,
  );
});
