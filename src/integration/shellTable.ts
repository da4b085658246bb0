// What differs between the shells the integration supports, in one place: the TypeScript side (the profile
// functions' memo, completion) and the static files in shell/ (rendered from templates by renderIntegration.ts)
// both read it.
import { INTEGRATION_SHELLS } from '../env/formats';
import { quoteFish } from '../env/formats/fish';
import { quoteSh } from '../env/formats/sh';

export type IntegrationShell = (typeof INTEGRATION_SHELLS)[number];

export interface ShellTraits {
  /** The memo of profile functions, in the cache directory. */
  memoFile: string;
  /** Its first line, which the shell checks before sourcing it. */
  memoHeader: string;
  quote(value: string): string;
  /** Words that cannot be a function's name in this shell's syntax. */
  reservedWords: readonly string[];
  /**
   * Builtins mfa-env skips itself, for a shell that cannot look them up cheaply at start-up (bash's `type -t` costs
   * more than a function definition); zsh and fish check their own builtins as they load the memo.
   */
  builtins: readonly string[];
}

// The version is part of the header: a memo made by another mfa-env is never sourced, so how a memo is written can
// change with any release.
const { version } = require('../../package.json') as { version: string };
const header = (shell: IntegrationShell) =>
  `# mfa-env ${version} profile functions for ${shell}: made by mfa-env, not to be edited`;

export const SHELL_TABLE: Record<IntegrationShell, ShellTraits> = {
  bash: {
    memoFile: 'profiles.bash',
    memoHeader: header('bash'),
    quote: quoteSh,
    reservedWords: [
      'case',
      'coproc',
      'do',
      'done',
      'elif',
      'else',
      'esac',
      'fi',
      'for',
      'function',
      'if',
      'in',
      'select',
      'then',
      'time',
      'until',
      'while',
    ],
    // `compgen -b` of bash 5.2.
    builtins: [
      '.',
      ':',
      '[',
      'alias',
      'bg',
      'bind',
      'break',
      'builtin',
      'caller',
      'cd',
      'command',
      'compgen',
      'complete',
      'compopt',
      'continue',
      'declare',
      'dirs',
      'disown',
      'echo',
      'enable',
      'eval',
      'exec',
      'exit',
      'export',
      'false',
      'fc',
      'fg',
      'getopts',
      'hash',
      'help',
      'history',
      'jobs',
      'kill',
      'let',
      'local',
      'logout',
      'mapfile',
      'popd',
      'printf',
      'pushd',
      'pwd',
      'read',
      'readarray',
      'readonly',
      'return',
      'set',
      'shift',
      'shopt',
      'source',
      'suspend',
      'test',
      'times',
      'trap',
      'true',
      'type',
      'typeset',
      'ulimit',
      'umask',
      'unalias',
      'unset',
      'wait',
    ],
  },
  zsh: {
    memoFile: 'profiles.zsh',
    memoHeader: header('zsh'),
    quote: quoteSh,
    reservedWords: [
      'case',
      'coproc',
      'declare',
      'do',
      'done',
      'elif',
      'else',
      'end',
      'esac',
      'export',
      'fi',
      'float',
      'for',
      'foreach',
      'function',
      'if',
      'in',
      'integer',
      'local',
      'nocorrect',
      'readonly',
      'repeat',
      'select',
      'then',
      'time',
      'typeset',
      'until',
      'while',
    ],
    builtins: [],
  },
  fish: {
    memoFile: 'profiles.fish',
    memoHeader: header('fish'),
    quote: quoteFish,
    reservedWords: [
      'and',
      'begin',
      'break',
      'builtin',
      'case',
      'command',
      'continue',
      'else',
      'end',
      'eval',
      'exec',
      'for',
      'function',
      'if',
      'not',
      'or',
      'return',
      'switch',
      'time',
      'while',
    ],
    builtins: [],
  },
};

/**
 * fish's `string escape --style=var` for a function name (which planFunctions makes of ASCII letters, digits and
 * `_ . @ + % : -` only): the memo checks a name with `set -q` on a variable named after it, far cheaper at start-up
 * than a function call per name.
 */
export function fishVarName(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, (c) =>
    c === '_' ? '__' : `_${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}_`,
  );
}

/**
 * What `__complete` answers after `exec PROFILE -- COMMAND`: the words that follow are COMMAND's own, so the shell
 * completes them as it would if COMMAND had been typed alone (bash-completion's _command_offset, zsh's _normal,
 * fish's complete -C; else file names). A line that no candidate can be, since candidates never hold control
 * characters; written into each shell file in that shell's quoting.
 */
export const DELEGATE_LINE = '\u0001command';

export function quotedDelegateLine(shell: IntegrationShell): string {
  const word = DELEGATE_LINE.slice(1);
  return shell === 'fish' ? `\\x01${word}` : `$'\\001${word}'`;
}

/** Every memo file name, for `forget`. */
export const MEMO_FILES = INTEGRATION_SHELLS.map((s) => SHELL_TABLE[s].memoFile);
