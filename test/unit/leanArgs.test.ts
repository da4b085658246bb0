// The lean parser (src/leanArgs.ts) answers the plain command lines without yargs. It must never answer differently:
// on every command line it takes, yargs (built from the same table, src/yargsCli.ts) must accept it too and hand the
// command the same arguments. Command lines are drawn at random from every command's own words and a set of
// troublesome ones; the seed is printed and MFA_ENV_TEST_SEED replays it.
import { COMMAND_NAMES } from '../../src/commandNames';
import { COMMANDS, GLOBAL_OPTIONS, optionsOfCommand } from '../../src/commandTable';
import { leanParse } from '../../src/leanArgs';
import { type ParsedArgs, parseWithYargs } from '../../src/yargsCli';
import { replayWith, seededRandom, testSeed } from '../support/seed';

type Command = keyof typeof COMMANDS;

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** What yargs hands the command, or the message it fails with. */
async function viaYargs(argv: string[]): Promise<{ command: Command; args: ParsedArgs } | { error: string }> {
  let got: { command: Command; args: ParsedArgs } | undefined;
  try {
    await parseWithYargs(argv, async (command, args) => {
      got = { command, args };
    });
  } catch (err) {
    return { error: (err as Error).message };
  }
  return got ?? { error: 'no command ran' };
}

/** The arguments a handler can read: every option and positional of the command, by yargs' camelCase names. */
function handlerView(command: Command, args: Record<string, unknown>): Record<string, unknown> {
  const spec = COMMANDS[command];
  const names = new Set([...Object.keys(spec.positionals), ...Object.keys(optionsOfCommand(spec))]);
  const view: Record<string, unknown> = {};
  for (const name of names) if (args[camel(name)] !== undefined) view[camel(name)] = args[camel(name)];
  return view;
}

/** The words a command line of `command` may be made of: its options in every spelling, values good and bad. */
function vocabulary(command: Command): string[] {
  const spec = COMMANDS[command];
  const words = ['demo-user', 'prod', "'prod'", '"x"', '0123', '-5', '', ' ', 'true', 'false', '-', '--', '-h'];
  words.push('--help', '--version', '--debug', '--no-debug', '--debug=true', '-pf', '-t123456', '--tokenCode', '--x.y');
  words.push(...COMMAND_NAMES.slice(0, 3));
  for (const [name, p] of Object.entries(spec.positionals)) {
    words.push(...(p.choices ?? []), `--${name}`, 'nochoice');
    if (p.alias) words.push(`-${p.alias}`);
  }
  for (const [name, o] of Object.entries({ ...optionsOfCommand(spec), ...GLOBAL_OPTIONS })) {
    words.push(`--${name}`, `--no-${name}`, `--${name}=`, `--${name}=x`);
    if (o.alias) words.push(`-${o.alias}`);
    if (o.choices) words.push(...o.choices, `--${name}=${o.choices[0]}`, 'tcsh');
    if (o.type === 'number') words.push('2', '2.5', 'abc', `--${name}=7`);
    if (o.type === 'string') words.push(`--${name}="'q'"`, `--${name}='a b'`, '1h', '123456');
  }
  return words;
}

/** A good value for each positional of `command` (a choice where it has them). */
function firstPositionals(command: Command, pick: <T>(items: T[]) => T): string[] {
  return Object.values(COMMANDS[command].positionals).map((p) => pick([...(p.choices ?? ['demo-user'])]));
}

const seed = testSeed();

describe(`lean parser and yargs agree (${replayWith(seed)})`, () => {
  const random = seededRandom(seed);
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];

  it.each(Object.keys(COMMANDS) as Command[])(
    '%s: every command line the lean parser takes, yargs takes the same way',
    async (command) => {
      const words = vocabulary(command);
      let taken = 0;
      for (let n = 0; n < 600; n++) {
        const length = Math.floor(random() * 5);
        // Half of them start with the command's positionals right, so commands that need one get far enough.
        const lead = random() < 0.5 ? firstPositionals(command, pick) : [];
        const argv = [...(command === '$0' ? [] : [command]), ...lead, ...Array.from({ length }, () => pick(words))];
        const lean = leanParse(argv);
        if (lean === undefined) continue;
        taken++;
        const yargsResult = await viaYargs(argv);
        const context = `mfa-env ${JSON.stringify(argv)}`;
        expect({ context, result: 'error' in yargsResult ? yargsResult.error : yargsResult.command }).toEqual({
          context,
          result: lean.command,
        });
        if ('error' in yargsResult) continue;
        expect({ context, args: handlerView(lean.command, lean.args) }).toEqual({
          context,
          args: handlerView(yargsResult.command, yargsResult.args),
        });
      }
      // Not a parser that declines everything: a fair share of the random lines are plain enough.
      expect(taken).toBeGreaterThan(20);
    },
  );

  it('takes the everyday command lines', () => {
    for (const argv of [
      ['demo-user'],
      ['-p', 'demo-user', '--shell', 'fish'],
      ['demo-user', '--no-cache', '-t', '123456'],
      ['demo-user', '-d', '1h', '--format', 'json'],
      ['--clear'],
      ['--profile=prod', '--timeout', '5', '--no-input'],
      ['list'],
      ['list', '--json', '--no-cache'],
      ['status', '--check'],
      ['forget', 'demo-user'],
      ['keys', 'list'],
      ['init', 'zsh'],
      ['__profiles', 'bash', '--print'],
      ['whoami', '--json'],
    ]) {
      expect({ argv, taken: leanParse(argv) !== undefined }).toEqual({ argv, taken: true });
    }
  });

  it('leaves to yargs what it alone can answer or refuse', () => {
    for (const argv of [
      ['--help'],
      ['-h'],
      ['list', '--help'],
      ['exec', 'demo-user', '--', 'aws', 'sts'],
      ['-ft', '123456'],
      ['-t123456'],
      ['demo-user', 'prod'],
      ['-p', 'a', '-p', 'b'],
      ['demo-user', '-p', 'b'],
      ['--profile='],
      ['--shell', 'tcsh'],
      ['--timeout', 'abc'],
      ['--refresh', 'true'],
      ['--cache=false'],
      ['--no-duration'],
      ['--tokenCode', '123456'],
      ['keys'],
      ['init', 'tcsh'],
      ['list', 'extra'],
      ['demo-user', 'list'],
      ['-d', '-5'],
    ]) {
      expect({ argv, lean: leanParse(argv) }).toEqual({ argv, lean: undefined });
    }
  });

  it('fills in defaults and uses the names the handlers read', () => {
    expect(leanParse(['demo-user', '--token-code', '012345', '--mfa-serial=arn:x'])).toEqual({
      command: '$0',
      args: { profile: ['demo-user'], tokenCode: '012345', mfaSerial: 'arn:x', cache: true, input: true },
    });
    expect(leanParse(['list', '--no-input'])).toEqual({
      command: 'list',
      args: { cache: true, input: false },
    });
  });
});
