// Where a profile's long-term access keys are kept, and the one place that reads and replaces them there (rotate):
// a section of the credentials or config file, or the OS keyring (`mfa-env keys`).
import { ConfigError } from '../errors';
import type { AwsFileKind } from '../profiles/configFiles';
import type { Env } from '../profiles/configPaths';
import { prepareEdit, sectionHeader } from '../profiles/editIniFile';
import type { ProfileSet } from '../profiles/profileSet';
import { type Keystore, keyringAccount, standingOf } from '../profiles/resolvePlan';
import { show } from '../text/showText';
import type * as KeyringModule from './keyring';

export interface AccessKeyPair {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Where the keys are: a profile's section of one of the AWS files, or the keyring's entry for an account. */
export type KeyHome = { store: 'file'; kind: AwsFileKind; path: string } | { store: 'keyring'; account: string };

/** The keys a profile stands on, the profile whose keys they are, and where they are kept. */
export interface StoredKeys extends AccessKeyPair {
  profile: string;
  home: KeyHome;
}

/** The keys `name` stands on (its own, its source profile's, or aws-mfa's `NAME-long-term`), from the files or the keyring. */
export function findKeys(profiles: ProfileSet, name: string, keystore?: Keystore): StoredKeys {
  const { keys } = standingOf(profiles, name, keystore);
  const pair = { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey };
  if (keys.inKeyring)
    return { profile: keys.profile, home: { store: 'keyring', account: keyringAccount(keys.profile) }, ...pair };
  const holder = profiles.require(keys.profile);
  const path = holder.fileOf('aws_access_key_id');
  // Replacing one half of a pair split over two files would leave the other half stale beside it.
  if (holder.fileOf('aws_secret_access_key') !== path) {
    throw new ConfigError(
      `the keys of profile ${show(keys.profile)} are split over two files (aws_access_key_id in ${show(path)}, aws_secret_access_key in ${show(holder.fileOf('aws_secret_access_key'))}); put both in one section, then try again`,
    );
  }
  const kind: AwsFileKind = path === profiles.files.credentialsPath ? 'credentials' : 'config';
  return { profile: keys.profile, home: { store: 'file', kind, path }, ...pair };
}

/** `[demo-user] in "/home/me/.aws/credentials"`, `the OS keyring (profile "demo-user")`: where the keys are, as messages say it. */
export function describeStore(stored: StoredKeys): string {
  const { home } = stored;
  return home.store === 'keyring'
    ? `the OS keyring (profile ${show(home.account)})`
    : `[${sectionHeader(home.kind, stored.profile)}] in ${show(home.path)}`;
}

/**
 * Replaces the keys where they were found, and only if the keys there are still `stored`'s (a store changed in the
 * meantime is left alone): a file in place (every other byte kept, atomically, mode kept, checked by re-parsing), the
 * keyring's entry stored and read back. With `dryRun`, only finds out whether it could (a duplicate section, say,
 * would make the SDKs read the file otherwise; the keyring must be reachable).
 */
export async function replaceKeys(
  stored: StoredKeys,
  keys: AccessKeyPair,
  { env, dryRun = false }: { env: Env; dryRun?: boolean },
): Promise<void> {
  const changed = () =>
    new StoreChanged(`${describeStore(stored)} changed while mfa-env was rotating its key; it was left as it is now`);
  const { home } = stored;
  if (home.store === 'keyring') {
    const keyring = require('./keyring') as typeof KeyringModule;
    const store = keyring.openKeyring(env);
    const current = store.get(home.account);
    if (!current || !keyring.sameKeys(current, stored)) throw changed();
    if (!dryRun) keyring.storeConfirmed(store, home.account, keys);
    return;
  }
  const edit = await prepareEdit(home.path, {
    kind: home.kind,
    profile: stored.profile,
    keys: { aws_access_key_id: keys.accessKeyId, aws_secret_access_key: keys.secretAccessKey },
    check(current) {
      if (current?.aws_access_key_id !== stored.accessKeyId || current.aws_secret_access_key !== stored.secretAccessKey)
        throw changed();
    },
  });
  if (!dryRun) edit.write();
}

/** The keys were no longer where and what they were: someone else changed them; they are left as they are. */
export class StoreChanged extends ConfigError {}
