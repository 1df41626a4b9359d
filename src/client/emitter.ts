type Listeners<M extends { [K in keyof M]: unknown[] }> = { [K in keyof M]?: Set<(...args: M[K]) => void> };

/**
 * A small typed event emitter. A listener that throws does not break the SDK's own bookkeeping: the error
 * is rethrown on a fresh task, where the host reports it as uncaught.
 */
export class Emitter<M extends { [K in keyof M]: unknown[] }> {
  private readonly listeners: Listeners<M> = {};

  on<K extends keyof M>(type: K, listener: (...args: M[K]) => void): this {
    (this.listeners[type] ??= new Set()).add(listener);
    return this;
  }

  once<K extends keyof M>(type: K, listener: (...args: M[K]) => void): this {
    const wrapper = (...args: M[K]): void => {
      this.off(type, wrapper);
      listener(...args);
    };
    return this.on(type, wrapper);
  }

  /** Removes one listener, every listener of a type, or every listener. */
  off<K extends keyof M>(type?: K, listener?: (...args: M[K]) => void): this {
    if (type === undefined) {
      for (const key of Object.keys(this.listeners)) delete this.listeners[key as keyof M];
    } else if (listener === undefined) {
      delete this.listeners[type];
    } else {
      this.listeners[type]?.delete(listener);
    }
    return this;
  }

  protected emit<K extends keyof M>(type: K, ...args: M[K]): void {
    const listeners = this.listeners[type];
    if (!listeners) return;
    for (const listener of [...listeners]) {
      try {
        listener(...args);
      } catch (error) {
        setTimeout(() => {
          throw error;
        });
      }
    }
  }
}
