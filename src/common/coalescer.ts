/**
 * Turns many single-item calls into few batch calls without holding any item back: the first item
 * starts a flush at once; items that arrive while a flush is in flight wait for it and go together in
 * the next one. So the batch size follows the load (one row when idle, dozens under pressure) and an
 * item is written about one round trip after it was submitted — which bounds what a crash can leave
 * half-recorded, unlike a batch written only at the end of a pass.
 */
export class Coalescer<T, R> {
  private queue: Array<{ item: T; resolve: (result: R) => void; reject: (error: unknown) => void }> = [];
  private flushing = false;

  /** `flush` receives the batch and returns one result per item, in order. */
  constructor(
    private readonly flush: (items: T[]) => Promise<R[]>,
    private readonly maxBatch = 500,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.flush(batch.map((entry) => entry.item));
        batch.forEach((entry, i) => entry.resolve(results[i]));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.flushing = false;
  }
}
