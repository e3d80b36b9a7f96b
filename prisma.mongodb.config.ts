// Prisma CLI configuration for MongoDB (production). Used only when MongoDB is chosen:
//   npm run db:mongodb:generate                                   the client, into node_modules/.prisma/mongodb-client
//   DATABASE_URL="mongodb://…/chat?replicaSet=rs0" npm run db:mongodb:push   the collections' indexes
// Generating downloads Prisma's native query engine for each platform in MONGODB_BINARY_TARGETS.
import path from "node:path";
import { defineConfig } from "prisma/config";
import { binaryTargetsJson } from "./prisma/binary-targets";

// The schema's generator reads its binaryTargets from this variable (see prisma/binary-targets.ts).
process.env.MONGODB_BINARY_TARGETS = binaryTargetsJson(process.env.MONGODB_BINARY_TARGETS);

export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
});
