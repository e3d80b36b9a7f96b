-- DropIndex
DROP INDEX "Message_destination_deliveredAt_timestamp_idx";

-- DropIndex
DROP INDEX "Message_sender_destination_timestamp_idx";

-- DropIndex
DROP INDEX "Reading_device_timestamp_idx";

-- AlterTable
ALTER TABLE "Message" ADD COLUMN "deliveryClaim" TEXT;

-- CreateTable
CREATE TABLE "Conversation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "owner" TEXT NOT NULL,
    "peer" TEXT NOT NULL,
    "lastTimestamp" DATETIME NOT NULL,
    "lastMessageId" TEXT NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Conversation_owner_peer_key" ON "Conversation"("owner", "peer");

-- CreateIndex
CREATE INDEX "Message_destination_deliveredAt_timestamp_id_idx" ON "Message"("destination", "deliveredAt", "timestamp", "id");

-- CreateIndex
CREATE INDEX "Message_sender_destination_timestamp_id_idx" ON "Message"("sender", "destination", "timestamp", "id");

-- CreateIndex
CREATE INDEX "Message_destination_readAt_sender_idx" ON "Message"("destination", "readAt", "sender");

-- CreateIndex
CREATE INDEX "Reading_device_timestamp_id_idx" ON "Reading"("device", "timestamp", "id");


-- Backfill: one conversation row per person and peer, pointing at the newest message between them.
INSERT INTO "Conversation" ("id", "owner", "peer", "lastTimestamp", "lastMessageId")
SELECT lower(hex(randomblob(16))), "owner", "peer", "timestamp", "id" FROM (
    SELECT "owner", "peer", "timestamp", "id",
        ROW_NUMBER() OVER (PARTITION BY "owner", "peer" ORDER BY "timestamp" DESC, "id" DESC) AS "newest"
    FROM (
        SELECT "sender" AS "owner", "destination" AS "peer", "timestamp", "id" FROM "Message"
        UNION ALL
        SELECT "destination", "sender", "timestamp", "id" FROM "Message"
    )
) WHERE "newest" = 1;
