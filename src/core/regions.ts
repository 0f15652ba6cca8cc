/**
 * The Regions a credential may be scoped to. Resources and quotas are per Region, so an arbitrary
 * Region-shaped string must not open a fresh quota: only known Regions (or the operator's list) count.
 */
export const AWS_REGIONS: readonly string[] = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
  'ca-central-1', 'ca-west-1', 'mx-central-1', 'sa-east-1',
  'eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-north-1', 'eu-south-1', 'eu-south-2',
  'af-south-1', 'il-central-1', 'me-south-1', 'me-central-1',
  'ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'us-gov-east-1', 'us-gov-west-1',
];

/** Parse a comma-separated Region list (e.g. PARAPET_REGIONS); undefined or empty → the AWS list. */
export function parseRegions(value: string | undefined): ReadonlySet<string> {
  const list = (value ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  if (list.length === 0) return new Set(AWS_REGIONS);
  for (const r of list)
    if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(r)) throw new Error(`'${r}' is not a Region name (like us-east-1).`);
  return new Set(list);
}
