// Starting a node:http server on a host and port, as the mock and the receiver both do.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens, resolving with the base URL (`http://127.0.0.1:4010`), or rejecting with the listen error (EADDRINUSE...). */
export async function listenOn(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${shown}:${address.port}`;
}
