/** A live realtime session of a user, as `GET /v1/users/:id/sessions` lists it. */
export interface LiveUserSession {
  id: string;
  /** Seconds until the session's token expires. */
  ttl: number;
}

/**
 * The port through which REST sees the realtime hub's sessions, so http does not import realtime; the
 * composition root implements it.
 */
export interface UserSessions {
  ofUser(userId: string): LiveUserSession[];
}
