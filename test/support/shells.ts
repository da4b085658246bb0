import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type ShellName = 'sh' | 'dash' | 'bash' | 'zsh' | 'fish';

const ARGV: Record<ShellName, string[]> = {
  sh: ['sh'],
  dash: ['dash'],
  bash: ['bash', '--noprofile', '--norc'],
  zsh: ['zsh', '--no-globalrcs', '--no-rcs'],
  fish: ['fish', '--no-config', '--private'],
};

/** Evaluates `code` the way the README tells users to, in a real shell, and returns the environment after it. */
export function evalInShell(
  shell: ShellName,
  code: string,
  env: Record<string, string | undefined>,
): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'mfa-env-eval-'));
  try {
    const codeFile = join(dir, 'code');
    const script = join(dir, 'script');
    writeFileSync(codeFile, code);
    writeFileSync(
      script,
      shell === 'fish'
        ? 'eval (cat $argv[1] | string collect); or exit 99\nenv -0\n'
        : 'eval "$(cat "$1")" || exit 99\nenv -0\n',
    );
    const result = spawnSync(ARGV[shell][0], [...ARGV[shell].slice(1), script, codeFile], { env });
    if (result.status !== 0) throw new Error(`${shell} exited ${result.status}: ${result.stderr}`);
    const out: Record<string, string> = {};
    for (const entry of result.stdout.toString('utf8').split('\0').filter(Boolean)) {
      const eq = entry.indexOf('=');
      out[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    // Shells add their own bookkeeping; only what the caller could have set matters.
    for (const name of ['PWD', 'OLDPWD', 'SHLVL', '_', 'SHELL', 'TERM', 'COLUMNS', 'LINES', 'LOGNAME', 'USER'])
      if (!(name in env)) delete out[name];
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
