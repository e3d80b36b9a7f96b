/**
 * What the server sends: the JSON shapes of messages, people, groups, devices and the events about them, as the
 * page, the terminal client and the server all see them. Plain types, no zod, so the browser can import them.
 */

export const MESSAGE_TYPES = ["chat", "command", "notification", "subscription"] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export interface GroupMember {
  username: string;
  joinedAt: string;
  online: boolean;
}

/** A group as its members see it; nobody else learns that it exists. */
export interface GroupSummary {
  /** Without the `#`; `#<name>` is its destination. */
  name: string;
  owner: string;
  createdAt: string;
  /** Longest-standing first. */
  members: GroupMember[];
}

/** A group you are in changed (created, renamed, members added or removed): its state now. */
export interface GroupEvent {
  group: GroupSummary;
  /** Set when it was renamed: the name it had. */
  previousName?: string;
}

/** You are no longer in this group (you left or were removed), on every tab. */
export interface GroupLeftEvent {
  name: string;
}

/** A message as it travels in JSON (HTTP bodies and Socket.IO events). */
export interface ChatMessage {
  id: string;
  sender: string;
  destination: string;
  message: string;
  timestamp: string;
  type: MessageType;
  metadata: Record<string, unknown> | null;
  clientId?: string;
  deliveredAt: string | null;
  readAt: string | null;
  /** Present and true when the message comes from the offline store rather than live. */
  stored?: true;
  /** A group message seen by its sender: every member's receipt (for the others, deliveredAt/readAt are their own). */
  receipts?: MessageReceipts;
}

/** Who has a group message and who read it: "delivered to 2 of 3", "read by alice, bob". */
export interface MessageReceipts {
  recipients: number;
  deliveredTo: string[];
  readBy: string[];
}

/** `GET /api/messages/<id>/receipts`: one line per recipient, for the message's sender. */
export interface ReceiptDetail {
  username: string;
  deliveredAt: string | null;
  readAt: string | null;
}

export interface UserSummary {
  username: string;
  online: boolean;
  lastSeen: string | null;
  /** Set for devices, naming their kind (the field keeps its first name on the wire). */
  service?: DeviceKind;
}

/** One entry of the conversation list: the person, the latest message either way, and how many are unread. */
export interface ConversationSummary {
  peer: string;
  last: ChatMessage;
  unread: number;
}

export type DeviceKind = "thermometer";
export type DeviceStatus = "running" | "rebooting" | "stopped";

export interface ReadingEvent {
  device: string;
  value: number;
  unit: string;
  timestamp: string;
}

export interface DeviceSummary {
  device: string;
  status: DeviceStatus;
  unit: string;
  range: { min: number; max: number };
  subscribed: boolean;
  last: ReadingEvent | null;
}

export interface PresenceEvent {
  username: string;
  online: boolean;
  lastSeen: string | null;
}

export interface MessageStatusEvent {
  id: string;
  status: "delivered" | "read";
  /** For a group message: the member who received or read it. */
  by?: string;
}

/** Someone started or stopped typing to you, or (with `group`) in a group you are in. */
export interface TypingEvent {
  username: string;
  typing: boolean;
  /** `#<name>` when the typing is in a group. */
  group?: string;
}

/** A device started, is rebooting or stopped; sent to everyone. */
export interface DeviceStatusEvent {
  device: string;
  status: DeviceStatus;
}

/** You subscribed to a device or unsubscribed (sent to every tab of yours). */
export interface SubscriptionEvent {
  device: string;
  subscribed: boolean;
}

/** Something the server tells one socket about its own conduct (a limit it ran into). */
export interface WarningEvent {
  /**
   * Stable, for programs: `typing-rate` (typing events are being dropped), `too-many-connections`
   * (this socket is over the per-person cap and is being disconnected), `send-rate` (this socket keeps
   * sending past its refusals: it is closed if it goes on, then as it is closed), `received-rate`
   * (`message:received` events are being dropped; their messages come again from the backlog).
   */
  code: "typing-rate" | "too-many-connections" | "send-rate" | "received-rate";
  /** For people. */
  message: string;
}

/** One page of waiting messages; `next` is the cursor for the following page, `null` when this was the last. */
export interface CheckPage {
  messages: ChatMessage[];
  next: string | null;
}

/** What each request event answers when it succeeds. */
