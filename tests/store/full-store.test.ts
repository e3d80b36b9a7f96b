/**
 * The store on a SQLite file that is full: the server's connection has STORE_MAX_PAGES, and a second
 * connection fills the file up to it, as another writer fills a disk. A write then fails with a clear
 * 507 "the store is full: try again later" (not an internal error) and stores nothing, reads keep
 * working, and once space is freed the same store writes again: both with the SQLite fast path and with
 * the portable code.
 */
import { ChatError } from "@/lib/errors";
import { openStore, type OpenStore } from "@/lib/store";
import { isStoreFull, STORE_FULL_MESSAGE } from "@/lib/store/busy";
import { removeDatabase, tempDatabaseFile } from "../support/server";
import { fillStore, freeStore } from "../support/store-faults";

const MAX_PAGES = 512;

describe.each([
  ["with the SQLite fast path", false],
  ["portable code only (what MongoDB runs)", true],
])("a full SQLite store, %s", (_mode, portable) => {
  let store: OpenStore;
  let file: string;

  beforeAll(async () => {
    file = tempDatabaseFile();
    store = await openStore(`file:${file}`, { portable, maxPages: MAX_PAGES });
    await store.accounts.createUser("ann", "hash");
    await store.messages.saveMessage({ sender: "cat", destination: "ann", message: "before", type: "chat" });
  });
  afterAll(async () => {
    await store.close();
    removeDatabase(file);
  });

  test("a write is refused with 507 and stores nothing; reads work; after space is freed it writes again", async () => {
    expect(fillStore(file, MAX_PAGES)).toBe(MAX_PAGES);

    const texts = Array.from({ length: 20 }, (_, i) => `while full ${i} `.padEnd(2_000, "x"));
    const results = await Promise.allSettled(
      texts.map((message) => store.messages.saveMessage({ sender: "cat", destination: "ann", message, type: "chat" })),
    );
    const refused = results.filter((result) => result.status === "rejected");
    expect(refused.length).toBeGreaterThan(0);
    for (const result of refused) {
      const error = (result as PromiseRejectedResult).reason;
      expect(ChatError.is(error)).toBe(true);
      expect(error).toMatchObject({ status: 507, message: STORE_FULL_MESSAGE });
      expect(isStoreFull(error)).toBe(true);
    }
    const page = await store.messages.conversation("ann", "cat", { limit: 100 });
    expect(page?.map((m) => m.message)).toEqual([
      "before",
      ...texts.filter((_, i) => results[i]!.status === "fulfilled"),
    ]);

    // The conversation list still points at the last message stored, not at one that was refused.
    const [conversation] = await store.messages.conversations("ann");
    expect(conversation?.last.message).toBe(page?.at(-1)?.message);

    freeStore(file);
    await store.messages.saveMessage({ sender: "cat", destination: "ann", message: "after", type: "chat" });
    expect((await store.messages.conversation("ann", "cat", { limit: 100 }))?.at(-1)?.message).toBe("after");
  });
});
