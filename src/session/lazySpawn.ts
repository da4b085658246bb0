import type { ChildProcess } from 'node:child_process';

/**
 * node:child_process's spawn, loaded at the first call: the session pipeline starts programs only for some code
 * sources (mfa_process, a desktop dialog), and loading the module costs every fresh session milliseconds.
 */
export function spawn(...args: Parameters<typeof import('node:child_process').spawn>): ChildProcess {
  return (require('node:child_process') as typeof import('node:child_process')).spawn(...args);
}
