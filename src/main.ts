// The full CLI, loaded by the entry point (cli.ts) when the fast path cannot answer: it parses argv with yargs, runs
// one command (each loaded only when used, so no path pays for the SDK unless it calls STS), writes the command's
// output once, and maps errors to exit codes. With cli.ts, the only module that touches `process`.
import { join } from 'node:path';
import yargs from 'yargs/yargs';
import { keepQuotes } from './argvQuotes';
import type { Argv } from 'yargs';
import type { CommandIo, ExportArgs } from './commands/exportSession';
import { FORMATS, SHELLS, defaultShell } from './env/formats';
import { ExitCode, MfaEnvError, UsageError } from './errors';


/** What the default command's flags give: the export's arguments, plus the flags it dispatches on. */
interface ExportFlags extends ExportArgs {
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
  warn: (message) => process.stderr.write(`mfa-env: warning: ${message}\n`),
  say: (message) => process.stderr.write(`mfa-env: ${message}\n`),
};

// --debug anywhere, or MFA_ENV_DEBUG=1: checked before parsing so that parsing itself can be followed too.
if (process.argv.includes('--debug') || (process.env.MFA_ENV_DEBUG ?? '') === '1') {
  io.debug = (message) => process.stderr.write(`mfa-env: debug: ${message}\n`);
}

function exportOptions(y: Argv) {
  return sessionOptions(
    y
      .positional('profile', { type: 'string', alias: 'p', describe: 'AWS profile (default: the loaded one, AWS_PROFILE, then "default")' })
      .option('clear', { type: 'boolean', describe: 'Print code that removes the session and restores the variables it replaced' })
      .option('forget', { type: 'boolean', describe: 'With --clear: also delete every cached session' }),
  )
    // The shell integration says which shell it is through MFA_ENV_SHELL, leaving --shell to the user.
    .option('shell', { alias: 's', choices: SHELLS, default: defaultShell(process.env), describe: 'Syntax of the printed code (default: $MFA_ENV_SHELL, else sh)' })
    .option('write-profile', { type: 'string', describe: 'Write the session to this profile in the credentials file instead of printing it' })
    .option('format', {
      choices: FORMATS,
      describe: 'Output: sh or fish code, json for credential_process, dotenv for docker --env-file (default: from --shell)',
    });
}

/** How to get a session: shared by the export and exec. */
function sessionOptions(y: Argv) {
  return y
    .option('token-code', { alias: 't', type: 'string', describe: 'The 6-digit MFA code (default: ask on the terminal)' })
    .option('duration', {
      alias: 'd',
      type: 'string',
      describe: 'Session length, seconds or 15m..36h (default 12h; for a role 1h, at most 12h; over 1h a role needs its own code)',
    })
    .option('refresh', { alias: 'f', type: 'boolean', describe: 'Ignore cached sessions: ask for a new code' })
    .option('cache', { type: 'boolean', default: true, describe: 'Use the session cache (--no-cache: neither read nor write it)' })
    .option('mfa-serial', { type: 'string', describe: "MFA device ARN or serial (default: the profile's mfa_serial)" })
    .option('mfa-process', { type: 'string', describe: "A command that prints the MFA code (default: the profile's mfa_process)" })
    .option('endpoint-url', { type: 'string', describe: 'STS endpoint (default: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile)' })
    .option('input', { type: 'boolean', default: true, describe: 'Ask for a code when needed (--no-input: fail instead, for scripts)' })
    .option('timeout', { type: 'number', describe: 'Seconds to wait for STS on one call, retries included (default 15)' });
}

