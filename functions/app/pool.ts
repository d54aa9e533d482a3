// Bounded concurrency for the app layer and the adapters: the evaluator's groups, DynamoDB batches,
// Kafka requests per broker. No I/O of its own.

/** Runs `fn` over `items` with at most `limit` (at least 1) in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
