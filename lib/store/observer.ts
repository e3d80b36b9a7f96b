/**
 * What the message store tells whoever watches it (the server's metrics), without knowing who that is: the store
 * imports no metrics library. Every method is called synchronously and must not throw.
 */
export interface StoreObserver {
  /** One group-commit write ended: which kind, how many items it carried, how long it took, whether it committed. */
  groupWrite(kind: "messages" | "deliveries", items: number, seconds: number, ok: boolean): void;
  /** A new message was stored (a resend answered with the message stored before is not counted). */
  messageStored(): void;
  /** Messages newly marked delivered by this instance (each message once, even when two instances race). */
  messagesDelivered(count: number): void;
}
