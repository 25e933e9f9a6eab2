/**
 * Every step of a migration with its duration: a live line per step on a terminal, plain lines
 * otherwise (pipelines, log files). The record is returned for the summary and the benchmark.
 */
export interface StepRecord {
  step: string;
  ms: number;
  ok: boolean;
  detail?: string;
}

export class ProgressLog {
  readonly steps: StepRecord[] = [];
  private readonly started = Date.now();
  constructor(
    private readonly write: (line: string) => void,
    private readonly tty = false,
  ) {}

  info(line: string): void {
    this.write(line);
  }

  async step<T>(name: string, fn: () => Promise<T>, detail?: (r: T) => string | undefined): Promise<T> {
    const t0 = Date.now();
    const at = () => `[${((Date.now() - this.started) / 1000).toFixed(1).padStart(5)} s]`;
    let ticker: NodeJS.Timeout | undefined;
    if (this.tty) {
      process.stdout.write(`${at()} … ${name}`);
      ticker = setInterval(() => process.stdout.write(`\r${at()} … ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`), 250);
    }
    const finish = (ok: boolean, d?: string) => {
      if (ticker) clearInterval(ticker);
      const ms = Date.now() - t0;
      this.steps.push({ step: name, ms, ok, ...(d ? { detail: d } : {}) });
      const line = `${at()} ${ok ? "ok  " : "FAIL"} ${name} (${(ms / 1000).toFixed(2)} s)${d ? `: ${d}` : ""}`;
      if (this.tty) process.stdout.write(`\r\x1b[K`);
      this.write(line);
    };
    try {
      const r = await fn();
      finish(true, detail?.(r));
      return r;
    } catch (e) {
      finish(false, (e as Error).message.split("\n")[0]);
      throw e;
    }
  }
}
