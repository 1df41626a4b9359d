import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface CuttableProxy {
  url: string;
  /** Drops every connection on both sides, as a network drop the server notices at once. */
  cut(): void;
  /**
   * Drops the client side only and leaves the server side open and unread, as a connection that died
   * silently: the server goes on writing into it until it misses a ping.
   */
  cutSilently(): void;
  close(): Promise<void>;
}

/** A TCP relay to `port` whose connections a test can cut. */
export async function cuttableProxy(port: number): Promise<CuttableProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket; silent: boolean }>();
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    const pair = { client, upstream, silent: false };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      if (!pair.silent) upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: own } = server.address() as AddressInfo;
  const silenced: Socket[] = [];
  return {
    url: `http://127.0.0.1:${own}`,
    cut: () => {
      for (const pair of [...pairs]) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      pairs.clear();
    },
    cutSilently: () => {
      for (const pair of [...pairs]) {
        pair.silent = true;
        pair.upstream.unpipe(pair.client);
        pair.upstream.pause();
        silenced.push(pair.upstream);
        pair.client.destroy();
      }
      pairs.clear();
    },
    close: () => {
      for (const upstream of silenced) upstream.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
