import {
  logGamma,
  monteCarloBest,
  newcombeDifference,
  probabilityBBeatsA,
  probabilityToBeatAll,
  wilson,
} from './statistics.js';

const arm = (successes: number, trials: number) => ({ successes, trials });

describe('logGamma', () => {
  it('matches factorials and Γ(1/2) = √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(21)).toBeCloseTo(Math.log(2432902008176640000), 10);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });
});

describe('probabilityBBeatsA (Evan Miller’s closed form)', () => {
  it('gives the values worked out by hand for tiny posteriors', () => {
    // A ~ Beta(2, 1), B ~ Beta(1, 1): P(B > A) = ∫ 2y (1 − y) dy = 1/3.
    expect(probabilityBBeatsA(arm(1, 1), arm(0, 0))).toBeCloseTo(1 / 3, 12);
    // A ~ Beta(1, 2), B ~ Beta(2, 1): P(B > A) = 1 − ∫ 2(1 − y) y² dy = 5/6.
    expect(probabilityBBeatsA(arm(0, 1), arm(1, 1))).toBeCloseTo(5 / 6, 12);
    expect(probabilityBBeatsA(arm(0, 0), arm(0, 0))).toBeCloseTo(0.5, 12);
  });

  it('agrees with numerical integration of ∫ f_B(x) F_A(x) dx (mpmath, 30 digits)', () => {
    expect(probabilityBBeatsA(arm(10, 100), arm(15, 100))).toBeCloseTo(0.8532837899339661, 9);
    expect(probabilityBBeatsA(arm(100, 1000), arm(120, 1000))).toBeCloseTo(0.9231834389735598, 9);
    expect(probabilityBBeatsA(arm(30, 500), arm(45, 500))).toBeCloseTo(0.9635578134967375, 9);
    expect(probabilityBBeatsA(arm(0, 50), arm(3, 50))).toBeCloseTo(0.9411941194119412, 9);
    expect(probabilityBBeatsA(arm(200, 2000), arm(200, 2000))).toBeCloseTo(0.5, 9);
  });

  it('is complementary, and stays finite for large counts', () => {
    const a = arm(4_000, 50_000);
    const b = arm(4_150, 50_000);
    expect(probabilityBBeatsA(a, b) + probabilityBBeatsA(b, a)).toBeCloseTo(1, 9);
    expect(probabilityBBeatsA(a, b)).toBeGreaterThan(0.95);
    expect(probabilityBBeatsA(a, b)).toBeLessThan(1);
  });

  it('refuses counts that are not counts', () => {
    expect(() => probabilityBBeatsA(arm(5, 4), arm(0, 0))).toThrow(RangeError);
    expect(() => probabilityBBeatsA(arm(1.5, 4), arm(0, 0))).toThrow(RangeError);
  });
});

describe('monteCarloBest', () => {
  it('agrees with numerical integration of ∫ f_j Π F_i for three and four variants', () => {
    const three = monteCarloBest([arm(10, 100), arm(15, 100), arm(20, 100)]);
    [0.0146818923, 0.1748584341, 0.8104596736].forEach((expected, i) => expect(three[i]).toBeCloseTo(expected, 2));
    const four = monteCarloBest([arm(50, 400), arm(60, 400), arm(45, 400), arm(80, 400)]);
    [0.0015428818, 0.0313889206, 0.0002072307, 0.9668609669].forEach((expected, i) =>
      expect(four[i]).toBeCloseTo(expected, 2),
    );
  });

  it('agrees with the exact form for two variants', () => {
    const [, b] = monteCarloBest([arm(100, 1000), arm(120, 1000)]);
    expect(Math.abs(b - probabilityBBeatsA(arm(100, 1000), arm(120, 1000)))).toBeLessThan(0.005);
  });

  it('gives the same answer for the same counts, every time', () => {
    const arms = [arm(31, 250), arm(40, 250), arm(38, 250)];
    // Two separate runs (probabilityToBeatAll routes three arms to the Monte Carlo estimate).
    expect(probabilityToBeatAll(arms)).toEqual(monteCarloBest(arms));
  });
});

describe('probabilityToBeatAll', () => {
  it('is exact for two variants and sums to one', () => {
    const [a, b] = probabilityToBeatAll([arm(10, 100), arm(15, 100)]);
    expect(b).toBeCloseTo(0.8532837899339661, 9);
    expect(a + b).toBeCloseTo(1, 12);
    const four = probabilityToBeatAll([arm(1, 30), arm(2, 30), arm(3, 30), arm(4, 30)]);
    expect(four.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 9);
  });
});

describe('wilson (Newcombe 1998, single proportion, method 3)', () => {
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i/%i → %f to %f', (successes, trials, low, high) => {
    const [l, u] = wilson(successes, trials);
    expect(l).toBeCloseTo(low, 4);
    expect(u).toBeCloseTo(high, 4);
  });

  it('has no interval for nothing', () => {
    expect(() => wilson(0, 0)).toThrow(RangeError);
  });
});

describe('newcombeDifference (Newcombe 1998, Table II, method 10)', () => {
  it.each([
    [56, 70, 48, 80, 0.2, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.6, 0.1705, 0.809],
    [6, 7, 2, 7, 0.5714, 0.0582, 0.8062],
    [5, 56, 0, 29, 0.0893, -0.0381, 0.1926],
    [0, 10, 0, 20, 0, -0.1611, 0.2775],
    [10, 10, 0, 20, 1, 0.6791, 1],
  ])('%i/%i − %i/%i = %f, 95%% CI %f to %f', (x1, n1, x2, n2, difference, low, high) => {
    const result = newcombeDifference(arm(x1, n1), arm(x2, n2));
    expect(result.difference).toBeCloseTo(difference, 4);
    expect(result.interval[0]).toBeCloseTo(low, 4);
    expect(result.interval[1]).toBeCloseTo(high, 4);
  });
});
