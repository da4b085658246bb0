// The IAM calls mfa-env makes (setup), bundled like stsSdk.ts into dist/iamSdk.js without the SDK's default
// credential chain, and loaded only by a command that calls IAM.
export { IAMClient, ListMFADevicesCommand } from '@aws-sdk/client-iam';
export type { ListMFADevicesCommandOutput } from '@aws-sdk/client-iam';
