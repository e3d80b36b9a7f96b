-- Login throttling moves from two columns of User (a count per name, so anyone's wrong guesses locked the owner
-- out) to Throttle rows per address and name, per name and per sign-up address. The old counts and locks are
-- dropped with their columns: a name locked at the moment of the upgrade is open again.

-- CreateTable
CREATE TABLE "Throttle" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "key" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "until" DATETIME,
    "expiresAt" DATETIME NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "username" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeen" DATETIME
);
INSERT INTO "new_User" ("createdAt", "id", "lastSeen", "passwordHash", "username") SELECT "createdAt", "id", "lastSeen", "passwordHash", "username" FROM "User";
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
CREATE UNIQUE INDEX "User_username_key" ON "User"("username");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "Throttle_key_key" ON "Throttle"("key");

-- CreateIndex
CREATE INDEX "Throttle_expiresAt_idx" ON "Throttle"("expiresAt");

