import { opendir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

/**
 * FileOutboxTransport names each file `<time>-<Message-ID without brackets>.eml`, and the composer's Message-ID is
 * `<deliveryId@domain>`, so a delivery's file ends in `-<deliveryId>@<domain>.eml`; a write cut short leaves
 * `.<that name>.partial`, the same message.
 */
const OUTBOX_FILE =
  /-([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})@[^@/]*\.eml(?:\.partial)?$/;

/**
 * Deletes the `.eml` copies of a contact's messages from the file outbox (DATA_DIR/outbox, written when SMTP_URL
 * is unset). The outbox may hold files of runs without SMTP_URL even when it is set now, so it is always looked at.
 */
@Injectable()
export class OutboxEraser {
  private readonly directory: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.directory = path.join(config.dataDir, 'outbox');
  }

  /** Returns how many files were deleted. A missing outbox holds nothing; any other error is the caller's. */
  async eraseDeliveries(deliveryIds: string[]): Promise<number> {
    if (deliveryIds.length === 0) return 0;
    const wanted = new Set(deliveryIds.map((id) => id.toLowerCase()));
    const doomed: string[] = [];
    try {
      // Streamed: an outbox can hold more names than are worth holding in memory at once.
      for await (const entry of await opendir(this.directory)) {
        const deliveryId = OUTBOX_FILE.exec(entry.name)?.[1]?.toLowerCase();
        if (deliveryId !== undefined && entry.isFile() && wanted.has(deliveryId)) doomed.push(entry.name);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    for (const name of doomed) {
      await unlink(path.join(this.directory, name)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
    return doomed.length;
  }
}
