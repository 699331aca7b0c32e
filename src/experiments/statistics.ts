/**
 * The statistics of experiments and holdouts, pure and deterministic (docs/experiments.md):
 * - the probability that each variant's rate is the highest, with Beta(1 + successes, 1 + failures) posteriors
 *   (a uniform prior): exact for two variants (Evan Miller's closed form), Monte Carlo with a fixed seed for more,
 *   so the same counts always give the same answer, on every instance;
 * - Wilson's score interval for one proportion and Newcombe's hybrid score interval (method 10 of Newcombe 1998)
 *   for the difference of two independent proportions.
 */

export interface Arm {
  successes: number;
  trials: number;
}

/** The standard normal quantile of 0.975: a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

/** Draws of the Monte Carlo estimate: its standard error is at most 0.0016 (0.0007 near a probability of 0.95). */
export const MONTE_CARLO_DRAWS = 100_000;

/** Any fixed value will do: it is fixed so that a decision can be reproduced from the counts alone. */
const MONTE_CARLO_SEED = 0x7015_c0de;

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7): about 15 significant digits, enough for the sums below. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const shifted = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (shifted + i);
  const t = shifted + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(sum);
}

function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

function checkArm(arm: Arm): void {
  const { successes, trials } = arm;
  if (!Number.isInteger(successes) || !Number.isInteger(trials) || successes < 0 || successes > trials) {
    throw new RangeError(`not a count of successes out of trials: ${successes}/${trials}`);
  }
}

/**
 * P(rate of b > rate of a) under Beta(1 + successes, 1 + failures) posteriors, exactly (Evan Miller, "Formulas for
 * Bayesian A/B Testing"): a sum of αB terms, each computed in log space so large counts do not overflow. The sum
 * runs over the arm with fewer successes (P(b > a) = 1 − P(a > b): the posteriors are continuous).
 */
export function probabilityBBeatsA(a: Arm, b: Arm): number {
  checkArm(a);
  checkArm(b);
  if (b.successes > a.successes) return 1 - probabilityBBeatsA(b, a);
  const alphaA = 1 + a.successes;
  const betaA = 1 + a.trials - a.successes;
  const alphaB = 1 + b.successes;
  const betaB = 1 + b.trials - b.successes;
  const constant = logBeta(alphaA, betaA);
  let total = 0;
  for (let i = 0; i < alphaB; i++) {
    total += Math.exp(logBeta(alphaA + i, betaA + betaB) - Math.log(betaB + i) - logBeta(1 + i, betaB) - constant);
  }
  return Math.min(1, Math.max(0, total));
}

/** xoshiro128** seeded through splitmix32: a small, fast generator whose sequence depends on the seed alone. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  const splitmix = () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let s0 = splitmix();
  let s1 = splitmix();
  let s2 = splitmix();
  let s3 = splitmix();
  return () => {
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    // (0, 1]: never 0, so logarithms below are finite.
    return (result + 1) / 4_294_967_296;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A Gamma(shape ≥ 1, 1) draw (Marsaglia and Tsang 2000), its normals by Box–Muller. */
function gamma(shape: number, random: () => number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/**
 * For each arm, the probability that its rate is higher than every other arm's, estimated from `draws` joint draws
 * of the posteriors with a fixed seed: the same counts give the same numbers on every run and every instance.
 */
export function monteCarloBest(arms: Arm[], draws = MONTE_CARLO_DRAWS, seed = MONTE_CARLO_SEED): number[] {
  arms.forEach(checkArm);
  const random = generator(seed);
  const wins = new Array<number>(arms.length).fill(0);
  const sample = new Array<number>(arms.length);
  for (let draw = 0; draw < draws; draw++) {
    let best = 0;
    for (let i = 0; i < arms.length; i++) {
      const x = gamma(1 + arms[i].successes, random);
      const y = gamma(1 + arms[i].trials - arms[i].successes, random);
      sample[i] = x / (x + y);
      if (sample[i] > sample[best]) best = i;
    }
    wins[best]++;
  }
  return wins.map((count) => count / draws);
}

/** For each arm, the probability that its rate beats every other arm's: exact for two arms, Monte Carlo beyond. */
export function probabilityToBeatAll(arms: Arm[]): number[] {
  if (arms.length === 0) return [];
  if (arms.length === 1) return [1];
  if (arms.length === 2) {
    const second = probabilityBBeatsA(arms[0], arms[1]);
    return [1 - second, second];
  }
  return monteCarloBest(arms);
}

/** Wilson's score interval for successes/trials (trials > 0), clamped to [0, 1]. */
export function wilson(successes: number, trials: number, z = Z95): [number, number] {
  checkArm({ successes, trials });
  if (trials === 0) throw new RangeError('a proportion of nothing has no interval');
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export interface Difference {
  /** p1 − p2 */
  difference: number;
  interval: [number, number];
}

/**
 * The difference of two independent proportions p1 − p2 with Newcombe's hybrid score interval (method 10 in
 * Newcombe, "Interval estimation for the difference between independent proportions", Stat. Med. 1998), built
 * from each proportion's Wilson interval. Unlike the Wald interval it stays inside [−1, 1] and behaves at rates
 * near 0, which conversion rates are.
 */
export function newcombeDifference(first: Arm, second: Arm, z = Z95): Difference {
  const p1 = first.successes / first.trials;
  const p2 = second.successes / second.trials;
  const [l1, u1] = wilson(first.successes, first.trials, z);
  const [l2, u2] = wilson(second.successes, second.trials, z);
  const difference = p1 - p2;
  return {
    difference,
    interval: [
      difference - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
      difference + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
    ],
  };
}
