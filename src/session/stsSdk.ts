// The part of the AWS SDK mfa-env uses, bundled on its own (dist/stsSdk.js, see package.json) and loaded only by
// a call to STS. The build leaves out the SDK's default credential chain (SSO, IMDS, ...): mfa-env always hands
// the client its credentials, and the chain would be most of what there is to load.

export type {
  AssumeRoleCommandOutput,
  Credentials,
  GetCallerIdentityCommandOutput,
  GetSessionTokenCommandOutput,
} from '@aws-sdk/client-sts';
export { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
