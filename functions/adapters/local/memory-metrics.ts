// Keeps the latest metric data in memory so the live view (or a test) can read it: no CloudWatch locally.
import type { MetricDatum } from '../../core/metrics.js';
import type { MetricsSink } from '../../app/ports.js';

function seriesKey(datum: MetricDatum): string {
  const dims = Object.entries(datum.dimensions)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `${datum.name}{${dims}}`;
}

export class MemoryMetricsSink implements MetricsSink {
  private readonly latestBySeries = new Map<string, MetricDatum>();
  /** Data points received, all calls together. */
  count = 0;

  async put(metrics: readonly MetricDatum[]): Promise<void> {
    for (const datum of metrics) {
      this.latestBySeries.set(seriesKey(datum), datum);
      this.count++;
    }
  }

  /** The newest datum of a metric whose dimensions include all of `dimensions`. */
  latest(name: string, dimensions: Readonly<Record<string, string>> = {}): MetricDatum | null {
    let best: MetricDatum | null = null;
    for (const datum of this.latestBySeries.values()) {
      if (datum.name !== name) continue;
      if (!Object.entries(dimensions).every(([k, v]) => datum.dimensions[k] === v)) continue;
      if (best === null || datum.timestamp > best.timestamp) best = datum;
    }
    return best;
  }
}
