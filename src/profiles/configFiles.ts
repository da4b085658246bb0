import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { externalDataInterceptor, loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import { ConfigError, show } from '../errors';

export type Env = Readonly<Record<string, string | undefined>>;
export type Section = Record<string, string>;

export interface ConfigFiles {
  configPath: string;
  credentialsPath: string;
  /** Sections of the config file by profile name (`[profile x]` is `x`); also `services.NAME` sections. */
  config: Record<string, Section>;
  /** Sections of the credentials file by name. */
  credentials: Record<string, Section>;
}

/** Where the AWS CLI and SDKs look: `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/`. */
export function configFilePaths(env: Env): { configPath: string; credentialsPath: string } {
  const home = env.HOME || env.USERPROFILE || homedir();
  const expand = (p: string) => (p.startsWith('~/') ? join(home, p.slice(2)) : p);
  return {
    configPath: expand(env.AWS_CONFIG_FILE || join(home, '.aws', 'config')),
    credentialsPath: expand(env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials')),
  };
}

/**
 * Reads both files and parses them with the SDK's own INI loader, so profiles mean here what they mean to the AWS
 * CLI. The loader swallows every read error (a typo'd path and a permission problem both look like "no
 * profiles"), so the files are read here first: a missing file is empty, any other failure names the file.
 */
export async function loadConfigFiles(env: Env): Promise<ConfigFiles> {
  const { configPath, credentialsPath } = configFilePaths(env);
  const [configText, credentialsText] = await Promise.all([readIfExists(configPath), readIfExists(credentialsPath)]);
  externalDataInterceptor.interceptFile(configPath, configText);
  externalDataInterceptor.interceptFile(credentialsPath, credentialsText);
  const parsed = await loadSharedConfigFiles({ configFilepath: configPath, filepath: credentialsPath });
  return {
    configPath,
    credentialsPath,
    config: parsed.configFile as Record<string, Section>,
    credentials: parsed.credentialsFile as Record<string, Section>,
  };
}

async function readIfExists(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return '';
    const why =
      code === 'EACCES' || code === 'EPERM'
        ? 'permission denied; check its owner and mode'
        : code === 'EISDIR'
          ? 'it is a directory, not a file'
          : `cannot read it (${code ?? 'unknown error'})`;
    throw new ConfigError(`${show(path)}: ${why}`);
  }
}
