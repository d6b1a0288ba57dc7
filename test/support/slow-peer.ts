// Peers that never finish an answer, for the deadline of every outgoing request: one
// that sends its head and then one byte every 200 ms (an idle timeout never fires), and
// one that streams an endless body as fast as it is read.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SlowKind = 'drip' | 'endless';

export interface SlowPeer {
  url: string;
  /** Requests received so far. */
  requests(): number;
  /** Answers still being sent. */
  open(): number;
  close(): Promise<void>;
}

export async function startSlowPeer(kind: SlowKind): Promise<SlowPeer> {
  let requests = 0;
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    requests++;
    req.resume();
    open.add(res);
    res.on('close', () => open.delete(res));
    res.writeHead(200, { 'Content-Type': 'application/json' });
    if (kind === 'drip') {
      const timer = setInterval(() => res.write(' '), 200);
      res.on('close', () => clearInterval(timer));
      return;
    }
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = (): void => {
      while (!res.destroyed) if (!res.write(chunk)) return void res.once('drain', pump);
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    open: () => open.size,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
