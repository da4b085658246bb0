import { isAbsolute, join } from 'node:path';

export type Env = Readonly<Record<string, string | undefined>>;

/** Where the AWS CLI and SDKs look: `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/`. */
export function configFilePaths(env: Env): { configPath: string; credentialsPath: string } {
  const home = homeDir(env);
  const expand = (p: string) => (p.startsWith('~/') ? join(home, p.slice(2)) : p);
  return {
    configPath: expand(env.AWS_CONFIG_FILE || join(home, '.aws', 'config')),
    credentialsPath: expand(env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials')),
  };
}

/**
 * HOME when it is an absolute path, else the home directory from the user database. A relative or empty HOME would
 * make the AWS files and the cache relative to whatever directory mfa-env runs in, where anyone could plant them.
 */
export function homeDir(env: Env): string {
  for (const home of [env.HOME, env.USERPROFILE]) if (home && isAbsolute(home)) return home;
  return homeOfUser();
}

/** The home directory from the user database (not HOME), loaded only when needed: `os` costs the hot path. */
export function homeOfUser(): string {
  return (require('node:os') as typeof import('node:os')).userInfo().homedir;
}
