import type { Principal } from '../../core/auth/principal.js';
import type { Domain } from '../../core/domain.js';
import type { MediaService } from '../../core/media/media-service.js';
import type { RealtimeHub } from './realtime-hub.js';

export interface RealtimeLimits {
  /** Requests a second per connection. */
  rateLimit: number;
  maxSessions: number;
  maxBufferBytes: number;
}

/** What a request handler may use, and nothing else; handlers run only for a logged-in session. */
export interface RequestContext {
  readonly principal: Principal;
  /** The session user's JOINED member in `cid`; throws `conversation:error:not-member` when it has none. */
  memberIn(cid: string): string;
  readonly domain: Domain;
  readonly hub: RealtimeHub;
  readonly limits: RealtimeLimits;
  /** Images and attachments; absent where a server runs without media. */
  readonly media?: MediaService | undefined;
}
