import type { MediaService } from '../../../core/media/media-service.js';
import type { PushedEvent } from '../../../protocol/realtime.js';
import type { V2SessionDirectory } from '../../realtime/v2/v2-session-directory.js';

/** What the successor dialects need beyond the domain. */
export interface SuccessorOptions {
  /** The `/v2/rtc` sessions, for `PUT …/sessions/:id` and `GET …/users/:id/sessions`. */
  sessions: V2SessionDirectory;
  /** Sends an event that is not stored (typing, ephemeral, Stitch-style delivery) to the conversation. */
  relay(event: PushedEvent): void;
  maxTextBytes: number;
  /** Images and attachments: `message` events naming Parley media go through its ownership checks. */
  media?: MediaService | undefined;
}
