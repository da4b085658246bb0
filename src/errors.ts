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
