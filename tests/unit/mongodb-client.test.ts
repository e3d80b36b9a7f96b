/**
 * Loading the MongoDB client, short of connecting (no server runs here): where it is looked for,
 * what a missing or broken client says, and how its target platforms are configured.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { binaryTargetsJson } from "@/prisma/binary-targets";
import { createMongoClient, MONGODB_CLIENT_DIR } from "@/lib/store/portable/mongodb-client";

const URL = "mongodb://localhost:27017/chat?replicaSet=rs0";

describe("createMongoClient", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "chat-mongodb-client-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("looks in this project's node_modules, wherever the server is started from", () => {
    expect(MONGODB_CLIENT_DIR).toBe(path.resolve(__dirname, "..", "..", "node_modules", ".prisma", "mongodb-client"));
  });

  it("says how to generate a client that is not there", () => {
    expect(() => createMongoClient(URL, path.join(dir, "absent"))).toThrow(
      /not generated.*npm run db:mongodb:generate/s,
    );
  });

  it("reports the real error of a client that is there but cannot be loaded", () => {
    writeFileSync(path.join(dir, "index.js"), 'require("./runtime/library.js");');
    expect(() => createMongoClient(URL, dir)).toThrow(
      /could not be loaded: Cannot find module '\.\/runtime\/library\.js'/,
    );
  });
});

describe("MONGODB_BINARY_TARGETS", () => {
  it("defaults to the platform generating", () => {
    expect(binaryTargetsJson(undefined)).toBe('["native"]');
    expect(binaryTargetsJson(" ")).toBe('["native"]');
  });

  it("takes a comma-separated list or a JSON array", () => {
    expect(binaryTargetsJson("native, linux-musl-openssl-3.0.x")).toBe('["native","linux-musl-openssl-3.0.x"]');
    expect(binaryTargetsJson('["debian-openssl-3.0.x"]')).toBe('["debian-openssl-3.0.x"]');
    expect(() => binaryTargetsJson('["native", 3]')).toThrow(/JSON array of platform names/);
  });
});
