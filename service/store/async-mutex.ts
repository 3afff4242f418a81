// A FIFO mutex for async code. The SQLite engine has one synchronous connection; a transaction
// whose callback awaits would otherwise let another request's statements run inside it.

/** A first-come, first-served lock; `release` hands it straight to the next waiter. */
export class AsyncMutex {
  private held = false;
  private readonly waiters: Array<() => void> = [];

  /** True while someone holds the lock. */
  get locked(): boolean {
    return this.held;
  }

  /** Resolves once the caller holds the lock; the caller must call `release` exactly once. */
  acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Releases the lock, passing it to the longest waiter if there is one. */
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.held = false;
  }

  /** Runs `fn` while holding the lock. */
  async runExclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
