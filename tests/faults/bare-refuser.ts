/**
 * The least an HTTP server can do with a login flood: Node's own HTTP server answering every request the way the
 * edge refuses one over its address's budget (429, a short JSON body, the connection closed), and nothing else.
 * The abuse run floods it exactly as it floods the chat server, and publishes the CPU it took and its event loop's
 * longest stall beside the chat server's: what the HTTP stack itself costs on this machine, which no change to the
 * app can go below. The stall is printed when it is stopped.
 */
import http from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";

const body = JSON.stringify({ error: "too many login or sign-up attempts from your address: try again in 1 s" });

const server = http.createServer((request, response) => {
  response.writeHead(429, { "Content-Type": "application/json", Connection: "close" });
  response.end(body);
  request.resume();
});
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as { port: number };
  console.log(`> Bare refuser ready on http://localhost:${port}`);
});
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
process.once("SIGTERM", () => {
  console.log(`loop lag max ${(loopDelay.max / 1e6).toFixed(1)} ms`);
  server.close(() => process.exit(0));
});
