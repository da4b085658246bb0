// A program that uses the JS SDK v3 as an application would: one STS client with the default credential chain
// (which reads AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN), kept for its whole life.
// For each line on stdin it calls GetCallerIdentity and prints one JSON line: {"ok":true,"arn":..,"accessKeyId":..}
// (the key the SDK signed with), or {"ok":false,"error":..}. It ends when stdin ends.
//
//   node sdkConsumer.js STS_ENDPOINT REGION
const { createInterface } = require('node:readline');
const { GetCallerIdentityCommand, STSClient } = require('@aws-sdk/client-sts');

const [endpoint, region] = process.argv.slice(2);
const client = new STSClient({ endpoint, region, maxAttempts: 1 });

const lines = createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on('line', () => {
  queue = queue.then(async () => {
    try {
      const out = await client.send(new GetCallerIdentityCommand({}));
      const credentials = await client.config.credentials();
      process.stdout.write(`${JSON.stringify({ ok: true, arn: out.Arn, accessKeyId: credentials.accessKeyId })}\n`);
    } catch (err) {
      process.stdout.write(`${JSON.stringify({ ok: false, error: `${err.name}: ${err.message}` })}\n`);
    }
  });
});
lines.on('close', () => queue.then(() => client.destroy()));
