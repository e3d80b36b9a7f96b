// Prisma CLI configuration for MongoDB (production). Used only when MongoDB is chosen:
//   DATABASE_URL="mongodb://…/chat?replicaSet=rs0" npm run db:mongodb
// It generates the MongoDB client (Prisma downloads its native query engine for this step) into
// node_modules/.prisma/mongodb-client and creates the collections' indexes with `db push`.
import path from "node:path";
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
});
