import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { EventSink } from '../../core/event-sink.js';
import { MediaService } from '../../core/media/media-service.js';
import { FileMediaStore } from '../../store/media/file-media-store.js';
import type { MediaStore } from '../../store/media/media-store.js';
import { PostgresMediaStore } from '../../store/media/postgres-media-store.js';
import type { Store } from '../../store/store.js';
import type { ServerConfig } from '../config.js';

export interface RunningMedia {
  service: MediaService;
  close(): Promise<void>;
}

/** How often the sweep runs: a tenth of the time an upload may stay unreferenced, at most hourly. */
const sweepInterval = (sweepAfterSeconds: number): number => Math.min(3600, sweepAfterSeconds / 10) * 1000;

/**
 * Media beside the store it goes with: files under the data directory for the embedded server, PostgreSQL
 * when the server runs on PostgreSQL (every node of a cluster must reach every file). Sweeps in the
 * background.
 */
export async function openMedia(
  config: ServerConfig,
  store: Store,
  sink: EventSink,
  baseUrl: () => string,
  logger: Logger,
): Promise<RunningMedia> {
  const blobs: MediaStore = config.databaseUrl
    ? await PostgresMediaStore.open(config.databaseUrl)
    : await FileMediaStore.open(join(resolve(config.dataDir), 'media'));
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
