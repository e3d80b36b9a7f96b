// Prisma CLI configuration for the embedded SQLite store (the default).
// The JS engine plus the better-sqlite3 driver adapter means no native Prisma engine is
// downloaded: `npm install`, `prisma generate` and `prisma db push` all work offline.
// MongoDB has its own configuration: prisma.mongodb.config.ts.
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { sqliteUrl } from "./lib/store/database-url";

export default defineConfig({
  engine: "js",
  experimental: { adapter: true },
  schema: path.join("prisma", "sqlite", "schema.prisma"),
  async adapter() {
    return new PrismaBetterSQLite3({ url: sqliteUrl(process.env.DATABASE_URL) });
  },
});
