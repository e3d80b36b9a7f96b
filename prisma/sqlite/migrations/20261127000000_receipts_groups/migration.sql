-- Groups, and delivery and read state per recipient. A message is stored once; what happened to it at each of its
-- recipients is a Receipt row (one for a direct message, one per member for a group message). Every existing
-- message gets the receipt of its one recipient, carrying its delivery mark, read mark and delivery claim, before
-- those columns leave the Message table: nothing delivered is delivered again, nothing read is unread again.

-- CreateTable
CREATE TABLE "Receipt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "messageId" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "conversation" TEXT NOT NULL,
    "sender" TEXT NOT NULL,
    "timestamp" DATETIME NOT NULL,
    "deliveredAt" DATETIME,
    "readAt" DATETIME,
    "deliveryClaim" TEXT
);

-- CreateTable
CREATE TABLE "Group" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Member" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "groupId" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "joinedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- Backfill: the one receipt of every direct message (and device command), seen from its recipient's side.
INSERT INTO "Receipt" ("id", "messageId", "recipient", "conversation", "sender", "timestamp", "deliveredAt", "readAt", "deliveryClaim")
SELECT lower(hex(randomblob(16))), "id", "destination", "sender", "sender", "timestamp", "deliveredAt", "readAt", "deliveryClaim"
FROM "Message";

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Message" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sender" TEXT NOT NULL,
    "destination" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "timestamp" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "type" TEXT NOT NULL DEFAULT 'chat',
    "metadata" JSONB,
    "clientId" TEXT,
    "clientKey" TEXT NOT NULL
);
INSERT INTO "new_Message" ("clientId", "clientKey", "destination", "id", "message", "metadata", "sender", "timestamp", "type") SELECT "clientId", "clientKey", "destination", "id", "message", "metadata", "sender", "timestamp", "type" FROM "Message";
DROP TABLE "Message";
ALTER TABLE "new_Message" RENAME TO "Message";
CREATE INDEX "Message_sender_destination_timestamp_id_idx" ON "Message"("sender", "destination", "timestamp", "id");
CREATE UNIQUE INDEX "Message_sender_clientKey_key" ON "Message"("sender", "clientKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Receipt_recipient_deliveredAt_timestamp_messageId_idx" ON "Receipt"("recipient", "deliveredAt", "timestamp", "messageId");

-- CreateIndex
CREATE INDEX "Receipt_recipient_readAt_conversation_idx" ON "Receipt"("recipient", "readAt", "conversation");

-- CreateIndex
CREATE INDEX "Receipt_recipient_conversation_timestamp_messageId_idx" ON "Receipt"("recipient", "conversation", "timestamp", "messageId");

-- CreateIndex
CREATE UNIQUE INDEX "Receipt_messageId_recipient_key" ON "Receipt"("messageId", "recipient");

-- CreateIndex
CREATE UNIQUE INDEX "Group_name_key" ON "Group"("name");

-- CreateIndex
CREATE INDEX "Member_username_idx" ON "Member"("username");

-- CreateIndex
CREATE UNIQUE INDEX "Member_groupId_username_key" ON "Member"("groupId", "username");
