/**
 * The MongoDB path checked offline on every test run: the MongoDB client is generated into a
 * temporary folder with a stand-in engine (scripts/mongodb-offline-check.ts), the stores are
 * compiled against its types — every query, as MongoDB's client types it — and the client is
 * loaded the way the server loads it. Connecting needs a server and a real engine; not here.
 */
import { createMongoClient, connectMongo } from "@/lib/store/portable/mongodb-client";
import { generateMongoClient, OfflineWorkspace, typecheckAgainstMongoClient } from "@/scripts/mongodb-offline-check";

let workspace: OfflineWorkspace;
let clientDir: string;

beforeAll(async () => {
  workspace = new OfflineWorkspace();
  clientDir = await generateMongoClient(workspace);
}, 120_000);
afterAll(() => workspace.remove());

test("the stores compile against the generated MongoDB client", async () => {
  await expect(typecheckAgainstMongoClient(workspace, clientDir)).resolves.toBeUndefined();
}, 180_000);

test("the generated client loads as the server loads it; without its engine for this platform it says what to do", async () => {
  const client = createMongoClient("mongodb://offline-check.invalid:27017/chat?replicaSet=rs0", clientDir);
  expect(typeof client.$runCommandRaw).toBe("function");
  expect(typeof client.message.findMany).toBe("function");
  // The stand-in engine is not a query engine, as a client generated for another platform has none for this one.
  await expect(connectMongo(client)).rejects.toThrow(
    /could not connect to MongoDB: Prisma Client could not locate the Query Engine.*set MONGODB_BINARY_TARGETS/s,
  );
});
