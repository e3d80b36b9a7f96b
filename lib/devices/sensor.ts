/**
 * A believable simulated temperature: a random walk that drifts back toward the middle of its range
 * and never leaves it, so consecutive readings look like a real room rather than white noise.
 */
export class RandomWalk {
  private value: number;

  constructor(
    private readonly min: number,
    private readonly max: number,
    private readonly random: () => number = Math.random,
  ) {
    this.value = min + (max - min) * (0.35 + 0.3 * random());
  }

  next(): number {
    const middle = (this.min + this.max) / 2;
    const step = (this.random() - 0.5) * (this.max - this.min) * 0.04; // at most ±2% of the range
    const pullToMiddle = (middle - this.value) * 0.02;
    this.value = Math.min(this.max, Math.max(this.min, this.value + step + pullToMiddle));
    return Math.round(this.value * 100) / 100;
  }
}
