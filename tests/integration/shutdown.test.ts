/** Shutdown has an overall deadline: a connection that never finishes its request cannot hold it up. */
import net from "node:net";
import { removeDatabase, startTestServerProcess } from "../support/server-process";

test("a request whose headers never end cannot keep the server from exiting past the deadline", async () => {
  const server = await startTestServerProcess({ env: { SHUTDOWN_DEADLINE_MS: "2000" } });
  const stuck = net.connect(Number(new URL(server.url).port), "127.0.0.1");
  try {
    await new Promise<void>((resolve) => stuck.once("connect", () => resolve()));
    stuck.write("GET /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\n"); // and never the blank line
    await new Promise((resolve) => setTimeout(resolve, 300));

    const started = Date.now();
    const code = await server.stop(); // SIGTERM; the helper sends SIGKILL after 15 s
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(code).not.toBeNull(); // it exited by itself
    expect(server.output()).toMatch(/shutdown did not finish within 2000 ms/);
  } finally {
    stuck.destroy();
    removeDatabase(server.databaseFile);
  }
}, 30_000);
