// Where the console lands and how the sign-in URL is put together, per partition; what a path or destination may be.
import {
  accountSigninPage,
  consoleDestination,
  loginUrl,
  partitionOfArn,
  partitionOfRegion,
} from '../../../src/session/federation';

describe('consoleDestination', () => {
  it('is the console home, in the region when there is one, on the partition’s console', () => {
    expect(consoleDestination('aws', undefined, {})).toBe('https://console.aws.amazon.com/console/home');
    expect(consoleDestination('aws', 'eu-west-1', {})).toBe(
      'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1',
    );
    expect(consoleDestination('aws-cn', 'cn-north-1', { path: 's3' })).toBe(
      'https://cn-north-1.console.amazonaws.cn/s3?region=cn-north-1',
    );
    expect(consoleDestination('aws-us-gov', undefined, { path: 'iam/home' })).toBe(
      'https://console.amazonaws-us-gov.com/iam/home',
    );
  });

  it('keeps a path’s own query and fragment, and a region it already names', () => {
    expect(consoleDestination('aws', 'us-east-1', { path: 'ec2/home#Instances' })).toBe(
      'https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#Instances',
    );
    expect(consoleDestination('aws', 'us-east-1', { path: 's3/buckets?region=eu-west-1&tab=objects' })).toBe(
      'https://us-east-1.console.aws.amazon.com/s3/buckets?region=eu-west-1&tab=objects',
    );
  });

  it('refuses a path that would leave the console, and a destination that is not on it', () => {
    for (const path of [
      '//evil.example/x',
      'https://evil.example/',
      '/s3',
      's3 buckets',
      's3\\..\\x',
      'é',
      '@evil.example',
    ]) {
      expect(() => consoleDestination('aws', 'us-east-1', { path })).toThrow(
        /--path is .*, not a path of the AWS console/,
      );
    }
    for (const destination of [
      'https://evil.example/',
      'http://console.aws.amazon.com/',
      'https://console.aws.amazon.com.evil.example/',
      'https://user:pw@console.aws.amazon.com/',
      'https://console.amazonaws.cn/',
    ]) {
      expect(() => consoleDestination('aws', undefined, { destination })).toThrow(
        /--destination is .*, not an https URL of the AWS console/,
      );
    }
    expect(consoleDestination('aws', 'eu-west-1', { destination: 'https://s3.console.aws.amazon.com/s3/home' })).toBe(
      'https://s3.console.aws.amazon.com/s3/home',
    );
  });
});

describe('partitions and URLs', () => {
  it('tells the partition from an ARN or a region', () => {
    expect(partitionOfArn('arn:aws:iam::123456789012:role/a')).toBe('aws');
    expect(partitionOfArn('arn:aws-cn:iam::123456789012:role/a')).toBe('aws-cn');
    expect(partitionOfArn('arn:aws-us-gov:iam::123456789012:role/a')).toBe('aws-us-gov');
    expect(partitionOfRegion('cn-northwest-1')).toBe('aws-cn');
    expect(partitionOfRegion('us-gov-east-1')).toBe('aws-us-gov');
    expect(partitionOfRegion('eu-central-1')).toBe('aws');
    expect(accountSigninPage('aws-cn', '123456789012')).toBe('https://123456789012.signin.amazonaws.cn/console');
  });

  it('puts the login after the endpoint’s own path, every parameter encoded', () => {
    const url = new URL(
      loginUrl('http://127.0.0.1:1234/prefix/', 'a+b/c=&d', 'https://console.aws.amazon.com/s3?region=x&y=1'),
    );
    expect(url.pathname).toBe('/prefix/federation');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      Action: 'login',
      Issuer: 'mfa-env',
      Destination: 'https://console.aws.amazon.com/s3?region=x&y=1',
      SigninToken: 'a+b/c=&d',
    });
  });
});
