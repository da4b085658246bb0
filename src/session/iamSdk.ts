// The IAM calls mfa-env makes (setup, rotate), bundled like stsSdk.ts into dist/iamSdk.js without the SDK's default
// credential chain, and loaded only by a command that calls IAM.

export type {
  CreateAccessKeyCommandOutput,
  ListAccessKeysCommandOutput,
  ListMFADevicesCommandOutput,
} from '@aws-sdk/client-iam';
export {
  CreateAccessKeyCommand,
  DeleteAccessKeyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
} from '@aws-sdk/client-iam';
