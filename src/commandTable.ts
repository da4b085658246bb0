// Every command with its positionals and options, as data: the one home of mfa-env's argument grammar. yargs is
// built from it for --help and every unusual command line (yargsCli.ts); the lean parser reads it for the plain ones
// without loading yargs (leanArgs.ts); completion and usage messages read it too (commandOptions.ts).
import type { CommandName } from './commandNames';
import { FORMATS, INTEGRATION_SHELLS, SHELLS } from './env/formats';
import { PROMPTS } from './session/promptNames';

/** An option as yargs' `.option()` takes it. A `choices` option without a type takes a string. */
export interface OptionSpec {
  type?: 'string' | 'boolean' | 'number';
  /** A one-letter alias, as `-x`. */
  alias?: string;
  describe?: string;
  choices?: readonly string[];
  /** Only booleans have one: true, which makes `--no-NAME` the way to turn them off. */
  default?: true;
  /** Collected into a list (given twice, it is two). */
  array?: boolean;
  hidden?: boolean;
}

/** A positional as yargs' `.positional()` takes it; the order is the command line's (`cmd`). */
export interface PositionalSpec {
  type?: 'string';
  alias?: string;
  describe?: string;
  choices?: readonly string[];
  array?: boolean;
}

export interface CommandSpec {
  /** yargs' command line: `exec <profile> [command..]`. */
  cmd: string;
  /** false: hidden from --help (the shell integration's own commands). */
  describe: string | false;
  positionals: Record<string, PositionalSpec>;
  options: Record<string, OptionSpec>;
}

const DEFAULT_PROFILE = 'AWS profile (default: the loaded one, AWS_PROFILE, then "default")';

/** PROFILE or -p PROFILE, for the commands whose profile defaults like the export's. */
const profilePositional = (describe = DEFAULT_PROFILE) => ({
  profile: { type: 'string', alias: 'p', describe } satisfies PositionalSpec,
});
// Every -p/--profile is collected with the positional, so that giving two is an error rather than a silent pick.
const PROFILE_OPTION = { profile: { type: 'string', array: true } } satisfies Record<string, OptionSpec>;

const TIMEOUT_OPTION: OptionSpec = {
  type: 'number',
  describe: 'Seconds to wait for AWS on one call, retries included (default 15)',
};

/** How to get the MFA session: every session option but its length (rotate uses the user's own MFA session). */
const MFA_OPTIONS: Record<string, OptionSpec> = {
  'token-code': { alias: 't', type: 'string', describe: 'The 6-digit MFA code (default: ask on the terminal)' },
  refresh: { alias: 'f', type: 'boolean', describe: 'Ignore cached sessions: ask for a new code' },
  cache: { type: 'boolean', default: true, describe: 'Use the session cache (--no-cache: neither read nor write it)' },
  'mfa-serial': { type: 'string', describe: "MFA device ARN or serial (default: the profile's mfa_serial)" },
  'mfa-process': {
    type: 'string',
    describe: "A command that prints the MFA code (default: the profile's mfa_process)",
  },
  'endpoint-url': {
    type: 'string',
    describe: 'STS endpoint (default: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile)',
  },
  input: {
    type: 'boolean',
    default: true,
    describe: 'Ask for a code when needed (--no-input: fail instead, for scripts)',
  },
  prompt: {
    choices: PROMPTS,
    describe:
      "Where to ask for the code, terminal or not (default: the terminal, else the profile's mfa_prompt dialog)",
  },
  timeout: TIMEOUT_OPTION,
};

/** How to get a session: shared by the export, exec and console. */
const SESSION_OPTIONS: Record<string, OptionSpec> = {
  duration: {
    alias: 'd',
    type: 'string',
    describe:
      'Session length, seconds or 15m..36h (default 12h; for a role 1h, at most 12h; over 1h a role needs its own code)',
  },
  ...MFA_OPTIONS,
};

