/**
 * The error catalogue: every error Parley reports, over REST, realtime and the CLI, has one entry here.
 * Codes follow the Stitch convention `<domain>:error:<reason>` and never change once published.
 */
export interface ErrorSpec {
  readonly status: number;
  readonly message: string;
  /** Whether repeating the same request later may succeed. */
  readonly retryable: boolean;
}

const spec = (status: number, message: string, retryable = false): ErrorSpec => ({
  status,
  message,
  retryable,
});

export const ERRORS = {
  'http:error:validation-fail': spec(400, 'The request is invalid'),
  'http:error:malformed-json': spec(400, 'The request body is not valid JSON'),
  'http:error:not-found': spec(404, 'No such route'),
  'http:error:method-not-allowed': spec(405, 'Method not allowed on this route'),
  'http:error:payload-too-large': spec(413, 'The request body is too large'),
  'http:error:unsupported-media-type': spec(415, 'The request body must be application/json'),

  'system:error:missing-token': spec(401, 'An Authorization: Bearer <JWT> header is required'),
  'system:error:invalid-token': spec(401, 'The token is malformed or its signature does not verify'),
  'system:error:expired-token': spec(401, 'The token has expired'),
  'system:error:token-not-yet-valid': spec(401, 'The token is not valid yet'),
  'system:error:token-lifetime': spec(401, 'The token lives longer than 24 hours'),
  'system:error:unknown-application': spec(401, 'The token names no known application'),
  'system:error:unknown-user': spec(401, 'The token names no user of this application'),
  'system:error:invalid-credentials': spec(401, 'The API key or secret is wrong'),
  'system:error:forbidden-path': spec(403, "The token's ACL does not allow this path"),
  'system:error:forbidden': spec(403, 'This principal may not do that'),
  'system:error:cross-application': spec(403, 'That resource belongs to another application'),
  'system:error:invalid-request': spec(400, 'The message is not a valid request'),
  'system:error:unknown-request': spec(400, 'Unknown request type'),
  'system:error:too-large': spec(413, 'The message is too large'),
  'session:error:not-logged-in': spec(401, 'Log in with session:login first'),
  'session:error:user-required': spec(401, 'A realtime session needs a user token (with sub)'),
  'session:error:too-many-sessions': spec(429, 'This user has too many live sessions'),
  'session:error:wrong-user': spec(403, 'The new token is for a different user'),
  'system:error:rate-limited': spec(429, 'Too many requests', true),
  'system:error:unavailable': spec(503, 'The service is unavailable', true),
  'system:error:internal': spec(500, 'Internal error', true),

  'application:error:not-found': spec(404, 'Application not found'),
  'user:error:not-found': spec(404, 'User not found'),
  'user:error:duplicate-name': spec(409, 'A user with this name already exists'),
  'conversation:error:not-found': spec(404, 'Conversation not found'),
  'conversation:error:duplicate-name': spec(409, 'A conversation with this name already exists'),
  'conversation:error:not-member': spec(403, 'You are not a member of this conversation'),
  'member:error:not-found': spec(404, 'Member not found'),
  'member:error:already-member': spec(409, 'The user is already a member of this conversation'),
  'member:error:invalid-state': spec(422, 'The member cannot move to that state'),
  'event:error:not-found': spec(404, 'Event not found'),
  'event:error:invalid-from': spec(422, 'The event must come from your own joined member'),
  'media:error:not-found': spec(404, 'Media not found'),
  'media:error:too-large': spec(413, 'The upload is larger than the server accepts'),
  'media:error:unsupported-type': spec(415, 'The file is not an image in a supported format'),
  'media:error:too-many-pixels': spec(422, 'The image has more pixels than the server decodes'),
  'media:error:invalid-upload': spec(400, 'The upload must be multipart/form-data with one file field'),
  'media:error:not-owner': spec(403, 'An event may only refer to media its sender uploaded'),
  'media:error:invalid-capability': spec(403, 'The signed media URL is invalid or has expired'),
  'media:error:quota-exceeded': spec(413, "The application's storage quota is used up"),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** The JSON body of every error response. */
export interface ErrorBody {
  code: ErrorCode;
  title: string;
  detail: string;
  retry_after?: number;
  invalid_parameters?: { name: string; reason: string }[];
}

/** A known failure: carries a catalogue code; transports render it, anything else becomes `system:error:internal`. */
export class ParleyError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly details: Pick<ErrorBody, 'retry_after' | 'invalid_parameters'>;

  constructor(code: ErrorCode, detail?: string, details: ParleyError['details'] = {}) {
    const entry = ERRORS[code];
    super(detail ?? entry.message);
    this.name = 'ParleyError';
    this.code = code;
    this.status = entry.status;
    this.retryable = entry.retryable;
    this.details = details;
  }

  toBody(): ErrorBody {
    return { code: this.code, title: ERRORS[this.code].message, detail: this.message, ...this.details };
  }
}

export const isParleyError = (e: unknown): e is ParleyError => e instanceof ParleyError;
