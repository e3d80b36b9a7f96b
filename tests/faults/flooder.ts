/**
 * The hostile client of the abuse fault run, in a process of its own, so that its work (5,000 emits, 200
 * logins, 300 sockets) runs on its own event loop and CPU time rather than delaying the timed pair's
 * timestamps in the test's process. Run by tests/faults/abuse.test.ts as
 * `node --import tsx tests/faults/flooder.ts '<json plan>'`; prints "flooding" once it starts and, at the
 * end, one line "result <json>" with what the flood got.
 *
 * Every flood is written as raw bytes (HTTP requests, WebSocket frames), as a real attacker's tool would be. On the
 * 2 cores the flooder shares with the server, `fetch` and socket.io-client had cost it more CPU than the server spent
 * on the flood, and the server's event loop waited for the cores rather than for its own work.
 */
import net from "node:net";

export type FloodPlan = (
  | { kind: "send"; url: string; token: string; destination: string; count: number }
  | { kind: "typing"; url: string; token: string; destination: string; count: number }
  | { kind: "login"; url: string; username: string; count: number; headers: Record<string, string> }
  | { kind: "signup"; url: string; count: number; headers: Record<string, string> }
  | { kind: "sockets"; url: string; token: string; count: number; headers: Record<string, string> }
  | { kind: "upgrade"; url: string; count: number }
) & {
  /**
   * The loopback address the flood's connections come from (127.0.0.2, say): an address of the attacker's own for a
   * proxy in front, which sees connections, not X-Forwarded-For. 127.0.0.1 when not given.
   */
  from?: string;
};

let fromAddress: string | undefined;

/** A new connection to the server, from the flood's address. */
function dial(port: number, onConnect: () => void): net.Socket {
  return net.connect({ port, host: "127.0.0.1", localAddress: fromAddress }, onConnect);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function count(values: (number | string)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

async function flood(plan: FloodPlan): Promise<Record<string, unknown>> {
  const open: RawSocketIo[] = [];
  try {
    switch (plan.kind) {
      case "send": {
        const socket = await connected(plan, open);
        console.log("flooding");
        const acks: Promise<string>[] = [];
        for (let i = 0; i < plan.count; i += 1) {
          acks.push(
            socket.emitWithAck("message:send", { destination: plan.destination, message: `flood ${i}` }).then((ack) => {
              if (ack === undefined) return "no answer";
              const { ok, error } = ack as { ok?: boolean; error?: string };
              return ok ? "accepted" : (error ?? "?");
            }),
          );
          if (i % 250 === 0) await pause(10);
        }
        const answers = await Promise.all(acks);
        return { answers: count(answers), warnings: socket.warnings, disconnected: socket.closed };
      }
      case "typing": {
        const socket = await connected(plan, open);
        console.log("flooding");
        for (let i = 0; i < plan.count; i += 1) {
          socket.emit("typing", { destination: plan.destination, typing: i % 2 === 0 });
          if (i % 500 === 0) await pause(5);
        }
        await pause(200);
        return { warnings: socket.warnings, disconnected: socket.closed };
      }
      case "login": {
        console.log("flooding");
        const statuses = await Promise.all(
          Array.from({ length: plan.count }, () =>
            post(plan.url, { username: plan.username, password: "guess" }, plan.headers),
          ),
        );
        return { answers: count(statuses) };
      }
      case "signup": {
        console.log("flooding");
        const run = Date.now().toString(36);
        const statuses = await Promise.all(
          Array.from({ length: plan.count }, (_, i) =>
            post(plan.url, { username: `spam_${run}_${i}`, password: "pw" }, plan.headers),
          ),
        );
        return { answers: count(statuses) };
      }
      case "sockets": {
        console.log("flooding");
        const results = await Promise.all(
          Array.from({ length: plan.count }, () =>
            RawSocketIo.connect(portOf(plan.url), plan.token, plan.headers).then((socket) => {
              if (typeof socket === "string") return socket;
              open.push(socket);
              return "connected";
            }),
          ),
        );
        return { answers: count(results) };
      }
      default: {
        console.log("flooding");
        const statuses = await Promise.all(Array.from({ length: plan.count }, () => rawUpgrade(portOf(plan.url))));
        return { answers: count(statuses) };
      }
    }
  } finally {
    for (const socket of open) socket.close();
  }
}

const portOf = (url: string) => Number(new URL(url).port);

/** The flood's one connection; the flood cannot start without it. */
async function connected(plan: { url: string; token: string }, open: RawSocketIo[]): Promise<RawSocketIo> {
  const socket = await RawSocketIo.connect(portOf(plan.url), plan.token);
  if (typeof socket === "string") throw new Error(`the flooder could not connect: ${socket}`);
  open.push(socket);
  return socket;
}

/**
 * POST /api/session on a connection of its own, resolving with the status code (0 without an answer).
 */
function post(url: string, body: unknown, headers: Record<string, string>): Promise<number> {
  const payload = JSON.stringify(body);
  const port = portOf(url);
  const headerLines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return exchange(
    port,
    `POST /api/session HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n${headerLines.join("")}\r\n${payload}`,
  ).then((statusLine) => Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0));
}

/** Sends a WebSocket upgrade to a path nobody serves; resolves with the status line (or "closed"). */
function rawUpgrade(port: number): Promise<string> {
  return exchange(
    port,
    "GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
  );
}

/** Writes `request` on a new connection; resolves with the answer's status line once the server closes it. */
function exchange(port: number, request: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = dial(port, () => socket.write(request));
    let answer = "";
    socket.on("data", (chunk) => (answer += chunk.toString("latin1")));
    socket.on("close", () => resolve(answer.split("\r\n")[0] || "closed"));
    socket.on("error", () => {});
    socket.setTimeout(10_000, () => socket.destroy());
  });
}

