import type { CommandIo } from '../commandIo';
import { originalEnv } from '../env/envChange';
import { loadConfigFiles } from '../profiles/configFiles';
import { ProfileSet } from '../profiles/profileSet';
import { resolvePlan } from '../profiles/resolvePlan';
import { sessionCache } from '../session/cacheSettings';
import { forgetPlans } from '../session/planMemo';
import { show } from '../text/showText';
import { forgetShellProfiles } from './shellProfiles';

/**
 * `mfa-env forget [PROFILE]` and `--clear --forget`: deletes cached sessions, all of them or every one that could
 * give PROFILE credentials without a new code (its own, and the MFA session of its source profile).
 */
export async function forgetSessions(profile: string | undefined, io: Omit<CommandIo, 'stdin'>): Promise<void> {
  const env = originalEnv(io.env);
  const cache = sessionCache(env, io);
  let removed: number;
  if (profile === undefined) {
    removed = cache.forget();
    forgetPlans(cache);
    forgetShellProfiles(cache.dir);
  } else {
    const source = await sourceProfileOf(profile, env);
    removed = cache.forget(
      (e) => e.profile === profile || e.sourceProfile === profile || (e.kind === 'mfa' && e.sourceProfile === source),
    );
  }
  const what = profile === undefined ? '' : ` for profile ${show(profile)}`;
  io.say(`forgot ${removed} cached session${removed === 1 ? '' : 's'}${what}`);
}

// The config may have changed or broken since the session was cached: forgetting must still work by name.
async function sourceProfileOf(profile: string, env: CommandIo['env']): Promise<string | undefined> {
  try {
    // Only the name of the profile with the keys matters: keys in the keyring are taken as there, unread, so that
    // forgetting never opens (or asks to unlock) the keyring.
    const named = () => ({ accessKeyId: 'NAMEONLY00000000', secretAccessKey: '' });
    // No session name is made from `now` here: only the keys' profile is looked at.
    return resolvePlan(new ProfileSet(await loadConfigFiles(env)), profile, env, { keystore: named, now: new Date(0) })
      .keys.profile;
  } catch {
    return undefined;
  }
}
