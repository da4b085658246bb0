#!/usr/bin/env node
// The entry point, and the only module that touches `process`: it parses argv, runs one command (each loaded only
// when used, so `--clear` never pays for the SDK), writes the command's output once, and maps errors to exit codes.
import yargs from 'yargs/yargs';
import { ExitCode, MfaEnvError, UsageError } from './errors';
import type { Shell } from './env/formats';

const SHELLS: readonly Shell[] = ['sh', 'bash', 'zsh', 'fish'];

interface Parsed {
  profile?: string;
  clear?: boolean;
  mfaSerial?: string;
  tokenCode?: string;
  duration?: string;
  endpointUrl?: string;
  shell: Shell;
  version?: boolean;
}

async function main(argv: string[]): Promise<string | undefined> {
  let output: string | undefined;
  const parser = yargs(argv)
    .scriptName('mfa-env')
    .usage(
      'Usage: eval "$(mfa-env [PROFILE])"      get an MFA session for PROFILE and load it into this shell\n' +
        '       eval "$(mfa-env --clear)"        remove it again\n\n' +
        'Prints shell code on stdout and nothing else; prompts for the MFA code on the terminal.',
    )
    .command(
      '$0 [profile]',
      false,
      (y) =>
        y
          .positional('profile', { type: 'string', describe: 'AWS profile (default: AWS_PROFILE, then "default")' })
          .option('profile', { alias: 'p', type: 'string', describe: 'AWS profile, as the positional argument' }),
      async (args) => {
        output = await run(args as unknown as Parsed);
      },
    )
    .option('clear', { type: 'boolean', describe: 'Print code that removes the session and restores the variables it replaced' })
    .option('mfa-serial', { type: 'string', describe: "MFA device ARN or serial (default: the profile's mfa_serial)" })
    .option('token-code', { alias: 't', type: 'string', describe: 'The 6-digit MFA code (default: ask on the terminal)' })
    .option('duration', { alias: 'd', type: 'string', describe: 'Session length: seconds, or 15m .. 36h (default 12h)' })
    .option('endpoint-url', { type: 'string', describe: 'STS endpoint (default: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile)' })
    .option('shell', { alias: 's', choices: SHELLS, default: 'sh' as Shell, describe: 'Syntax of the printed code' })
    .version(false)
    .option('version', { type: 'boolean', describe: 'Show the version' })
    .help('help')
    .alias('help', 'h')
    .strict()
    .exitProcess(false)
    .wrap(Math.min(100, process.stderr.columns || 100))
    .fail((message, err) => {
      // yargs spreads some messages over lines; an error is one line.
      throw err ?? new UsageError(message.replace(/\s*\n\s*/g, ' '));
    });
  await parser.parseAsync();
  return output;
}

async function run(args: Parsed): Promise<string> {
  if (args.version) return `${(require('../package.json') as { version: string }).version}\n`;
  if (args.clear) {
    if (args.profile !== undefined) throw new UsageError('--clear takes no profile: it removes whatever session is loaded');
    const { clearSession } = await import('./commands/clearSession');
    return clearSession(args.shell, process.env);
  }
  const { exportSession } = await import('./commands/exportSession');
  return exportSession(args, { env: process.env, stdin: process.stdin });
}

function report(err: unknown): number {
  if (err instanceof MfaEnvError) {
    process.stderr.write(`mfa-env: ${err.message}\n`);
    if (err instanceof UsageError) process.stderr.write('Run "mfa-env --help" for usage.\n');
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`mfa-env: unexpected error: ${JSON.stringify(message)}\n`);
  if (process.env.MFA_ENV_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return ExitCode.internal;
}

// The SDK warns on every run under Node 20 about its own future plans; that is our concern (see `engines`), not
// something to show the user each time they log in.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// A closed stdout (`mfa-env | head -0`) is the reader's choice, not a crash.
process.stdout.on('error', () => {
  process.exitCode = ExitCode.internal;
});

main(process.argv.slice(2)).then(
  (output) => {
    // One write, after everything succeeded: an error never leaves half an export behind.
    if (output) process.stdout.write(output);
  },
  (err: unknown) => {
    process.exitCode = report(err);
  },
);
