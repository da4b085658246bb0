import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { type Fixture, startFixture } from '../support/fixture';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(() => f.stop());

const SHELL_DIR = join(__dirname, '..', '..', 'shell');

describe('mfa-env init', () => {
  it.each([
    [
      'bash',
      ['bash', '--noprofile', '--norc', '-c'],
      'eval "$(mfa-env init bash)" && type mfa-demo-user >/dev/null && echo ok',
    ],
    ['zsh', ['zsh', '-f', '-c'], 'eval "$(mfa-env init zsh)" && whence -w mfa-demo-user >/dev/null && echo ok'],
    ['fish', ['fish', '--no-config', '-c'], 'mfa-env init fish | source; and functions -q mfa-demo-user; and echo ok'],
  ])('prints the line that loads the %s integration, which works when evaluated', async (shell, argv, script) => {
    const line = await f.run(['init', shell]);
    expect(line).toMatchObject({ status: 0, stderr: '', stdout: `source '${join(SHELL_DIR, `mfa-env.${shell}`)}'\n` });
    const result = spawnSync(argv[0], [...argv.slice(1), script], { env: f.home.env, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('ok\n');
  });

  it('refuses a shell it has no integration for', async () => {
    const result = await f.run(['init', 'tcsh']);
    expect(result).toMatchObject({ status: 2, stdout: '' });
  });
});
