// Static checks of the shell code mfa-env ships and renders: shellcheck with every optional check for bash, each
// shell's own parser for zsh and fish, and fish_indent's formatting for fish. They run on the integration files in
// shell/ and on the memo of profile functions that `mfa-env __profiles SHELL` writes. CI installs the tools
// (.ci/run): a missing tool or a missing file fails, it is never skipped.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from '../support/runCli';
import { type InteractiveShell, integrationFile, SHELL_DIR } from '../support/shellSession';
import { type TempHome, tempHome } from '../support/tempHome';

const SHELLS: InteractiveShell[] = ['bash', 'zsh', 'fish'];

interface Check {
  tool: string;
  args: (file: string) => string[];
}

/** What each shell's code must pass; `extra` are the shellcheck options for the memo only (see MEMO_EXCLUSIONS). */
const CHECKS: Record<InteractiveShell, (extra: string[]) => Check[]> = {
  bash: (extra) => [{ tool: 'shellcheck', args: (file) => ['--enable=all', '--shell=bash', ...extra, file] }],
  zsh: () => [{ tool: 'zsh', args: (file) => ['-n', file] }],
  fish: () => [
    { tool: 'fish', args: (file) => ['--no-execute', file] },
    { tool: 'fish_indent', args: (file) => ['--check', file] },
  ],
};

/**
 * shellcheck options for the memo alone. It is a fragment sourced by the integration (which sets what it reads, such
 * as __mfa_env_memo_check, and defines __mfa_env_free), so a finding that only arises from that split would belong
 * here, each with its reason: none does at present. Every finding is one about the code mfa-env renders.
 */
const MEMO_EXCLUSIONS: string[] = [];

