import type { CommandIo } from '../commandIo';
import { originalEnv } from '../env/envChange';
import { AwsRefusedError, ConfigError, ExitCode, MfaEnvError, NetworkError, UsageError } from '../errors';
import {
  type AccessKeyPair,
  describeStore,
  findKeys,
  replaceKeys,
  StoreChanged,
  type StoredKeys,
} from '../keys/keyHome';
import { keystoreFor } from '../keys/keystore';
import { durationOption, timeoutMs } from '../profiles/duration';
import { serviceEndpoint } from '../profiles/endpoints';
import { type Plan, standingOf } from '../profiles/resolvePlan';
import { type AwsTarget, type CallContext, type Credentials, keyHint } from '../session/awsCall';
import { openCache } from '../session/cacheSettings';
import { type AccessKeyInfo, createAccessKey, deleteAccessKey, listAccessKeys, UnusableKeyError } from '../session/iam';
import { entryFor } from '../session/obtainSession';
import { mfaSessionKey } from '../session/sessionKeys';
import { type SessionArgs, sessionFor } from '../session/sessionSource';
import { getCallerIdentity } from '../session/sts';
import { rfc3339 } from '../text/rfc3339';
import { show, showName } from '../text/showText';

export interface RotateArgs extends Omit<SessionArgs, 'format' | 'duration'> {
  /** How long to wait for IAM to make the new key usable. */
  wait?: string;
}

/** IAM makes a new key usable within seconds, as a rule; a minute is plenty, and `--wait` gives more. */
const DEFAULT_KEY_WAIT_S = 60;
const MAX_KEY_WAIT_S = 600;
/** IAM's limit of access keys per user. */
const MAX_KEYS = 2;

/**
 * `mfa-env rotate PROFILE`: replaces the long-term access key the profile stands on, never leaving the user without
 * a working key where it is stored. With the user's MFA session (the MFA-enforcing policy denies key management
 * without MFA), in this order, each step only once the last one succeeded:
 *
 *   1. GetCallerIdentity with the stored key: whose it is, and whether it works; ListAccessKeys: it must be one of
 *      the user's keys, and the user must have room for another (IAM allows 2; with 2 nothing is done).
 *   2. CreateAccessKey. Never retried once it may have reached IAM; after a lost answer the keys are listed again
 *      and a key that appeared (whose secret was lost with the answer) is deleted.
 *   3. GetCallerIdentity with the new key until AWS accepts it (IAM takes a few seconds), within --wait.
 *   4. The new key replaces the old one where it was stored (keys/keyHome.ts: a file in place, atomically, checked; or the OS keyring, read back).
 *   5. DeleteAccessKey of the old key.
 *
 * A failure in 2-4 deletes the new key again, so the user is where they started; a failure in 5 leaves the new key
 * stored and the old one in IAM. Killed between any two steps, the store holds the old key or the new one (the
 * write is atomic), whichever it holds works, and the next run finds the extra key in IAM and says what to do.
 * Every failure says which key is stored, whether it works, and what is left to clean up.
 */
export async function rotate(args: RotateArgs, io: CommandIo): Promise<void> {
  const waitS = args.wait === undefined ? DEFAULT_KEY_WAIT_S : durationOption(args.wait, '--wait');
  if (waitS > MAX_KEY_WAIT_S) throw new UsageError(`--wait is at most ${MAX_KEY_WAIT_S / 60} minutes`);
  const timeout = timeoutMs(args.timeout as number | undefined);

  let stored: StoredKeys | undefined;
  let iam: AwsTarget | undefined;
  let userProfile = '';
  const { plan, session } = await sessionFor(args, io, {
    userSession: true,
    // Where the keys are and whether they can be replaced there is settled before a code is asked for.
    async check(plan, profiles) {
      const keystore = keystoreFor(originalEnv(io.env), io);
      const standing = standingOf(profiles, plan.profile, keystore);
      stored = findKeys(profiles, plan.profile, keystore);
      // A store the new key could not be written into is found out now, not after IAM has made the key.
      await replaceKeys(
        stored,
        { accessKeyId: 'AKIA0000000000000000', secretAccessKey: '0'.repeat(40) },
        { env: io.env, dryRun: true },
      );
      userProfile = standing.chain.length ? plan.keys.profile : plan.profile;
      iam = {
        region: plan.stsRegion,
        endpoint: serviceEndpoint('iam', originalEnv(io.env), { profiles, lineage: standing.lineage }),
      };
    },
  });
  const rotation = new Rotation(
    plan,
    stored!,
    iam!,
    session.credentials,
    userProfile,
    { profile: plan.profile, timeoutMs: timeout, debug: io.debug },
    io,
  );
  const made = await rotation.run(waitS * 1000);

  // An STS session cannot be revoked and outlives the key that made it, so the cached MFA session serves the new key
  // as well: the next session needs no code.
  const cache = openCache(args.cache, originalEnv(io.env), io);
  const newPlan: Plan = {
    ...plan,
    keys: { ...plan.keys, accessKeyId: made.accessKeyId, secretAccessKey: made.secretAccessKey },
  };
  try {
    cache?.put(mfaSessionKey(newPlan), entryFor(newPlan, 'mfa', session.credentials, undefined, new Date(io.now())));
  } catch {
    // a convenience: without it, the next session asks for a code
  }
}

