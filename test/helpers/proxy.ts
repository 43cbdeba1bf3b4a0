// A loopback TCP proxy that records every byte each way: interop tests use it to show what a
// real client and the emulator put on the wire (message encryption, handshakes).
import net from 'node:net';

export async function recordingProxy(target: URL): Promise<{ url: string; up: Buffer[]; down: Buffer[]; close(): Promise<void> }> {
  const up: Buffer[] = [];
  const down: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (d: Buffer) => up.push(Buffer.from(d)));
    upstream.on('data', (d: Buffer) => down.push(Buffer.from(d)));
    client.pipe(upstream).pipe(client);
    const done = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    up,
    down,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}
