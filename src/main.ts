// The full CLI, loaded by the entry point (cli.ts) when the fast path cannot answer: it parses argv with yargs, runs
// one command (each loaded only when used, so no path pays for the SDK unless it calls STS), writes the command's
// output once, and maps errors to exit codes. With cli.ts, the only module that touches `process`.
import { join } from 'node:path';
import type { Argv } from 'yargs';
import yargs from 'yargs/yargs';
import { keepQuotes } from './argvQuotes';
import type { CommandIo } from './commandIo';
import type { CommandName } from './commandNames';
import type { ExecArgs } from './commands/execCommand';
import type { ExportArgs } from './commands/exportSession';
import { defaultShell, FORMATS, INTEGRATION_SHELLS, SHELLS, type Shell } from './env/formats';
import { ExitCode, MfaEnvError, UsageError } from './errors';
import { type EvalChannel, isCodeForShell } from './evalChannel';
import type { IntegrationShell } from './integration/shellTable';
import { timeoutMs } from './profiles/duration';
import { PROMPTS } from './session/promptNames';
import { show } from './text/showText';
import { EXEC_NEEDS_DASHES, explainUsage } from './usageMessages';

/** What the default command's flags give: the export's arguments, plus the flags it dispatches on. */
interface ExportFlags extends Omit<ExportArgs, 'shell'> {
  /** As given: undefined when not, which matters to the shell integration (see evalChannel.ts). */
  shell?: Shell;
  clear?: boolean;
  forget?: boolean;
  version?: boolean;
}

const io: CommandIo = {
  env: process.env,
  get stdin() {
    return process.stdin;
  },
  uid: process.geteuid?.() ?? 0,
  host: process,
  warn: (message) => process.stderr.write(`mfa-env: warning: ${message}\n`),
  say: (message) => process.stderr.write(`mfa-env: ${message}\n`),
};

// --debug anywhere, or MFA_ENV_DEBUG=1: checked before parsing so that parsing itself can be followed too.
if (process.argv.includes('--debug') || (process.env.MFA_ENV_DEBUG ?? '') === '1') {
  io.debug = (message) => process.stderr.write(`mfa-env: debug: ${message}\n`);
}

/** PROFILE or -p PROFILE, for the commands whose profile defaults like the export's. */
function profileOption(y: Argv, describe = 'AWS profile (default: the loaded one, AWS_PROFILE, then "default")') {
  return (
    y
      .positional('profile', { type: 'string', alias: 'p', describe })
      // Every -p/--profile is collected with the positional, so that giving two is an error rather than a silent pick.
      .option('profile', { type: 'string', array: true })
  );
}

function exportOptions(y: Argv) {
  return (
    sessionOptions(
      profileOption(y)
        .option('clear', {
          type: 'boolean',
          describe: 'Print code that removes the session and restores the variables it replaced',
        })
        .option('forget', { type: 'boolean', describe: 'With --clear: also delete every cached session' }),
    )
      // The shell integration says which shell it is through MFA_ENV_SHELL, leaving --shell to the user.
      .option('shell', {
        alias: 's',
        choices: SHELLS,
        describe: 'Syntax of the printed code (default: $MFA_ENV_SHELL, else sh)',
      })
      .option('write-profile', {
        type: 'string',
        describe: 'Write the session to this profile in the credentials file instead of printing it',
      })
      .option('format', {
        choices: FORMATS,
        describe:
          'Output: sh or fish code, json for credential_process, dotenv for docker --env-file (default: from --shell)',
      })
  );
}

/** How to get a session: shared by the export, exec and console. */
function sessionOptions(y: Argv) {
  return mfaOptions(
    y.option('duration', {
      alias: 'd',
      type: 'string',
      describe:
        'Session length, seconds or 15m..36h (default 12h; for a role 1h, at most 12h; over 1h a role needs its own code)',
    }),
  );
}

