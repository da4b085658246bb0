// Tab completion for the shell integration, worked out from the command table every parser reads
// (commandTable.ts), so every option in --help completes and the shells know no option or command themselves.
// Words come back one per line: escaped for insertion for bash (readline inserts them as they are), as they are
// for zsh and fish (compadd and complete quote what they insert). None is ever evaluated.
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { type OptionInfo, optionsOf, positionalChoices, positionalNames } from '../commandOptions';
import { COMMANDS } from '../commandTable';
import { originalEnv } from '../env/envChange';
import { type Env, loadConfigFiles } from '../profiles/configFiles';
import { ProfileSet } from '../profiles/profileSet';
import { hasControls } from '../text/showText';
import { DELEGATE_LINE, type IntegrationShell } from './shellTable';

// What makes a word unsafe to type as it is, for bash: anything but these is escaped with a backslash.
const BASH_PLAIN = /[^A-Za-z0-9_.@+%:,/=-]/g;
/**
 * The candidates for the last of `words` (the word being completed; the first is the command: mfa-env, or one of
 * the profile functions). For bash, `words` is [COMP_WORDBREAKS, the line up to the cursor] instead, split here.
 */
export async function complete(shell: IntegrationShell, words: string[], env: Env): Promise<string> {
  let tokens = words;
  let breakPrefix = '';
  if (shell === 'bash') {
    const [wordBreaks = '', line = ''] = words;
    const lexed = lexLine(line);
    tokens = lexed.tokens;
    // readline replaces only what follows the last word-break character of the word (`k:` of `k:l`).
    const raw = lexed.rawLast;
    const cut = lastBreak(raw, wordBreaks);
    breakPrefix = cut === -1 ? '' : unquote(raw.slice(0, cut + 1));
  }
  const found = await candidatesFor(tokens, env);
  if (found === DELEGATE) return `${DELEGATE_LINE}\n`;
  // What may never reach a terminal or a completion list: control characters, and anything past a sane length.
  const candidates = found.filter((c) => !hasControls(c) && c.length <= 500);
  // zsh and fish match the word as typed (quotes and all) against the candidates themselves.
  if (shell !== 'bash') return candidates.map((c) => `${c}\n`).join('');
  const current = tokens.at(-1) ?? '';
  return candidates
    .filter((c) => c.startsWith(current) && c.startsWith(breakPrefix))
    .map((c) => `${c.slice(breakPrefix.length).replace(BASH_PLAIN, '\\$&')}\n`)
    .join('');
}

// After `exec PROFILE -- COMMAND`, the words are COMMAND's own: the answer is DELEGATE_LINE (see shellTable.ts).
const DELEGATE = Symbol('delegate');

async function candidatesFor(tokens: string[], env: Env): Promise<string[] | typeof DELEGATE> {
  const current = tokens.at(-1) ?? '';
  const before = tokens.slice(1, -1);
  // A profile function is the export with the profile given.
  const functionMode = tokens[0] !== 'mfa-env';
  let command: keyof typeof COMMANDS = '$0';
  let options = optionsOf(COMMANDS.$0);
  let positionals = functionMode ? 1 : 0;
  let afterDashes = false;
  let wordsAfterDashes = 0;
  let valueFor: OptionInfo | undefined;
  let dashesAsValue = false;
  for (const word of before) {
    if (valueFor) {
      valueFor = undefined;
      dashesAsValue ||= word === '--';
    } else if (afterDashes) {
      wordsAfterDashes++;
    } else if (word === '--') {
      // The shells find the command after the first `--` of the line: then it must be exec's.
      if (dashesAsValue) return [];
      afterDashes = true;
    } else if (word.startsWith('-') && word !== '-') {
      const option = findOption(options, word);
      if (option?.takesValue && !word.includes('=')) valueFor = option;
    } else if (command === '$0' && positionals === 0 && !functionMode && isPublicCommand(word)) {
      command = word as keyof typeof COMMANDS;
      options = optionsOf(COMMANDS[command]);
    } else {
      positionals++;
    }
  }
  if (valueFor) return valuesOf(valueFor, env);
  if (afterDashes) {
    if (command !== 'exec') return [];
    // The command to run: the programs on PATH, which is where exec finds it (not the shell's functions or aliases).
    return wordsAfterDashes === 0 ? commandsOnPath(current, env) : DELEGATE;
  }
  const eq = current.indexOf('=');
  if (current.startsWith('--') && eq !== -1) {
    const option = findOption(options, current.slice(0, eq));
    return option?.takesValue ? (await valuesOf(option, env)).map((v) => `${current.slice(0, eq + 1)}${v}`) : [];
  }
  const positional = positionalNames(COMMANDS[command])[positionals];
  // exec's command comes after `--` (usageMessages.ts): that is what completes in its place.
  const dashes = command === 'exec' && positional === 'command' ? ['--'] : [];
  if (current.startsWith('-')) {
    return [
      ...dashes,
      ...options.flatMap((o) => [
        `--${o.name}`,
        ...(o.negatable ? [`--no-${o.name}`] : []),
        ...o.short.map((s) => `-${s}`),
      ]),
    ];
  }
  if (dashes.length) return dashes;
  if (command === '$0' && positionals === 0) {
    return [...Object.keys(COMMANDS).filter(isPublicCommand), ...(await profileNames(env))];
  }
  if (positional === 'profile') return profileNames(env);
  const choices = (positional && positionalChoices(COMMANDS[command], positional)) || [];
  return choices;
}

