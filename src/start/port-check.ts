import net from 'node:net';

/**
 * Why the web server could not listen on `port`, or null when it can: binds
 * the same address `next start` will (every interface when `host` is unset)
 * and lets go at once. Checked before the build, so that a second `npm start`
 * neither rebuilds .next under a running instance nor mistakes the other
 * server's answers for its own.
 * @example await portUnavailableBecause(3000) // 'port 3000 is already in use: ...'
 */
export function portUnavailableBecause(port: number, host?: string): Promise<string | null> {
  const where = host ? `${host}:${port}` : `port ${port}`;
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(`${where} is already in use (another npm start?): stop that process or set PORT`);
      else if (error.code === 'EACCES') resolve(`${where} needs privileges this user lacks: set PORT to 1024 or above`);
      else resolve(`cannot listen on ${where}: ${error.message}`);
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(null)));
  });
}
