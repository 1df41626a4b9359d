import { ParleyError } from '../../protocol/errors.js';
import type { ApplicationRecord, Page, PageQuery } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import type { WebhookOutbox } from '../../store/webhook-outbox.js';
import type {
  ApplicationPatch,
  DeliveryRecord,
  DeliveryStatus,
  ReplaySelection,
} from '../../store/webhook-records.js';

/** Deliveries queued by one replay at most; a larger range is replayed in several calls. */
export const REPLAY_LIMIT = 10_000;

/** Account-level webhook operations; callers are already authenticated with the API key. */
export class WebhooksAdmin {
  constructor(
    private readonly store: Store,
    private readonly outbox: WebhookOutbox,
    private readonly now: () => string,
  ) {}

  async update(applicationId: string, patch: ApplicationPatch): Promise<ApplicationRecord> {
    if (!(await this.outbox.updateApplication(applicationId, patch))) throw notFound(applicationId);
    return this.application(applicationId);
  }

  async deliveries(
    applicationId: string,
    page: PageQuery,
    status?: DeliveryStatus,
  ): Promise<Page<DeliveryRecord>> {
    await this.application(applicationId);
    return this.outbox.listDeliveries(applicationId, page, { status });
  }

  /** Queues settled deliveries to be sent again; returns how many were queued. */
  async replay(applicationId: string, selection: ReplaySelection): Promise<number> {
    await this.application(applicationId);
    if ('from' in selection && selection.from > selection.to) {
      throw new ParleyError('http:error:validation-fail', 'from must not be after to', {
        invalid_parameters: [{ name: 'from', reason: 'after to' }],
      });
    }
    return this.outbox.replay(applicationId, selection, this.now(), REPLAY_LIMIT);
  }

  private async application(id: string): Promise<ApplicationRecord> {
    const application = await this.store.getApplication(id);
    if (!application) throw notFound(id);
    return application;
  }
}

const notFound = (id: string): ParleyError =>
  new ParleyError('application:error:not-found', `Application ${id} not found`);