function isPublicCommand(word: string): boolean {
  return Object.hasOwn(COMMANDS, word) && word !== '$0' && COMMANDS[word as keyof typeof COMMANDS].describe !== false;
}

function findOption(options: OptionInfo[], word: string): OptionInfo | undefined {
  const name = word.replace(/=.*$/, '');
  return options.find(
    (o) => `--${o.name}` === name || `--no-${o.name}` === name || o.short.some((s) => `-${s}` === name),
  );
}

async function valuesOf(option: OptionInfo, env: Env): Promise<string[]> {
  if (option.choices) return option.choices;
  return option.name === 'profile' ? profileNames(env) : [];
}

/**
 * The names of the executable files in PATH's directories that start with `prefix`, as bash's own command completion
 * offers them. Relative and empty PATH entries (the working directory) are left out: exec would run a program found
 * there, but offering one is a trap.
 */
function commandsOnPath(prefix: string, env: Env): string[] {
  const found = new Set<string>();
  for (const dir of (env.PATH ?? '').split(':')) {
    if (!isAbsolute(dir)) continue;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.startsWith(prefix) || found.has(name) || found.size >= 10000) continue;
      try {
        const path = join(dir, name);
        if (statSync(path).isFile()) {
          accessSync(path, constants.X_OK);
          found.add(name);
        }
      } catch {
        // gone, or not ours to run
      }
    }
  }
  return [...found].sort();
}

/** Every profile name of the files; none when they cannot be read (completion never fails loudly). */
async function profileNames(env: Env): Promise<string[]> {
  try {
    return new ProfileSet(await loadConfigFiles(originalEnv(env))).names();
  } catch {
    return [];
  }
}

/**
 * bash hands over the line, not words: split it as bash would for the words that matter here (blanks, quotes,
 * backslashes), keeping the last word also as typed.
 */
export function lexLine(line: string): { tokens: string[]; rawLast: string } {
  const tokens: string[] = [];
  let word = '';
  let raw = '';
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      raw += c;
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) {
        word += line[++i];
        raw += line[i];
      } else word += c;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) tokens.push(word);
      word = '';
      raw = '';
      inWord = false;
    } else {
      inWord = true;
      raw += c;
      if (c === "'" || c === '"') quote = c;
      else if (c === '\\' && i + 1 < line.length) {
        word += line[++i];
        raw += line[i];
      } else word += c;
    }
  }
  tokens.push(inWord ? word : '');
  return { tokens, rawLast: inWord ? raw : '' };
}

/** Where readline cuts the word: its last word-break character that is neither quoted nor escaped. */
function lastBreak(raw: string, wordBreaks: string): number {
  let cut = -1;
  let quote: string | undefined;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '\\') {
      i++;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (wordBreaks.includes(c)) {
      cut = i;
    }
  }
  return cut;
}

function unquote(raw: string): string {
  return lexLine(raw).tokens.at(-1) ?? '';
}
