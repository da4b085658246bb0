import type * as IamSdk from './iamSdk';
import { call, clientOptions, type AwsTarget, type CallContext, type Credentials, type SdkClient } from './awsCall';

// Loaded only by the commands that call IAM.
function loadSdk(): typeof IamSdk {
  return require('./iamSdk') as typeof IamSdk;
}

/** The serial numbers of the MFA devices of the IAM user whose keys these are (allowed without MFA by the usual policy). */
export async function listMfaDevices(target: AwsTarget, keys: Credentials, context: CallContext): Promise<string[]> {
  const sdk = loadSdk();
  const client = new sdk.IAMClient(clientOptions(target, keys)) as unknown as SdkClient<IamSdk.ListMFADevicesCommandOutput>;
  const output = await call('IAM', 'ListMFADevices', client, new sdk.ListMFADevicesCommand({}), target, keys, context);
  return (output.MFADevices ?? []).map((d) => d.SerialNumber ?? '');
}
