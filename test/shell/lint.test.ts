// Static checks of the shell integration: shellcheck for bash, each shell's own parser for zsh and fish. CI installs
// the tools (.ci/run), so a missing tool fails; a missing integration file is skipped, saying so.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { integrationFile, SHELL_DIR, type InteractiveShell } from '../support/shellSession';

interface Check {
  shell: InteractiveShell;
  tool: string;
  args: (file: string) => string[];
}

const CHECKS: Check[] = [
  { shell: 'bash', tool: 'shellcheck', args: (file) => [file] },
  { shell: 'zsh', tool: 'zsh', args: (file) => ['-n', file] },
  { shell: 'fish', tool: 'fish', args: (file) => ['--no-execute', file] },
];

function run(tool: string, args: string[]) {
  // Run from shell/ so shellcheck reports paths the way a developer types them.
  const result = spawnSync(tool, args, { cwd: SHELL_DIR, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8' } });
  if (result.error) {
    const why = (result.error as NodeJS.ErrnoException).code === 'ENOENT' ? `${tool} is not installed (CI installs it: see .ci/run)` : String(result.error);
    throw new Error(why);
  }
  return result;
}

describe.each(CHECKS)('$shell integration: $tool', ({ shell, tool, args }) => {
  const file = integrationFile(shell);

  it(`${tool} is installed`, () => {
    expect(() => run(tool, ['--version'])).not.toThrow();
  });

  const exists = existsSync(file);
  (exists ? it : it.skip)(exists ? `${tool} ${args(`mfa-env.${shell}`).join(' ')} passes with no output` : `skipped: ${file} does not exist yet`, () => {
    const result = run(tool, args(`mfa-env.${shell}`));
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
  });
});
