// The one Secrets Manager reader (SASL passwords, TLS material, the Slack webhook): a secret is read
// in its own ARN's region (a client in the Lambda's region could not find it), with one client per
// region for the life of the reader (module scope in a Lambda: warm invocations reuse it).
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { regionOf } from '../../config/arn.js';
import { ConfigError } from '../../core/errors.js';

/** A Secrets Manager secret's string, by ARN. */
export type ReadSecret = (arn: string) => Promise<string>;

/** `clientFor` makes the client of a region (tests point it at moto). */
export function createSecretReader(
  clientFor: (options: { region?: string }) => SecretsManagerClient = (options) => new SecretsManagerClient(options),
): ReadSecret {
  const byRegion = new Map<string, SecretsManagerClient>();
  return async (arn) => {
    const options = regionOf(arn);
    let client = byRegion.get(options.region ?? '');
    if (client === undefined) {
      client = clientFor(options);
      byRegion.set(options.region ?? '', client);
    }
    const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (out.SecretString === undefined) throw new ConfigError(`secret ${arn}`, 'has no string value');
    return out.SecretString;
  };
}
