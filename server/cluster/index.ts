/**
 * One instance of several (REDIS_URL set): the Redis connection, Socket.IO's Redis Streams adapter, the presence
 * registry, device leases and readiness. Without REDIS_URL none of this is loaded and the server runs alone.
 */
import { errorField, INSTANCE_ID, logger } from "../log";
import type { ChatService } from "../../lib/chat/chat-service";
import type { Device } from "../../lib/devices";
import type { Notifier } from "../../lib/chat/notifier";
import { PRESENCE_WINDOW_MS } from "../../lib/chat/presence";
import type { DeviceStore } from "../../lib/store";
import { userRoom } from "../realtime/notifier";
import type { ChatServer } from "../realtime/types";
import { attachRedisAdapter } from "./adapter";
import { ClusterNotifier, localPeople } from "./cluster-notifier";
import { DeviceLease } from "./device-lease";
import { fencedDeviceStore } from "./fenced-device-store";
import { LeaderCommands } from "./leader-commands";
import { LeasedDevice } from "./leased-device";
import { PresenceRegistry } from "./presence-registry";
import { connectRedis, withTimeout } from "./redis";
import type { ClusterSettings } from "../config";

export interface Cluster {
  readonly instanceId: string;
  /** Puts Socket.IO on the Redis adapter and watches this instance's rooms for the presence registry. */
  attach(io: ChatServer): void;
  /** The Notifier for the services: rooms across instances, presence from the registry. */
  readonly notifier: Notifier;
  /** The device store for device jobs: a reading is written only under the device's lease. */
  fence(store: DeviceStore): DeviceStore;
  /** Wraps a device so that its job runs only where its lease is held (pass to createDevices). */
  wrapDevice(chat: ChatService): (device: Device) => Device;
  /**
   * Starts the heartbeat (people of dead instances are announced through `chat`) and registers people as their
   * handshakes pass: call after the chat handlers, whose authentication middleware has to run first.
   */
  start(chat: ChatService): Promise<void>;
  /** Whether Redis answers now. */
  isReachable(): Promise<boolean>;
  /** Whether this instance runs the device's job now (holds its lease). */
  leads(device: string): boolean;
  /** Leaves the registry and closes Redis; call after the sockets are closed and the devices stopped. */
  close(): Promise<void>;
}

export async function joinCluster(settings: ClusterSettings): Promise<Cluster> {
  const instanceId = INSTANCE_ID; // the id every log line carries
  const redis = await connectRedis(settings.redisUrl, `chat-${instanceId}`);
  const client = redis.client;

  let io: ChatServer | undefined;
  let leaderCommands: LeaderCommands | undefined;
  let registry: PresenceRegistry | undefined;
  let notifier: ClusterNotifier | undefined;
  const leases = new Map<string, DeviceLease>();
  const leased = new Map<string, LeasedDevice>();
  const attached = () => {
    if (!io || !leaderCommands || !registry || !notifier) throw new Error("attach the cluster to Socket.IO first");
    return { io, leaderCommands, registry, notifier };
  };
  let presenceChanged: (usernames: string[]) => void = () => {};

  return {
    instanceId,

    attach(server) {
      io = server;
      attachRedisAdapter(io, client);
      const people = () => localPeople(server);
      registry = new PresenceRegistry(client, {
        instanceId,
        timeoutMs: settings.instanceTimeoutMs,
        localPeople: people,
        presenceMayHaveChanged: (usernames) => presenceChanged(usernames),
      });
      const prefix = userRoom("");
      const adapter = io.of("/").adapter;
      adapter.on("create-room", (room: string) => {
        if (room.startsWith(prefix)) registry?.arrived(room.slice(prefix.length));
      });
      adapter.on("delete-room", (room: string) => {
        if (room.startsWith(prefix)) registry?.left(room.slice(prefix.length));
      });
      notifier = new ClusterNotifier(server, registry);
      leaderCommands = new LeaderCommands(server);
    },

    get notifier() {
      return attached().notifier;
    },

    fence(store) {
      return fencedDeviceStore(store, (device) => leases.get(device)?.mayWrite() ?? false);
    },

    wrapDevice(chat) {
      return (device) => {
        const lease = new DeviceLease(client, device.name, instanceId, settings.leaseTtlMs);
        leases.set(device.name, lease);
        const { leaderCommands } = attached();
        const wrapped = new LeasedDevice(device, lease, chat, (command) => leaderCommands.forward(command));
        leaderCommands.register(wrapped);
        leased.set(device.name, wrapped);
        return wrapped;
      };
    },

    async start(chat) {
      const { io, registry } = attached();
      // After the authentication middleware (registered before this), so the username is known.
      io.use((socket, next) => {
        registry.arriving(socket.data.username).then(() => next());
      });
      presenceChanged = (usernames) => {
        for (const username of usernames) {
          chat
            .presenceChanged(username)
            .catch((error) => logger.error(errorField(error), `presence of ${username} failed:`));
        }
      };
      await registry.start();
    },

    async isReachable() {
      if (!client.isReady) return false;
      return withTimeout(client.ping(), 1_000).then(
        () => true,
        () => false,
      );
    },

    leads(device) {
      return leased.get(device)?.isLeading ?? false;
    },

    async close() {
      // The sockets closed just before: let the presence window announce who left, then leave the registry.
      await new Promise((resolve) => setTimeout(resolve, PRESENCE_WINDOW_MS + 50));
      await registry?.stop();
      await redis.close();
    },
  };
}
