/**
 * Message ids: cuid-shaped, unique, and in the order they were made within the process — the order breaks timestamp
 * ties — across refills of the pool their random part is drawn from, and when the clock steps back.
 */
import { newMessageId } from "@/lib/store/message-id";

test("ids made in one millisecond are unique, sorted in the order they were made, and cuid-shaped", () => {
  const at = Date.now() + 60_000;
  const ids = Array.from({ length: 5_000 }, () => newMessageId(at)); // several refills of the random pool
  expect(new Set(ids.map(({ id }) => id)).size).toBe(ids.length);
  expect(ids.map(({ id }) => id)).toEqual(ids.map(({ id }) => id).sort());
  for (const { id, timestamp } of ids) {
    expect(id).toMatch(/^c[0-9a-z]{23}$/);
    expect(timestamp.getTime()).toBe(at);
  }
});

test("an id made after the clock stepped back keeps the later time and still sorts after the earlier ids", () => {
  const at = Date.now() + 120_000;
  const first = newMessageId(at);
  const afterStepBack = newMessageId(at - 5_000);
  expect(afterStepBack.timestamp.getTime()).toBe(at);
  expect(afterStepBack.id > first.id).toBe(true);
});

test("the random part differs between ids", () => {
  const at = Date.now() + 180_000;
  const randomParts = Array.from({ length: 2_000 }, () => newMessageId(at).id.slice(-10));
  expect(new Set(randomParts).size).toBeGreaterThan(1_990);
});
