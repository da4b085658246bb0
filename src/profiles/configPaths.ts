import { join } from 'node:path';

export type Env = Readonly<Record<string, string | undefined>>;

/** Where the AWS CLI and SDKs look: `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/`. */
export function configFilePaths(env: Env): { configPath: string; credentialsPath: string } {
  const home = env.HOME || env.USERPROFILE || homeOfUser();
  const expand = (p: string) => (p.startsWith('~/') ? join(home, p.slice(2)) : p);
  return {
    configPath: expand(env.AWS_CONFIG_FILE || join(home, '.aws', 'config')),
    credentialsPath: expand(env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials')),
  };
}

/** The home directory from the user database, for the rare run without HOME (loading `os` costs the hot path). */
export function homeOfUser(): string {
  return (require('node:os') as typeof import('node:os')).homedir();
}
