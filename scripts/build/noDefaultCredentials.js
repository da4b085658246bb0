// Stands in for @aws-sdk/credential-provider-node in the bundled STS client (see src/session/stsSdk.ts): mfa-env
// always passes credentials, so the default chain is never asked; if it ever were, this says why it is missing.
export const defaultProvider = () => async () => {
  throw new Error('mfa-env passes credentials to every STS client; the default credential chain is not bundled');
};
