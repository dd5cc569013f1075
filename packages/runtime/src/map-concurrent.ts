/**
 * `fn` over `items` with at most `limit` calls pending at once; the results in the order of `items`. The
 * first rejection rejects the whole: no further call starts, the ones pending run on and are ignored.
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  // A limit below one (or not a number) runs one at a time.
  const workers = Math.min(items.length, limit >= 1 ? Math.floor(limit) : 1);
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}
