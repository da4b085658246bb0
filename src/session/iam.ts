import { NetworkError } from '../errors';
import { isAccessKeyId, isSecretAccessKey } from '../profiles/checks';
import {
  type AwsTarget,
  type CallContext,
  type Credentials,
  call,
  clientOptions,
  describeTarget,
  type SdkClient,
} from './awsCall';
import type * as IamSdk from './iamSdk';

// Loaded only by the commands that call IAM.
function loadSdk(): typeof IamSdk {
  return require('./iamSdk') as typeof IamSdk;
}

function send<Output>(
  operation: string,
  command: unknown,
  target: AwsTarget,
  credentials: Credentials,
  context: CallContext,
  repeatable = true,
): Promise<Output> {
  const client = new (loadSdk().IAMClient)(clientOptions(target, credentials)) as unknown as SdkClient<Output>;
  return call('IAM', operation, client, command, target, credentials, context, false, repeatable);
}

/** The serial numbers of the MFA devices of the IAM user whose keys these are (allowed without MFA by the usual policy). */
export async function listMfaDevices(target: AwsTarget, keys: Credentials, context: CallContext): Promise<string[]> {
  const output = await send<IamSdk.ListMFADevicesCommandOutput>(
    'ListMFADevices',
    new (loadSdk().ListMFADevicesCommand)({}),
    target,
    keys,
    context,
  );
  return (output.MFADevices ?? []).map((d) => d.SerialNumber ?? '');
}

export interface AccessKeyInfo {
  accessKeyId: string;
  status: string;
  created?: Date;
}

/** IAM allows 2 access keys per user; a longer list is not an answer to act on. */
const MAX_KEYS_LISTED = 10;

/**
 * The access keys of IAM user `userName`. Temporary credentials (an MFA session) must name the user: IAM cannot
 * tell it from them.
 */
export async function listAccessKeys(
  target: AwsTarget,
  credentials: Credentials,
  userName: string,
  context: CallContext,
): Promise<AccessKeyInfo[]> {
  const command = new (loadSdk().ListAccessKeysCommand)({ UserName: userName });
  const output = await send<IamSdk.ListAccessKeysCommandOutput>(
    'ListAccessKeys',
    command,
    target,
    credentials,
    context,
  );
  const keys = (output.AccessKeyMetadata ?? []).map((k) => ({
    accessKeyId: k.AccessKeyId ?? '',
    status: k.Status ?? '',
    created: k.CreateDate,
  }));
  if (keys.length > MAX_KEYS_LISTED || keys.some((k) => !isAccessKeyId(k.accessKeyId))) {
    throw new NetworkError(
      `IAM at ${describeTarget(target, 'IAM')} answered ListAccessKeys with ${keys.length > MAX_KEYS_LISTED ? `${keys.length} keys` : 'a key id that is not one'}; nothing was changed`,
    );
  }
  return keys;
}

export interface NewAccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * A new access key for IAM user `userName`. Never retried once it may have reached IAM: a lost answer could mean a
 * key was made, and a second one would be another (the caller finds out with listAccessKeys).
 */
export async function createAccessKey(
  target: AwsTarget,
  credentials: Credentials,
  userName: string,
  context: CallContext,
): Promise<NewAccessKey> {
  const command = new (loadSdk().CreateAccessKeyCommand)({ UserName: userName });
  const output = await send<IamSdk.CreateAccessKeyCommandOutput>(
    'CreateAccessKey',
    command,
    target,
    credentials,
    context,
    false,
  );
  const accessKeyId = output.AccessKey?.AccessKeyId ?? '';
  const secretAccessKey = output.AccessKey?.SecretAccessKey ?? '';
  // Written into the user's credentials file: held to what that file's keys must be.
  if (!isAccessKeyId(accessKeyId) || !isSecretAccessKey(secretAccessKey)) {
    throw new UnusableKeyError(
      `IAM at ${describeTarget(target, 'IAM')} answered CreateAccessKey with a key mfa-env will not write into a credentials file`,
      isAccessKeyId(accessKeyId) ? accessKeyId : undefined,
    );
  }
  return { accessKeyId, secretAccessKey };
}

/** CreateAccessKey answered with a key that is not one; `madeKeyId` is the key IAM says it made, if readable. */
export class UnusableKeyError extends NetworkError {
  constructor(
    message: string,
    readonly madeKeyId: string | undefined,
  ) {
    super(message);
  }
}

/** Deletes one of the user's access keys; a key IAM no longer has counts as deleted (a retry after a lost answer). */
export async function deleteAccessKey(
  target: AwsTarget,
  credentials: Credentials,
  userName: string,
  accessKeyId: string,
  context: CallContext,
): Promise<void> {
  const command = new (loadSdk().DeleteAccessKeyCommand)({ UserName: userName, AccessKeyId: accessKeyId });
  try {
    await send('DeleteAccessKey', command, target, credentials, context);
  } catch (err) {
    if (/^NoSuchEntity(Exception)?$/.test((err as { code?: string }).code ?? '')) return;
    throw err;
  }
}
