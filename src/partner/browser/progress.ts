/** Bytes sent, speed and time left from a stream of (bytesSent, total) samples, smoothed over ~5 s. */
export interface ProgressReport {
  readonly sent: number;
  readonly total: number;
  readonly bytesPerSecond: number | undefined;
  readonly secondsLeft: number | undefined;
}

export class ProgressMeter {
  #lastAt = 0;
  #lastSent = 0;
  #rate: number | undefined;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Resumed uploads start above zero; the first sample only sets the baseline, so speed is never inflated. */
  sample(sent: number, total: number): ProgressReport {
    const at = this.now();
    if (this.#lastAt !== 0 && at > this.#lastAt) {
      const dt = (at - this.#lastAt) / 1000;
      // A part that failed and restarts makes the sum go down: take it as a new baseline, not negative speed.
      if (sent >= this.#lastSent && dt >= 0.25) {
        const instant = (sent - this.#lastSent) / dt;
        const alpha = 1 - Math.exp(-dt / 5);
        this.#rate = this.#rate === undefined ? instant : this.#rate + alpha * (instant - this.#rate);
        this.#lastAt = at;
        this.#lastSent = sent;
      } else if (sent < this.#lastSent) {
        this.#lastAt = at;
        this.#lastSent = sent;
      }
    } else {
      this.#lastAt = at;
      this.#lastSent = sent;
    }
    const rate = this.#rate;
    return {
      sent,
      total,
      bytesPerSecond: rate,
      secondsLeft: rate && rate > 0 ? Math.max(0, (total - sent) / rate) : undefined,
    };
  }

  /** After a pause (network loss), speed restarts from new samples. */
  reset(): void {
    this.#lastAt = 0;
    this.#rate = undefined;
  }
}
