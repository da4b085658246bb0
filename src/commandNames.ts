/** The subcommands: a word among these is a command, never a profile name given as the first argument. */
export const COMMAND_NAMES = [
  'forget',
  'exec',
  'list',
  'setup',
  'keys',
  'console',
  'rotate',
  'whoami',
  'policy',
  'init',
  'status',
  '__profiles',
  '__complete',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];
