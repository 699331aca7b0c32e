import fc from 'fast-check';
import { validateRule } from '../../src/segments/segment-rule.js';
import { fromApi, placeRuleProblems, toApi } from '../../studio/src/components/segment/rule-model.js';

/**
 * The rule builder's model (studio/src/components/segment/rule-model.ts) against the API's rule language: every
 * valid rule the builder can express reads in and writes back unchanged, and a problem lands at the node its path
 * names.
 */
const scalar = fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: -1000, max: 1000 }));
const attribute = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/).map((name) => `attributes.${name}`);
const column = fc.constantFrom('locale', 'timezone', 'email', 'status', 'firstName', 'lastName');

const condition = fc.oneof(
  fc.record({
    field: attribute,
    op: fc.constantFrom('eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains'),
    value: scalar,
  }),
  fc.record({ field: attribute, op: fc.constant('eq'), value: fc.boolean() }),
  fc.record({
    field: column,
    op: fc.constantFrom('eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains'),
    value: fc.string({ minLength: 1, maxLength: 8 }).filter((text) => text.trim() === text),
  }),
  fc.record({ field: fc.oneof(attribute, column), op: fc.constant('exists'), value: fc.boolean() }),
  fc.record({
    field: column,
    op: fc.constant('in'),
    value: fc.array(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 4 }),
  }),
  fc.record({
    field: attribute,
    op: fc.constant('in'),
    value: fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 1, maxLength: 4 }),
  }),
);

const { rule } = fc.letrec<{ rule: unknown; node: unknown }>((tie) => ({
  rule: fc.oneof(
    fc.record({ all: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
  ),
  node: fc.oneof({ depthSize: 'small', maxDepth: 3 }, condition, tie('rule')),
}));

describe('the segment rule builder model', () => {
  it('reads every valid rule and writes it back unchanged', () => {
    fc.assert(
      fc.property(rule, (original) => {
        expect(validateRule(original)).toEqual([]);
        expect(toApi(fromApi(original)).rule).toEqual(original);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
  });

  it('places each API problem at the node its path names, the rest on the form', () => {
    const root = fromApi({ all: [{ field: 'locale', op: 'eq', value: 'ro' }, { any: [{ field: 'x', op: 'eq' }] }] });
    const { paths } = toApi(root);
    const nested = root.items[1];
    if (nested?.kind !== 'group') throw new Error('expected a group');
    const placed = placeRuleProblems(
      ['rule.all.1.any.0.field must be one of …', 'rule.all must be a non-empty array', 'something else'],
      paths,
    );
    expect(placed.get(nested.items[0]!.id)).toEqual(['rule.all.1.any.0.field must be one of …']);
    expect(placed.get(root.id)).toEqual(['rule.all must be a non-empty array']);
    expect(placed.get('form')).toEqual(['something else']);
  });
});
