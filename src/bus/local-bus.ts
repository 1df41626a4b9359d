import type { Bus, BusHandlers, BusMessage } from './bus.js';

/** The single-node bus: delivery is a function call. */
export class LocalBus implements Bus {
  private handlers: BusHandlers | undefined;

  publish(message: BusMessage): void {
    this.handlers?.message(message);
  }

  subscribe(handlers: BusHandlers): void {
    this.handlers = handlers;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