/** One rotation, its state as it goes, and the words for it. */
class Rotation {
  private readonly sts: AwsTarget;
  /** Whose the stored key is (its ARN and IAM user name), and whether AWS takes it: found out by preflight(). */
  private arn = '';
  private userName = '';
  private oldWorks = false;

  constructor(
    private readonly plan: Plan,
    private readonly stored: StoredKeys,
    private readonly iam: AwsTarget,
    private readonly mfa: Credentials,
    private readonly userProfile: string,
    private readonly context: CallContext,
    private readonly io: CommandIo,
  ) {
    this.sts = { region: plan.stsRegion, endpoint: plan.endpoint };
  }

  async run(waitMs: number): Promise<AccessKeyPair> {
    const old = this.stored;
    const before = await this.preflight();
    this.io.say(
      `rotating access key ${keyHint(old.accessKeyId)} of IAM user ${showName(this.userName)} (${describeStore(old)})`,
    );

    let made: AccessKeyPair;
    try {
      made = await createAccessKey(this.iam, this.mfa, this.userName, this.context);
    } catch (err) {
      throw await this.afterFailedCreate(err, before);
    }
    this.io.say(`created access key ${keyHint(made.accessKeyId)}; waiting for AWS to accept it`);

    try {
      await this.prove(made, waitMs);
      await replaceKeys(old, made, { env: this.io.env });
    } catch (err) {
      // Changed by someone else: what it holds now is theirs, and not for this message to vouch for.
      const stored = err instanceof StoreChanged ? `the new key was not written` : this.oldStillStored();
      throw withState(err, `${stored}; ${await this.removeNew(made.accessKeyId)}`);
    }
    this.io.say(`wrote access key ${keyHint(made.accessKeyId)} to ${describeStore(old)}`);

    try {
      await deleteAccessKey(this.iam, this.mfa, this.userName, old.accessKeyId, this.context);
    } catch (err) {
      throw withState(
        err,
        `${describeStore(old)} now holds the new key ${keyHint(made.accessKeyId)}, which works; the old key ${keyHint(old.accessKeyId)} is still in IAM: ${this.deleteAdvice(old.accessKeyId)}`,
      );
    }
    this.io.say(
      `rotated: ${describeStore(old)} holds access key ${keyHint(made.accessKeyId)}, which works; the old key ${keyHint(old.accessKeyId)} is deleted`,
    );
    return made;
  }

