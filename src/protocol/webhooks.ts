/** What Parley POSTs to an application's `event_url`: Vonage's RTC event-webhook shape. */
export interface WebhookEventBody {
  type: string;
  /** Absent for ephemeral events (typing), which are not stored. */
  id?: number;
  conversation_id: string;
  /** The same as `conversation_id`, as Vonage sends both. */
  cid: string;
  from: string | null;
  body: Record<string, unknown>;
  timestamp: string;
  application_id: string;
  _embedded?: {
    from_user?: { id: string; name: string; display_name: string | null; image_url: string | null };
    from_member?: { id: string; state: 'INVITED' | 'JOINED' | 'LEFT' };
  };
}

/** Headers every webhook request carries besides `Authorization: Bearer <jwt>`. */
export const DELIVERY_ID_HEADER = 'x-parley-delivery-id';
export const ATTEMPT_HEADER = 'x-parley-attempt';

/** The claims of the HS256 JWT in a webhook's `Authorization` header, as Vonage signs webhooks. */
export interface WebhookClaims {
  iat: number;
  jti: string;
  iss: string;
  application_id: string;
  api_key: string;
  /** Hex SHA-256 of the exact request body bytes. */
  payload_hash: string;
}
