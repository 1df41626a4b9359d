import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * B-ws: the least a WebSocket broadcast server can do. Rooms are sets of sockets; a text is encoded to JSON
 * once and written to every socket in its room (the sender included, as Parley echoes). No auth, no
 * persistence, no acknowledgement. Frames mimic Parley's shapes so both move similar bytes.
 */
interface Inbound {
  type?: unknown;
  tid?: unknown;
  cid?: unknown;
  body?: { text?: unknown };
}

const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
const rooms = new Map<string, Set<WebSocket>>();
const server = createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false });
let nextId = 0;

wss.on('connection', (ws) => {
  const id = `s${nextId++}`;
  let room: Set<WebSocket> | undefined;
  ws.on('message', (data: Buffer) => {
    const m = JSON.parse(data.toString()) as Inbound;
    if (m.type === 'join' && typeof m.cid === 'string') {
      room = rooms.get(m.cid);
      if (!room) rooms.set(m.cid, (room = new Set()));
      room.add(ws);
      ws.send(JSON.stringify({ type: 'join:success', rid: m.tid }));
    } else if (m.type === 'text' && typeof m.cid === 'string') {
      const members = rooms.get(m.cid);
      if (!members) return;
      const frame = JSON.stringify({
        type: 'text',
        cid: m.cid,
        from: id,
        timestamp: new Date().toISOString(),
        body: { text: m.body?.text },
      });
      for (const member of members) member.send(frame);
    }
  });
  ws.on('error', () => ws.terminate());
  ws.on('close', () => room?.delete(ws));
});

server.listen(port, '127.0.0.1', () => console.log(`listening ${port}`));
process.on('SIGTERM', () => process.exit(0));
