// Where a profile's long-term access keys are kept, and the one place that reads and replaces them there (rotate).
// Today that is a section of the credentials or config file; another store (an OS keyring) fits behind the same
// two functions.
import { ConfigError, show } from '../errors';
import type { AwsFileKind } from './configFiles';
import { editProfile, sectionHeader } from './editIniFile';
import type { ProfileSet } from './profileSet';
import { standingOf } from './resolvePlan';

export interface AccessKeyPair {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The keys a profile stands on, and where they are: the profile whose section holds them, in which file. */
export interface StoredKeys extends AccessKeyPair {
  profile: string;
  kind: AwsFileKind;
  path: string;
}

/** The keys `name` stands on (its own, its source profile's, or aws-mfa's `NAME-long-term`). */
export function findKeys(profiles: ProfileSet, name: string): StoredKeys {
  const { keys } = standingOf(profiles, name);
  const holder = profiles.require(keys.profile);
  const path = holder.fileOf('aws_access_key_id');
  // Replacing one half of a pair split over two files would leave the other half stale beside it.
  if (holder.fileOf('aws_secret_access_key') !== path) {
    throw new ConfigError(
      `the keys of profile ${show(keys.profile)} are split over two files (aws_access_key_id in ${show(path)}, aws_secret_access_key in ${show(holder.fileOf('aws_secret_access_key'))}); put both in one section, then try again`,
    );
  }
  const kind: AwsFileKind = path === profiles.files.credentialsPath ? 'credentials' : 'config';
  return { profile: keys.profile, kind, path, accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey };
}

/** `[demo-user] in "/home/me/.aws/credentials"`: where the keys are, as messages say it. */
export function describeStore(stored: StoredKeys): string {
  return `[${sectionHeader(stored.kind, stored.profile)}] in ${show(stored.path)}`;
}

/**
 * Replaces the keys where they were found, in place (every other byte kept, atomically, mode kept, checked by
 * re-parsing), and only if the keys there are still `stored`'s: a file changed in the meantime is left alone.
 * With `dryRun`, only finds out whether it could (a duplicate section, say, would make the SDKs read it otherwise).
 */
export async function replaceKeys(stored: StoredKeys, keys: AccessKeyPair, { dryRun = false } = {}): Promise<void> {
  await editProfile(stored.path, {
    kind: stored.kind,
    profile: stored.profile,
    keys: { aws_access_key_id: keys.accessKeyId, aws_secret_access_key: keys.secretAccessKey },
    dryRun,
    check(current) {
      if (current?.aws_access_key_id !== stored.accessKeyId || current.aws_secret_access_key !== stored.secretAccessKey) {
        throw new StoreChanged(`${describeStore(stored)} changed while mfa-env was rotating its key; it was left as it is now`);
      }
    },
  });
}

/** The keys were no longer where and what they were: someone else changed them; they are left as they are. */
export class StoreChanged extends ConfigError {}
