/** How long and how hard each part of the benchmark runs: the full run, and a short one for smoke checks. */

export interface Plan {
  readonly name: 'full' | 'quick';
  readonly rounds: number;
  readonly warmUpSeconds: number;
  readonly loadSeconds: number;
  readonly connections: number;
  readonly coldStarts: number;
  readonly memoryWarmUpRequests: number;
  readonly memoryRequests: number;
  /** RSS readings on each side of the `memoryRequests`, one after each `memoryReadingRequests` requests. */
  readonly memoryReadings: number;
  readonly memoryReadingRequests: number;
  /** Seconds each side gets at a fixed offered rate, for latency without saturation… */
  readonly rateSeconds: number;
  /**
   * …over this many connections: enough that one slow reply does not hold up the next request, too few to burst
   * (autocannon's paced connections fire in step, so 50 of them would send bursts of 50).
   */
  readonly rateConnections: number;
  readonly signingSeconds: number;
}

export const FULL: Plan = {
  name: 'full',
  rounds: 3,
  warmUpSeconds: 2,
  loadSeconds: 10,
  connections: 50,
  coldStarts: 5,
  memoryWarmUpRequests: 10_000,
  memoryRequests: 50_000,
  memoryReadings: 5,
  memoryReadingRequests: 1_000,
  rateSeconds: 5,
  rateConnections: 2,
  signingSeconds: 2,
};

export const QUICK: Plan = {
  name: 'quick',
  rounds: 1,
  warmUpSeconds: 1,
  loadSeconds: 2,
  connections: 50,
  coldStarts: 2,
  memoryWarmUpRequests: 2_000,
  memoryRequests: 5_000,
  memoryReadings: 3,
  memoryReadingRequests: 300,
  rateSeconds: 2,
  rateConnections: 2,
  signingSeconds: 0.3,
};
