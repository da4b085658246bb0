// `mfa-env keys import|export PROFILE`: moves a profile's long-term keys between the AWS files and the OS keyring, in
// an order that leaves them in one place or both, never in neither, wherever the run is stopped (kill -9 included):
// import stores them in the keyring and reads them back before their lines leave the files; export empties the
// keyring only once the credentials file holds them. Run again after an interruption, either finishes the move.

import type { CommandIo } from '../commandIo';
import { ConfigError } from '../errors';
import { removeLeftoverTemps } from '../files/atomicWrite';
import { openKeyring, sameKeys, storeConfirmed } from '../keys/keyring';
import { keyringChanged } from '../keys/keyringIndex';
import { checkSecretAccessKey } from '../profiles/checks';
import type { ConfigFiles } from '../profiles/configFiles';
import { type PreparedEdit, prepareEdit } from '../profiles/editIniFile';
import { ProfileSet } from '../profiles/profileSet';
import { keySection, keysInFiles, type LongTermKeys } from '../profiles/resolvePlan';
import { keyHint } from '../session/awsCall';
import { show, showName } from '../text/showText';
import { keysContext, whereKeys } from './keys';

const KEY_NAMES = ['aws_access_key_id', 'aws_secret_access_key'] as const;

/** `mfa-env keys import PROFILE`: the keys of the profile's section (or aws-mfa's NAME-long-term) into the keyring. */
export async function importKeys(name: string, io: CommandIo): Promise<void> {
  const { files, profiles, cache, account } = await keysContext(name, 'import', io);
  const keys = keysInFiles(profiles, name);
  if (!keys)
    throw new ConfigError(
      `profile ${show(name)} has no keys in ${whereKeys(files)} to import; to type them in: mfa-env keys add ${showName(name)}`,
    );
  checkSecretAccessKey(keys.secretAccessKey, `aws_secret_access_key of profile ${show(keys.profile)}`);
  // The files as they will be, made and checked before anything is written anywhere.
  const edits = await removalEdits(files, keys);

  const keyring = openKeyring(io.env);
  const held = keyring.get(account);
  if (held && !sameKeys(held, keys)) {
    throw new ConfigError(
      `the OS keyring holds other keys (${keyHint(held.accessKeyId)}) for profile ${show(account)} than ${whereKeys(files)} (${keyHint(keys.accessKeyId)}); keep one pair: mfa-env keys remove ${showName(account)}, or delete the file's by hand`,
    );
  }
  // Equal keys there already: an import that was stopped after this step; it is finished now.
  if (!held) storeConfirmed(keyring, account, keys);
  keyringChanged(cache, account, true, io.warn);

  for (const edit of edits) {
    const { path } = edit;
    try {
      edit.write();
    } catch (err) {
      throw new ConfigError(
        `${(err as Error).message}; the keys are in the OS keyring as well now: run mfa-env keys import ${showName(name)} again to finish`,
      );
    }
    // A copy of the file left by a write killed halfway holds the keys: it goes, however young.
    removeLeftoverTemps(path, { holding: keys.secretAccessKey });
  }
  io.say(
    `moved the keys ${keyHint(keys.accessKeyId)} of profile ${show(keys.profile)} from ${edits.map((e) => show(e.path)).join(' and ')} into the OS keyring`,
  );
  const others = profiles
    .names()
    .filter(
      (other) => other !== keys.profile && profiles.get(other)?.settings.aws_secret_access_key === keys.secretAccessKey,
    );
  if (others.length)
    io.warn(
      `the same secret key is still in the AWS files under profile ${others.map(show).join(', ')}; import ${others.length === 1 ? 'it' : 'them'} too`,
    );
}

/** `mfa-env keys export PROFILE`: the keys from the keyring back into the credentials file, for leaving mfa-env. */
export async function exportKeys(name: string, io: CommandIo): Promise<void> {
  const { files, profiles, cache, account } = await keysContext(name, 'export', io);
  const keyring = openKeyring(io.env);
  const stored = keyring.get(account);
  if (!stored) throw new ConfigError(`the OS keyring holds no keys for profile ${show(account)}`);
  const inFiles = keysInFiles(profiles, name);
  if (inFiles && !sameKeys(inFiles, stored)) {
    throw new ConfigError(
      `profile ${show(name)} has other keys (${keyHint(inFiles.accessKeyId)}) in ${whereKeys(files)} than the OS keyring (${keyHint(stored.accessKeyId)}); keep one pair: mfa-env keys remove ${showName(account)}, or delete the file's by hand`,
    );
  }
  const section = keySection(profiles, name);
  // Equal keys in the file already: an export that was stopped after writing it; it is finished now.
  if (!inFiles) {
    const keys = { aws_access_key_id: stored.accessKeyId, aws_secret_access_key: stored.secretAccessKey };
    const edit = await prepareEdit(files.credentialsPath, { kind: 'credentials', profile: section, keys });
    // And resolution will take them from there (a config-file key of the same name is shadowed by this file's).
    const back = keysInFiles(new ProfileSet({ ...files, credentials: edit.sections }), name);
    if (!back || !sameKeys(back, stored)) {
      throw new ConfigError(
        `the keys cannot be written to [${section}] of ${show(files.credentialsPath)} so that profile ${show(name)} uses them; nothing was changed`,
      );
    }
    edit.write();
  }
  keyring.remove(account);
  keyringChanged(cache, account, false, io.warn);
  io.say(
    `moved the keys ${keyHint(stored.accessKeyId)} of profile ${show(account)} from the OS keyring into [${showName(section)}] of ${show(files.credentialsPath)}`,
  );
}

/**
 * The files with the key lines of the keys' section removed, made and checked (prepareEdit: the SDKs read every
 * other section and key as before, and no key of this section is left), not yet written.
 */
async function removalEdits(files: ConfigFiles, keys: LongTermKeys): Promise<PreparedEdit[]> {
  const holder = keys.profile;
  const edits: PreparedEdit[] = [];
  for (const [kind, path] of [
    ['credentials', files.credentialsPath],
    ['config', files.configPath],
  ] as const) {
    const section = Object.hasOwn(files[kind], holder) ? files[kind][holder] : undefined;
    if (!section || KEY_NAMES.every((key) => section[key] === undefined)) continue;
    // Keys a file holds that differ from the ones in use (shadowed by the credentials file) would be lost.
    if (
      KEY_NAMES.some(
        (key) =>
          section[key] !== undefined &&
          section[key] !== (key === 'aws_access_key_id' ? keys.accessKeyId : keys.secretAccessKey),
      )
    ) {
      throw new ConfigError(
        `profile ${show(holder)} has two different pairs of keys, in ${show(files.credentialsPath)} and ${show(files.configPath)}; delete the one not in use first`,
      );
    }
    edits.push(
      await prepareEdit(path, {
        kind,
        profile: holder,
        keys: { aws_access_key_id: null, aws_secret_access_key: null },
      }),
    );
  }
  return edits;
}
