/**
 * Ending a session ends its live sockets: logout, "log out everywhere" and expiry, against the
 * real server process, real sockets and its real SQLite file.
 */
import { api, closeAllSockets, connect, login, sleep, uniqueName, type TestSocket } from "../support/clients";
import { removeDatabase, type ServerProcess, startTestServerProcess } from "../support/server-process";
import { setSessionExpiry } from "../support/sqlite";

let server: ServerProcess;

beforeAll(async () => {
  server = await startTestServerProcess();
});
afterEach(() => closeAllSockets());
afterAll(async () => {
  await server.stop();
  removeDatabase(server.databaseFile);
});

const PASSWORD = "correct horse";

/** Resolves with the disconnect reason, or rejects if the socket is still connected after `timeoutMs`. */
function disconnection(socket: TestSocket, timeoutMs = 3_000): Promise<string> {
  if (socket.socket.disconnected) return Promise.resolve("already disconnected");
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still connected after ${timeoutMs} ms`)), timeoutMs);
    socket.socket.once("disconnect", (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

describe("logout", () => {
  test("disconnects every socket of that session at once, and only of that session", async () => {
    const name = uniqueName("alice");
    const laptop = await login(server.url, name, PASSWORD);
    const phone = await login(server.url, name, PASSWORD);
    const bob = await login(server.url);
    const laptopTabs = [await connect(server.url, laptop.token), await connect(server.url, laptop.token)];
    const phoneSocket = await connect(server.url, phone.token);
    const bobSocket = await connect(server.url, bob.token);

    const gone = laptopTabs.map((tab) => disconnection(tab));
    const { status } = await api(server.url, "/api/session", { method: "DELETE", token: laptop.token });
    expect(status).toBe(204);
    expect(await Promise.all(gone)).toEqual(["io server disconnect", "io server disconnect"]);

    // The logged-out session neither receives nor sends; the phone's session goes on.
    const sent = await bobSocket.request("message:send", { destination: name, message: "after logout" });
    expect(sent).toMatchObject({ ok: true, online: true });
    expect((await phoneSocket.next("message")).message).toBe("after logout");
    expect(phoneSocket.socket.connected).toBe(true);
    expect(laptopTabs.every((tab) => tab.received.length === 0)).toBe(true);
    await expect(connect(server.url, laptop.token)).rejects.toThrow("unauthorized");
  });
});

describe("log out everywhere", () => {
  test("DELETE /api/sessions ends every session of the caller and disconnects all their sockets", async () => {
    const name = uniqueName("alice");
    const sessions = [
      await login(server.url, name, PASSWORD),
      await login(server.url, name, PASSWORD),
      await login(server.url, name, PASSWORD),
    ];
    const other = await login(server.url);
    const sockets = await Promise.all(sessions.map((session) => connect(server.url, session.token)));
    const otherSocket = await connect(server.url, other.token);

    const gone = sockets.map((socket) => disconnection(socket));
    const { status, headers } = await api(server.url, "/api/sessions", { method: "DELETE", token: sessions[1]!.token });
    expect(status).toBe(204);
    expect(headers.get("set-cookie")).toMatch(/chat_session=;/);
    expect(await Promise.all(gone)).toEqual(sessions.map(() => "io server disconnect"));

    for (const session of sessions) {
      expect((await api(server.url, "/api/session", { token: session.token })).status).toBe(401);
    }
    // Someone else's session is untouched, and logging in again works.
    expect(otherSocket.socket.connected).toBe(true);
    const again = await login(server.url, name, PASSWORD);
    expect((await connect(server.url, again.token)).socket.connected).toBe(true);
  });

  test("needs a session", async () => {
    expect((await api(server.url, "/api/sessions", { method: "DELETE" })).status).toBe(401);
  });
});

describe("expiry", () => {
  test("a socket whose session expires while it is connected is disconnected then", async () => {
    const alice = await login(server.url, uniqueName("alice"), PASSWORD);
    const expiresAt = new Date(Date.now() + 1_500);
    setSessionExpiry(server.databaseFile, alice.username, expiresAt);
    const socket = await connect(server.url, alice.token);

    const reason = await disconnection(socket, 5_000);
    expect(reason).toBe("io server disconnect");
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt.getTime());
    await expect(connect(server.url, alice.token)).rejects.toThrow("unauthorized");
  });

  test("a session 30 days from its end stays connected (a timer that long must not fire at once)", async () => {
    const alice = await login(server.url, uniqueName("alice"), PASSWORD);
    const socket = await connect(server.url, alice.token);
    await sleep(500);
    expect(socket.socket.connected).toBe(true);
  });
});
