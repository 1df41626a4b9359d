import { XMPP_PASSWORD, XmppTransport } from '../../load/xmpp-transport.js';
import { mapLimit } from '../launch.js';

/**
 * Sends one groupchat text into each room from a session of its own (logged in as `user`, joined, then
 * gone once the room has reflected the text, so it is archived), as Parley's S3 posts over REST while the
 * clients are away. Not measured.
 */
export async function postToRooms(
  url: string,
  posts: { room: string; user: string; text: string }[],
  concurrency = 16,
): Promise<void> {
  await mapLimit(posts, concurrency, async ({ room, user, text }) => {
    let reflected: () => void = () => undefined;
    const seen = new Promise<void>((resolve) => (reflected = resolve));
    const client = new XmppTransport(url, user, XMPP_PASSWORD, room, {
      text: (_id, t) => {
        if (t === text) reflected();
      },
      reply: () => undefined,
      closed: () => undefined,
    });
    await client.open(30_000);
    try {
      client.request('text', { tid: 'away', cid: room, body: { text } });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        seen,
        new Promise<void>((_r, reject) => {
          timer = setTimeout(() => reject(new Error(`no reflection of the text into ${room}`)), 30_000);
        }),
      ]).finally(() => clearTimeout(timer));
    } finally {
      client.terminate();
    }
  });
}
