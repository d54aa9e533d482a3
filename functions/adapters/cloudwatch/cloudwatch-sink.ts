// MetricsSink on CloudWatch PutMetricData: batches of at most 1,000 metrics and well under 1 MB,
// and never a value CloudWatch would reject or that would poison a graph (NaN, infinite, negative).
import { PutMetricDataCommand, type CloudWatchClient, type MetricDatum as CwDatum } from '@aws-sdk/client-cloudwatch';
import type { Logger, MetricsSink } from '../../app/ports.js';
import { MAX_DIMENSION_VALUE_LENGTH } from '../../core/dimension-value.js';
import { DeliveryError, errorSummary } from '../../core/errors.js';
import type { MetricDatum } from '../../core/metrics.js';

export const MAX_METRICS_PER_CALL = 1000;
/** PutMetricData accepts 1 MB per call; stay well below it (sizes are estimated, not exact). */
export const MAX_BYTES_PER_CALL = 800 * 1024;
const MAX_DIMENSIONS = 30;

export interface CloudWatchSinkOptions {
  namespace: string;
  logger: Logger;
}

/** Why a datum is dropped, or null when it can be sent. */
export function rejectReason(m: MetricDatum): string | null {
  if (typeof m.value !== 'number' || !Number.isFinite(m.value)) return `value ${String(m.value)} is not finite`;
  if (m.value < 0) return `value ${m.value} is negative`;
  const dimensions = Object.entries(m.dimensions);
  if (dimensions.length > MAX_DIMENSIONS) return `${dimensions.length} dimensions (max ${MAX_DIMENSIONS})`;
  for (const [name, value] of dimensions) {
    if (value === '' || value.length > MAX_DIMENSION_VALUE_LENGTH) return `dimension ${name} value is empty or longer than ${MAX_DIMENSION_VALUE_LENGTH}`;
  }
  if (!Number.isFinite(m.timestamp)) return 'timestamp is not finite';
  return null;
}

function toCloudWatch(m: MetricDatum): CwDatum {
  return {
    MetricName: m.name,
    Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })),
    Value: m.value,
    Unit: m.unit,
    Timestamp: new Date(m.timestamp),
  };
}

/** Splits data into calls of at most 1,000 metrics and MAX_BYTES_PER_CALL (JSON size as the estimate). */
export function batchMetricData(data: readonly CwDatum[]): CwDatum[][] {
  const batches: CwDatum[][] = [];
  let current: CwDatum[] = [];
  let bytes = 0;
  for (const datum of data) {
    const size = JSON.stringify(datum).length + 16;
    if (current.length > 0 && (current.length >= MAX_METRICS_PER_CALL || bytes + size > MAX_BYTES_PER_CALL)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(datum);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export class CloudWatchMetricsSink implements MetricsSink {
  constructor(
    private readonly client: CloudWatchClient,
    private readonly options: CloudWatchSinkOptions,
  ) {}

  async put(metrics: readonly MetricDatum[]): Promise<void> {
    const valid: CwDatum[] = [];
    for (const m of metrics) {
      const reason = rejectReason(m);
      if (reason !== null) {
        this.options.logger.warn('dropping a metric CloudWatch must not receive', { metric: m.name, dimensions: m.dimensions, reason });
        continue;
      }
      valid.push(toCloudWatch(m));
    }
    const failures: string[] = [];
    for (const batch of batchMetricData(valid)) {
      try {
        await this.client.send(new PutMetricDataCommand({ Namespace: this.options.namespace, MetricData: batch }));
      } catch (error) {
        failures.push(errorSummary(error));
      }
    }
    if (failures.length > 0) {
      throw new DeliveryError(
        `CloudWatch namespace ${this.options.namespace}: ${failures.length} PutMetricData call(s) failed (${failures[0]}); ` +
          'check the role may cloudwatch:PutMetricData; these data points are lost, the next run publishes fresh ones',
        { context: { namespace: this.options.namespace, failedCalls: failures.length } },
      );
    }
  }
}
