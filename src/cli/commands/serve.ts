import type { Command } from 'commander';
import { resolveServerConfig } from '../../server/config.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';

interface ServeFlags {
  port?: string;
  host?: string;
  data?: string;
  logLevel?: string;
  bodyLimit?: string;
  maxFrame?: string;
  databaseUrl?: string;
  redisUrl?: string;
  demo?: boolean;
}

/** `parley serve`: runs the server until SIGINT/SIGTERM (or the context's abort signal), then shuts down cleanly. */
export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('Run the Parley server (REST API, realtime and web chat)')
    .option('--port <port>', 'port to listen on (PARLEY_PORT, default 3000)')
    .option('--host <host>', 'interface to bind (PARLEY_HOST, default localhost)')
    .option('--data <dir>', 'data directory (PARLEY_DATA, default ./data)')
    .option(
      '--log-level <level>',
      'fatal|error|warn|info|debug|trace|silent (PARLEY_LOG_LEVEL, default info)',
    )
    .option('--body-limit <bytes>', 'largest REST request body (PARLEY_BODY_LIMIT, default 65536)')
    .option('--max-frame <bytes>', 'largest realtime frame (PARLEY_MAX_FRAME, default 65536)')
    .option('--database-url <url>', 'PostgreSQL instead of SQLite (PARLEY_DATABASE_URL)')
    .option('--redis-url <url>', 'Redis for delivery between nodes (PARLEY_REDIS_URL)')
    .option('--demo', 'seed the tutorial demo and let the web app log in by name (PARLEY_DEMO)')
    .action(async (flags: ServeFlags) => {
      let config;
      try {
        config = resolveServerConfig(
          {
            port: flags.port,
            host: flags.host,
            dataDir: flags.data,
            logLevel: flags.logLevel,
            bodyLimit: flags.bodyLimit,
            maxFrameBytes: flags.maxFrame,
            databaseUrl: flags.databaseUrl,
            redisUrl: flags.redisUrl,
            demo: flags.demo,
          },
          ctx.env,
        );
      } catch (e) {
        throw new UsageError('cli:error:server-config', e instanceof Error ? e.message : String(e));
      }
      config.dataDir = ctx.resolvePath(config.dataDir);
      // Loaded on demand so the other commands start without the server's dependencies.
      const { startParley } = await import('../../server/parley-server.js');
      let server;
      try {
        server = await startParley(config);
      } catch (e) {
        throw new UsageError(
          'cli:error:server-start',
          `cannot start the server: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
      ctx.out(`Parley listening on ${server.url}`);
      if (server.demo)
        ctx.out(`Demo chat: open ${server.url} in three tabs and log in as John, Kevin and Larry`);
      ctx.out(`API key: ${server.apiKey}`);
      if (server.generatedSecret !== undefined) {
        ctx.out(`API secret: ${server.generatedSecret}  (shown once; only its hash is stored)`);
        ctx.out(`Run: parley setup ${server.apiKey} ${server.generatedSecret} --url ${server.url}`);
      }
      if (server.generatedSignatureSecret !== undefined) {
        ctx.out(`Webhook signature secret: ${server.generatedSignatureSecret}  (shown once)`);
      }
      await waitForStop(ctx.signal);
      server.logger.info('shutting down');
      await server.close();
    });
}

function waitForStop(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    signal?.addEventListener('abort', stop, { once: true });
  });
}