/** How to get the MFA session: every session option but its length (rotate uses the user's own MFA session). */
function mfaOptions(y: Argv) {
  return y
    .option('token-code', {
      alias: 't',
      type: 'string',
      describe: 'The 6-digit MFA code (default: ask on the terminal)',
    })
    .option('refresh', { alias: 'f', type: 'boolean', describe: 'Ignore cached sessions: ask for a new code' })
    .option('cache', {
      type: 'boolean',
      default: true,
      describe: 'Use the session cache (--no-cache: neither read nor write it)',
    })
    .option('mfa-serial', { type: 'string', describe: "MFA device ARN or serial (default: the profile's mfa_serial)" })
    .option('mfa-process', {
      type: 'string',
      describe: "A command that prints the MFA code (default: the profile's mfa_process)",
    })
    .option('endpoint-url', {
      type: 'string',
      describe: 'STS endpoint (default: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile)',
    })
    .option('input', {
      type: 'boolean',
      default: true,
      describe: 'Ask for a code when needed (--no-input: fail instead, for scripts)',
    })
    .option('prompt', {
      choices: PROMPTS,
      describe:
        "Where to ask for the code, terminal or not (default: the terminal, else the profile's mfa_prompt dialog)",
    })
    .option('timeout', timeoutOption);
}

const timeoutOption = {
  type: 'number',
  describe: 'Seconds to wait for AWS on one call, retries included (default 15)',
} as const;

/**
 * For list and status, which read the cache and never ask for a code: --no-cache leaves the cache unread, and
 * --no-input is taken (and changes nothing) so that scripts can pass it to every command.
 */
function cacheOptions(y: Argv) {
  return y
    .option('cache', {
      type: 'boolean',
      default: true,
      describe: 'Read the session cache (--no-cache: show nothing cached)',
    })
    .option('input', { type: 'boolean', default: true, hidden: true });
}

/** What a command gives for stdout, or as code for the calling shell. */
interface Output {
  text: string;
  isCode?: boolean;
}

async function main(argv: string[]): Promise<Output | undefined> {
  let output: Output | undefined;
  await parser(keepQuotes(argv), (o) => (output = o)).parseAsync();
  return output;
}

/** A command as yargs is given it; completion (integration/complete.ts) reads the same table. */
export interface CommandSpec {
  cmd: string;
  describe: string | false;
  builder: (y: Argv) => Argv;
}

/** The global options, besides --help. */
export function globalOptions(y: Argv): Argv {
  return y.option('version', { type: 'boolean', describe: 'Show the version' }).option('debug', {
    type: 'boolean',
    describe: 'Say on stderr what is being done (never a secret; key ids by their last 4 characters)',
  });
}

const KEYS_ACTIONS = ['add', 'import', 'list', 'remove', 'export'] as const;

