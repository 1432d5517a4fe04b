/**
 * Writes that commit in order (the store's `writesInFlight`): a batch's rows go in inside a
 * transaction while the batch ahead of it is still being written, and that transaction commits
 * only once the one ahead is stored, or rolls back when it failed. The database never holds a
 * batch without every batch before it, so a crash cuts the chain short, never leaves a gap.
 */
import type { WriteOrder } from '@auditkit/core/store';
import type { Pool, PoolClient } from 'pg';
import { RolledBack, withClient } from './copy';

/** Runs `write` in a transaction on a pooled connection, committed only once `order.after` resolved. */
export function commitInOrder(
  pool: Pool,
  order: WriteOrder,
  write: (client: PoolClient) => Promise<void>,
): Promise<void> {
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    try {
      await write(client);
      await order.after.catch((error: unknown) => {
        throw new RolledBack('the write ahead of this batch failed, so this batch was rolled back', {
          cause: error,
        });
      });
      await client.query('COMMIT');
    } catch (error) {
      // A lost connection fails this too, and withClient then discards the connection.
      await client.query('ROLLBACK');
      throw error;
    }
  });
}
