/**
 * The client address as route handlers and Socket.IO handshakes get it, for each TRUST_PROXY setting: the edge on
 * a real HTTP server with real Socket.IO, and a stand-in for Next that answers with what it was told.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Server as SocketServer } from "socket.io";
import { io as connectSocket } from "socket.io-client";
import { createEdge } from "@/server/http/edge";
import { clientAddress } from "@/server/http/request-facts";
import { handshakeClientAddress } from "@/server/realtime/handshake";
import type { ChatServer } from "@/server/realtime/types";

interface Running {
  url: string;
  close(): Promise<void>;
}

async function edgeServer(trustProxyHops: number): Promise<Running> {
  const edge = createEdge(
    {
      dev: false,
      trustProxyHops,
      maxBodyBytes: 65_536,
      allowedOrigins: new Set(),
      tls: undefined,
      hstsMaxAge: 0,
      accountRequestsPerAddress: { perSecond: 1_000, burst: 1_000 },
    },
    {
      handleRequest: (request, response) => {
        response.setHeader("content-type", "application/json");
        response.end(JSON.stringify({ clientAddress: clientAddress(request.headers) }));
      },
      handleUpgrade: () => false,
    },
  );
  const server: Server = createServer(edge.handleRequest);
  const io: ChatServer = new SocketServer(server);
  edge.attach(server);
  io.use((socket, next) => next(new Error(`address ${handshakeClientAddress(socket)}`)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => io.close(() => resolve())),
  };
}

async function httpAddress(url: string, headers: Record<string, string> = {}): Promise<string> {
  return ((await (await fetch(url, { headers })).json()) as { clientAddress: string }).clientAddress;
}

/** The handshake's address, read back from the refusal the test middleware sends. */
async function socketAddress(url: string, headers: Record<string, string> = {}): Promise<string> {
  const socket = connectSocket(url, { transports: ["websocket"], extraHeaders: headers, reconnection: false });
  try {
    return await new Promise<string>((resolve) => socket.once("connect_error", (error) => resolve(error.message)));
  } finally {
    socket.disconnect();
  }
}

const SPOOFED = { "x-chat-edge-client-address": "192.0.2.66" };

test("without TRUST_PROXY the address is the socket's peer, whatever the headers say", async () => {
  const server = await edgeServer(0);
  try {
    const headers = { ...SPOOFED, "x-forwarded-for": "198.51.100.1" };
    expect(await httpAddress(server.url, headers)).toBe("127.0.0.1");
    expect(await socketAddress(server.url, headers)).toBe("address 127.0.0.1");
  } finally {
    await server.close();
  }
});

test("TRUST_PROXY=1 takes the last X-Forwarded-For entry: the one the proxy added", async () => {
  const server = await edgeServer(1);
  try {
    const headers = { ...SPOOFED, "x-forwarded-for": "198.51.100.1, 203.0.113.7" };
    expect(await httpAddress(server.url, headers)).toBe("203.0.113.7");
    expect(await socketAddress(server.url, headers)).toBe("address 203.0.113.7");
    // A request that reached the server without passing the proxy has no entry: its peer counts.
    expect(await httpAddress(server.url)).toBe("127.0.0.1");
  } finally {
    await server.close();
  }
});

test("TRUST_PROXY=2 takes the entry the outer of two proxies added", async () => {
  const server = await edgeServer(2);
  try {
    expect(await httpAddress(server.url, { "x-forwarded-for": "198.51.100.1, 203.0.113.7, 10.0.0.2" })).toBe(
      "203.0.113.7",
    );
    expect(await httpAddress(server.url, { "x-forwarded-for": "203.0.113.7" })).toBe("203.0.113.7");
  } finally {
    await server.close();
  }
});
