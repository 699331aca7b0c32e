import { lift, rate } from './lift.js';

describe('lift', () => {
  it('is treated minus held out, with Newcombe’s method-10 interval (Newcombe 1998, example a)', () => {
    expect(lift({ enrolled: 70, converted: 56 }, { enrolled: 80, converted: 48 })).toEqual({
      absolute: 0.2,
      relative: 0.3333,
      interval95: [0.0524, 0.3339],
    });
  });

  it('has no relative lift over a held-out rate of 0, and nothing to say about an empty group', () => {
    expect(lift({ enrolled: 56, converted: 5 }, { enrolled: 29, converted: 0 })).toEqual({
      absolute: 0.0893,
      relative: null,
      interval95: [-0.0381, 0.1926],
    });
    expect(lift({ enrolled: 10, converted: 1 }, { enrolled: 0, converted: 0 })).toBeNull();
    expect(lift({ enrolled: 0, converted: 0 }, { enrolled: 10, converted: 1 })).toBeNull();
  });

  it('rate is 0 for nobody', () => {
    expect(rate({ enrolled: 0, converted: 0 })).toBe(0);
    expect(rate({ enrolled: 3, converted: 1 })).toBe(0.3333);
  });
});
