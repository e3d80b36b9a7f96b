/** Tasks one per turn of the event loop: in arrival order, and the loop turns (I/O, timers) between them. */
import { onePerTurn } from "@/server/realtime/one-per-turn";

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

test("a burst of tasks runs one per turn, in arrival order", async () => {
  const pace = onePerTurn();
  const ran: number[] = [];
  for (let i = 0; i < 5; i += 1) pace(() => ran.push(i));
  expect(ran).toEqual([]); // never in the caller's turn
  await nextTurn();
  expect(ran).toEqual([0]);
  await nextTurn();
  expect(ran).toEqual([0, 1]);
  for (let turns = 0; turns < 5; turns += 1) await nextTurn();
  expect(ran).toEqual([0, 1, 2, 3, 4]);
});

test("work that arrives meanwhile runs between two tasks, not after the burst", async () => {
  const pace = onePerTurn();
  const order: string[] = [];
  for (let i = 0; i < 50; i += 1) {
    pace(() => {
      order.push(`task ${i}`);
      // Something else that wants the loop while the burst is under way (as a socket's data would).
      if (i === 0) setImmediate(() => order.push("other"));
    });
  }
  for (let turns = 0; turns < 60; turns += 1) await nextTurn();
  expect(order).toHaveLength(51);
  expect(order.slice(0, 3)).toEqual(["task 0", "other", "task 1"]);
});

test("a task queued after the queue emptied runs on the next turn", async () => {
  const pace = onePerTurn();
  const ran: string[] = [];
  pace(() => ran.push("first"));
  await nextTurn();
  await nextTurn();
  pace(() => ran.push("later"));
  await nextTurn();
  expect(ran).toEqual(["first", "later"]);
});
