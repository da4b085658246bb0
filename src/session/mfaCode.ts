import { closeSync, fstatSync, openSync } from 'node:fs';
import type { ReadStream, WriteStream } from 'node:tty';
import { InterruptedError, MfaInputError, UsageError } from '../errors';
import { maskControls, show } from '../text/showText';

export interface CodeRequest {
  profile: string;
  serial: string;
  /** Set when AWS rejected the previous code, so the prompt can say so. */
  retry?: boolean;
}

/** Where MFA codes come from. `attempts` is how many codes it may be asked for (a flag has only one). */
export interface CodeSource {
  readonly name: string;
  readonly attempts: number;
  /** Getting a code asks no person or device (one given on the command line, or none to be had): it takes no time. */
  readonly asksNobody?: boolean;
  next(request: CodeRequest): Promise<string>;
  /** Releases the terminal, if one was opened. */
  close?(): void;
}

const CODE = /^\d{6}$/;
/** How often a person may get a code wrong (malformed) before giving up, at the terminal or in a dialog. */
export const MAX_TRIES = 3;

/** Authenticator apps show `123 456`; that is still a code. */
export function normaliseCode(input: string): string {
  return input.replace(/[\s-]/g, '');
}

/** The code in what a person typed or a program printed, or undefined when it is not 6 digits: the one rule for every source. */
export function parseCode(input: string): string | undefined {
  const code = normaliseCode(input);
  return CODE.test(code) ? code : undefined;
}

export function codeFromFlag(value: string): CodeSource {
  const code = parseCode(value);
  if (code === undefined) throw new UsageError('--token-code must be the 6-digit code from your MFA device');
  return { name: '--token-code', attempts: 1, asksNobody: true, next: async () => code };
}

export interface Terminal {
  input: ReadStream;
  output: WriteStream;
  close(): void;
}

/** The controlling terminal, even when stdin and stdout are pipes (as under `eval "$(...)"`), or undefined. */
export function openTerminal(): Terminal | undefined {
  let inFd: number | undefined;
  let outFd: number | undefined;
  try {
    inFd = openSync('/dev/tty', 'r');
    outFd = openSync('/dev/tty', 'w');
  } catch {
    if (inFd !== undefined) closeSync(inFd);
    return undefined;
  }
  // Loaded only when a terminal is opened: a code given with -t needs none.
  const tty = require('node:tty') as typeof import('node:tty');
  const input = new tty.ReadStream(inFd);
  const output = new tty.WriteStream(outFd);
  return {
    input,
    output,
    close() {
      // Closed in the middle of a prompt (exec --server ending while it asks): the terminal must not stay raw.
      if (input.isRaw) input.setRawMode(false);
      input.destroy();
      output.destroy();
    },
  };
}

/** Asks on the terminal with input hidden; a malformed code is refused there and asked again. */
export function codeFromTerminal(terminal: Terminal): CodeSource {
  return {
    name: 'terminal',
    attempts: MAX_TRIES,
    async next(request) {
      if (request.retry) terminal.output.write('AWS rejected that code; wait for the next one.\n');
      for (let tries = 1; ; tries++) {
        const answer = await askOnTerminal(terminal, {
          prompt: `MFA code for ${maskControls(request.serial)}:`,
          hidden: true,
          what: 'MFA code',
        });
        const code = parseCode(answer);
        if (code !== undefined) return code;
        if (tries >= MAX_TRIES)
          throw new MfaInputError(
            `no valid MFA code for profile ${show(request.profile)} after ${MAX_TRIES} tries; a code is 6 digits`,
          );
        terminal.output.write('An MFA code is 6 digits; try again.\n');
      }
    },
  };
}

/**
 * One answer typed at the terminal (`hidden`: shown as `*`). End of input (Ctrl-D) and Ctrl-C are errors that name
 * `what` was being asked for.
 */
export function askOnTerminal(
  terminal: Terminal,
  { prompt, hidden = false, what }: { prompt: string; hidden?: boolean; what: string },
): Promise<string> {
  const { read } = require('read') as typeof import('read');
  const options = hidden ? { silent: true, replace: '*' } : {};
  return untilEndOfInput(read({ input: terminal.input, output: terminal.output, prompt, ...options }), terminal, what);
}