// Typed by COMMAND_NAMES, which the fast path reads: a command added to one and not the other does not compile.
export const COMMANDS: Record<CommandName | '$0', CommandSpec> = {
  $0: { cmd: '$0 [profile]', describe: false, builder: exportOptions },
  forget: {
    cmd: 'forget [profile]',
    describe: 'Delete cached sessions: all, or those that could serve PROFILE',
    builder: (y) => y.positional('profile', { type: 'string', describe: 'AWS profile' }),
  },
  exec: {
    cmd: 'exec <profile> [command..]',
    describe: 'Run COMMAND with the session of PROFILE in its environment: mfa-env exec PROFILE -- COMMAND [ARGS...]',
    builder: (y) =>
      sessionOptions(
        y.positional('profile', { type: 'string' }).positional('command', { type: 'string', array: true }),
      ).option('server', {
        type: 'boolean',
        describe:
          "Serve the session to COMMAND from a credential endpoint on 127.0.0.1 that renews it for as long as it runs (default: the profile's mfa_exec_server)",
      }),
  },
  list: {
    cmd: 'list',
    describe:
      'List the profiles: user, role or credential_process, the profile with the keys, MFA device, and the time left on cached sessions',
    builder: (y) => cacheOptions(y.option('json', { type: 'boolean', describe: 'Print JSON' })),
  },
  setup: {
    cmd: 'setup <profile>',
    describe: "Find the IAM user's MFA device with the profile's keys and add mfa_serial to the profile",
    builder: (y) =>
      y
        .positional('profile', { type: 'string' })
        .option('yes', { alias: 'y', type: 'boolean', describe: 'Do not ask for confirmation (one device only)' })
        .option('backup', { type: 'boolean', describe: 'Keep the old config file as FILE.bak' })
        .option('mfa-serial', { type: 'string', describe: 'Use this device instead of asking IAM' })
        .option('endpoint-url', {
          type: 'string',
          describe: 'IAM endpoint (default: AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL, the profile)',
        })
        .option('timeout', timeoutOption),
  },
  keys: {
    cmd: 'keys <action> [profile]',
    describe:
      "Keep a profile's long-term keys in the OS keyring instead of the AWS files: add, import (from the files), list, remove, export (back to the files)",
    builder: (y) =>
      y
        .positional('action', { choices: KEYS_ACTIONS, describe: 'What to do' })
        .positional('profile', { type: 'string', describe: 'AWS profile (every action but list)' })
        .option('yes', { alias: 'y', type: 'boolean', describe: 'remove: do not ask for confirmation' }),
  },
  console: {
    cmd: 'console [profile]',
    describe: "Open the AWS console in the browser as PROFILE's role session, or print its sign-in URL",
    builder: (y) =>
      sessionOptions(profileOption(y, 'A role profile (default: the loaded one, AWS_PROFILE, then "default")'))
        .option('print', {
          type: 'boolean',
          describe: 'Print the sign-in URL on stdout instead of opening it (it is a secret for 15 minutes)',
        })
        .option('path', {
          type: 'string',
          describe: 'Console page to open, as a path: s3, ec2/home#Instances (default: the console home)',
        })
        .option('destination', {
          type: 'string',
          describe: 'Console page to open, as a whole https URL of the AWS console',
        })
        .option('region', {
          type: 'string',
          describe: "Console region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region)",
        })
        .option('console-duration', {
          type: 'string',
          describe: 'Console session length, 15m..12h (only for a role assumed with long-term keys: -d over 1h)',
        }),
  },
  rotate: {
    cmd: 'rotate [profile]',
    describe:
      "Replace the IAM user's access key that PROFILE stands on: create a new one, prove it works, store it, delete the old one",
    builder: (y) =>
      mfaOptions(profileOption(y)).option('wait', {
        type: 'string',
        describe: 'How long to wait for AWS to accept the new key (default 1m, at most 10m)',
      }),
  },
  whoami: {
    cmd: 'whoami',
    describe: 'Show whose credentials this shell holds (STS GetCallerIdentity)',
    builder: (y) => y.option('json', { type: 'boolean', describe: 'Print JSON' }).option('timeout', timeoutOption),
  },
  policy: {
    cmd: 'policy',
    describe: 'Print the IAM policy that makes every call but GetSessionToken need MFA',
    builder: (y) => y,
  },
  init: {
    cmd: 'init <shell>',
    describe: 'Print the line that loads the shell integration (functions per profile, prompt segment, completion)',
    builder: (y) => y.positional('shell', { choices: INTEGRATION_SHELLS, describe: 'bash, zsh or fish' }),
  },
  status: {
    cmd: 'status',
    describe: 'Show the session loaded in this shell',
    builder: (y) =>
      cacheOptions(
        y.option('check', {
          type: 'boolean',
          describe: 'Print nothing; exit 0 if a session with time left is loaded, else 1',
        }),
      ),
  },
  // For the shell integration only: its profile functions, and completion.
  __profiles: {
    cmd: '__profiles <shell>',
    describe: false,
    builder: (y) =>
      y.positional('shell', { choices: INTEGRATION_SHELLS }).option('print', {
        type: 'boolean',
        describe: 'Hand the code over even when it is kept (the shell found no cache directory of its own)',
      }),
  },
  __complete: {
    cmd: '__complete <shell> [words..]',
    describe: false,
    builder: (y) =>
      y.positional('shell', { choices: INTEGRATION_SHELLS }).positional('words', { type: 'string', array: true }),
  },
};

type Handler = (args: Record<string, unknown> & { '--'?: unknown[] }, emit: (output: Output) => void) => Promise<void>;

/** The commands whose arguments go on after `--`; for every other, anything there is a mistake, not ignored. */
const TAKES_REST: ReadonlySet<string> = new Set(['exec', '__complete']);

/**
 * The profile a command was given, at most one and never empty: an empty name or a second one would otherwise
 * quietly select another profile (the loaded one, AWS_PROFILE, default) than the one the user meant.
 */
function oneProfile(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  // yargs makes `--profile=` an empty list.
  const given = [value].flat().map(String);
  if (given.length > 1)
    throw new UsageError(
      `the profile is given ${given.length} times (${given.map(show).join(', ')}); give it once, as PROFILE or -p PROFILE`,
    );
  if (given.length === 0 || given[0] === '') throw new UsageError('the profile name is empty; name the profile');
  return given[0];
}

