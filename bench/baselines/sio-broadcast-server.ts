import { createServer } from 'node:http';
import { Server } from 'socket.io';

/**
 * B-sio: a bare Socket.IO 4 broadcast server on the websocket transport. A socket joins a room and every
 * text goes out with `io.to(room).emit` (which encodes the packet once); no auth, no persistence, no ack.
 */
interface Inbound {
  tid?: unknown;
  cid?: unknown;
  body?: { text?: unknown };
}

const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
const server = createServer((_req, res) => res.writeHead(404).end());
const io = new Server(server, {
  path: '/rtc',
  transports: ['websocket'],
  serveClient: false,
  perMessageDeflate: false,
});

io.on('connection', (socket) => {
  socket.on('join', (m: Inbound) => {
    if (typeof m?.cid !== 'string') return;
    void socket.join(m.cid);
    socket.emit('join:success', { rid: m.tid });
  });
  socket.on('text', (m: Inbound) => {
    if (typeof m?.cid !== 'string') return;
    io.to(m.cid).emit('text', {
      cid: m.cid,
      from: socket.id,
      timestamp: new Date().toISOString(),
      body: { text: m.body?.text },
    });
  });
});

server.listen(port, '127.0.0.1', () => console.log(`listening ${port}`));
process.on('SIGTERM', () => process.exit(0));
