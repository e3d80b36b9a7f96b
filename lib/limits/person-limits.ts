/**
 * What one person may ask of the server per second, whichever door they use: sends, checks and read receipts
 * through a socket or the HTTP API all take from the same token bucket of that person (SEND_LIMIT_PER_USER,
 * CHECK_LIMIT_PER_USER, READ_LIMIT_PER_USER). ChatService holds the one instance and takes from it itself for
 * every such request, so no door can forget to. The buckets are this process's: with several instances a person
 * could use the rate on each (see server/realtime/limits.ts).
 */
import { ChatError } from "../errors";
import { KeyedBuckets } from "./keyed-buckets";
import { type Rate, type TokenBucket, takeFromAll } from "./token-bucket";

export interface PersonRates {
  send: Rate;
  check: Rate;
  read: Rate;
}

export type LimitedAction = keyof PersonRates;

/** A connection's own allowance, taken together with its person's: a socket's per-connection sends. */
export interface ConnectionAllowance {
  bucket: TokenBucket;
  rate: Rate;
  /** Told at once when a take is refused, before the refusal is thrown (a socket counts its refusals in a row). */
  onRefused?: () => void;
}

/**
 * Sends: room for a fast typist pasting several lines. Checks: a page of 500 waiting messages each, so a
 * client catching up after days pages through thousands in seconds. Read receipts: the page sends one
 * per opened conversation and per message that arrives in the open one, so as many as a peer may send.
 */
export const DEFAULT_PERSON_RATES: PersonRates = {
  send: { perSecond: 30, burst: 60 },
  check: { perSecond: 5, burst: 20 },
  read: { perSecond: 30, burst: 60 },
};

/** People active within a few seconds, on this instance: far more than any server here has. */
const PER_PERSON = { maxKeys: 100_000 };

const WHAT: Record<LimitedAction, string> = {
  send: "too many messages",
  check: "too many checks",
  read: "too many read receipts",
};

export class PersonLimits {
  private readonly buckets: Record<LimitedAction, KeyedBuckets>;

  constructor(readonly rates: PersonRates = DEFAULT_PERSON_RATES) {
    this.buckets = {
      send: new KeyedBuckets(rates.send, PER_PERSON),
      check: new KeyedBuckets(rates.check, PER_PERSON),
      read: new KeyedBuckets(rates.read, PER_PERSON),
    };
  }

  /**
   * Takes one `action` from `username`'s allowance, and from the connection's own when one is given (a
   * socket's per-connection send limit); over either, nothing is taken and the caller gets 429 with
   * when to try again.
   */
  take(action: LimitedAction, username: string, connection?: ConnectionAllowance): void {
    const person = this.buckets[action].get(username);
    const buckets = connection ? [connection.bucket, person] : [person];
    if (takeFromAll(...buckets)) return;
    connection?.onRefused?.();
    const waitMs = Math.max(...buckets.map((bucket) => bucket.msUntilToken()));
    const perPerson = this.rates[action].perSecond;
    const limit = connection
      ? `at most ${connection.rate.perSecond} a second per connection, ${perPerson} per person`
      : `at most ${perPerson} a second per person`;
    throw new ChatError(429, `${WHAT[action]}: slow down (${limit})`, {
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    });
  }
}
