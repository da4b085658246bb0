// `mfa-env keys add|list|remove`: long-term keys kept in the OS keyring instead of the AWS files, as aws-vault's
// add/list/remove. Moving keys that are in a file already is moveKeys.ts (import, export).

import type { CommandIo } from '../commandIo';
import { originalEnv } from '../env/envChange';
import { ConfigError, MfaInputError, UsageError } from '../errors';
import { KeyringUnavailable, openKeyring, type StoredKeys, storeConfirmed } from '../keys/keyring';
import { keyringChanged, readKeyringIndex, writeKeyringIndex } from '../keys/keyringIndex';
import { checkAccessKeyId, checkSecretAccessKey } from '../profiles/checks';
import { type ConfigFiles, loadConfigFiles } from '../profiles/configFiles';
import { ProfileSet } from '../profiles/profileSet';
import { keyOwner, keyringAccount, keysInFiles } from '../profiles/resolvePlan';
import { keyHint } from '../session/awsCall';
import { sessionCache } from '../session/cacheSettings';
import { askOnTerminal, openTerminal, readLines, stdinIsPiped } from '../session/mfaCode';
import { formatColumns } from '../text/columns';
import { show, showName } from '../text/showText';

/** What every keys command starts from: the files, the index's cache directory, and the profile's keyring account. */
export async function keysContext(name: string, action: string, io: Pick<CommandIo, 'env' | 'uid' | 'warn' | 'now'>) {
  const env = originalEnv(io.env);
  const files = await loadConfigFiles(env);
  const profiles = new ProfileSet(files);
  // Keys belong to the profile that has them: a role's are its source's.
  const owner = keyOwner(profiles, name);
  if (owner !== name) {
    throw new UsageError(
      `profile ${show(name)} is a role; it uses the keys of profile ${show(owner)}: mfa-env keys ${action} ${showName(owner)}`,
    );
  }
  const cache = sessionCache(env, io);
  return { files, profiles, cache, account: keyringAccount(name) };
}

export function whereKeys(files: ConfigFiles): string {
  return `${show(files.credentialsPath)} or ${show(files.configPath)}`;
}

/** `mfa-env keys add PROFILE`: asks for the keys (hidden) and keeps them in the OS keyring. */
export async function addKeys(name: string, io: CommandIo): Promise<void> {
  const { files, profiles, cache, account } = await keysContext(name, 'add', io);
  const inFiles = keysInFiles(profiles, name);
  if (inFiles) {
    // The files would win over the keyring: the new keys would never be used.
    throw new ConfigError(
      `profile ${show(name)} has keys (${keyHint(inFiles.accessKeyId)}) in ${whereKeys(files)} already; to move them into the OS keyring: mfa-env keys import ${showName(name)}`,
    );
  }
  // Before asking for anything: a keyring that cannot be used, or keys already there, are said first.
  const keyring = openKeyring(io.env);
  const held = keyring.get(account);
  if (held) {
    throw new ConfigError(
      `the OS keyring holds keys (${keyHint(held.accessKeyId)}) for profile ${show(account)} already; to replace them: mfa-env keys remove ${showName(account)}, then add them again`,
    );
  }
  const keys = await askForKeys(account, io.stdin);
  storeConfirmed(keyring, account, keys);
  keyringChanged(cache, account, true, io.warn);
  const missing =
    profiles.has(name) || profiles.has(`${name}-long-term`)
      ? ''
      : `; profile ${show(name)} is in neither AWS file yet: add [profile ${showName(name)}] with its mfa_serial to ${show(files.configPath)}`;
  io.say(`added the keys ${keyHint(keys.accessKeyId)} of profile ${show(account)} to the OS keyring${missing}`);
}

/** The key id and secret, typed at the terminal with input hidden, or two lines of piped input for scripts. */
async function askForKeys(account: string, stdin: NodeJS.ReadableStream): Promise<StoredKeys> {
  let id: string;
  let secret: string;
  const terminal = openTerminal();
  if (terminal) {
    try {
      id = await askOnTerminal(terminal, {
        prompt: `Access key id for profile ${showName(account)}:`,
        hidden: true,
        what: 'access key id',
      });
      secret = await askOnTerminal(terminal, { prompt: 'Secret access key:', hidden: true, what: 'secret access key' });
    } finally {
      terminal.close();
    }
  } else if (stdinIsPiped()) {
    [id = '', secret = ''] = await readLines(stdin, 2);
  } else {
    throw new MfaInputError(
      'mfa-env keys add asks for the keys on the terminal and there is none; run it in a terminal, or pipe the access key id and the secret access key in, one a line',
    );
  }
  return {
    accessKeyId: checkAccessKeyId(id.trim(), 'the access key id entered'),
    secretAccessKey: checkSecretAccessKey(secret.trim(), 'the secret access key entered'),
  };
}