/**
 * For list and status, which read the cache and never ask for a code: --no-cache leaves the cache unread, and
 * --no-input is taken (and changes nothing) so that scripts can pass it to every command.
 */
const CACHE_OPTIONS: Record<string, OptionSpec> = {
  cache: { type: 'boolean', default: true, describe: 'Read the session cache (--no-cache: show nothing cached)' },
  input: { type: 'boolean', default: true, hidden: true },
};

const JSON_OPTION: Record<string, OptionSpec> = { json: { type: 'boolean', describe: 'Print JSON' } };

export const KEYS_ACTIONS = ['add', 'import', 'list', 'remove', 'export'] as const;

/** The options every command takes, besides --help. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  version: { type: 'boolean', describe: 'Show the version' },
  debug: {
    type: 'boolean',
    describe: 'Say on stderr what is being done (never a secret; key ids by their last 4 characters)',
  },
};

// Typed by COMMAND_NAMES, which the fast path reads: a command added to one and not the other does not compile.
export const COMMANDS: Record<CommandName | '$0', CommandSpec> = {
  $0: {
    cmd: '$0 [profile]',
    describe: false,
    positionals: profilePositional(),
    options: {
      ...PROFILE_OPTION,
      clear: {
        type: 'boolean',
        describe: 'Print code that removes the session and restores the variables it replaced',
      },
      forget: { type: 'boolean', describe: 'With --clear: also delete every cached session' },
      ...SESSION_OPTIONS,
      // The shell integration says which shell it is through MFA_ENV_SHELL, leaving --shell to the user.
      shell: { alias: 's', choices: SHELLS, describe: 'Syntax of the printed code (default: $MFA_ENV_SHELL, else sh)' },
      'write-profile': {
        type: 'string',
        describe: 'Write the session to this profile in the credentials file instead of printing it',
      },
      format: {
        choices: FORMATS,
        describe:
          'Output: sh or fish code, json for credential_process, dotenv for docker --env-file (default: from --shell)',
      },
    },
  },
  forget: {
    cmd: 'forget [profile]',
    describe: 'Delete cached sessions: all, or those that could serve PROFILE',
    positionals: { profile: { type: 'string', describe: 'AWS profile' } },
    options: {},
  },
  exec: {
    cmd: 'exec <profile> [command..]',
    describe: 'Run COMMAND with the session of PROFILE in its environment: mfa-env exec PROFILE -- COMMAND [ARGS...]',
    positionals: { profile: { type: 'string' }, command: { type: 'string', array: true } },
    options: {
      ...SESSION_OPTIONS,
      server: {
        type: 'boolean',
        describe:
          "Serve the session to COMMAND from a credential endpoint on 127.0.0.1 that renews it for as long as it runs (default: the profile's mfa_exec_server)",
      },
    },
  },
  list: {
    cmd: 'list',
    describe:
      'List the profiles: user, role or credential_process, the profile with the keys, MFA device, and the time left on cached sessions',
    positionals: {},
    options: { ...JSON_OPTION, ...CACHE_OPTIONS },
  },
  setup: {
    cmd: 'setup <profile>',
    describe: "Find the IAM user's MFA device with the profile's keys and add mfa_serial to the profile",
    positionals: { profile: { type: 'string' } },
    options: {
      yes: { alias: 'y', type: 'boolean', describe: 'Do not ask for confirmation (one device only)' },
      backup: { type: 'boolean', describe: 'Keep the old config file as FILE.bak' },
      'mfa-serial': { type: 'string', describe: 'Use this device instead of asking IAM' },
      'endpoint-url': {
        type: 'string',
        describe: 'IAM endpoint (default: AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL, the profile)',
      },
      timeout: TIMEOUT_OPTION,
    },
  },
  keys: {
    cmd: 'keys <action> [profile]',
    describe:
      "Keep a profile's long-term keys in the OS keyring instead of the AWS files: add, import (from the files), list, remove, export (back to the files)",
    positionals: {
      action: { choices: KEYS_ACTIONS, describe: 'What to do' },
      profile: { type: 'string', describe: 'AWS profile (every action but list)' },
    },
    options: { yes: { alias: 'y', type: 'boolean', describe: 'remove: do not ask for confirmation' } },
  },
  console: {
    cmd: 'console [profile]',
    describe: "Open the AWS console in the browser as PROFILE's role session, or print its sign-in URL",
    positionals: profilePositional('A role profile (default: the loaded one, AWS_PROFILE, then "default")'),
    options: {
      ...PROFILE_OPTION,
      ...SESSION_OPTIONS,
      print: {
        type: 'boolean',
        describe: 'Print the sign-in URL on stdout instead of opening it (it is a secret for 15 minutes)',
      },
      path: {
        type: 'string',
        describe: 'Console page to open, as a path: s3, ec2/home#Instances (default: the console home)',
      },
      destination: { type: 'string', describe: 'Console page to open, as a whole https URL of the AWS console' },
      region: {
        type: 'string',
        describe: "Console region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region)",
      },
      'console-duration': {
        type: 'string',
        describe: 'Console session length, 15m..12h (only for a role assumed with long-term keys: -d over 1h)',
      },
    },
  },
  rotate: {
    cmd: 'rotate [profile]',
    describe:
      "Replace the IAM user's access key that PROFILE stands on: create a new one, prove it works, store it, delete the old one",
    positionals: profilePositional(),
    options: {
      ...PROFILE_OPTION,
      ...MFA_OPTIONS,
      wait: { type: 'string', describe: 'How long to wait for AWS to accept the new key (default 1m, at most 10m)' },
    },
  },
  whoami: {
    cmd: 'whoami',
    describe: 'Show whose credentials this shell holds (STS GetCallerIdentity)',
    positionals: {},
    options: { ...JSON_OPTION, timeout: TIMEOUT_OPTION },
  },
  policy: {
    cmd: 'policy',
    describe: 'Print the IAM policy that makes every call but GetSessionToken need MFA',
    positionals: {},
    options: {},
  },
  init: {
    cmd: 'init <shell>',
    describe: 'Print the line that loads the shell integration (functions per profile, prompt segment, completion)',
    positionals: { shell: { choices: INTEGRATION_SHELLS, describe: 'bash, zsh or fish' } },
    options: {},
  },
  status: {
    cmd: 'status',
    describe: 'Show the session loaded in this shell',
    positionals: {},
    options: {
      check: { type: 'boolean', describe: 'Print nothing; exit 0 if a session with time left is loaded, else 1' },
      ...CACHE_OPTIONS,
    },
  },
  // For the shell integration only: its profile functions, and completion.
  __profiles: {
    cmd: '__profiles <shell>',
    describe: false,
    positionals: { shell: { choices: INTEGRATION_SHELLS } },
    options: {
      print: {
        type: 'boolean',
        describe: 'Hand the code over even when it is kept (the shell found no cache directory of its own)',
      },
    },
  },
  __complete: {
    cmd: '__complete <shell> [words..]',
    describe: false,
    positionals: { shell: { choices: INTEGRATION_SHELLS }, words: { type: 'string', array: true } },
    options: {},
  },
};

/** The commands whose arguments go on after `--`; for every other, anything there is a mistake, not ignored. */
export const TAKES_REST: ReadonlySet<string> = new Set(['exec', '__complete']);

/** A command's option and the global ones: what it takes besides its positionals and --help. */
export function optionsOfCommand(spec: CommandSpec): Record<string, OptionSpec> {
  return { ...spec.options, ...GLOBAL_OPTIONS };
}

/** The positionals of a command line spec (`exec <profile> [command..]`), in order, and which are required. */
export function positionalsOf(cmd: string): Array<{ name: string; required: boolean; variadic: boolean }> {
  return [...cmd.matchAll(/([<[])([^\]>.]+)(\.\.)?[\]>]/g)].map((m) => ({
    name: m[2],
    required: m[1] === '<',
    variadic: m[3] !== undefined,
  }));
}
