// What differs between the shells the integration supports, in one place: the TypeScript side (the profile
// functions' memo, completion) and the static files in shell/ (rendered from templates by renderIntegration.ts)
// both read it.
import { quoteFish } from '../env/formats/fish';
import { quoteSh } from '../env/formats/sh';

export const INTEGRATION_SHELLS = ['bash', 'zsh', 'fish'] as const;
export type IntegrationShell = (typeof INTEGRATION_SHELLS)[number];

export interface ShellTraits {
  /** The memo of profile functions, in the cache directory. */
  memoFile: string;
  /** Its first line, which the shell checks before sourcing it. */
  memoHeader: string;
  quote(value: string): string;
  /** Words that cannot be a function's name in this shell's syntax (builtins are checked by the shell itself). */
  reservedWords: readonly string[];
}

// The version is part of the header: a memo made by another mfa-env is never sourced, so how a memo is written can
// change with any release.
const { version } = require('../../package.json') as { version: string };
const header = (shell: IntegrationShell) => `# mfa-env ${version} profile functions for ${shell}: made by mfa-env, not to be edited`;

export const SHELL_TABLE: Record<IntegrationShell, ShellTraits> = {
  bash: {
    memoFile: 'profiles.bash',
    memoHeader: header('bash'),
    quote: quoteSh,
    reservedWords: ['case', 'coproc', 'do', 'done', 'elif', 'else', 'esac', 'fi', 'for', 'function', 'if', 'in', 'select', 'then', 'time', 'until', 'while'],
  },
  zsh: {
    memoFile: 'profiles.zsh',
    memoHeader: header('zsh'),
    quote: quoteSh,
    reservedWords: [
      'case', 'coproc', 'declare', 'do', 'done', 'elif', 'else', 'end', 'esac', 'export', 'fi', 'float', 'for', 'foreach',
      'function', 'if', 'in', 'integer', 'local', 'nocorrect', 'readonly', 'repeat', 'select', 'then', 'time', 'typeset',
      'until', 'while',
    ],
  },
  fish: {
    memoFile: 'profiles.fish',
    memoHeader: header('fish'),
    quote: quoteFish,
    reservedWords: [
      'and', 'begin', 'break', 'builtin', 'case', 'command', 'continue', 'else', 'end', 'eval', 'exec', 'for', 'function',
      'if', 'not', 'or', 'return', 'switch', 'time', 'while',
    ],
  },
};

/** Every memo file name, for `forget`. */
export const MEMO_FILES = INTEGRATION_SHELLS.map((s) => SHELL_TABLE[s].memoFile);
