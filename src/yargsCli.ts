// yargs, built from the command table (commandTable.ts): --help, and every command line the lean parser
// (leanArgs.ts) leaves to it. yargs itself is loaded only then (yargsBundle.ts).
import type { Argv, Options, PositionalOptions } from 'yargs';
import { keepQuotes } from './argvQuotes';
import type { CommandName } from './commandNames';
import { COMMANDS, GLOBAL_OPTIONS, type OptionSpec, TAKES_REST } from './commandTable';
import { UsageError } from './errors';
import { show } from './text/showText';
import { explainUsage } from './usageMessages';

export type ParsedArgs = Record<string, unknown> & { '--'?: unknown[] };

/** Parses argv with yargs and runs `handle` with the command it names (not at all for --help). */
export async function parseWithYargs(
  argv: string[],
  handle: (command: CommandName | '$0', args: ParsedArgs) => Promise<void>,
  { columns }: { columns?: number } = {},
): Promise<void> {
  await parser(argv, handle, columns).parseAsync();
}

function withOptions(y: Argv, options: Record<string, OptionSpec>): Argv {
  let built = y;
  for (const [name, option] of Object.entries(options)) built = built.option(name, option as Options);
  return built;
}

function parser(
  argv: string[],
  handle: (command: CommandName | '$0', args: ParsedArgs) => Promise<void>,
  columns: number | undefined,
): Argv {
  const { yargs } = require('./yargsBundle') as typeof import('./yargsBundle');
  let y = yargs(keepQuotes(argv))
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
  for (const [name, spec] of Object.entries(COMMANDS) as Array<[CommandName | '$0', (typeof COMMANDS)['$0']]>) {
    const builder = (c: Argv) => {
      let built = c;
      for (const [positional, p] of Object.entries(spec.positionals))
        built = built.positional(positional, p as PositionalOptions);
      return withOptions(built, spec.options);
    };
    y = y.command(spec.cmd, spec.describe as string, builder, (args) => {
      const rest = (args['--'] as unknown[] | undefined) ?? [];
      if (rest.length > 0 && !TAKES_REST.has(name)) {
        throw new UsageError(
          `${rest.map((w) => show(String(w))).join(' ')} after "--": only exec takes a command there (mfa-env exec PROFILE -- COMMAND)`,
        );
      }
      return handle(name, args as ParsedArgs);
    });
  }
  return withOptions(y.version(false), GLOBAL_OPTIONS)
    .help('help')
    .alias('help', 'h')
    .strict()
    .exitProcess(false)
    .wrap(Math.min(110, columns || 110))
    .fail((message, err) => {
      // yargs spreads some messages over lines; an error is one line, in the user's terms (usageMessages.ts).
      throw err ?? new UsageError(explainUsage(message.replace(/\s*\n\s*/g, ' '), argv));
    });
}
