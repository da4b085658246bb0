// The full CLI, loaded by the entry point (cli.ts) when the fast path cannot answer: it parses argv (the plain
// command lines without yargs, leanArgs.ts; the rest with it, yargsCli.ts), runs one command (each loaded only when
// used, so no path pays for the SDK unless it calls STS), writes the command's output once, and maps errors to exit
// codes. With cli.ts, the only module that touches `process`.
import { join } from 'node:path';
import type { CommandIo } from './commandIo';
import type { CommandName } from './commandNames';
import type { ExecArgs } from './commands/execCommand';
import type { ExportArgs } from './commands/exportSession';
import type { KEYS_ACTIONS } from './commandTable';
import { defaultShell, type Shell } from './env/formats';
import { ExitCode, MfaEnvError, UsageError } from './errors';
import { type EvalChannel, isCodeForShell } from './evalChannel';
import type { IntegrationShell } from './integration/shellTable';
import { leanParse } from './leanArgs';
import { timeoutMs } from './profiles/duration';
import { writeStdout } from './stdoutWrite';
import { show } from './text/showText';
import { EXEC_NEEDS_DASHES } from './usageMessages';

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
  now: Date.now,
  warn: (message) => process.stderr.write(`mfa-env: warning: ${message}\n`),
  say: (message) => process.stderr.write(`mfa-env: ${message}\n`),
};

// --debug anywhere, or MFA_ENV_DEBUG=1: checked before parsing so that parsing itself can be followed too.
if (process.argv.includes('--debug') || (process.env.MFA_ENV_DEBUG ?? '') === '1') {
  io.debug = (message) => process.stderr.write(`mfa-env: debug: ${message}\n`);
}

/** What a command gives for stdout, or as code for the calling shell. */
interface Output {
  text: string;
  isCode?: boolean;
}

async function main(argv: string[]): Promise<Output | undefined> {
  let output: Output | undefined;
  const emit = (o: Output) => {
    output = o;
  };
  const run = (command: keyof typeof HANDLERS, args: Parameters<Handler>[0]) => HANDLERS[command](args, emit);
  // The plain command lines need no yargs (leanArgs.ts); --help and everything else get it.
  const lean = leanParse(argv);
  if (lean) await run(lean.command, lean.args);
  else
    await (require('./yargsCli') as typeof import('./yargsCli')).parseWithYargs(argv, run, {
      columns: process.stderr.columns,
    });
  return output;
}

type Handler = (args: Record<string, unknown> & { '--'?: unknown[] }, emit: (output: Output) => void) => Promise<void>;

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

const HANDLERS: Record<CommandName | '$0', Handler> = {
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
    const [{ listProfiles }, { renderListing }, { openCache }, { originalEnv }, { keystoreFor }] = await Promise.all([
      import('./commands/listProfiles'),
      import('./commands/listingView'),
      import('./session/cacheSettings'),
      import('./env/envChange'),
      import('./keys/keystore'),
    ]);
    const rows = await listProfiles(
      io.env,
      openCache(args.cache !== false, originalEnv(io.env), io),
      keystoreFor(originalEnv(io.env), io),
      io.now(),
    );
    emit({ text: renderListing(rows, args.json === true) });
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
      io.now(),
      keystoreFor(originalEnv(io.env), io),
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

  main(argv).then(
    (output) => {
      // One write, after everything succeeded: an error never leaves half an export behind.
      if (!output?.text) return;
      if (output.isCode && channel) channel.write(output.text);
      else if (!writeStdout(output.text, () => process.stdout, outputFailed)) outputFailed();
    },
    (err: unknown) => {
      process.exitCode = report(err);
    },
  );
}

/** stdout could not take the output (closed by its reader): not a crash, but not a success either. */
function outputFailed(): void {
  process.exitCode = ExitCode.internal;
}