async function main(argv: string[]): Promise<string | undefined> {
  let output: string | undefined;
  await yargs(keepQuotes(argv))
    .scriptName('mfa-env')
    // exec takes the command after `--` as it is, options and all.
    .parserConfiguration({ 'populate--': true })
    .usage(
      'Usage:\n' +
        '  eval "$(mfa-env [PROFILE])"   get an MFA session for PROFILE and load it into this shell\n' +
        '  eval "$(mfa-env --clear)"     remove it again\n\n' +
        'Prints shell code on stdout and nothing else; asks for the MFA code on the terminal. One code serves every\n' +
        'role with the same source profile until the MFA session ends; sessions are cached for all shells.',
    )
    .command('$0 [profile]', false, exportOptions, async (args) => {
      output = await runExport(args as unknown as ExportFlags);
    })
    .command(
      'forget [profile]',
      'Delete cached sessions: all, or those that could serve PROFILE',
      (y) => y.positional('profile', { type: 'string', describe: 'AWS profile' }),
      async (args) => {
        const { forgetSessions } = await import('./commands/forgetSessions');
        await forgetSessions(args.profile, io);
        output = '';
      },
    )
    .command(
      'exec <profile> [command..]',
      'Run COMMAND with the session of PROFILE in its environment: mfa-env exec PROFILE -- COMMAND [ARGS...]',
      (y) => sessionOptions(y.positional('profile', { type: 'string' }).positional('command', { type: 'string', array: true })),
      async (args) => {
        const { execCommand } = await import('./commands/execCommand');
        const command = [...((args.command as string[] | undefined) ?? []), ...((args['--'] as string[] | undefined) ?? [])].map(String);
        const result = await execCommand(args as unknown as ExportFlags, command, io, process);
        process.exitCode = result.code;
        output = '';
      },
    )
    .command(
      'list',
      'List the profiles: user or role, source, MFA device, and the time left on cached sessions',
      (y) => y.option('json', { type: 'boolean', describe: 'Print JSON' }),
      async (args) => {
        const [{ listProfiles, formatListing }, { openCache }, { originalEnv }] = await Promise.all([
          import('./commands/listProfiles'),
          import('./commands/exportSession'),
          import('./env/envChange'),
        ]);
        const rows = await listProfiles(io.env, openCache(true, originalEnv(io.env), io));
        output = args.json ? `${JSON.stringify(rows, null, 2)}\n` : formatListing(rows);
      },
    )
    .command(
      'setup <profile>',
      "Find the IAM user's MFA device with the profile's keys and add mfa_serial to the profile",
      (y) =>
        y
          .positional('profile', { type: 'string' })
          .option('yes', { alias: 'y', type: 'boolean', describe: 'Do not ask for confirmation (one device only)' })
          .option('backup', { type: 'boolean', describe: 'Keep the old config file as FILE.bak' })
          .option('mfa-serial', { type: 'string', describe: 'Use this device instead of asking IAM' }),
      async (args) => {
        const { setup } = await import('./commands/setup');
        await setup(args.profile as string, { yes: args.yes, backup: args.backup, mfaSerial: args.mfaSerial }, io);
        output = '';
      },
    )
    .command(
      'whoami',
      'Show whose credentials this shell holds (STS GetCallerIdentity)',
      (y) => y.option('json', { type: 'boolean', describe: 'Print JSON' }),
      async (args) => {
        const { whoami } = await import('./commands/whoami');
        output = await whoami(io.env, Boolean(args.json));
      },
    )
    .command(
      'policy',
      'Print the IAM policy that makes every call but GetSessionToken need MFA',
      (y) => y,
      async () => {
        output = (await import('./commands/policy')).policy();
      },
    )
    .command(
      'init <shell>',
      'Print the line that loads the shell integration (functions per profile, prompt segment, completion)',
      (y) => y.positional('shell', { choices: ['bash', 'zsh', 'fish'] as const, describe: 'bash, zsh or fish' }),
      async (args) => {
        const { initLine } = await import('./commands/init');
        // shell/ sits beside dist/, where this file is.
        output = initLine(args.shell as 'bash' | 'zsh' | 'fish', join(__dirname, '..', 'shell'));
      },
    )
    .command(
      'status',
      'Show the session loaded in this shell',
      (y) => y.option('check', { type: 'boolean', describe: 'Print nothing; exit 0 if a session with time left is loaded, else 1' }),
      async (args) => {
        const [{ status }, { openCache }, { originalEnv }] = await Promise.all([
          import('./commands/status'),
          import('./commands/exportSession'),
          import('./env/envChange'),
        ]);
        const report = await status(io.env, openCache(true, originalEnv(io.env), io));
        if (args.check) process.exitCode = report.active ? 0 : 1;
        else output = report.text;
      },
    )
    .version(false)
    .option('version', { type: 'boolean', describe: 'Show the version' })
    .option('debug', { type: 'boolean', describe: 'Say on stderr what is being done (never a secret; key ids by their last 4 characters)' })
    .help('help')
    .alias('help', 'h')
    .strict()
    .exitProcess(false)
    .wrap(Math.min(110, process.stderr.columns || 110))
    .fail((message, err) => {
      // yargs spreads some messages over lines; an error is one line.
      throw err ?? new UsageError(message.replace(/\s*\n\s*/g, ' '));
    })
    .parseAsync();
  return output;
}

async function runExport(args: ExportFlags): Promise<string> {
  if (args.version) return `${(require('../package.json') as { version: string }).version}\n`;
  if (args.forget && !args.clear) throw new UsageError('--forget goes with --clear; to delete cached sessions alone, use "mfa-env forget [PROFILE]"');
  if (args.clear) {
    if (args.profile !== undefined) throw new UsageError('--clear takes no profile: it removes whatever session is loaded');
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
export function run(argv: string[]): void {
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
      if (output) process.stdout.write(output);
    },
    (err: unknown) => {
      process.exitCode = report(err);
    },
  );
}
