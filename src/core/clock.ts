/** ISO-8601 UTC with milliseconds, the one timestamp format on every wire. */
export const nowIso = (): string => new Date().toISOString();
