import { isParleyError, type ParleyError } from '../protocol/errors.js';
import type { AppendGuard, EventRecord, NewEvent } from '../store/records.js';
import type { Store } from '../store/store.js';
import { nowIso } from './clock.js';

/** Where a failed batch is reported; a pino logger is one. */
export interface ErrorLog {
  error(obj: object, msg: string): void;
}

interface Pending {
  conversationId: string;
  events: NewEvent[];
  guard: AppendGuard | undefined;
  resolve: (records: EventRecord[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for event appends: while one transaction is committing, every append that arrives waits and
 * goes into the next one, so a burst of sends costs one durable commit instead of one each. Each caller is
 * answered when the transaction holding its events has committed.
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly store: Store,
    private readonly logger: ErrorLog,
    private readonly maxBatch = 512,
  ) {}

  append(conversationId: string, events: NewEvent[], guard?: AppendGuard): Promise<EventRecord[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ conversationId, events, guard, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Start on the next turn: appends whose callers are still awaiting their reads join this commit.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      await this.commit(batch);
    }
    this.flushing = false;
  }

  private async commit(batch: Pending[]): Promise<void> {
    const timestamp = nowIso();
    let outcomes: Outcome[];
    try {
      outcomes = await this.store.transaction(async (tx) => {
        const out: Outcome[] = [];
        for (const item of batch) {
          try {
            out.push({
              events: await tx.appendEvents(item.conversationId, item.events, timestamp, item.guard),
            });
          } catch (error) {
            // A refusal (no such conversation, not a member) is decided before anything is written.
            if (!isParleyError(error)) throw error;
            out.push({ error });
          }
        }
        return out;
      });
    } catch (err) {
      // Anything else must not fail the others: retry them singly, saying once why.
      this.logger.error({ err, items: batch.length }, 'group commit failed; retrying its appends one by one');
      for (const item of batch) {
        try {
          item.resolve(await this.store.appendEvents(item.conversationId, item.events, nowIso(), item.guard));
        } catch (error) {
          item.reject(error);
        }
      }
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i];
      if (outcome && 'error' in outcome) item.reject(outcome.error);
      else item.resolve(outcome?.events ?? []);
    });
  }
}

type Outcome = { events: EventRecord[] } | { error: ParleyError };
