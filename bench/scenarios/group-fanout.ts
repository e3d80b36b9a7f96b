/**
 * One message to a group whose members are all online: how long from `message:send` until the last member has it
 * (and the first). The app stores it once with a receipt per member and broadcasts it once to the group's room;
 * each member answers with `message:received` (as the page and the terminal client do), which the app records. The
 * relay broadcasts to a room and does nothing else. Messages go one at a time, so each sample is one fan-out alone.
 */
import { io, type Socket } from "socket.io-client";
import { summarise } from "../support/stats";
import type { Measurement, Scenario } from "./types";

const GROUP = "benchgroup";
const EACH_TIMEOUT_MS = 10_000;

export const groupFanout: Scenario = {
  name: "group",
  async run({ target, fixture, settings, problem }) {
    const { members: count, messages } = settings.group;
    const [owner, ...rest] = fixture.people.slice(0, count + 1);
    const members = rest.slice(0, count);
    if (!owner || members.length < count) throw new Error(`the fixture has fewer than ${count + 1} people`);

    if (target.kind === "app") {
      const response = await fetch(new URL("/api/groups", target.url), {
        method: "POST",
        headers: { authorization: `Bearer ${owner.token}`, "content-type": "application/json" },
        body: JSON.stringify({ name: GROUP, members: members.map((m) => m.username) }),
      });
      if (response.status !== 201) throw new Error(`creating the group: ${response.status} ${await response.text()}`);
    }
    const auth = (client: { username: string; token: string }) =>
      target.kind === "app" ? { token: client.token } : { username: client.username, groups: [GROUP] };

    // When each member got each message, by its text (`fanout <n>`).
    let pending: { text: string; left: Set<string>; sentAt: number; first?: number; done: () => void } | undefined;
    const sockets: Socket[] = [];
    const connectOne = (client: { username: string; token: string }, member: boolean) =>
      new Promise<Socket>((resolve, reject) => {
        const socket = io(target.url, {
          auth: auth(client),
          transports: ["websocket"],
          forceNew: true,
          reconnection: false,
        });
        sockets.push(socket);
        if (member)
          socket.on("message", (message: { id?: string; message: string; destination: string }, ack?: () => void) => {
            if (typeof ack === "function") ack();
            else if (message.id && target.kind === "app") socket.emit("message:received", { ids: [message.id] });
            if (!pending || message.message !== pending.text || !pending.left.delete(client.username)) return;
            pending.first ??= performance.now();
            if (pending.left.size === 0) pending.done();
          });
        socket.once("connect", () => resolve(socket));
        socket.once("connect_error", reject);
      });
    try {
      const sender = await connectOne(owner, false);
      for (let i = 0; i < members.length; i += 50)
        await Promise.all(members.slice(i, i + 50).map((member) => connectOne(member, true)));
      await new Promise((resolve) => setTimeout(resolve, 500)); // the backlog (the group's creation) is through

      const last: number[] = [];
      const first: number[] = [];
      for (let n = 0; n < messages; n += 1) {
        const text = `fanout ${n}`;
        const arrived = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`${text}: ${pending?.left.size} members never got it`)),
            EACH_TIMEOUT_MS,
          );
          pending = {
            text,
            left: new Set(members.map((m) => m.username)),
            sentAt: performance.now(),
            done: () => {
              clearTimeout(timer);
              resolve();
            },
          };
        });
        const sentAt = pending!.sentAt;
        sender.emit("message:send", { destination: `#${GROUP}`, message: text }, () => {});
        try {
          await arrived;
          last.push(performance.now() - sentAt);
          first.push(pending!.first! - sentAt);
        } catch (error) {
          problem(`group fan-out: ${(error as Error).message}`);
        }
      }
      const toLast = summarise(last);
      const toFirst = summarise(first);
      const row = (metric: string, value: number): Measurement => ({
        scenario: "group",
        metric: `${metric}, ${count} members online`,
        unit: "ms",
        value,
        better: "lower",
      });
      return [
        row("send→last member p50", toLast.p50),
        row("send→last member p99", toLast.p99),
        row("send→first member p50", toFirst.p50),
      ];
    } finally {
      for (const socket of sockets) socket.disconnect();
    }
  },
};
