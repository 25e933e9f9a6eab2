/**
 * Login rate limiting (in memory, per portal process): after `allowed` failures of one user name within the
 * window, or 4 × `allowed` from one client address, further attempts are refused (429) until the oldest
 * failure leaves the window. A success clears the user name's failures. Bounded in memory.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly allowed: number,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 50_000,
  ) {}

  private recent(key: string): number[] {
    const t = this.now();
    const list = (this.failures.get(key) ?? []).filter((at) => t - at < this.windowMs);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  /** Seconds until another attempt is allowed, or 0 when it is. */
  retryAfterSeconds(username: string, address: string): number {
    const waits: number[] = [];
    const user = this.recent(`u:${username.toLowerCase()}`);
    if (user.length >= this.allowed) waits.push(user[user.length - this.allowed] + this.windowMs - this.now());
    const addr = this.recent(`a:${address}`);
    if (addr.length >= 4 * this.allowed) waits.push(addr[addr.length - 4 * this.allowed] + this.windowMs - this.now());
    return waits.length === 0 ? 0 : Math.max(1, Math.ceil(Math.max(...waits) / 1000));
  }

  failed(username: string, address: string): void {
    if (this.failures.size > this.maxKeys) this.failures.clear(); // under a flood, forget rather than grow
    for (const key of [`u:${username.toLowerCase()}`, `a:${address}`]) this.failures.set(key, [...this.recent(key), this.now()]);
  }

  succeeded(username: string): void {
    this.failures.delete(`u:${username.toLowerCase()}`);
  }
}
