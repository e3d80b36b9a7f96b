/**
 * Who is online across instances, kept in Redis so that it survives an instance's crash.
 *
 * Each instance keeps a heartbeat key (`chat:instance:<id>`, expiring after INSTANCE_TIMEOUT_MS) and the set of
 * people who have at least one socket on it (`chat:people:<id>`, updated when a person's room appears or empties
 * on this instance). A person is online while some instance with a live heartbeat lists them. Every third of the
 * timeout each instance renews its heartbeat and looks for instances whose heartbeat has expired; a Lua script takes
 * a dead instance's list atomically, so exactly one survivor gets it and announces those people's new presence.
 *
 * Bound: people of an instance killed with `kill -9` count as offline for every question at most INSTANCE_TIMEOUT_MS
 * after its last heartbeat, and are announced offline at most a third of that later (plus the 250 ms presence window).
 *
 * The scripts name keys they compute (one Redis, not Redis Cluster).
 */
import { logger } from "../log";
import type { Redis } from "./redis";
import { withTimeout } from "./redis";

const PREFIX = "chat:";
const INSTANCES = `${PREFIX}instances`;
const instanceKey = (id: string) => `${PREFIX}instance:${id}`;
const peopleKey = (id: string) => `${PREFIX}people:${id}`;
/** A presence question waits at most this long for Redis before it is answered from this instance alone. */
const QUESTION_TIMEOUT_MS = 1_000;
/** A handshake that registered a name and has not connected within this long has failed. */
const ABANDONED_AFTER_MS = 5_000;

/** Renews this instance's heartbeat; 1 when it was not registered (first beat, reaped, or Redis lost its data). */
const HEARTBEAT = `
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
return redis.call('SADD', KEYS[1], ARGV[1])`;

/** Removes every instance whose heartbeat expired and returns the people they listed. */
const REAP = `
local departed = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. 'instance:' .. id) == 0 then
    redis.call('SREM', KEYS[1], id)
    local people = ARGV[1] .. 'people:' .. id
    for _, name in ipairs(redis.call('SMEMBERS', people)) do table.insert(departed, name) end
    redis.call('DEL', people)
  end
end
return departed`;

const IS_ONLINE = `
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('SISMEMBER', ARGV[1] .. 'people:' .. id, ARGV[2]) == 1
    and redis.call('EXISTS', ARGV[1] .. 'instance:' .. id) == 1 then return 1 end
end
return 0`;

const ONLINE_PEOPLE = `
local keys = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. 'instance:' .. id) == 1 then table.insert(keys, ARGV[1] .. 'people:' .. id) end
end
if #keys == 0 then return {} end
return redis.call('SUNION', unpack(keys))`;

export interface PresenceRegistryOptions {
  instanceId: string;
  timeoutMs: number;
  /** The people with a socket on this instance right now. */
  localPeople(): Iterable<string>;
  /**
   * People whose presence may have changed without a socket event here: those of a dead instance (now offline
   * unless connected elsewhere), or this instance's own after it had been taken for dead (online again).
   */
  presenceMayHaveChanged(usernames: string[]): void;
}

