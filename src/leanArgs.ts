// The plain command lines, parsed from the command table without yargs: yargs and its help machinery cost a
// fresh session more than everything mfa-env does itself. Only an unambiguous grammar is taken here; anything else
// (--help, `--`, grouped or attached short options, a repeated option, a value that is not allowed, an unknown
// word) returns undefined and yargs parses it, which gives the same result or the proper message. A test holds
// the two to the same answer on every command line this accepts (test/unit/leanArgs.test.ts).
import { COMMAND_NAMES, type CommandName } from './commandNames';
import { COMMANDS, type OptionSpec, optionsOfCommand, positionalsOf } from './commandTable';

export interface LeanParse {
  command: CommandName | '$0';
  /** As yargs gives them to a handler: camelCase names, defaults filled in, `profile` as a list. */
  args: Record<string, unknown>;
}

const isCommand = (word: string): word is CommandName => (COMMAND_NAMES as readonly string[]).includes(word);

/** argv as yargs would parse it, or undefined when yargs must decide. */
export function leanParse(argv: readonly string[]): LeanParse | undefined {
  const command = argv.length > 0 && isCommand(argv[0]) ? argv[0] : '$0';
  const spec = COMMANDS[command];
  const options = optionsOfCommand(spec);
  const shortNames = new Map<string, string>();
  for (const [name, o] of [...Object.entries(spec.positionals), ...Object.entries(options)])
    if (o.alias !== undefined) shortNames.set(o.alias, name);
  const positionals = positionalsOf(spec.cmd);
  const args: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(options)) if (o.default !== undefined) args[camel(name)] = o.default;
  // yargs hands over a variadic positional given no words as an empty list.
  for (const p of positionals) if (p.variadic) args[camel(p.name)] = [];
  const seen = new Set<string>();
  let next = 0;
  const words = command === '$0' ? argv : argv.slice(1);
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    let name: string | undefined;
    let inline: string | undefined;
    let negated = false;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      name = eq === -1 ? word.slice(2) : word.slice(2, eq);
      inline = eq === -1 ? undefined : word.slice(eq + 1);
      if (name.startsWith('no-') && options[name.slice(3)]?.type === 'boolean' && !Object.hasOwn(options, name)) {
        name = name.slice(3);
        negated = true;
      }
    } else if (/^-[A-Za-z]$/.test(word)) {
      name = shortNames.get(word[1]);
      if (name === undefined) return undefined;
    } else if (word.startsWith('-') || word === '') {
      return undefined;
    } else {
      // A positional.
      const positional = positionals[next];
      if (positional === undefined || (command === '$0' && isCommand(word))) return undefined;
      const choices = spec.positionals[positional.name]?.choices;
      if (choices && !choices.includes(word)) return undefined;
      if (positional.variadic) {
        (args[camel(positional.name)] as string[]).push(word);
        continue;
      }
      next++;
      if (!take(positional.name)) return undefined;
      args[camel(positional.name)] = options[positional.name]?.array ? [word] : word;
      continue;
    }
    if (!Object.hasOwn(options, name) || !take(name)) return undefined;
    const option: OptionSpec = options[name];
    if (option.type === 'boolean') {
      // `--flag=false` and `--flag true` are yargs' to read.
      if (inline !== undefined || words[i + 1] === 'true' || words[i + 1] === 'false') return undefined;
      args[camel(name)] = !negated;
      continue;
    }
    if (negated) return undefined;
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= words.length || words[i + 1].startsWith('-')) return undefined;
      value = words[++i];
    }
    const parsed = optionValue(option, value);
    if (parsed === undefined) return undefined;
    args[camel(name)] = option.array ? [parsed] : parsed;
  }
  if (positionals.some((p, index) => p.required && index >= next)) return undefined;
  return { command, args };

  function take(name: string): boolean {
    if (seen.has(name)) return false;
    seen.add(name);
    return true;
  }
}

/** The value as yargs would hand it over, or undefined for one yargs is left to judge (or refuse). */
function optionValue(option: OptionSpec, value: string): string | number | undefined {
  if (value === '') return undefined;
  if (option.choices) return option.choices.includes(value) ? value : undefined;
  if (option.type === 'number') return /^[0-9]{1,9}$/.test(value) ? Number(value) : undefined;
  // yargs strips one pair of quotes around `--opt="VALUE"` (argvQuotes.ts undoes that): the value as typed.
  return value;
}

/** yargs' name for `token-code` in the arguments it hands over. */
function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
