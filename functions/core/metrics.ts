// CloudWatch-shaped metric data, built from verdicts. Pure: the CloudWatch adapter only batches and sends.
export const MetricUnit = {
  Count: 'Count',
  Seconds: 'Seconds',
  Milliseconds: 'Milliseconds',
  None: 'None',
} as const;
export type MetricUnit = (typeof MetricUnit)[keyof typeof MetricUnit];

export interface MetricDatum {
  readonly name: string;
  /** Dimension name → value, e.g. { Cluster, Group, Topic }. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** Always finite and >= 0. */
  readonly value: number;
  readonly unit: MetricUnit;
  readonly timestamp: number;
}
