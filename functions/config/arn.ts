// ARN parsing shared by the config checks (synth) and the composition roots (run time): a secret
// is read in its own region, and ids are checked against the deploy region and account.

/** An ARN's region and account (`arn:PARTITION:SERVICE:REGION:ACCOUNT:...`), or null. */
export function arnRegionAccount(arn: string): { region: string; account: string } | null {
  const match = /^arn:[^:]+:[^:]+:([a-z0-9-]*):(\d{12}):/.exec(arn);
  return match ? { region: match[1] ?? '', account: match[2] ?? '' } : null;
}

/** The client options that address a resource in its ARN's region (empty: the default region). */
export function regionOf(arn: string): { region?: string } {
  const region = arnRegionAccount(arn)?.region ?? '';
  return region === '' ? {} : { region };
}