  /** Whose the stored key is, whether it works, and whether the user has room for another key. */
  private async preflight(): Promise<AccessKeyInfo[]> {
    const old = this.stored;
    let arn: string;
    try {
      arn = (await getCallerIdentity(this.sts, old, this.context)).arn;
      this.oldWorks = true;
    } catch (err) {
      if (!(err instanceof AwsRefusedError)) throw withState(err, `nothing was changed`);
      // A key AWS no longer takes can still be replaced: the MFA session says whose it was.
      arn = (
        await getCallerIdentity(this.sts, this.mfa, this.context).catch((e: unknown) =>
          Promise.reject(withState(e, 'nothing was changed')),
        )
      ).arn;
    }
    this.arn = arn;
    const name = /^arn:[\w-]+:iam::\d{12}:user\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,64})$/.exec(arn)?.[1];
    if (name === undefined) {
      throw new ConfigError(
        /:root$/.test(arn)
          ? `profile ${show(this.plan.profile)} holds the account root user's keys; rotate them in the console (Security credentials), not with temporary credentials`
          : `the keys of profile ${show(this.plan.profile)} belong to ${show(arn)}, not to an IAM user; nothing was changed`,
      );
    }
    this.userName = name;
    let keys: AccessKeyInfo[];
    try {
      keys = await listAccessKeys(this.iam, this.mfa, name, this.context);
    } catch (err) {
      throw withState(err, `nothing was changed; ${this.oldStillStored()}`);
    }
    if (!keys.some((k) => k.accessKeyId === old.accessKeyId)) {
      throw new ConfigError(
        `the key in ${describeStore(old)} (${keyHint(old.accessKeyId)}) is not one of IAM user ${showName(name)}'s keys (${keys.map((k) => keyHint(k.accessKeyId)).join(', ') || 'none'}); nothing was changed`,
      );
    }
    const others = keys.filter((k) => k.accessKeyId !== old.accessKeyId);
    if (keys.length >= MAX_KEYS) {
      const listed = others.map(
        (k) =>
          `${keyHint(k.accessKeyId)} (${k.status.toLowerCase() || 'status unknown'}${k.created ? `, created ${rfc3339(k.created)}` : ''})`,
      );
      throw new AwsRefusedError(
        `IAM user ${showName(name)} already has ${keys.length} access keys, the most AWS allows: ${this.oldStillStored()}, and ${listed.join(', ')} is not stored there ` +
          `(an interrupted rotate leaves the key it made); delete the one you do not use (${this.deleteAdvice(others[0].accessKeyId)}), then run rotate again; nothing was changed`,
        'LimitExceeded',
      );
    }
    return keys;
  }

  /**
   * CreateAccessKey failed. Refused: nothing was made. An answer that never came, or one that could not be used:
   * a key may have been made whose secret nobody has, and it is deleted.
   */
  private async afterFailedCreate(err: unknown, before: AccessKeyInfo[]): Promise<Error> {
    const unchanged = `nothing was changed: ${this.oldStillStored()}`;
    if (err instanceof UnusableKeyError && err.madeKeyId)
      return withState(err, `${this.oldStillStored()}; ${await this.removeNew(err.madeKeyId)}`);
    if (!(err instanceof NetworkError)) return withState(err, unchanged);
    let after: AccessKeyInfo[];
    try {
      after = await listAccessKeys(this.iam, this.mfa, this.userName, this.context);
    } catch {
      return withState(
        err,
        `${this.oldStillStored()}; IAM may have made a new key whose secret was lost: if IAM user ${showName(this.userName)} has a key other than ${keyHint(this.stored.accessKeyId)}, ${this.deleteAdvice()}`,
      );
    }
    const extra = after.filter((k) => !before.some((b) => b.accessKeyId === k.accessKeyId));
    if (extra.length === 0) return withState(err, unchanged);
    const removed = await Promise.all(extra.map((k) => this.removeNew(k.accessKeyId)));
    return withState(err, `${this.oldStillStored()}; ${removed.join('; ')}`);
  }

  /** Asks STS who the new key is until AWS accepts it: a new key is refused for a few seconds (IAM is eventually consistent). */
  private async prove(key: AccessKeyPair, waitMs: number): Promise<void> {
    const deadline = Date.now() + waitMs;
    const expected = this.arn;
    for (let delay = 250; ; delay = Math.min(delay * 2, 2000)) {
      try {
        const { arn } = await getCallerIdentity(this.sts, key, this.context);
        if (arn !== expected)
          throw new NetworkError(
            `STS says the new key ${keyHint(key.accessKeyId)} is ${show(arn)}'s, not ${show(expected)}'s`,
          );
        return;
      } catch (err) {
        const notYet =
          err instanceof AwsRefusedError &&
          (err.code === 'InvalidClientTokenId' || err.code === 'SignatureDoesNotMatch');
        if (!notYet) throw err;
        if (Date.now() + delay > deadline) {
          throw new AwsRefusedError(
            `AWS did not accept the new key ${keyHint(key.accessKeyId)} within ${Math.round(waitMs / 1000)} s (IAM takes a few seconds to make a key usable; --wait gives it longer)`,
            'KeyNotUsable',
          );
        }
        this.context.debug?.(
          `the new key ${keyHint(key.accessKeyId)} is not accepted yet; asking again in ${delay} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Deletes a key this run made and could not use; says how that went. */
  private async removeNew(accessKeyId: string): Promise<string> {
    try {
      await deleteAccessKey(this.iam, this.mfa, this.userName, accessKeyId, this.context);
      return `the new key ${keyHint(accessKeyId)} was deleted again`;
    } catch {
      return `the new key ${keyHint(accessKeyId)} is left in IAM, unused: ${this.deleteAdvice(accessKeyId)}`;
    }
  }

  private oldStillStored(): string {
    return `${describeStore(this.stored)} holds ${keyHint(this.stored.accessKeyId)}, ${this.oldWorks ? 'which works' : 'which AWS does not accept'}`;
  }

  /** How the user deletes a key by hand (with MFA, as the policy wants), naming it by its last characters only. */
  private deleteAdvice(accessKeyId?: string): string {
    const which = accessKeyId ? `the id ending ${accessKeyId.slice(-4)}` : 'its id';
    const aws = `mfa-env exec ${showName(this.userProfile)} -- aws iam`;
    return `delete it with ${aws} delete-access-key --user-name ${showName(this.userName)} --access-key-id ID, ID being ${which} (${aws} list-access-keys --user-name ${showName(this.userName)} shows the ids)`;
  }
}

/** The failure, with where things stand now appended: one line, the same exit code. */
function withState(err: unknown, state: string): MfaEnvError {
  if (err instanceof MfaEnvError) return new MfaEnvError(`${err.message}; ${state}`, err.exitCode);
  return new MfaEnvError(
    `unexpected error: ${JSON.stringify(err instanceof Error ? err.message : String(err))}; ${state}`,
    ExitCode.internal,
  );
}
