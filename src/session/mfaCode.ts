import { closeSync, fstatSync, openSync } from 'node:fs';
import { ReadStream, WriteStream } from 'node:tty';
import { InterruptedError, MfaInputError, UsageError, show } from '../errors';

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
const MAX_TRIES = 3;

/** Authenticator apps show `123 456`; that is still a code. */
export function normaliseCode(input: string): string {
  return input.replace(/[\s-]/g, '');
}

export function codeFromFlag(value: string): CodeSource {
  const code = normaliseCode(value);
  if (!CODE.test(code)) throw new UsageError('--token-code must be the 6-digit code from your MFA device');
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
  const input = new ReadStream(inFd);
  const output = new WriteStream(outFd);
  return {
    input,
    output,
    close() {
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
      const { read } = require('read') as typeof import('read');
      if (request.retry) terminal.output.write('AWS rejected that code; wait for the next one.\n');
      for (let tries = 1; ; tries++) {
        const answer = await untilEndOfInput(
          read({ input: terminal.input, output: terminal.output, prompt: `MFA code for ${printable(request.serial)}:`, silent: true, replace: '*' }),
          terminal,
        );
        const code = normaliseCode(answer);
        if (CODE.test(code)) return code;
        if (tries >= MAX_TRIES) throw new MfaInputError(`no valid MFA code for profile ${show(request.profile)} after ${MAX_TRIES} tries; a code is 6 digits`);
        terminal.output.write('An MFA code is 6 digits; try again.\n');
      }
    },
  };
}

/** For scripts: `echo 123456 | mfa-env PROFILE` when there is no terminal. One line, one try. */
export function codeFromStdin(stdin: NodeJS.ReadableStream): CodeSource {
  return {
    name: 'standard input',
    attempts: 1,
    async next(request) {
      const line = await readLine(stdin);
      if (line === undefined) throw new MfaInputError(`no MFA code on standard input for profile ${show(request.profile)}; pass --token-code CODE`);
      const code = normaliseCode(line);
      if (!CODE.test(code)) throw new MfaInputError(`the line on standard input is not a 6-digit MFA code (profile ${show(request.profile)})`);
      return code;
    },
  };
}

/**
 * The code source when no code was given: the terminal (opened only when a code is really needed, so a cached
 * session never touches it), else piped stdin, else an error that says how to pass one (`hint`, when the caller
 * knows better than the usual advice what works where it runs).
 */
export function interactiveCodeSource(stdin: NodeJS.ReadableStream, hint?: string): CodeSource {
  let chosen: CodeSource | undefined;
  let terminal: Terminal | undefined;
  const choose = (): CodeSource => {
    if (chosen) return chosen;
    terminal = openTerminal();
    chosen = terminal ? codeFromTerminal(terminal) : stdinIsPiped() ? codeFromStdin(stdin) : noCodeSource(undefined, hint);
    return chosen;
  };
  return {
    name: 'interactive',
    get attempts() {
      return choose().attempts;
    },
    next: (request) => choose().next(request),
    close: () => terminal?.close(),
  };
}

export function noCodeSource(why = 'there is no terminal to ask on', hint = 'pass --token-code CODE or pipe the code on stdin'): CodeSource {
  return {
    name: 'none',
    attempts: 1,
    asksNobody: true,
    next: async (request) => {
      throw new MfaInputError(`profile ${show(request.profile)} needs an MFA code and ${why}; ${hint}`);
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
  let text = '';
  for await (const chunk of stream) {
    text += chunk.toString();
    const end = text.indexOf('\n');
    if (end >= 0) return text.slice(0, end).replace(/\r$/, '');
    if (text.length > 1024) break;
  }
  return text === '' ? undefined : text;
}

/**
 * `read` settles on a line or Ctrl-C, but when the user ends input (Ctrl-D) readline just closes, and the promise
 * would never settle. readline pauses its input whenever it closes; a pause that leaves the answer unsettled is the
 * end of input. Either way the terminal line is ended, so the next message starts on a line of its own.
 */
function untilEndOfInput(answer: Promise<string>, terminal: Terminal): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const onPause = () =>
      setImmediate(() => {
        if (settled) return;
        settled = true;
        terminal.output.write('\n');
        reject(new MfaInputError('no MFA code entered (end of input)'));
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
        reject(err.message === 'canceled' ? new InterruptedError('cancelled at the MFA prompt') : err);
      },
    );
  });
}

/** Terminal prompts show config values; control characters in them must not drive the terminal. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
