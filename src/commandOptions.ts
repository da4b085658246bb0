// What completion (integration/complete.ts) and usage messages (usageMessages.ts) need to know of each command's
// options and positionals, read from the command table: neither keeps a list of its own.
import { type CommandSpec, optionsOfCommand, positionalsOf } from './commandTable';

export interface OptionInfo {
  name: string;
  /** One-letter aliases, as `-x`. */
  short: string[];
  takesValue: boolean;
  choices?: string[];
  /** A boolean that defaults to true: offered as --no-NAME too. */
  negatable: boolean;
}

/** The options of a command: --help, its own (a positional with an alias is one: `-p PROFILE`), the global ones. */
export function optionsOf(spec: CommandSpec): OptionInfo[] {
  const infos: OptionInfo[] = [{ name: 'help', short: [], takesValue: false, negatable: false }];
  const seen = new Set(['help']);
  for (const [name, positional] of Object.entries(spec.positionals)) {
    if (positional.alias === undefined) continue;
    seen.add(name);
    infos.push({ name, short: [positional.alias], takesValue: true, negatable: false });
  }
  for (const [name, option] of Object.entries(optionsOfCommand(spec))) {
    if (seen.has(name) || option.hidden) continue;
    seen.add(name);
    const info: OptionInfo = {
      name,
      short: option.alias === undefined ? [] : [option.alias],
      takesValue: option.type !== 'boolean',
      negatable: option.type === 'boolean' && option.default === true,
    };
    if (option.choices) info.choices = [...option.choices];
    infos.push(info);
  }
  return infos;
}

/** The positionals of a command, in order. */
export function positionalNames(spec: CommandSpec): string[] {
  return positionalsOf(spec.cmd).map((p) => p.name);
}

export function positionalChoices(spec: CommandSpec, name: string): string[] | undefined {
  const choices = Object.hasOwn(spec.positionals, name) ? spec.positionals[name].choices : undefined;
  return choices && [...choices];
}
