import { RandomWalk } from "@/lib/devices/sensor";

test("the walk stays inside its range and moves in small steps", () => {
  const walk = new RandomWalk(15, 30);
  let previous = walk.next();
  for (let i = 0; i < 5_000; i++) {
    const value = walk.next();
    expect(value).toBeGreaterThanOrEqual(15);
    expect(value).toBeLessThanOrEqual(30);
    // A step is at most 2% of the range, the pull to the middle at most 1%, plus rounding.
    expect(Math.abs(value - previous)).toBeLessThanOrEqual(15 * 0.03 + 0.01);
    previous = value;
  }
});

test("pinned at an edge by its random source, it still never leaves the range", () => {
  const alwaysUp = new RandomWalk(0, 10, () => 1);
  const values = Array.from({ length: 2_000 }, () => alwaysUp.next());
  expect(Math.max(...values)).toBeLessThanOrEqual(10);
  const alwaysDown = new RandomWalk(0, 10, () => 0);
  expect(Math.min(...Array.from({ length: 2_000 }, () => alwaysDown.next()))).toBeGreaterThanOrEqual(0);
});