/**
 * A Socket.IO connection made by hand: a WebSocket upgrade, Engine.IO's open, the namespace's CONNECT with the token,
 * then events as text frames (`42[…]`, with an ack id `42<id>[…]`), the answers read back (`43<id>[…]`), Engine.IO's
 * pings answered.
 */
class RawSocketIo {
  readonly warnings: string[] = [];
  closed = false;
  private nextAckId = 0;
  private readonly pendingAcks = new Map<number, (answer: unknown) => void>();

  private constructor(private readonly socket: net.Socket) {}

  /**
   * Resolves with the connection, or with why there is none: the reason the namespace gave (up to its first colon,
   * as socket.io-client would report it), how the upgrade was refused, or "closed".
   */
  static connect(port: number, token: string, headers: Record<string, string> = {}): Promise<RawSocketIo | string> {
    return new Promise((resolve) => {
      const headerLines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
      const socket = dial(port, () =>
        socket.write(
          `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\n` +
            "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
            `${headerLines.join("")}\r\n`,
        ),
      );
      const connection = new RawSocketIo(socket);
      let settled = false;
      const settle = (answer: RawSocketIo | string) => {
        if (settled) return;
        settled = true;
        if (typeof answer === "string") socket.destroy();
        resolve(answer);
      };
      let buffered = Buffer.alloc(0);
      let upgraded = false;
      socket.on("data", (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (!upgraded) {
          const end = buffered.indexOf("\r\n\r\n");
          if (end < 0) return;
          const statusLine = buffered.subarray(0, buffered.indexOf("\r\n")).toString("latin1");
          if (!statusLine.startsWith("HTTP/1.1 101")) return settle(`upgrade refused (${statusLine.slice(9, 12)})`);
          upgraded = true;
          buffered = buffered.subarray(end + 4);
        }
        for (let frame = readTextFrame(buffered); frame; frame = readTextFrame(buffered)) {
          buffered = buffered.subarray(frame.length);
          const { text } = frame;
          if (text === "2") socket.write(maskedTextFrame("3"));
          else if (text.startsWith("0")) socket.write(maskedTextFrame(`40${JSON.stringify({ token })}`));
          else if (text.startsWith("40")) settle(connection);
          else if (text.startsWith("44")) {
            const { message } = JSON.parse(text.slice(2)) as { message: string };
            settle(message.split(":")[0] ?? "?");
          } else connection.received(text);
        }
      });
      socket.on("close", () => {
        connection.closed = true;
        for (const answer of connection.pendingAcks.values()) answer(undefined);
        connection.pendingAcks.clear();
        settle("closed");
      });
      socket.on("error", () => {});
      socket.setTimeout(30_000, () => socket.destroy());
    });
  }

  emit(event: string, payload: unknown): void {
    if (!this.closed) this.socket.write(maskedTextFrame(`42${JSON.stringify([event, payload])}`));
  }

  /** Resolves with the server's answer, or undefined if the connection closed first. */
  emitWithAck(event: string, payload: unknown): Promise<unknown> {
    if (this.closed) return Promise.resolve(undefined);
    const id = this.nextAckId++;
    this.socket.write(maskedTextFrame(`42${id}${JSON.stringify([event, payload])}`));
    return new Promise((resolve) => this.pendingAcks.set(id, resolve));
  }

  close(): void {
    this.socket.destroy();
  }

  private received(text: string): void {
    const ack = /^43(\d+)/.exec(text);
    if (ack) {
      const id = Number(ack[1]);
      const [answer] = JSON.parse(text.slice(ack[0].length)) as unknown[];
      this.pendingAcks.get(id)?.(answer);
      this.pendingAcks.delete(id);
      return;
    }
    if (text.startsWith("42")) {
      const [event, payload] = JSON.parse(text.slice(2)) as [string, { code?: string }];
      if (event === "warning") this.warnings.push(payload?.code ?? "?");
    }
  }
}

/** One unmasked text frame from the server at the start of `bytes`, if it is all there. */
function readTextFrame(bytes: Buffer): { text: string; length: number } | undefined {
  if (bytes.length < 2) return undefined;
  let size = bytes[1]! & 0x7f;
  let start = 2;
  if (size === 126) {
    if (bytes.length < 4) return undefined;
    size = bytes.readUInt16BE(2);
    start = 4;
  } else if (size === 127) {
    if (bytes.length < 10) return undefined;
    size = Number(bytes.readBigUInt64BE(2));
    start = 10;
  }
  if (bytes.length < start + size) return undefined;
  return { text: bytes.subarray(start, start + size).toString("utf8"), length: start + size };
}

/** A client's text frame; the mask is all zeros, which leaves the payload as it is. */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const header =
    payload.length < 126
      ? Buffer.from([0x81, 0x80 | payload.length])
      : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([header, Buffer.alloc(4), payload]);
}

if (process.argv[2]) {
  const plan = JSON.parse(process.argv[2]) as FloodPlan;
  fromAddress = plan.from;
  flood(plan).then(
    (result) => {
      console.log(`result ${JSON.stringify(result)}`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
