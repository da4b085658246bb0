// One rule for the time a session has left, wherever it is shown: whole minutes rounded down (`<1m`, `14m`,
// `1h05m`), counted on the clock's whole seconds as the shells count them. The prompt segments compute it in shell
// code (src/integration/templates/), status and list in TypeScript (formatTimeLeft); these tests hold them together.
import { spawnSync } from 'node:child_process';
import { formatListing } from '../../src/commands/listingView';
import { status } from '../../src/commands/status';
import { formatTimeLeft } from '../../src/profiles/duration';
import { CLI } from '../support/runCli';
import { type InteractiveShell, integrationFile } from '../support/shellSession';

const SHELLS: InteractiveShell[] = ['bash', 'zsh', 'fish'];

// Half a minute past a whole minute: a second or two between setting the time and reading it changes nothing.
const LEFT = [30, 90, 14 * 60 + 30, 59 * 60 + 30, 3600 + 30, 3600 + 5 * 60 + 30, 11 * 3600 + 59 * 60 + 30];

/** What the shell's prompt segment shows for sessions ending each of LEFT seconds from now (by its own clock). */
function promptShows(shell: InteractiveShell): string[] {
  const file = integrationFile(shell);
  const script =
    shell === 'fish'
      ? `source '${file}'; set -gx MFA_ENV_PROFILE_LABEL p; for left in ${LEFT.join(' ')}; set -gx MFA_ENV_EXPIRES_AT (math (date +%s) + $left); set -gx MFA_ENV_RENEW_AT $MFA_ENV_EXPIRES_AT; mfa_env_prompt; end`
      : `source '${file}'; export MFA_ENV_PROFILE_LABEL=p; for left in ${LEFT.join(' ')}; do export MFA_ENV_EXPIRES_AT=$(( $(date +%s) + left )); export MFA_ENV_RENEW_AT=$MFA_ENV_EXPIRES_AT; mfa_env_prompt; done`;
  const argv = {
    bash: ['bash', '--noprofile', '--norc', '-c'],
    zsh: ['zsh', '-f', '-c'],
    fish: ['fish', '--no-config', '--private', '-c'],
  }[shell];
  // No mfa-env on PATH: sourcing defines no profile functions and starts nothing.
  const result = spawnSync(argv[0], [...argv.slice(1), script], {
    env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent', NO_COLOR: '1' },
    encoding: 'utf8',
  });
  expect(result.stderr).toBe('');
  return result.stdout
    .trimEnd()
    .split('\n')
    .map((line) => line.replace(/^p /, ''));
}

/** What `mfa-env status` shows for a session ending `left` seconds from now. */
function statusShows(left: number): string {
  const expires = Math.floor(Date.now() / 1000) + left;
  const result = spawnSync(process.execPath, [CLI, 'status', '--no-cache'], {
    env: { PATH: process.env.PATH, HOME: '/nonexistent', MFA_ENV_PROFILE: 'p', MFA_ENV_EXPIRES_AT: String(expires) },
    encoding: 'utf8',
  });
  return /\((.*) left\)/.exec(result.stdout)?.[1] ?? result.stdout;
}

describe('the time left', () => {
  it('the prompt of bash, zsh and fish, status and list all show it the same', () => {
    const prompts = Object.fromEntries(SHELLS.map((shell) => [shell, promptShows(shell)]));
    LEFT.forEach((left, i) => {
      const expected = formatTimeLeft(left);
      const shown = {
        left,
        ...Object.fromEntries(SHELLS.map((shell) => [shell, prompts[shell][i]])),
        status: statusShows(left),
        list: /(\S+) left$/.exec(
          formatListing([
            { profile: 'p', kind: 'user', source: 'p', mfaSerial: 'GAHT12345678', sessionSecondsLeft: left },
          ]).trimEnd(),
        )?.[1],
      };
      expect(shown).toEqual({ left, bash: expected, zsh: expected, fish: expected, status: expected, list: expected });
    });
  });
});

describe('formatTimeLeft', () => {
  it('rounds down to whole minutes, so it never shows time that is not there', () => {
    expect([0, 59, 60, 899, 900, 3599, 3600, 3659, 3660, 43199, 129600].map(formatTimeLeft)).toEqual([
      '<1m',
      '<1m',
      '1m',
      '14m',
      '15m',
      '59m',
      '1h00m',
      '1h00m',
      '1h01m',
      '11h59m',
      '36h00m',
    ]);
  });

  it('status counts seconds as the shells do, on the whole seconds of the clock: 15 minutes and a half second is 15m', async () => {
    // The prompt at that moment: EXPIRES_AT minus the whole seconds of now, 900; a count from the exact time, 899.5,
    // once made status say 14m while the prompt said 15m.
    const expires = 2_000_000_000;
    const report = await status(
      { MFA_ENV_PROFILE: 'p', MFA_ENV_EXPIRES_AT: String(expires) },
      undefined,
      (expires - 900) * 1000 + 500,
    );
    expect(report.text.split('\n')[1]).toBe('expires:  2033-05-18T03:33:20Z (15m left)');
  });
});
