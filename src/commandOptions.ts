// What the command table (main.ts COMMANDS) says about each command's options and positionals, read back from
// yargs itself: completion (integration/complete.ts) offers exactly these, and usage messages (usageMessages.ts)
// say which command an option belongs to, so neither keeps a list of its own.

import type { Argv } from 'yargs';
import yargs from 'yargs/yargs';
import type { CommandSpec } from './main';

export interface OptionInfo {
  name: string;
  /** One-letter aliases, as `-x`. */
  short: string[];
  takesValue: boolean;
  choices?: string[];
  /** A boolean that defaults to true: offered as --no-NAME too. */
  negatable: boolean;
}

type YargsOptions = {
  key: Record<string, unknown>;
  alias: Record<string, string[]>;
  boolean: string[];
  choices: Record<string, string[]>;
  default: Record<string, unknown>;
  hiddenOptions: string[];
};

// yargs' own record of what it was given (public in yargs, missing from its types).
function yargsOptions(y: unknown): YargsOptions {
  return (y as { getOptions(): YargsOptions }).getOptions();
}

/** The options of a command as yargs has them: its builder's, the global ones, and --help; hidden ones left out. */
export function optionsOf(spec: CommandSpec, globalOptions: (y: Argv) => Argv): OptionInfo[] {
  const o = yargsOptions(globalOptions(spec.builder(yargs([]).version(false))));
  const positional = new Set(positionalNames(spec.cmd));
  // yargs lists aliases as keys too (f for refresh, tokenCode for token-code): the long names are the options.
  const infos: OptionInfo[] = Object.keys(o.key)
    .filter((key) => key.length > 1 && !/[A-Z]/.test(key) && !o.hiddenOptions.includes(key))
    .map((name) => ({
      name,
      short: (o.alias[name] ?? []).filter((a) => a.length === 1),
      // A positional with an alias (`-p PROFILE`) is an option too.
      takesValue: positional.has(name) || !o.boolean.includes(name),
      choices: o.choices[name]?.map(String),
      negatable: o.boolean.includes(name) && o.default[name] === true,
    }))
    .filter((info) => !positional.has(info.name) || info.short.length > 0);
  if (!infos.some((i) => i.name === 'help'))
    infos.push({ name: 'help', short: ['h'], takesValue: false, negatable: false });
  return infos;
}

/** The positionals of a command line spec (`exec <profile> [command..]`), in order. */
export function positionalNames(cmd: string): string[] {
  return [...cmd.matchAll(/[<[]([^\]>.]+)(?:\.\.)?[\]>]/g)].map((m) => m[1]);
}

export function positionalChoices(spec: CommandSpec, name: string): string[] | undefined {
  const o = yargsOptions(spec.builder(yargs([]).version(false)));
  return o.choices[name]?.map(String);
}
