-- AlterTable
ALTER TABLE "Message" ADD COLUMN "clientId" TEXT;

-- CreateIndex
CREATE INDEX "Message_sender_clientId_idx" ON "Message"("sender", "clientId");

