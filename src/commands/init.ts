import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { quoteFish } from '../env/formats/fish';
import { quoteSh } from '../env/formats/sh';
import { ExitCode, MfaEnvError } from '../errors';
import type { IntegrationShell } from '../integration/shellTable';

/**
 * `mfa-env init SHELL`: the line that loads the integration, to add to the rc file. The same line is code, so
 * `eval "$(mfa-env init bash)"` works too; sourcing the file directly saves starting Node with every shell.
 */
export function initLine(shell: IntegrationShell, shellDir: string): string {
  const file = join(shellDir, `mfa-env.${shell}`);
  if (!existsSync(file))
    throw new MfaEnvError(`the ${shell} integration is missing from this installation (${file})`, ExitCode.internal);
  return `source ${shell === 'fish' ? quoteFish(file) : quoteSh(file)}\n`;
}
