/**
 * The attacker's endpoints: a loopback HTTP server and a raw TCP server that speaks just enough of the PostgreSQL
 * protocol to be sent a password (SSLRequest → 'N', StartupMessage → AuthenticationCleartextPassword), so a client
 * that would hand its credentials to a host the pull request chose actually does so here. Both record everything.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';

export interface HttpCapture {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Sniffers {
  /** `http://127.0.0.1:PORT` */
  httpUrl: string;
  pgPort: number;
  http: HttpCapture[];
  /** One entry per TCP connection: every byte the client sent. */
  pg: Buffer[];
  reset(): void;
  close(): Promise<void>;
}

// A valid Curve25519 public key, so a GitHub client that asked for the repository key goes on to PUT the secret.
const GITHUB_PUBLIC_KEY = { key_id: '568250167242549743', key: 'hBT5WZEj8ZoOv6TYJsfWq7MxTEQopZO5/IT3ZCVQPzs=' };

export async function startSniffers(): Promise<Sniffers> {
  const http: HttpCapture[] = [];
  const pg: Buffer[] = [];
  const httpServer = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      http.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const body = req.url?.endsWith('/public-key') ? GITHUB_PUBLIC_KEY : {};
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  const sockets = new Set<Socket>();
  const tcpServer = createTcpServer((socket) => {
    sockets.add(socket);
    const index = pg.push(Buffer.alloc(0)) - 1;
    let pending = Buffer.alloc(0);
    let started = false;
    socket.on('data', (data: Buffer) => {
      pg[index] = Buffer.concat([pg[index]!, data]);
      pending = Buffer.concat([pending, data]);
      if (started) {
        // Any tagged message after the startup (a password 'p'): refuse it, as a server would, and hang up.
        if (pending.length > 0) socket.end(pgError('28P01', 'password authentication failed'));
        return;
      }
      // Untagged first messages: SSLRequest / GSSENCRequest (8 bytes), then the length-prefixed StartupMessage.
      while (pending.length >= 8) {
        const length = pending.readUInt32BE(0);
        if (pending.length < length) break;
        const code = pending.readUInt32BE(4);
        pending = pending.subarray(length);
        if (code === 80877103 || code === 80877104) {
          socket.write('N');
        } else {
          started = true;
          socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3])); // AuthenticationCleartextPassword
          break;
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  const httpPort = await listen(httpServer);
  const pgPort = await listen(tcpServer);
  return {
    httpUrl: `http://127.0.0.1:${httpPort}`,
    pgPort,
    http,
    pg,
    reset: () => {
      http.length = 0;
      pg.length = 0;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      httpServer.closeAllConnections();
      await Promise.all([close(httpServer), close(tcpServer)]);
    },
  };
}

function pgError(code: string, message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0C${code}\0M${message}\0\0`, 'utf8');
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeUInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}

function listen(server: Server | TcpServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
}

function close(server: Server | TcpServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}
