/** Real clients for the tests: fetch for HTTP and socket.io-client over WebSocket. */
import { io, type Socket } from "socket.io-client";
import type { ChatMessage } from "@/lib/contract/payloads";
import { login as loginAs, type Person } from "../../tools/http-api";

export { api, type Person } from "../../tools/http-api";

let counter = 0;
/** A username no other test in this run uses. */
export function uniqueName(prefix = "user"): string {
  counter += 1;
  return `${prefix}${process.pid}_${counter}`;
}

export async function login(baseUrl: string, username = uniqueName(), password = "correct horse"): Promise<Person> {
  return loginAs(baseUrl, username, password);
}

export interface TestSocket {
  socket: Socket;
  /** Every `message` event received so far, in order. */
  received: ChatMessage[];
  /** Resolves with the next event of this name (or one already buffered) that matches. */
  next<T = any>(event: string, match?: (payload: T) => boolean, timeoutMs?: number): Promise<T>;
  /** Collects every event of this name from now on. */
  collect<T = any>(event: string): T[];
  request<T = any>(event: string, payload?: unknown): Promise<T>;
  close(): void;
}

const sockets = new Set<Socket>();

/** Connects and waits until the server accepted the handshake. Stored messages are acked like a client does. */
export async function connect(
  baseUrl: string,
  token: string | undefined,
  options: { ack?: boolean } = {},
): Promise<TestSocket> {
  const socket = io(baseUrl, {
    auth: token ? { token } : {},
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
  });
  sockets.add(socket);
  const buffers = new Map<string, any[]>();
  const waiters = new Set<{ event: string; match: (p: any) => boolean; resolve: (p: any) => void }>();
  const received: ChatMessage[] = [];
  // An event goes to the first waiter that wants it, or into the buffer for a later `next`.
  const record = (event: string, payload: unknown) => {
    for (const waiter of waiters) {
      if (waiter.event === event && waiter.match(payload)) {
        waiters.delete(waiter);
        waiter.resolve(payload);
        return;
      }
    }
    if (!buffers.has(event)) buffers.set(event, []);
    buffers.get(event)!.push(payload);
  };
  socket.onAny((event: string, ...args: unknown[]) => {
    const last = args[args.length - 1];
    if (event === "message") {
      received.push(args[0] as ChatMessage);
      if (typeof last === "function" && options.ack !== false) last();
    }
    record(event, args[0]);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (error) => reject(error));
  });

  return {
    socket,
    received,
    next(event, match = () => true, timeoutMs = 5_000) {
      // By index: an event without a payload (backlog:done) is buffered as `undefined`.
      const buffer = buffers.get(event) ?? [];
      const index = buffer.findIndex(match);
      if (index !== -1) return Promise.resolve(buffer.splice(index, 1)[0]);
      return new Promise((resolve, reject) => {
        const waiter = {
          event,
          match,
          resolve: (payload: any) => {
            clearTimeout(timer);
            resolve(payload);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no '${event}' event within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    collect(event) {
      const list: any[] = [];
      socket.on(event, (payload) => list.push(payload));
      return list;
    },
    request(event, payload) {
      return payload === undefined
        ? socket.timeout(5_000).emitWithAck(event)
        : socket.timeout(5_000).emitWithAck(event, payload);
    },
    close() {
      socket.disconnect();
      sockets.delete(socket);
    },
  };
}

/** Closes every socket a test opened and did not close. */
export function closeAllSockets(): void {
  for (const socket of sockets) socket.disconnect();
  sockets.clear();
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` until it holds, failing after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}
