import type { PGlite } from '@electric-sql/pglite';

interface Entry {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: unknown) => void;
}

const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const TERMINATE = 0x58; // 'X'
const SYNC_MESSAGE = new Uint8Array([SYNC, 0, 0, 0, 4]);

/**
 * Replaces pglite-socket's query queue (0.2.17), which interleaves single protocol messages of different
 * connections: connection A's Parse, then B's Parse, then A's Bind — and A's parameters are bound to B's
 * statement (seen as "invalid input syntax for type timestamp" with another query's JSON as the value,
 * and it could as well write one query's values into another's columns). One backend has one unnamed
 * statement and one transaction, so a connection must own it from its first message to the Sync (or
 * simple Query) that ends its exchange, and for as long as it holds a transaction open.
 */
export class ExchangeQueryQueue {
  private queue: Entry[] = [];
  private owner: number | null = null;
  private processing = false;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      void this.process();
    });
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    this.queue = this.queue.filter((entry) => {
      if (entry.handlerId !== handlerId) return true;
      entry.reject(new Error('Handler disconnected'));
      return false;
    });
  }

  /** A client gone mid-exchange (killed, timed out): end its exchange and transaction, free the backend. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    await this.db.runExclusive(() => this.db.execProtocolRaw(SYNC_MESSAGE));
    // exec() takes the same mutex itself, so it runs outside runExclusive.
    if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    this.owner = null;
    void this.process();
  }

  private async process(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      for (;;) {
        const index = this.owner === null ? 0 : this.queue.findIndex((entry) => entry.handlerId === this.owner);
        if (index === -1 || this.queue.length === 0) return;
        const [entry] = this.queue.splice(index, 1);
        this.owner = entry.handlerId;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(entry.message, {
              onRawData: (data) => {
                bytes += data.length;
                entry.onData(data);
              },
            }),
          );
        } catch (error) {
          this.release(entry.message);
          entry.reject(error);
          continue;
        }
        this.release(entry.message);
        entry.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  }

  /** The exchange ends with Sync, a simple Query, Terminate or the startup packet — unless a transaction is open. */
  private release(message: Uint8Array): void {
    const type = message[0];
    const endsExchange = type === SYNC || type === QUERY || type === TERMINATE || type === 0;
    if (endsExchange && !this.db.isInTransaction()) this.owner = null;
  }
}
