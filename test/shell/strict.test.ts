// Sourcing the shell integration from an rc file must never disturb the shell: under each shell's strict modes it
// prints nothing, fails nothing, can be repeated, defines the functions, and, once mfa-env has made the memo of
// profile functions, starts no process (a shell rc file is read for every new terminal, so a fork there is paid
// again and again); after an AWS file changes, one run of mfa-env makes the memo anew.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_USER, demoConfig } from '../support/fixture';
import { describeNeeding, missingPrograms } from '../support/requirements';
import { type InteractiveShell, integrationFile } from '../support/shellSession';
import { type TempHome, tempHome } from '../support/tempHome';

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
    return `source '${file}'; or exit 11; source '${file}'; or exit 12${fn ? `; functions -q -- '${fn}'; or exit 13` : ''}`;
  }
  return `source '${file}'; source '${file}'${fn ? `; type -- '${fn}' >/dev/null` : ''}`;
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
    const odd = ['a@b', 'c+d', 'e.f', 'g/h', 'i%j', 'k:l', 'test', 'ls'];
    h.write({
      config:
        readFileSync(h.configPath, 'utf8') +
        extra('admin', ['role_arn = arn:aws:iam::123456789012:role/admin', 'source_profile = demo-user']) +
        extra('sso', ['sso_session = corp']) +
        '\n[sso-session corp]\nsso_region = us-east-1\n' +
        // An MFA device but no keys: `mfa-env nokeys` cannot serve it, so it gets no function either.
        extra('nokeys', [`mfa_serial = ${DEMO_USER.serial}`]) +
        odd.map((n) => extra(n, [`mfa_serial = ${DEMO_USER.serial}`])).join(''),
      credentials:
        readFileSync(h.credentialsPath, 'utf8') +
        odd
          .map(
            (n) =>
              `\n[${n}]\naws_access_key_id = ${DEMO_USER.accessKeyId}\naws_secret_access_key = ${DEMO_USER.secretAccessKey}\n`,
          )
          .join(''),
    });
    // The memo of profile functions goes there (without one, mfa-env makes the directory itself).
    mkdirSync(h.env.MFA_ENV_CACHE_DIR, { recursive: true, mode: 0o700 });
  }
  // Written a while ago, as a user's files are: fish compares whole seconds, and a memo made in the same second as
  // the files is taken for stale (one more mfa-env run at the next start).
  const past = Date.now() / 1000 - 60;
  for (const file of [h.configPath, h.credentialsPath]) if (existsSync(file)) utimesSync(file, past, past);
  return h;
}

/** Changes the AWS files the way a user does (one appears, or gets a profile): a memo made before is stale. */
function changeAwsFiles(h: TempHome): void {
  mkdirSync(join(h.home, '.aws'), { recursive: true, mode: 0o700 });
  h.write({
    config: `${existsSync(h.configPath) ? readFileSync(h.configPath, 'utf8') : ''}\n[profile late]\nregion = eu-west-1\n`,
  });
}

/**
 * Until the clock is in a later whole second than `file` was changed in: a memo made in that very second is stale by
 * fish's clock, which has whole seconds. (The kernel dates files by a clock a few ms behind: a margin for it.)
 */
function untilASecondAfter(file: string): void {
  const next = (Math.floor(statSync(file).mtimeMs / 1000) + 1) * 1000 + 20;
  for (let left = next - Date.now(); left > 0; left = next - Date.now())
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, left);
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

// A missing integration file (the build renders them) fails every test below: none is skipped for it.
describe.each(SHELLS)('sourcing the %s integration in strict mode', (shell) => {
  const file = integrationFile(shell);

  it.each(SETUPS)(
    'with $setup: prints nothing, exits 0, twice in a row, in a second shell, and after an AWS file changed',
    ({ setup, fn }) => {
      const h = home(setup);
      // The second shell finds what the first one left behind (the memo of profile functions); the third finds it stale.
      for (const round of [1, 2, 3]) {
        if (round === 3) changeAwsFiles(h);
        const [cmd, ...args] = argv(shell, sourceTwice(shell, file, fn));
        const result = spawnSync(cmd, args, { cwd: h.home, env: h.env, encoding: 'utf8', timeout: 20000 });
        expect({ round, status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
          round,
          status: 0,
          stdout: '',
          stderr: '',
        });
      }
    },
    TIMEOUT,
  );
});

// ---------------------------------------------------------------------------------------------------------------
// No process is started while sourcing once the memo is made: the shell runs under strace, and every process
// creation after its own exec is counted (threads are not processes: clone with CLONE_THREAD is left out).

const NEEDS_STRACE = missingPrograms({ strace: 'apt-get install strace' });

/** strace splits a call that another process's output interrupts (`<unfinished ...>`, `<... NAME resumed>`): rejoined. */
function rejoined(lines: string[]): string[] {
  const pending = new Map<string, number>();
  const out: string[] = [];
  for (const line of lines) {
    const unfinished = /^(\d+)\s(.*) <unfinished \.\.\.>$/.exec(line);
    const resumed = /^(\d+)\s+<\.\.\. \w+ resumed>(.*)$/.exec(line);
    if (unfinished) {
      pending.set(unfinished[1], out.length);
      out.push(`${unfinished[1]} ${unfinished[2]}`);
    } else if (resumed && pending.has(resumed[1])) {
      out[pending.get(resumed[1])!] += resumed[2];
      pending.delete(resumed[1]);
    } else {
      out.push(line);
    }
  }
  return out;
}

