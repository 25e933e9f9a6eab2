export class QueueFullError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super("signing queue is full");
  }
}

/**
 * The box works on one request at a time. Jobs wait in a bounded FIFO: when `limit` jobs are already
 * waiting, `run` rejects at once with QueueFullError (the caller answers 503 + Retry-After), so memory
 * never grows without bound.
 */
export class SerialQueue {
  private readonly waiting: Array<() => void> = [];
  private busy = false;

  constructor(
    private readonly limit: number,
    private readonly expectedJobMs: number,
    private readonly onDepth: (depth: number) => void = () => {},
  ) {}

  get depth(): number {
    return this.waiting.length;
  }

  async run<T>(job: () => Promise<T> | T): Promise<T> {
    if (this.busy) {
      if (this.waiting.length >= this.limit) {
        const seconds = Math.max(1, Math.ceil(((this.waiting.length + 1) * Math.max(this.expectedJobMs, 1)) / 1000));
        throw new QueueFullError(seconds);
      }
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        this.onDepth(this.waiting.length);
      });
    }
    this.busy = true;
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      this.onDepth(this.waiting.length);
      if (next) next();
      else this.busy = false;
    }
  }
}