/** For scripts: `echo 123456 | mfa-env PROFILE` when there is no terminal. One line, one try. */
export function codeFromStdin(stdin: NodeJS.ReadableStream): CodeSource {
  return {
    name: 'standard input',
    attempts: 1,
    async next(request) {
      const line = await readLine(stdin);
      if (line === undefined)
        throw new MfaInputError(
          `no MFA code on standard input for profile ${show(request.profile)}; pass --token-code CODE`,
        );
      const code = parseCode(line);
      if (code === undefined)
        throw new MfaInputError(
          `the line on standard input is not a 6-digit MFA code (profile ${show(request.profile)})`,
        );
      return code;
    },
  };
}

export interface InteractiveOptions {
  /** A desktop dialog (mfa_prompt), for when there is no terminal; made only then. */
  dialog?: () => CodeSource;
  /** Where a code may be read when there is neither; none (exec --server after the command started: stdin is its). */
  stdin?: NodeJS.ReadableStream;
  /** What to say when there is nothing to ask on. */
  none?: CodeSource;
  /** The advice when there is nothing to ask on, where the usual one does not work (under credential_process). */
  hint?: string;
}

/**
 * The code source when no code was given: the terminal (opened only when a code is really needed, so a cached
 * session never touches it), else the configured desktop dialog, else piped stdin, else an error that says how to
 * pass one (`hint`, when the caller knows better than the usual advice what works where it runs).
 */
export function interactiveCodeSource(options: InteractiveOptions): CodeSource {
  let chosen: CodeSource | undefined;
  let terminal: Terminal | undefined;
  const choose = (): CodeSource => {
    if (chosen) return chosen;
    terminal = openTerminal();
    chosen = terminal
      ? codeFromTerminal(terminal)
      : options.dialog
        ? options.dialog()
        : options.stdin && stdinIsPiped()
          ? codeFromStdin(options.stdin)
          : (options.none ?? noCodeSource(undefined, options.hint));
    return chosen;
  };
  return {
    name: 'interactive',
    get attempts() {
      return choose().attempts;
    },
    next: (request) => choose().next(request),
    close: () => {
      terminal?.close();
      chosen?.close?.();
    },
  };
}

export function noCodeSource(
  why = 'there is no terminal to ask on',
  advice = 'pass --token-code CODE or pipe the code on stdin',
): CodeSource {
  return {
    name: 'none',
    attempts: 1,
    asksNobody: true,
    next: async (request) => {
      throw new MfaInputError(`profile ${show(request.profile)} needs an MFA code and ${why}; ${advice}`);
    },
  };
}

/** Is fd 0 something a code can be read from (a pipe or a file), rather than a terminal or nothing? */
export function stdinIsPiped(): boolean {
  try {
    const stat = fstatSync(0);
    return stat.isFIFO() || stat.isFile() || stat.isSocket();
  } catch {
    return false;
  }
}

async function readLine(stream: NodeJS.ReadableStream): Promise<string | undefined> {
  return (await readLines(stream, 1))[0];
}

/** Up to `count` lines of piped input, without their line ends, reading no further than they need (1 KB a line at most). */
export async function readLines(stream: NodeJS.ReadableStream, count: number): Promise<string[]> {
  let text = '';
  for await (const chunk of stream) {
    text += chunk.toString();
    if (text.split('\n').length > count || text.length > 1024 * count) break;
  }
  const lines = text.split('\n');
  // What follows the last line end is a line only when it is not empty.
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.slice(0, count).map((line) => line.replace(/\r$/, ''));
}

/**
 * `read` settles on a line or Ctrl-C, but when the user ends input (Ctrl-D) readline just closes, and the promise
 * would never settle. readline pauses its input whenever it closes; a pause that leaves the answer unsettled is the
 * end of input. Either way the terminal line is ended, so the next message starts on a line of its own.
 */
function untilEndOfInput(answer: Promise<string>, terminal: Terminal, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const onPause = () =>
      setImmediate(() => {
        if (settled) return;
        settled = true;
        terminal.output.write('\n');
        reject(new MfaInputError(`no ${what} entered (end of input)`));
      });
    terminal.input.once('pause', onPause);
    answer.then(
      (value) => {
        settled = true;
        terminal.input.off('pause', onPause);
        resolve(value);
      },
      (err: Error) => {
        if (settled) return;
        settled = true;
        terminal.input.off('pause', onPause);
        terminal.output.write('\n');
        reject(err.message === 'canceled' ? new InterruptedError(`cancelled at the ${what} prompt`) : err);
      },
    );
  });
}
