/** Where the SDK writes its diagnostics; silent unless `debug: true`. */
export interface Logger {
  debug(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

const noop = (): void => undefined;

const silentLogger: Logger = { debug: noop, warn: noop, error: noop };

export function createLogger(debug: boolean): Logger {
  if (!debug) return silentLogger;
  // The SDK's one sink for diagnostics, like nexmo-stitch's loglevel output.
  /* eslint-disable no-console */
  return {
    debug: (...args) => console.debug('[parley]', ...args),
    warn: (...args) => console.warn('[parley]', ...args),
    error: (...args) => console.error('[parley]', ...args),
  };
  /* eslint-enable no-console */
}
