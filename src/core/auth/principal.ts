import type { ApplicationRecord, UserRecord } from '../../store/records.js';
import type { Acl } from './acl.js';

/** Who is calling, established from a verified token. A principal without a user acts as its application. */
export interface Principal {
  application: ApplicationRecord;
  user: UserRecord | null;
  acl: Acl | null;
  /** Token expiry, epoch seconds. */
  expiresAt: number;
}
