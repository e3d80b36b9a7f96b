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

function post(url: string, body: unknown, headers: Record<string, string>): Promise<number> {
  return fetch(`${url}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  }).then(
    async (response) => {
      await response.text();
      return response.status;
    },
    () => 0,
  );
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
        const results = await Promise.all(
          Array.from({ length: plan.count }, () =>
            connect(plan.url, plan.token, sockets, plan.headers).then(
              () => "connected",
              (error: Error) => error.message.split(":")[0] ?? "?",
            ),
          ),
        );
        return { answers: count(results) };
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
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.write(
        "GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
          "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
      );
    });
    let answer = "";
    socket.on("data", (chunk) => (answer += chunk.toString("latin1")));
    socket.on("close", () => resolve(answer.split("\r\n")[0] || "closed"));
    socket.on("error", () => {});
    socket.setTimeout(10_000, () => socket.destroy());
  });
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