/**
 * `mfa-env keys list`: the profiles whose keys the OS keyring holds, by key id's last 4 characters (never a secret),
 * and those the files hold keys for as well (the files win). Rebuilds the index the shell integration reads.
 */
export async function listKeys(io: CommandIo): Promise<string> {
  const keyring = openKeyring(io.env);
  const entries = keyring.entries().sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
  const env = originalEnv(io.env);
  const cache = sessionCache(env, io);
  // The list the shell functions go by, set right (entries removed or added by other means, a lost cache); written
  // only when it changes, since every shell makes its functions anew after it is written.
  const names = entries.filter((e) => e.keys).map((e) => e.account);
  const indexed = readKeyringIndex(cache);
  if (names.length !== indexed.size || names.some((name) => !indexed.has(name))) writeKeyringIndex(cache, names);
  if (entries.length === 0) {
    io.say(
      'the OS keyring holds no keys of mfa-env (mfa-env keys add PROFILE, or keys import PROFILE, puts them there)',
    );
    return '';
  }
  let profiles: ProfileSet | undefined;
  try {
    profiles = new ProfileSet(await loadConfigFiles(env));
  } catch {
    // A broken config does not hide what the keyring holds; the notes about the files are left out.
  }
  const table = [['PROFILE', 'ACCESS KEY', 'NOTE']];
  for (const { account, keys, problem } of entries) {
    let note = problem ?? '';
    if (keys && profiles) {
      try {
        const inFiles = keysInFiles(profiles, account);
        if (inFiles)
          note = `the AWS files hold keys (${keyHint(inFiles.accessKeyId)}) for it too, and win; mfa-env keys import ${showName(account)} finishes a move`;
      } catch {
        // what the files hold for it is broken: resolution says so when the profile is used
      }
    }
    table.push([showName(account), keys ? keyHint(keys.accessKeyId) : '-', note]);
  }
  return formatColumns(table);
}

/** `mfa-env keys remove PROFILE`: deletes the profile's keys from the OS keyring, once confirmed (or with --yes). */
export async function removeKeys(name: string, { yes = false }: { yes?: boolean }, io: CommandIo): Promise<void> {
  const { profiles, cache, account } = await keysContext(name, 'remove', io);
  const keyring = openKeyring(io.env);
  let held: StoredKeys | undefined;
  let unreadable = false;
  try {
    held = keyring.get(account);
  } catch (err) {
    // An entry that is not mfa-env's keys can still be removed; that is what its message says to do.
    if (err instanceof KeyringUnavailable || !(err instanceof ConfigError)) throw err;
    unreadable = true;
  }
  if (!held && !unreadable) throw new ConfigError(`the OS keyring holds no keys for profile ${show(account)}`);
  const what = held ? `the keys ${keyHint(held.accessKeyId)}` : 'the unreadable entry';
  if (!yes) {
    let elsewhere = false;
    try {
      elsewhere = keysInFiles(profiles, name) !== undefined;
    } catch {
      // broken in the files: not a copy to count on
    }
    const lost = held && !elsewhere ? ' They are in no AWS file, and IAM never shows a secret key again.' : '';
    if (!(await confirm(`Delete ${what} of profile ${showName(account)} from the OS keyring?${lost} [y/N]`))) {
      io.say('nothing removed');
      return;
    }
  }
  keyring.remove(account);
  keyringChanged(cache, account, false, io.warn);
  io.say(`removed ${what} of profile ${show(account)} from the OS keyring`);
}

async function confirm(question: string): Promise<boolean> {
  const terminal = openTerminal();
  if (!terminal)
    throw new MfaInputError('mfa-env keys remove asks for confirmation on the terminal and there is none; pass --yes');
  try {
    return /^y(es)?$/i.test((await askOnTerminal(terminal, { prompt: question, what: 'answer' })).trim());
  } finally {
    terminal.close();
  }
}
