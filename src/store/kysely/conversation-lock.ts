import { ParleyError } from '../../protocol/errors.js';
import type { SqlScope } from './sql-scope.js';

/**
 * Takes the conversation row's write lock with a no-op update, where writers can interleave (PostgreSQL);
 * throws when there is no such conversation. Everything that changes a conversation's members or events locks
 * this row first, so they queue in one order and never deadlock over member rows.
 */
export async function lockConversation(tx: SqlScope, id: string): Promise<void> {
  if (tx.capabilities.writersSerialised) return;
  const row = await tx.db
    .updateTable('conversations')
    .set((eb) => ({ last_event_id: eb.ref('last_event_id') }))
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  if (!row) throw new ParleyError('conversation:error:not-found');
}