const HANDLERS: Record<keyof typeof COMMANDS, Handler> = {
  async $0(args, emit) {
    const flags = { ...args, profile: oneProfile(args.profile) } as unknown as ExportFlags;
    if (flags.version) emit({ text: `${(require('../package.json') as { version: string }).version}\n` });
    else emit({ text: await runExport(flags), isCode: isCodeForShell(flags) });
  },
  async forget(args) {
    const { forgetSessions } = await import('./commands/forgetSessions');
    await forgetSessions(oneProfile(args.profile), io);
  },
  async exec(args) {
    const { execCommand } = await import('./commands/execCommand');
    // Only after `--`: a command's options before it would be read as mfa-env's (-d, -f, -p...).
    if (((args.command as string[] | undefined) ?? []).length) throw new UsageError(EXEC_NEEDS_DASHES);
    const command = ((args['--'] as string[] | undefined) ?? []).map(String);
    const result = await execCommand(
      { ...(args as unknown as ExecArgs), profile: oneProfile(args.profile) },
      command,
      io,
      process,
    );
    process.exitCode = result.code;
  },
  async list(args, emit) {
    const [{ listProfiles, formatListing }, { openCache }, { originalEnv }, { keystoreFor }] = await Promise.all([
      import('./commands/listProfiles'),
      import('./session/cacheSettings'),
      import('./env/envChange'),
      import('./keys/keystore'),
    ]);
    const rows = await listProfiles(
      io.env,
      openCache(args.cache !== false, originalEnv(io.env), io),
      keystoreFor(originalEnv(io.env), io.uid),
    );
    emit({ text: args.json ? `${JSON.stringify(rows, null, 2)}\n` : formatListing(rows) });
  },
  async setup(args) {
    const { setup } = await import('./commands/setup');
    const options = {
      yes: args.yes as boolean,
      backup: args.backup as boolean,
      mfaSerial: args.mfaSerial as string,
      endpointUrl: args.endpointUrl as string,
    };
    await setup(
      oneProfile(args.profile)!,
      { ...options, timeoutMs: timeoutMs(args.timeout as number | undefined) },
      io,
    );
  },
  async keys(args, emit) {
    const action = args.action as (typeof KEYS_ACTIONS)[number];
    const profile = args.profile as string | undefined;
    if ((action === 'list') !== (profile === undefined)) {
      throw new UsageError(
        action === 'list'
          ? 'mfa-env keys list takes no profile'
          : `mfa-env keys ${action} needs a profile: mfa-env keys ${action} PROFILE`,
      );
    }
    if (action === 'list') {
      emit({ text: await (await import('./commands/keys')).listKeys(io) });
    } else if (action === 'add' || action === 'remove') {
      const { addKeys, removeKeys } = await import('./commands/keys');
      await (action === 'add' ? addKeys(profile!, io) : removeKeys(profile!, { yes: Boolean(args.yes) }, io));
    } else {
      const { importKeys, exportKeys } = await import('./commands/moveKeys');
      await (action === 'import' ? importKeys : exportKeys)(profile!, io);
    }
  },
  async console(args, emit) {
    const { openConsole } = await import('./commands/console');
    emit({ text: await openConsole({ ...(args as unknown as ExportFlags), profile: oneProfile(args.profile) }, io) });
  },
  async rotate(args) {
    const { rotate } = await import('./commands/rotate');
    await rotate({ ...(args as unknown as ExportFlags), profile: oneProfile(args.profile) }, io);
  },
  async whoami(args, emit) {
    const { whoami } = await import('./commands/whoami');
    emit({
      text: await whoami(io.env, Boolean(args.json), {
        timeoutMs: timeoutMs(args.timeout as number | undefined),
        debug: io.debug,
      }),
    });
  },
  async policy(_args, emit) {
    emit({ text: (await import('./commands/policy')).policy() });
  },
  async init(args, emit) {
    const { initLine } = await import('./commands/init');
    // shell/ sits beside dist/, where this file is.
    emit({ text: initLine(args.shell as IntegrationShell, join(__dirname, '..', 'shell')) });
  },
  async status(args, emit) {
    const [{ status }, { openCache }, { originalEnv }, { keystoreFor }] = await Promise.all([
      import('./commands/status'),
      import('./session/cacheSettings'),
      import('./env/envChange'),
      import('./keys/keystore'),
    ]);
    const report = await status(
      io.env,
      openCache(args.cache !== false, originalEnv(io.env), io),
      undefined,
      keystoreFor(originalEnv(io.env), io.uid),
    );
    if (args.check) process.exitCode = report.active ? 0 : 1;
    else emit({ text: report.text });
  },
  async __profiles(args, emit) {
    const { shellProfiles } = await import('./commands/shellProfiles');
    emit({
      text: await shellProfiles(args.shell as IntegrationShell, io, { print: Boolean(args.print) }),
      isCode: true,
    });
  },
  async __complete(args, emit) {
    const { complete } = await import('./integration/complete');
    const words = [...((args.words as unknown[] | undefined) ?? []), ...(args['--'] ?? [])].map(String);
    emit({ text: await complete(args.shell as IntegrationShell, words, io.env) });
  },
};

