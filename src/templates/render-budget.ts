import type Handlebars from 'handlebars';

/**
 * What one message's render may cost. A template is checked once when it is saved, but its cost depends on
 * the contact's data (`{{#each a}}{{#each @root.a}}` over 7,000 elements is 49 million iterations), and that
 * data arrives later, so each render carries a budget of its own:
 * - steps: every loop iteration, helper call and value written counts one. A real email (a 60 KB template, a
 *   list of a hundred products with twenty values each) takes a few thousand; 100,000 is some 50 times that
 *   and still about a tenth of a second of work on a slow core.
 * - output: 1 MB of text per message, ten times the size at which Gmail already clips a message (102 KB);
 *   real emails are 10-60 KB.
 * Time is not budgeted directly: it would depend on the machine's load, so one contact could fail or not
 * by chance. Steps and output bound the time instead.
 */
export const RENDER_BUDGET = { steps: 100_000, outputChars: 1_048_576 } as const;

/** A render that went over its budget: the template's cost with this contact's data is out of bounds. */
export class RenderBudgetError extends Error {}

class RenderBudget {
  steps = 0;
  output = 0;

  step(): void {
    if (++this.steps > RENDER_BUDGET.steps) {
      throw new RenderBudgetError(
        `rendering stopped after ${RENDER_BUDGET.steps.toLocaleString('en')} steps (loop iterations, helpers and ` +
          `values): the template's work grows with this contact's data`,
      );
    }
  }

  charge(chars: number): void {
    this.output += chars;
    if (this.output > RENDER_BUDGET.outputChars) {
      throw new RenderBudgetError(
        `rendering stopped at ${RENDER_BUDGET.outputChars.toLocaleString('en')} characters of output: the ` +
          `template's output grows with this contact's data`,
      );
    }
  }
}

/**
 * The budget of the render in progress. Rendering is synchronous, so one slot is enough; it is not in the
 * template's data, where a template could read or reset it.
 */
let current: RenderBudget | undefined;

function budget(): RenderBudget {
  // A helper called outside withRenderBudget (nothing of ours does) still gets a bound of its own.
  return current ?? (current = new RenderBudget());
}

/** Runs one message's render (all its parts) under a fresh budget. */
export function withRenderBudget<T>(render: () => T): T {
  const previous = current;
  current = new RenderBudget();
  try {
    return render();
  } finally {
    current = previous;
  }
}

/** Checks a finished part's length, for output that no metered value accounts for (the layout's text). */
export function checkOutputLength(text: string): void {
  if (text.length > RENDER_BUDGET.outputChars) budget().charge(text.length);
}

type Helper = (...args: unknown[]) => unknown;
type BlockFn = (...args: unknown[]) => string;

/** The helpers that write a metered value; `mustache` rewrites every value output into a call of one. */
export const OUTPUT_HELPERS = { escaped: '__out', raw: '__raw' } as const;

/**
 * Every helper of the environment counts a step; loops count one per iteration and charge the output of
 * each iteration that its values did not already pay for (the static text repeated by the loop). The
 * built-in `blockHelperMissing` iterates arrays by calling `each` from the environment, so it is covered.
 */
export function meterHelpers(hb: typeof Handlebars): void {
  hb.registerHelper(OUTPUT_HELPERS.escaped, (value: unknown) => {
    const text = hb.escapeExpression(value as string);
    budget().charge(text.length);
    return new hb.SafeString(text);
  });
  hb.registerHelper(OUTPUT_HELPERS.raw, (value: unknown) => {
    const text = value == null ? '' : String(value);
    budget().charge(text.length);
    return new hb.SafeString(text);
  });
  for (const [name, helper] of Object.entries(hb.helpers as Record<string, Helper>)) {
    const metered =
      name === 'each'
        ? function (this: unknown, context: unknown, options: Handlebars.HelperOptions) {
            budget().step();
            return helper.call(this, context, { ...options, fn: meterIterations(options.fn as BlockFn) });
          }
        : function (this: unknown, ...args: unknown[]) {
            budget().step();
            return helper.apply(this, args);
          };
    hb.registerHelper(name, metered);
  }
}

function meterIterations(fn: BlockFn): BlockFn {
  return function (this: unknown, ...args: unknown[]) {
    const meter = budget();
    meter.step();
    const before = meter.output;
    const text = fn.apply(this, args);
    // Values written inside the iteration have paid already; the rest is the loop's own text.
    meter.charge(Math.max(0, text.length - (meter.output - before)));
    return text;
  };
}

/** A message's parts (subject and HTML, then text) each get the output allowance: the text repeats the HTML. */
export function startPart(): void {
  budget().output = 0;
}
