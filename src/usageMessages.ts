// yargs' own messages for bad arguments say what went wrong in its terms ("Unknown argument: input" for
// `--no-input`, "Not enough non-option arguments: got 0, need at least 1"); these say it in the user's terms and
// what to do instead, from the same command table yargs parses with (commandTable.ts).
import { optionsOf, positionalChoices } from './commandOptions';
import { COMMANDS, type CommandSpec } from './commandTable';

/** For `exec PROFILE COMMAND` without `--`: said by the exec handler and for yargs' errors alike. */
export const EXEC_NEEDS_DASHES =
  'exec takes its command after "--", so that the command\'s own options stay its own: mfa-env exec PROFILE -- COMMAND [ARGS...]';

/** yargs' failure message, rewritten where a better one can be given; otherwise as it was. */
export function explainUsage(message: string, argv: string[]): string {
  const commands: Record<string, CommandSpec> = COMMANDS;
  const command = commandOf(argv);
  const unknown = /^Unknown arguments?: (.+)$/.exec(message);
  if (unknown) {
    // yargs names a dashed option twice, as typed and in camel case (token-code, tokenCode).
    const names = [
      ...new Set(unknown[1].split(', ').map((name) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`))),
    ];
    const options = names.map((name) => ({ name, typed: typedAs(name, argv) }));
    if (command === 'exec' && !argv.includes('--')) return EXEC_NEEDS_DASHES;
    if (options.some((o) => o.typed === undefined)) return message;
    return options.map((o) => aboutOption(o.name, o.typed!, command)).join('; ');
  }
  const missing = /^Not enough non-option arguments: got (\d+), need at least \d+$/.exec(message);
  if (missing && Object.hasOwn(commands, command)) {
    const spec = commands[command];
    const required = [...spec.cmd.matchAll(/<([^>]+)>/g)].map((m) => m[1]).slice(Number(missing[1]));
    if (required.length)
      return `mfa-env ${command} needs ${required.map((name) => `a ${name}`).join(' and ')}: mfa-env ${usageOf(spec)}`;
  }
  return message;
}

/** `--no-input` on a command that does not take it: which commands do. */
function aboutOption(name: string, typed: string, command: string): string {
  const owners = Object.entries(COMMANDS)
    .filter(([n, spec]) => (n === '$0' || spec.describe !== false) && optionsOf(spec).some((o) => o.name === name))
    .map(([n]) => `"${label(n)}"`);
  if (owners.length === 0) return `unknown option ${typed}`;
  const list = owners.length === 1 ? owners[0] : `${owners.slice(0, -1).join(', ')} and ${owners.at(-1)}`;
  return `${typed} goes with ${list}, not with "${label(command)}"`;
}

function label(command: string): string {
  return command === '$0' ? 'mfa-env [PROFILE]' : `mfa-env ${command}`;
}

/** The option as the user typed it (`--no-input`, `-x`), for a name yargs reports bare; undefined for a positional. */
function typedAs(name: string, argv: string[]): string | undefined {
  for (const word of argv) {
    if (word === '--') break;
    const flag = word.replace(/=.*$/s, '');
    if (flag === `--${name}` || flag === `--no-${name}` || flag === `-${name}`) return flag;
    if (/^-[A-Za-z]+$/.test(word) && word.includes(name) && name.length === 1) return `-${name}`;
  }
  return undefined;
}

/** The command argv runs: its first word that is not an option or an option's value, if that is a command. */
function commandOf(argv: string[]): string {
  const exportOptions = optionsOf(COMMANDS.$0);
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === '--') break;
    if (word.startsWith('-')) {
      const option = exportOptions.find((o) => `--${o.name}` === word || o.short.some((s) => `-${s}` === word));
      if (option?.takesValue) i++;
      continue;
    }
    return word !== '$0' && Object.hasOwn(COMMANDS, word) ? word : '$0';
  }
  return '$0';
}

/** `exec <profile> [command..]` as a person writes it: `exec PROFILE -- COMMAND [ARGS...]`, choices spelt out. */
function usageOf(spec: CommandSpec): string {
  return spec.cmd.replace(
    /<([^>]+)>|\[([^\].]+)\.\.\]|\[([^\]]+)\]/g,
    (_, required?: string, variadic?: string, optional?: string) => {
      if (required) return positionalChoices(spec, required)?.join('|') ?? required.toUpperCase();
      if (variadic) return `-- ${variadic.toUpperCase()} [ARGS...]`;
      return `[${optional!.toUpperCase()}]`;
    },
  );
}
