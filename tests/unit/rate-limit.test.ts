/** Token buckets: a burst, then a steady rate; one bucket per key, forgotten once it is full again. */
import { TokenBucket, takeFromAll } from "@/lib/limits/token-bucket";

let now = 0;
const clock = () => now;
beforeEach(() => {
  now = 1_000_000;
});

test("a bucket allows its burst at once, then its rate", () => {
  const bucket = new TokenBucket({ perSecond: 20, burst: 40 }, clock);
  let taken = 0;
  while (bucket.take()) taken += 1;
  expect(taken).toBe(40);
  now += 500; // half a second refills 10
  taken = 0;
  while (bucket.take()) taken += 1;
  expect(taken).toBe(10);
  now += 60_000; // never more than the burst
  taken = 0;
  while (bucket.take()) taken += 1;
  expect(taken).toBe(40);
});

test("takeFromAll takes from every bucket or from none", () => {
  const socket = new TokenBucket({ perSecond: 1, burst: 5 }, clock);
  const person = new TokenBucket({ perSecond: 1, burst: 2 }, clock);
  expect(takeFromAll(socket, person)).toBe(true);
  expect(takeFromAll(socket, person)).toBe(true);
  expect(takeFromAll(socket, person)).toBe(false);
  // The socket's tokens were not spent on the refused take.
  expect(socket.take()).toBe(true);
  expect(socket.take()).toBe(true);
  expect(socket.take()).toBe(true);
  expect(socket.take()).toBe(false);
});