/** Every command and option: what `--help` shows, what is parsed, and what completion offers (complete.ts). */
export function parser(argv: string[], emit: (output: Output) => void): Argv {
  let y = yargs(argv)
    .scriptName('mfa-env')
    // exec takes the command after `--` as it is, options and all.
    .parserConfiguration({ 'populate--': true })
    .usage(
      'Usage:\n' +
        '  eval "$(mfa-env [PROFILE])"   get an MFA session for PROFILE and load it into this shell\n' +
        '  eval "$(mfa-env --clear)"     remove it again\n\n' +
        'Prints shell code on stdout and nothing else; asks for the MFA code on the terminal. One code serves every\n' +
        'role with the same source profile until the MFA session ends; sessions are cached for all shells.',
    );
  for (const [name, spec] of Object.entries(COMMANDS)) {
    y = y.command(spec.cmd, spec.describe as string, spec.builder, (args) => {
      const rest = (args['--'] as unknown[] | undefined) ?? [];
      if (rest.length > 0 && !TAKES_REST.has(name)) {
        throw new UsageError(
          `${rest.map((w) => show(String(w))).join(' ')} after "--": only exec takes a command there (mfa-env exec PROFILE -- COMMAND)`,
        );
      }
      return HANDLERS[name as keyof typeof COMMANDS](args as Parameters<Handler>[0], emit);
    });
  }
  return globalOptions(y.version(false))
    .help('help')
    .alias('help', 'h')
    .strict()
    .exitProcess(false)
    .wrap(Math.min(110, process.stderr.columns || 110))
    .fail((message, err) => {
      // yargs spreads some messages over lines; an error is one line, in the user's terms (usageMessages.ts).
      throw err ?? new UsageError(explainUsage(message.replace(/\s*\n\s*/g, ' '), argv, COMMANDS, globalOptions));
    });
}

async function runExport(flags: ExportFlags): Promise<string> {
  const args = { ...flags, shell: flags.shell ?? defaultShell(io.env) };
  if (args.forget && !args.clear)
    throw new UsageError('--forget goes with --clear; to delete cached sessions alone, use "mfa-env forget [PROFILE]"');
  if (args.clear) {
    if (args.profile !== undefined)
      throw new UsageError('--clear takes no profile: it removes whatever session is loaded');
    const { clearSession } = await import('./commands/clearSession');
    const output = clearSession(args.shell, io.env);
    if (args.forget) await (await import('./commands/forgetSessions')).forgetSessions(undefined, io);
    return output;
  }
  const { exportSession } = await import('./commands/exportSession');
  return exportSession(args, io);
}

function report(err: unknown): number {
  if (err instanceof MfaEnvError) {
    process.stderr.write(`mfa-env: ${err.message}\n`);
    if (err instanceof UsageError) process.stderr.write('Run "mfa-env --help" for usage.\n');
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`mfa-env: unexpected error: ${JSON.stringify(message)}\n`);
  if (io.debug && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return ExitCode.internal;
}

/** Runs the full CLI on argv: one write to stdout after success, or a message and an exit code. */
export function run(argv: string[], channel?: EvalChannel): void {
  // The SDK warns on every run under Node 20 about its own future plans; that is our concern (see `engines`), not
  // something to show the user each time they log in.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

  // A closed stdout (`mfa-env | head -0`) is the reader's choice, not a crash.
  process.stdout.on('error', () => {
    process.exitCode = ExitCode.internal;
  });

  main(argv).then(
    (output) => {
      // One write, after everything succeeded: an error never leaves half an export behind.
      if (!output?.text) return;
      if (output.isCode && channel) channel.write(output.text);
      else process.stdout.write(output.text);
    },
    (err: unknown) => {
      process.exitCode = report(err);
    },
  );
}
