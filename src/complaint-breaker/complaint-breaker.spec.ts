import { MIN_SENT, reachesLimit, sendsWorthCounting } from './complaint-breaker.js';

describe('the complaint rate rule', () => {
  it('trips at the limit and not below it', () => {
    expect(reachesLimit(1000, 3, 0.003)).toBe(true);
    expect(reachesLimit(1000, 2, 0.003)).toBe(false);
    expect(reachesLimit(300, 3, 0.01)).toBe(true);
    expect(reachesLimit(300, 2, 0.01)).toBe(false);
    expect(reachesLimit(1001, 3, 0.003)).toBe(false);
  });

  it('does not judge fewer than 300 sends, nor a day without complaints', () => {
    expect(MIN_SENT).toBe(300);
    expect(reachesLimit(299, 299, 0.003)).toBe(false);
    expect(reachesLimit(300, 1, 0.003)).toBe(true);
    expect(reachesLimit(300, 0, 0)).toBe(false);
  });

  it('counts sends only as far as the decision needs', () => {
    expect(sendsWorthCounting(3, 0.003)).toBe(1001);
    expect(sendsWorthCounting(1, 0.01)).toBe(MIN_SENT);
    // Whatever the count stops at, the verdict is the one a full count gives.
    for (const [complaints, limit, sent] of [
      [3, 0.003, 5000],
      [3, 0.003, 1000],
      [7, 0.01, 700],
      [7, 0.01, 701],
    ]) {
      const counted = Math.min(sent, sendsWorthCounting(complaints, limit));
      expect(reachesLimit(counted, complaints, limit)).toBe(reachesLimit(sent, complaints, limit));
    }
  });
});
