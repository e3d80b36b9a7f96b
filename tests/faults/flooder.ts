/**
 * The hostile client of the abuse fault run, in a process of its own, so that its work (5,000 emits, 200
 * logins, 300 sockets) runs on its own event loop and CPU time rather than delaying the timed pair's
 * timestamps in the test's process. Run by tests/faults/abuse.test.ts as
 * `node --import tsx tests/faults/flooder.ts '<json plan>'`; prints "flooding" once it starts and, at the
 * end, one line "result <json>" with what the flood got.
 */
import net from "node:net";
import { io, type Socket } from "socket.io-client";

export type FloodPlan =
  | { kind: "send"; url: string; token: string; destination: string; count: number }
  | { kind: "typing"; url: string; token: string; destination: string; count: number }
  | { kind: "login"; url: string; username: string; count: number; headers: Record<string, string> }
  | { kind: "signup"; url: string; count: number; headers: Record<string, string> }
  | { kind: "sockets"; url: string; token: string; count: number; headers: Record<string, string> }
  | { kind: "upgrade"; url: string; count: number };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function connect(url: string, token: string, sockets: Socket[], headers: Record<string, string> = {}): Promise<Socket> {
  const socket = io(url, {
    auth: { token },
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    extraHeaders: headers,
  });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

/**
 * POST /api/session as raw bytes on a connection of its own, resolving with the status code (0 without an answer).
 * A flood costs the flooder little this way, as it would a real attacker's tool: with fetch, building 200 requests
 * and their streams took the shared cores from the server being measured.
 */
function post(url: string, body: unknown, headers: Record<string, string>): Promise<number> {
  const payload = JSON.stringify(body);
  const { port } = new URL(url);
  const headerLines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return exchange(
    Number(port),
    `POST /api/session HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n${headerLines.join("")}\r\n${payload}`,
  ).then((statusLine) => Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0));
}

function count(values: (number | string)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

async function flood(plan: FloodPlan): Promise<Record<string, unknown>> {
  const sockets: Socket[] = [];
  try {
    switch (plan.kind) {
      case "send": {
        const socket = await connect(plan.url, plan.token, sockets);
        const warnings: string[] = [];
        socket.on("warning", (warning: { code: string }) => warnings.push(warning.code));
        let disconnected = false;
        socket.on("disconnect", () => {
          disconnected = true;
        });
        console.log("flooding");
        const acks: Promise<string>[] = [];
        for (let i = 0; i < plan.count; i += 1) {
          acks.push(
            socket
              .timeout(30_000)
              .emitWithAck("message:send", { destination: plan.destination, message: `flood ${i}` })
              .then(
                (ack: { ok: boolean; error?: string }) => (ack.ok ? "accepted" : (ack.error ?? "?")),
                () => "no answer",
              ),
          );
          if (i % 250 === 0) await pause(10);
        }
        const answers = await Promise.all(acks);
        return { answers: count(answers), warnings, disconnected };
      }
      case "typing": {
        const socket = await connect(plan.url, plan.token, sockets);
        const warnings: string[] = [];
        socket.on("warning", (warning: { code: string }) => warnings.push(warning.code));
        let disconnected = false;
        socket.on("disconnect", () => {
          disconnected = true;
        });
        console.log("flooding");
        for (let i = 0; i < plan.count; i += 1) {
          socket.emit("typing", { destination: plan.destination, typing: i % 2 === 0 });
          if (i % 500 === 0) await pause(5);
        }
        await pause(200);
        return { warnings, disconnected };
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
        const { port } = new URL(plan.url);
        const open: net.Socket[] = [];
        try {
          const results = await Promise.all(
            Array.from({ length: plan.count }, () => rawSocketIo(Number(port), plan.token, plan.headers, open)),
          );
          return { answers: count(results) };
        } finally {
          for (const socket of open) socket.destroy();
        }
      }
      default: {
        console.log("flooding");
        const { port } = new URL(plan.url);
        const statuses = await Promise.all(Array.from({ length: plan.count }, () => rawUpgrade(Number(port))));
        return { answers: count(statuses) };
      }
    }
  } finally {
    for (const socket of sockets) socket.disconnect();
  }
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
    const socket = net.connect(port, "127.0.0.1", () => socket.write(request));
    let answer = "";
    socket.on("data", (chunk) => (answer += chunk.toString("latin1")));
    socket.on("close", () => resolve(answer.split("\r\n")[0] || "closed"));
    socket.on("error", () => {});
    socket.setTimeout(10_000, () => socket.destroy());
  });
}

/**
 * A Socket.IO connection made by hand (WebSocket upgrade, Engine.IO open, the namespace's CONNECT with the token),
 * as lean as the HTTP floods: 300 socket.io-client instances took more of the shared cores than the server did.
 * Resolves with "connected" (the socket is kept in `open` until the flood ends), the reason the namespace gave
 * (up to its first colon, as socket.io-client would report it), or how the upgrade was refused.
 */
function rawSocketIo(
  port: number,
  token: string,
  headers: Record<string, string>,
  open: net.Socket[],
): Promise<string> {
  return new Promise((resolve) => {
    const headerLines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
    const socket = net.connect(port, "127.0.0.1", () =>
      socket.write(
        `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\n` +
          "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
          `${headerLines.join("")}\r\n`,
      ),
    );
    let buffered = Buffer.alloc(0);
    let upgraded = false;
    const settle = (answer: string) => {
      resolve(answer);
      if (answer === "connected") open.push(socket);
      else socket.destroy();
    };
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
        if (frame.text.startsWith("0")) socket.write(maskedTextFrame(`40${JSON.stringify({ token })}`));
        else if (frame.text.startsWith("40")) return settle("connected");
        else if (frame.text.startsWith("44")) {
          const { message } = JSON.parse(frame.text.slice(2)) as { message: string };
          return settle(message.split(":")[0] ?? "?");
        }
      }
    });
    socket.on("close", () => settle("closed"));
    socket.on("error", () => {});
    socket.setTimeout(10_000, () => socket.destroy());
  });
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
  flood(JSON.parse(process.argv[2]) as FloodPlan).then(
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