/** Process creations in an strace -f log, after the traced program's own execve. */
function processCreations(log: string): string[] {
  const lines = rejoined(log.split('\n').filter(Boolean));
  const firstExec = lines.findIndex((l) => /^\d+\s+execve\(/.test(l));
  return lines.slice(firstExec + 1).filter((l) => {
    const m = /^\d+\s+(execve|execveat|clone3?|fork|vfork)\(/.exec(l);
    if (!m) return false;
    if (m[1].startsWith('clone') && /CLONE_THREAD/.test(l)) return false;
    return true;
  });
}

/**
 * The programs a traced run executed, as `pid path`: successful execve calls only (a shebang's `env` trying each
 * PATH directory for node fails until it finds it).
 */
function programs(creations: string[]): string[] {
  return creations.flatMap((l) => {
    const m = /^(\d+)\s+execve\("([^"]*)".* = 0$/.exec(l);
    return m ? [`${m[1]} ${m[2]}`] : [];
  });
}

/** Asserts the creations are those of exactly one run of the mfa-env on PATH: it and what it execs (node), nothing else. */
function expectOneMfaEnvRun(creations: string[], h: TempHome): void {
  const ran = programs(creations);
  const runs = ran.filter((p) => p.endsWith(` ${join(h.home, 'bin', 'mfa-env')}`));
  expect(runs).toHaveLength(1);
  const pid = runs[0].split(' ')[0];
  expect(ran.filter((p) => !p.startsWith(`${pid} `))).toEqual([]);
}

function countUnderStrace(shell: InteractiveShell, script: string, h: TempHome): string[] {
  const log = join(h.home, 'strace.log');
  const result = spawnSync(
    'strace',
    ['-f', '-qq', '-e', 'trace=execve,execveat,clone,clone3,fork,vfork', '-o', log, ...argv(shell, script)],
    {
      cwd: h.home,
      env: h.env,
      encoding: 'utf8',
      timeout: 20000,
    },
  );
  if (result.status !== 0 && /ptrace|Operation not permitted/.test(result.stderr))
    throw new Error(`strace cannot trace here: ${result.stderr}`);
  expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
    status: 0,
    stdout: '',
    stderr: '',
  });
  return processCreations(readFileSync(log, 'utf8'));
}

for (const shell of SHELLS)
  describeNeeding(NEEDS_STRACE)(`sourcing the ${shell} integration under strace`, () => {
    const file = integrationFile(shell);

    it(
      'the count sees a process the shell does start',
      () => {
        const h = home('no AWS files');
        // /bin/true is one fork and one exec (two entries); the trailing command stops the shell from exec'ing it in place.
        expect(
          countUnderStrace(shell, shell === 'fish' ? '/bin/true; true' : '/bin/true; :', h).length,
        ).toBeGreaterThanOrEqual(2);
      },
      TIMEOUT,
    );

    it.each(SETUPS)(
      'with $setup: one mfa-env run makes the memo, then sourcing starts no process until an AWS file changes',
      ({ setup, fn }) => {
        const h = home(setup);
        // The shell on its own, for comparison: whatever it starts with nothing sourced is not the integration's doing.
        const baseline = countUnderStrace(shell, shell === 'fish' ? 'true' : ':', h);
        const expectNone = (sourcing: string[]) => {
          if (shell === 'fish') {
            // fish: reported rather than required to be zero; it must at least add nothing to what fish does by itself.
            expect(sourcing.length).toBeLessThanOrEqual(baseline.length);
          } else {
            expect(baseline).toEqual([]);
            expect(sourcing).toEqual([]);
          }
        };
        // The first start has no memo: mfa-env makes it, once (the second sourcing in the same shell uses it).
        expectOneMfaEnvRun(countUnderStrace(shell, sourceTwice(shell, file, fn), h), h);
        // The steady state: every later start.
        expectNone(countUnderStrace(shell, sourceTwice(shell, file, fn), h));
        // An AWS file changes: the memo is stale, and one run makes it anew (a second later, for fish's whole seconds).
        changeAwsFiles(h);
        untilASecondAfter(h.configPath);
        expectOneMfaEnvRun(countUnderStrace(shell, sourceTwice(shell, file, fn), h), h);
        expectNone(countUnderStrace(shell, sourceTwice(shell, file, fn), h));
      },
      TIMEOUT,
    );
  });

// fish has two ways to say "empty": a list of one empty string (what an exported `MFA_ENV_FUNCTION_PREFIX=` becomes,
// test/shell/integration.test.ts) and an empty list (`set -gx MFA_ENV_FUNCTION_PREFIX`). Both mean no prefix.
// Exported: mfa-env makes the functions, and only exported variables reach it.
describe('fish: an empty MFA_ENV_FUNCTION_PREFIX', () => {
  it(
    'as an empty list means no prefix, and sourcing prints nothing',
    () => {
      const h = home("the fixture's files");
      const [cmd, ...args] = argv(
        'fish',
        `set -gx MFA_ENV_FUNCTION_PREFIX; source '${integrationFile('fish')}'; or exit 11; functions -q demo-user; or exit 13`,
      );
      const result = spawnSync(cmd, args, { cwd: h.home, env: h.env, encoding: 'utf8', timeout: 20000 });
      expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
        status: 0,
        stdout: '',
        stderr: '',
      });
    },
    TIMEOUT,
  );
});
