/** Loopback ports: a fixed default when it is free, any free port otherwise. */
import { createServer, type Server } from 'node:net';

export const HOST = '127.0.0.1';

/** Listen on `port` on loopback, or on any free port when it is taken (0 means any from the start). */
export async function listenPreferring(server: Server, port: number): Promise<number> {
  const attempt = (p: number) =>
    new Promise<number>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.once('error', onError);
      server.listen(p, HOST, () => {
        server.off('error', onError);
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : p);
      });
    });
  try {
    return await attempt(port);
  } catch (error) {
    if ((error as { code?: string }).code !== 'EADDRINUSE' || port === 0) throw error;
    return attempt(0);
  }
}

/**
 * A port to give a server that must know its own address before it listens (the bot's PUBLIC_URL is part of its
 * configuration): `preferred` when free, else one the system hands out. Another process could take it in between;
 * on loopback, in the moment it takes to start the bot, that is unlikely enough.
 */
export async function freePort(preferred: number): Promise<number> {
  const probe = createServer();
  const port = await listenPreferring(probe, preferred);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
