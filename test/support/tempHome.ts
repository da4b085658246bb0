import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coverageEnv } from './coverageEnv';

export interface TempHome {
  home: string;
  configPath: string;
  credentialsPath: string;
  /** A clean environment pointing at this home, with the built mfa-env first on PATH and no AWS_* from the developer. */
  env: Record<string, string>;
  write(files: { config?: string; credentials?: string }): void;
  remove(): void;
}

/** A throwaway HOME with ~/.aws/config and ~/.aws/credentials, so no test reads the developer's files. */
export function tempHome(files: { config?: string; credentials?: string } = {}): TempHome {
  const home = mkdtempSync(join(tmpdir(), 'mfa-env-test-'));
  mkdirSync(join(home, '.aws'), { mode: 0o700 });
  const configPath = join(home, '.aws', 'config');
  const credentialsPath = join(home, '.aws', 'credentials');
  const bin = join(home, 'bin');
  mkdirSync(bin);
  symlinkSync(join(__dirname, '..', '..', 'dist', 'cli.js'), join(bin, 'mfa-env'));
  const t: TempHome = {
    home,
    configPath,
    credentialsPath,
    env: {
      PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: home,
      LANG: 'C.UTF-8',
      MFA_ENV_CACHE_DIR: join(home, '.cache', 'mfa-env'),
      ...coverageEnv(),
    },
    write({ config, credentials }) {
      if (config !== undefined) writeFileSync(configPath, config, { mode: 0o600 });
      if (credentials !== undefined) writeFileSync(credentialsPath, credentials, { mode: 0o600 });
    },
    remove: () => rmSync(home, { recursive: true, force: true }),
  };
  t.write(files);
  return t;
}
