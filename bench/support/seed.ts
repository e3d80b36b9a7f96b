/**
 * Builds the database every run starts from, once, before any server starts: people with live
 * sessions, a backlog waiting for one of them, and a long conversation for history pages.
 *
 * It writes through the store's own schema and Prisma client (createMany in a transaction), not
 * through the server: the scenarios measure delivering and reading messages, and sending 110,000
 * of them one by one first would take minutes and measure nothing asked for. Every run then
 * starts from a copy of this file, so runs are alike and the backlog is still undelivered.
 */
import { copyFileSync } from "node:fs";
import path from "node:path";
import { hashPassword, hashSessionToken, newSessionToken, SESSION_LIFETIME_MS } from "../../lib/accounts/auth";
import { parseDatabaseUrl } from "../../lib/store";
import { createPrismaClient } from "../../lib/store/prisma-client";
import { newMessageId } from "../../lib/store/message-id";
import { migrateSqlite } from "../../lib/store/migrate";
import { openDatabase } from "../baseline/sqlite";
import type { Client } from "../load/protocol";

export interface FixtureSizes {
  people: number;
  backlogMessages: number;
  historyMessages: number;
}

export interface Fixture {
  databaseFile: string;
  /** `person000000`…, each with a session token. */
  people: Client[];
  backlog: { reader: Client; sender: string; messages: number };
  history: { reader: Client; peer: string; messages: number; idsOldestFirst: string[] };
}

const CHUNK = 2_000;
const name = (i: number) => `person${String(i).padStart(6, "0")}`;

export async function seedFixture(folder: string, sizes: FixtureSizes): Promise<Fixture> {
  const databaseFile = path.join(folder, "template.db");
  const target = parseDatabaseUrl(`file:${databaseFile}`);
  if (target.kind !== "sqlite") throw new Error("unreachable");
  await migrateSqlite(target);
  const db = createPrismaClient(target);
  await db.$connect();
  try {
    // One scrypt hash for everyone: a password hash per person would cost ten minutes of CPU here.
    const passwordHash = await hashPassword("bench password");
    const usernames = [
      ...Array.from({ length: sizes.people }, (_, i) => name(i)),
      "backlog_reader",
      "backlog_sender",
      "history_reader",
      "history_peer",
    ];
    const tokens = new Map(usernames.map((username) => [username, newSessionToken()]));
    const expiresAt = new Date(Date.now() + SESSION_LIFETIME_MS);

    for (let i = 0; i < usernames.length; i += CHUNK) {
      await db.user.createMany({ data: usernames.slice(i, i + CHUNK).map((username) => ({ username, passwordHash })) });
    }
    const users = await db.user.findMany({ select: { id: true, username: true } });
    for (let i = 0; i < users.length; i += CHUNK) {
      await db.session.createMany({
        data: users
          .slice(i, i + CHUNK)
          .map((user) => ({ userId: user.id, tokenHash: hashSessionToken(tokens.get(user.username)!), expiresAt })),
      });
    }

    const start = Date.now() - 30 * 24 * 3600 * 1000;
    await insertMessages(db, sizes.backlogMessages, (i) => ({
      sender: "backlog_sender",
      destination: "backlog_reader",
      message: `stored message ${i} while you were away`,
      timestamp: new Date(start + i),
    }));
    await insertMessages(db, sizes.historyMessages, (i) => ({
      sender: i % 2 ? "history_reader" : "history_peer",
      destination: i % 2 ? "history_peer" : "history_reader",
      message: `history message ${i}: ${"lorem ipsum ".repeat(4)}`,
      timestamp: new Date(start + i * 10),
      deliveredAt: new Date(start + i * 10 + 5),
    }));
    await addConversations(db, [
      ["backlog_sender", "backlog_reader"],
      ["history_reader", "history_peer"],
    ]);
    const history = await db.message.findMany({
      where: { sender: { in: ["history_reader", "history_peer"] } },
      orderBy: [{ timestamp: "asc" }, { id: "asc" }],
      select: { id: true },
    });
    const client = (username: string): Client => ({ username, token: tokens.get(username)! });
    return {
      databaseFile,
      people: Array.from({ length: sizes.people }, (_, i) => client(name(i))),
      backlog: { reader: client("backlog_reader"), sender: "backlog_sender", messages: sizes.backlogMessages },
      history: {
        reader: client("history_reader"),
        peer: "history_peer",
        messages: sizes.historyMessages,
        idsOldestFirst: history.map((m) => m.id),
      },
    };
  } finally {
    await db.$disconnect();
    checkpoint(databaseFile);
  }
}

type Database = ReturnType<typeof createPrismaClient>;
type Row = { sender: string; destination: string; message: string; timestamp: Date; deliveredAt?: Date };

async function insertMessages(db: Database, count: number, row: (i: number) => Row): Promise<void> {
  for (let i = 0; i < count; i += CHUNK) {
    // A message sent without a clientId is keyed by its own id (the unique (sender, clientKey) index).
    const rows = Array.from({ length: Math.min(CHUNK, count - i) }, (_, k) => ({ ...row(i + k), ...newMessageId() }));
    await db.message.createMany({
      data: rows.map(({ deliveredAt: _delivered, ...message }) => ({ ...message, clientKey: message.id })),
    });
    // Delivery state lives in the one receipt of each direct message, as the store writes it.
    await db.receipt.createMany({
      data: rows.map((message) => ({
        id: `${message.id}.r`,
        messageId: message.id,
        recipient: message.destination,
        conversation: message.sender,
        sender: message.sender,
        timestamp: message.timestamp,
        deliveredAt: message.deliveredAt ?? null,
        readAt: null,
        deliveryClaim: null,
      })),
    });
  }
}

/** The conversation rows the store keeps beside its messages (both sides of each pair), pointing at the newest message. */
async function addConversations(db: Database, pairs: [string, string][]): Promise<void> {
  for (const [a, b] of pairs) {
    const newest = await db.message.findFirst({
      where: {
        OR: [
          { sender: a, destination: b },
          { sender: b, destination: a },
        ],
      },
      orderBy: [{ timestamp: "desc" }, { id: "desc" }],
    });
    if (!newest) continue;
    await db.conversation.createMany({
      data: [
        [a, b],
        [b, a],
      ].map(([owner, peer]) => ({
        owner: owner!,
        peer: peer!,
        lastTimestamp: newest.timestamp,
        lastMessageId: newest.id,
      })),
    });
  }
}

/** Folds the WAL into the main file so that copying one file copies everything. */
function checkpoint(databaseFile: string): void {
  const raw = openDatabase(databaseFile);
  raw.pragma("wal_checkpoint(TRUNCATE)");
  raw.close();
}

/** A fresh copy of the seeded database for one server. */
export function copyFixture(fixture: Fixture, folder: string, label: string): string {
  const file = path.join(folder, `${label}.db`);
  copyFileSync(fixture.databaseFile, file);
  return file;
}
