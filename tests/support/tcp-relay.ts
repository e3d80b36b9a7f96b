/**
 * A TCP relay in front of a test server, for the terminal client's tests of a network that misbehaves: each
 * connection's bytes pass through the test's hooks (which may hold or drop them), and every connection can be cut.
 */
import net from "node:net";

/** How one relayed connection passes bytes on: `send` forwards them; not calling it drops them. */
export interface RelayHooks {
  toServer?(chunk: Buffer, send: (chunk: Buffer) => void): void;
  toClient?(chunk: Buffer, send: (chunk: Buffer) => void): void;
}

export interface TcpRelay {
  url: string;
  /** Cuts every connection through the relay (the client sees its connection drop). */
  dropConnections(): void;
  close(): Promise<void>;
}

/** Relays 127.0.0.1:<its port> to 127.0.0.1:`targetPort`; `hooksFor` is asked once per new connection. */
export async function startTcpRelay(targetPort: number, hooksFor: () => RelayHooks = () => ({})): Promise<TcpRelay> {
  const connections = new Set<net.Socket>();
  const relay = net.createServer((client) => {
    const upstream = net.connect(targetPort, "127.0.0.1");
    connections.add(client).add(upstream);
    const hooks = hooksFor();
    const toServer = (chunk: Buffer) => upstream.write(chunk);
    const toClient = (chunk: Buffer) => client.write(chunk);
    client.on("data", (chunk: Buffer) => (hooks.toServer ? hooks.toServer(chunk, toServer) : toServer(chunk)));
    upstream.on("data", (chunk: Buffer) => (hooks.toClient ? hooks.toClient(chunk, toClient) : toClient(chunk)));
    const close = () => {
      client.destroy();
      upstream.destroy();
      connections.delete(client);
      connections.delete(upstream);
    };
    client.on("close", close).on("error", close);
    upstream.on("close", close).on("error", close);
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  const { port } = relay.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dropConnections: () => {
      for (const socket of connections) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of connections) socket.destroy();
        relay.close(() => resolve());
      }),
  };
}