function run(tool: string, args: string[], cwd: string, input?: string) {
  const result = spawnSync(tool, args, {
    cwd,
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8' },
  });
  if (result.error) {
    const why =
      (result.error as NodeJS.ErrnoException).code === 'ENOENT'
        ? `${tool} is not installed (CI installs it: see .ci/run)`
        : String(result.error);
    throw new Error(why);
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a check; when fish_indent fails (it only names the file), what it would change, as a diff, is added. */
function lint({ tool, args }: Check, file: string, cwd: string) {
  const result = run(tool, args(file), cwd);
  if (tool !== 'fish_indent' || result.status === 0) return result;
  const formatted = run('fish_indent', [file], cwd).stdout;
  return { ...result, wouldChange: run('diff', ['-u', file, '-'], cwd, formatted).stdout };
}

const PASSED = { status: 0, stdout: '', stderr: '' };

describe.each(SHELLS)('shell/mfa-env.%s', (shell) => {
  const file = integrationFile(shell);

  it('exists', () => {
    expect(existsSync(file)).toBe(true);
  });

  it.each(CHECKS[shell]([]))('passes $tool with no output', (check) => {
    // Run from shell/ with the bare file name, so findings name the file the way a developer types it.
    expect(lint(check, `mfa-env.${shell}`, SHELL_DIR)).toEqual(PASSED);
  });
});

/**
 * The `# shellcheck disable=` lines not preceded by a comment line of their own saying why (a line with words after
 * the `#` that is not itself a directive), as "line N: ..." for the failure message.
 */
function unjustifiedDisables(text: string): string[] {
  const lines = text.split('\n');
  const directive = /^\s*#\s*shellcheck\s/;
  return lines.flatMap((line, i) => {
    if (!/^\s*#\s*shellcheck\s+disable=/.test(line)) return [];
    const before = i > 0 ? lines[i - 1] : '';
    const justified = /^\s*#\s*\S/.test(before) && !directive.test(before);
    return justified ? [] : [`line ${i + 1}: ${line.trim()}   (the line before: ${JSON.stringify(before)})`];
  });
}

describe('shellcheck disable directives in shell/mfa-env.bash', () => {
  it('each follows a comment line that says why', () => {
    expect(unjustifiedDisables(readFileSync(integrationFile('bash'), 'utf8'))).toEqual([]);
  });

  it('the check tells a justified directive from one after code, after another directive, or at the top', () => {
    const text = [
      '# shellcheck disable=SC2034',
      'x=1',
      '# shellcheck disable=SC2034 # a reason on the same line is not a comment line before it',
      '# read by the prompt',
      '# shellcheck disable=SC2034',
      '#',
      '# shellcheck disable=SC2034',
      '# shellcheck disable=SC2312',
    ].join('\n');
    expect(unjustifiedDisables(text).map((finding) => finding.split(':')[0])).toEqual([
      'line 1',
      'line 3',
      'line 7',
      'line 8',
    ]);
  });
});

// The memo: made by the built CLI from AWS files with names that need quoting or mapping, a profile that clashes
// with mfa-env's own name and one that clashes with a command on PATH (so the list of skipped names is not empty),
// and a role. A second render with a bad MFA_ENV_FUNCTION_PREFIX gives the memo that warns instead.
describe.each(SHELLS)('the %s memo of `mfa-env __profiles`', (shell) => {
  let h: TempHome;
  let memos: Array<{ name: string; file: string; text: string }>;

  beforeAll(() => {
    h = tempHome({
      config: [
        '[profile a@b]',
        'mfa_serial = arn:aws:iam::123456789012:mfa/a',
        '[profile k:l]',
        'mfa_serial = arn:aws:iam::123456789012:mfa/k',
        '[profile env]',
        'mfa_serial = arn:aws:iam::123456789012:mfa/e',
        '[profile clash]',
        'mfa_serial = arn:aws:iam::123456789012:mfa/c',
        '[profile admin]',
        'role_arn = arn:aws:iam::123456789012:role/admin',
        'source_profile = a@b',
        '',
      ].join('\n'),
      credentials: ['a@b', 'k:l', 'env', 'clash']
        .map((name) => `[${name}]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = secret\n`)
        .concat(
          '[x;true>/tmp/y]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = secret\nmfa_serial = arn:aws:iam::123456789012:mfa/x\n',
        )
        .join(''),
    });
    // A command named like a profile function, on PATH: its function is skipped.
    const bin = join(h.home, 'bin');
    writeFileSync(join(bin, 'mfa-clash'), '#!/bin/sh\n');
    chmodSync(join(bin, 'mfa-clash'), 0o755);
    mkdirSync(join(h.home, 'lint'));
    const env = { ...h.env, PATH: `${bin}:/usr/bin:/bin` };
    memos = [
      { name: 'profiles', env },
      { name: 'bad-prefix', env: { ...env, MFA_ENV_FUNCTION_PREFIX: 'bad prefix' } },
    ].map(({ name, env }) => {
      const result = spawnSync(process.execPath, [CLI, '__profiles', shell], { env, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`mfa-env __profiles ${shell} exited ${result.status}: ${result.stderr}`);
      // The memo it keeps in the cache directory, which the shell sources; it prints the code only when it cannot keep it.
      const kept = join(h.env.MFA_ENV_CACHE_DIR, `profiles.${shell}`);
      const text = existsSync(kept) ? readFileSync(kept, 'utf8') : result.stdout;
      rmSync(kept, { force: true });
      const file = `${name}.${shell}`;
      writeFileSync(join(h.home, 'lint', file), text);
      return { name, file, text };
    });
  });

  afterAll(() => h?.remove());

  it('is what the lint below reads: the functions, the skipped names, the warning', () => {
    const [profiles, badPrefix] = memos;
    for (const fn of ['mfa-a@b', 'mfa-k:l', 'mfa-admin', 'mfa-x_true__tmp_y']) expect(profiles.text).toContain(fn);
    expect(profiles.text).toContain('x;true>/tmp/y');
    expect(profiles.text).toMatch(/mfa-env \(profile env: /);
    expect(profiles.text).toMatch(/mfa-clash \(profile clash: /);
    expect(badPrefix.text).toContain('MFA_ENV_FUNCTION_PREFIX');
  });

  it.each(
    CHECKS[shell](MEMO_EXCLUSIONS).flatMap((check) => ['profiles', 'bad-prefix'].map((memo) => ({ ...check, memo }))),
  )('$memo: passes $tool with no output', ({ memo, ...check }) => {
    expect(lint(check, `${memo}.${shell}`, join(h.home, 'lint'))).toEqual(PASSED);
  });
});
