import { basename } from 'node:path';
import { originalEnv } from '../env/envChange';
import { MfaEnvError } from '../errors';
import { keyringIndexPath, readKeyringIndex } from '../keys/keyringIndex';
import { configFilePaths, type Env, loadConfigFiles } from '../profiles/configFiles';
import { ProfileSet } from '../profiles/profileSet';
import { type Keystore, type Plan, resolvePlan, usesCredentialProcess } from '../profiles/resolvePlan';
import type { SessionCache } from '../session/cache';
import { type ListedProfile, recallListing, rememberListing } from '../session/listingMemo';
import { recordingEnv, signaturesOf } from '../session/memoInputs';
import { mfaSessionKey, roleSessionKey } from '../session/sessionKeys';
import { type ProfileListing, withTimesLeft } from './listingView';

/**
 * Every profile of both files, with what it needs and what is cached for it. One read of each file; none at all
 * while the memo of the last listing is still true (listingMemo.ts): only the session files are read for the times.
 */
export async function listProfiles(
  env: Env,
  cache: SessionCache | undefined,
  keystore: Keystore | undefined,
  now: number,
): Promise<ProfileListing[]> {
  const original = originalEnv(env);
  const rows = (cache && recallListing(cache, original)) ?? (await listFromFiles(original, cache, keystore));
  return withTimesLeft(rows, cache, now);
}

/** The rows worked out from the files, remembered for the next listing when the keyring had no part in them. */
async function listFromFiles(
  original: Env,
  cache: SessionCache | undefined,
  keystore?: Keystore,
): Promise<ListedProfile[]> {
  // Read through a recorder, so the memo can tell when it is no longer true; the signatures come before the reads.
  const recorded = recordingEnv(original);
  const paths = configFilePaths(recorded.env);
  // The keyring index tells which profiles mfa-env keeps keys for in the OS keyring: a listing that found no keys
  // there for profiles outside it holds for as long as the index is unchanged. Keys the keyring did give (or an
  // error) can change without any file changing: such a listing is not remembered.
  const signatures = signaturesOf([
    paths.configPath,
    paths.credentialsPath,
    ...(cache ? [keyringIndexPath(cache.dir)] : []),
  ]);
  const profiles = new ProfileSet(await loadConfigFiles(recorded.env));
  let keyringAnswered = false;
  let indexed: Set<string> | undefined;
  const asking: Keystore | undefined =
    keystore &&
    ((account) => {
      let keys: ReturnType<Keystore>;
      try {
        keys = keystore(account);
      } catch (err) {
        keyringAnswered = true;
        throw err;
      }
      indexed ??= cache ? readKeyringIndex(cache) : new Set();
      if (keys !== undefined || indexed.has(account)) keyringAnswered = true;
      return keys;
    });
  // Session names do not matter for a listing (nor are they remembered): a fixed user and time spare a system call
  // per role, and keep the rows free of the clock.
  const options = { userName: 'list', now: new Date(0), keystore: asking };
  const rows = profiles
    .names()
    .filter((name) => !name.endsWith('-long-term') || !profiles.has(name.slice(0, -'-long-term'.length)))
    .map((name): ListedProfile => {
      const own = profiles.get(name);
      if (own && usesCredentialProcess(own)) return { profile: name, kind: 'process' };
      let plan: Plan;
      try {
        plan = resolvePlan(profiles, name, recorded.env, options);
      } catch (err) {
        if (!(err instanceof MfaEnvError)) throw err;
        return { profile: name, problem: err.message };
      }
      const role = plan.roles.at(-1);
      const mfaFile = cache && basename(cache.fileFor(mfaSessionKey(plan)));
      return {
        profile: name,
        kind: role ? 'role' : 'user',
        source: plan.keys.profile,
        mfaSerial: plan.mfaSerial,
        roleArn: role?.roleArn,
        sessionFile: role ? cache && basename(cache.fileFor(roleSessionKey(plan))) : mfaFile,
        mfaSessionFile: role ? mfaFile : undefined,
      };
    });
  if (cache && !keyringAnswered) rememberListing(cache, signatures, recorded, rows);
  return rows;
}
