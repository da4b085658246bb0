import { ExitCode, MfaEnvError } from '../../errors';

/** Names come from constant lists; checking anyway means no change to those lists can ever emit code. */
export function checkName(name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new MfaEnvError(`refusing to render variable name ${JSON.stringify(name)}`, ExitCode.internal);
}

/** A NUL cannot be stored in an environment variable, so no shell could receive such a value intact. */
export function checkValue(name: string, value: string): void {
  if (value.includes('\0'))
    throw new MfaEnvError(
      `the value for ${name} contains a NUL byte, which no environment variable can hold`,
      ExitCode.internal,
    );
}
