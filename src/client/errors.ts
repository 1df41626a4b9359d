import { ERRORS, type ErrorCode } from '../protocol/errors.js';
import type { ClientErrorCode, ConnectionErrorCode } from './codes.js';

/** The server answered and said no: carries the catalogue code it sent. */
export class ParleyApiError extends Error {
  override readonly name = 'ParleyApiError';
  /** The reply type, e.g. `conversation:error:not-member`. */
  readonly type: string;
  readonly code: ErrorCode | (string & {});
  readonly description: string;
  /** Seconds to wait before retrying, when the server said so. */
  readonly retryAfter: number | undefined;
  /** Whether repeating the request later may succeed, per the error catalogue. */
  readonly retryable: boolean;

  constructor(type: string, code: string, description: string, retryAfter?: number) {
    super(`${code}: ${description}`);
    this.type = type;
    this.code = code;
    this.description = description;
    this.retryAfter = retryAfter;
    this.retryable = code in ERRORS ? ERRORS[code as ErrorCode].retryable : false;
  }
}

/** The server never answered: the request timed out or the connection went away. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';

  constructor(
    readonly code: ConnectionErrorCode,
    message: string,
    /** True when the SDK is still trying to reconnect, so the same call may work later. */
    readonly temporary = true,
  ) {
    super(message);
  }
}

/** The SDK refused a call without asking the server (nexmo-stitch's NexmoClientError). */
export class ParleyClientError extends Error {
  override readonly name = 'ParleyClientError';

  constructor(
    readonly type: ClientErrorCode,
    message: string = type,
  ) {
    super(message);
  }
}

/** Whether waiting and trying again may help. */
export const isTemporary = (error: unknown): boolean =>
  (error instanceof ConnectionError && error.temporary) ||
  (error instanceof ParleyApiError && error.retryable);
