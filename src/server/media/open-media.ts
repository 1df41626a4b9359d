import type { Logger } from 'pino';
import type { EventSink } from '../../core/event-sink.js';
import { MediaService } from '../../core/media/media-service.js';
import type { MediaStore } from '../../store/media/media-store.js';
import type { Store } from '../../store/store.js';
import type { ServerConfig } from '../config.js';

export interface RunningMedia {
  service: MediaService;
  close(): Promise<void>;
}

/** How often the sweep runs: a tenth of the time an upload may stay unreferenced, at most hourly. */
const sweepInterval = (sweepAfterSeconds: number): number => Math.min(3600, sweepAfterSeconds / 10) * 1000;

/** The media service over `blobs`, with its URL key loaded; sweeps in the background until closed. */
export async function openMedia(
  config: ServerConfig,
  store: Store,
  blobs: MediaStore,
  sink: EventSink,
  baseUrl: () => string,
  logger: Logger,
): Promise<RunningMedia> {
  const service = new MediaService(store, blobs, sink, {
    baseUrl,
    maxUpload: config.maxUpload,
    urlTtlSeconds: config.mediaUrlTtl,
    sweepAfterMs: config.mediaSweepAfter * 1000,
  });
  try {
    await service.init();
  } catch (error) {
    await blobs.close();
    throw error;
  }
  let sweeping: Promise<void> | undefined;
  const timer = setInterval(() => {
    sweeping ??= service
      .sweep()
      .then((swept) => {
        if (swept.media + swept.blobs > 0) logger.info(swept, 'media swept');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'media sweep failed'))
      .finally(() => (sweeping = undefined));
  }, sweepInterval(config.mediaSweepAfter));
  timer.unref();
  return {
    service,
    async close() {
      clearInterval(timer);
      await sweeping;
      await blobs.close();
    },
  };
}
