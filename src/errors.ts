// Every failure the user can cause or meet is one of these; only the entry point turns them into a
// message on stderr and an exit status, so the codes live here and nowhere else.

export const ExitCode = {
  ok: 0,
  /** Something unexpected: a bug, or a fault we did not foresee. */
  internal: 1,
  /** Bad flags or arguments. */
  usage: 2,
  /** Config or credentials files: unreadable, unknown profile, missing key, bad value. */
  config: 3,
  /** No MFA code could be obtained: no terminal, bad format three times, end of input. */
  mfaInput: 4,
  /** AWS (STS, IAM) answered with an error: wrong code, invalid keys, access denied, expired token. */
  refused: 5,
  /** AWS could not be reached or did not answer sensibly: refused, reset, timeout, 5xx, garbage, too much. */
  network: 6,
  /** Ctrl-C, as a shell reports SIGINT. */
  interrupted: 130,
} as const;

/** Named codes, plus what `exec` passes on from the command it ran. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode] | number;

export class MfaEnvError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UsageError extends MfaEnvError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

export class ConfigError extends MfaEnvError {
  constructor(message: string) {
    super(message, ExitCode.config);
  }
}

export class MfaInputError extends MfaEnvError {
  constructor(message: string) {
    super(message, ExitCode.mfaInput);
  }
}

export class AwsRefusedError extends MfaEnvError {
  constructor(
    message: string,
    /** The AWS error code (`AccessDenied`, `ExpiredToken`, ...), for callers that react to it. */
    readonly code?: string,
  ) {
    super(message, ExitCode.refused);
  }
}

export class NetworkError extends MfaEnvError {
  constructor(message: string) {
    super(message, ExitCode.network);
  }
}

export class InterruptedError extends MfaEnvError {
  constructor(message = 'interrupted') {
    super(message, ExitCode.interrupted);
  }
}

/**
 * Quotes a value for an error message so that whatever a config file or server put in it (newlines, terminal
 * escapes) cannot break the one-line message or drive the user's terminal.
 */
export function show(value: string): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, unicodeEscape);
}

// C0, DEL, C1 and the Unicode line and paragraph separators: what can move the cursor, start an escape sequence or
// break a line on some terminal; and the bidirectional controls, which can make a line read other than it is
// (a profile name shown backwards).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * A name or value from a file or the environment in text for people (`list`, `status`): as it is when it is plain,
 * so ordinary names read as written; quoted by show() when it holds a control character.
 */
export function showName(value: string): string {
  return CONTROL.test(value) ? show(value) : value;
}

/** Whether a value holds any of those characters: what no credential or name shown to people may hold. */
export function hasControls(value: string): boolean {
  return CONTROL.test(value);
}

/** A sentence that may carry such a value unquoted (a message from below): each control character as `\uXXXX`. */
export function escapeControls(text: string): string {
  return text.replace(new RegExp(CONTROL.source, 'g'), unicodeEscape);
}

function unicodeEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