export class PresenceRegistry {
  private timer: NodeJS.Timeout | undefined;
  private beating = false;
  private registeredOnce = false;
  private lastBeat = 0;
  /** Names registered by a handshake whose room has not appeared yet, with when. */
  private readonly arrivals = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly options: PresenceRegistryOptions,
  ) {}

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), Math.floor(this.options.timeoutMs / 3));
    this.timer.unref();
  }

  /**
   * A person is about to connect here (their handshake passed authentication). Awaited before the connection is
   * accepted, so by the time a client sees `connect`, every instance counts it online — as on a single instance,
   * where the room answers at once. A handshake that then fails leaves a name without a room; the next heartbeat
   * removes it.
   */
  async arriving(username: string): Promise<void> {
    this.arrivals.set(username, Date.now());
    await withTimeout(this.redis.sAdd(peopleKey(this.options.instanceId), username), QUESTION_TIMEOUT_MS).catch(
      ignore, // Redis is away: the room's own registration (arrived) and the heartbeat catch up later
    );
  }

  /** A person's first socket on this instance connected. */
  arrived(username: string): void {
    this.arrivals.delete(username);
    this.redis.sAdd(peopleKey(this.options.instanceId), username).catch(ignore);
  }

  /** A person's last socket on this instance went away. */
  left(username: string): void {
    this.redis.sRem(peopleKey(this.options.instanceId), username).catch(ignore);
  }

  /** Whether some live instance lists `username`; from this instance alone when Redis does not answer in time. */
  async isOnline(username: string, here: boolean): Promise<boolean> {
    if (here) return true;
    try {
      const answer = await withTimeout(
        this.redis.eval(IS_ONLINE, { keys: [INSTANCES], arguments: [PREFIX, username] }),
        QUESTION_TIMEOUT_MS,
      );
      return answer === 1;
    } catch {
      return false;
    }
  }

  /** Everyone some live instance lists; this instance's people when Redis does not answer in time. */
  async onlinePeople(): Promise<Set<string>> {
    const local = new Set(this.options.localPeople());
    try {
      const names = (await withTimeout(
        this.redis.eval(ONLINE_PEOPLE, { keys: [INSTANCES], arguments: [PREFIX] }),
        QUESTION_TIMEOUT_MS,
      )) as string[];
      for (const name of names) local.add(name);
    } catch {
      // Redis is away: answer with what this instance knows.
    }
    return local;
  }

  /** Leaves the registry at once (a graceful stop), so nobody has to wait for the heartbeat to expire. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    const id = this.options.instanceId;
    await withTimeout(
      this.redis
        .multi()
        .sRem(INSTANCES, id)
        .del([instanceKey(id), peopleKey(id)])
        .exec(),
      QUESTION_TIMEOUT_MS,
    ).catch(ignore);
  }

  private async beat(): Promise<void> {
    if (this.beating) return; // Redis is slow or away: one beat at a time
    this.beating = true;
    try {
      await this.renew();
      await this.forgetAbandonedArrivals();
      await this.reap();
    } catch {
      // Redis is away; the next beat tries again (and re-registers if this instance was taken for dead).
    } finally {
      this.beating = false;
    }
  }

  private async renew(): Promise<void> {
    const id = this.options.instanceId;
    const added = await withTimeout(
      this.redis.eval(HEARTBEAT, {
        keys: [INSTANCES, instanceKey(id)],
        arguments: [id, String(this.options.timeoutMs)],
      }),
      this.options.timeoutMs,
    );
    const previousBeat = this.lastBeat;
    this.lastBeat = Date.now();
    if (added !== 1) return;
    // Not registered: the first beat, or the others took this instance for dead, or Redis restarted empty.
    // Write the whole list again, and if it is not the first beat, tell everyone these people are still here.
    const people = [...this.options.localPeople()];
    const rewrite = this.redis.multi().del(peopleKey(id));
    if (people.length > 0) rewrite.sAdd(peopleKey(id), people);
    await rewrite.exec();
    if (this.registeredOnce) {
      const silentMs = Date.now() - previousBeat;
      logger.warn(`> presence: this instance was taken for dead (last heartbeat ${silentMs} ms ago); registered again`);
      if (people.length > 0) this.options.presenceMayHaveChanged(people);
    }
    this.registeredOnce = true;
  }

  /** Names whose handshake registered them but whose socket never connected here. */
  private async forgetAbandonedArrivals(): Promise<void> {
    const here = new Set(this.options.localPeople());
    const abandoned = [...this.arrivals].filter(
      ([name, at]) => !here.has(name) && Date.now() - at > ABANDONED_AFTER_MS,
    );
    for (const [name] of abandoned) this.arrivals.delete(name);
    if (abandoned.length > 0) {
      await this.redis.sRem(
        peopleKey(this.options.instanceId),
        abandoned.map(([name]) => name),
      );
    }
  }

  private async reap(): Promise<void> {
    const departed = (await withTimeout(
      this.redis.eval(REAP, { keys: [INSTANCES], arguments: [PREFIX] }),
      this.options.timeoutMs,
    )) as string[];
    if (departed.length > 0) this.options.presenceMayHaveChanged([...new Set(departed)]);
  }
}

function ignore(): void {}
