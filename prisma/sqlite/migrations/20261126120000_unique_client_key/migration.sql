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
    "deliveredAt" DATETIME,
    "readAt" DATETIME,
    "clientId" TEXT,
    "clientKey" TEXT NOT NULL,
    "deliveryClaim" TEXT
);
-- Every stored message gets its clientKey. Before the unique index a resend could be stored twice, so an old
-- database may hold several messages of one sender with one clientId: the oldest keeps the clientId as its key
-- (a later resend finds it), the copies and messages sent without a clientId get their own id, and so does a
-- message whose clientId happens to be the id of another message of its sender. No two keys of a sender collide,
-- so the unique index below cannot fail on old data.
INSERT INTO "new_Message" ("clientId", "clientKey", "deliveredAt", "deliveryClaim", "destination", "id", "message", "metadata", "readAt", "sender", "timestamp", "type")
SELECT "clientId",
    CASE WHEN "firstOfClientId" = 1 AND NOT EXISTS (
        SELECT 1 FROM "Message" AS "other" WHERE "other"."id" = "numbered"."clientId" AND "other"."sender" = "numbered"."sender"
            AND "other"."id" <> "numbered"."id"
    ) THEN "clientId" ELSE "id" END,
    "deliveredAt", "deliveryClaim", "destination", "id", "message", "metadata", "readAt", "sender", "timestamp", "type"
FROM (
    SELECT *, CASE WHEN "clientId" IS NULL THEN 0 ELSE
        ROW_NUMBER() OVER (PARTITION BY "sender", "clientId" ORDER BY "timestamp", "id") END AS "firstOfClientId"
    FROM "Message"
) AS "numbered";
DROP TABLE "Message";
ALTER TABLE "new_Message" RENAME TO "Message";
CREATE INDEX "Message_destination_deliveredAt_timestamp_id_idx" ON "Message"("destination", "deliveredAt", "timestamp", "id");
CREATE INDEX "Message_sender_destination_timestamp_id_idx" ON "Message"("sender", "destination", "timestamp", "id");
CREATE INDEX "Message_destination_readAt_sender_idx" ON "Message"("destination", "readAt", "sender");
CREATE UNIQUE INDEX "Message_sender_clientKey_key" ON "Message"("sender", "clientKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
