// Renders shell/mfa-env.{bash,zsh,fish} from the templates beside this file: what the files share with the
// TypeScript side (variable names, command names, the memo's file name and header, thresholds) is filled in from
// here, never typed into the shell code. `npm run build` writes shell/; a test fails when shell/ differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INTEGRATION_SHELLS } from '../env/formats';
import { EVAL_FD_VAR } from '../evalChannel';
import { type IntegrationShell, quotedDelegateLine, SHELL_TABLE } from './shellTable';
import { timeLeftCode } from './timeLeftCode';

/** Under this much time left the prompt turns yellow (red and "expiring" come from MFA_ENV_RENEW_AT). */
export const SOON_SECONDS = 15 * 60;

function values(shell: IntegrationShell): Record<string, string> {
  const { memoFile, memoHeader, quote } = SHELL_TABLE[shell];
  return {
    GENERATED: `Made from src/integration/templates/mfa-env.${shell} by \`npm run build\`: edit that, not this.`,
    SHELL_VAR: 'MFA_ENV_SHELL',
    EVAL_FD_VAR,
    SKIPPED_VAR: 'MFA_ENV_SKIPPED_FUNCTIONS',
    PROFILE_VAR: 'MFA_ENV_PROFILE',
    LABEL_VAR: 'MFA_ENV_PROFILE_LABEL',
    EXPIRES_VAR: 'MFA_ENV_EXPIRES_AT',
    RENEW_VAR: 'MFA_ENV_RENEW_AT',
    AUTO_RENEW_VAR: 'MFA_ENV_AUTO_RENEW',
    LOCK_WAIT_VAR: 'MFA_ENV_LOCK_WAIT',
    CACHE_DIR_VAR: 'MFA_ENV_CACHE_DIR',
    RENEW_ARGS: '--no-input',
    SOON_SECONDS: String(SOON_SECONDS),
    MEMO_FILE: memoFile,
    MEMO_HEADER_QUOTED: quote(memoHeader),
    PROFILES_COMMAND: '__profiles',
    COMPLETE_COMMAND: '__complete',
    DELEGATE_LINE_QUOTED: quotedDelegateLine(shell),
    TIME_LEFT_CODE: timeLeftCode(shell),
  };
}

/** One shell's integration file: its template with every @NAME@ filled in (an unknown name is a build error). */
export function renderIntegration(shell: IntegrationShell, templateDir = join(__dirname, 'templates')): string {
  const template = readFileSync(join(templateDir, `mfa-env.${shell}`), 'utf8');
  const table = values(shell);
  const value = (name: string) => {
    if (!Object.hasOwn(table, name)) throw new Error(`mfa-env.${shell}: no value for @${name}@`);
    return table[name];
  };
  // A placeholder alone on its line may stand for several lines: each gets that line's indentation.
  return template
    .replace(/^([ \t]*)@([A-Z][A-Z_]*)@$/gm, (_, indent: string, name: string) =>
      value(name)
        .split('\n')
        .map((line) => indent + line)
        .join('\n'),
    )
    .replace(/@([A-Z][A-Z_]*)@/g, (_, name: string) => value(name));
}

/** Writes shell/ (the build runs this from the repository root). */
export function writeIntegrationFiles(root: string): void {
  for (const shell of INTEGRATION_SHELLS) {
    writeFileSync(
      join(root, 'shell', `mfa-env.${shell}`),
      renderIntegration(shell, join(root, 'src', 'integration', 'templates')),
    );
  }
}

if (require.main === module) writeIntegrationFiles(process.argv[2] ?? process.cwd());
