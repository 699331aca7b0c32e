import { Conditions, type SqlFragment } from '../database/sql.js';
import { compileRule, type Rule, validateRule } from './segment-rule.js';

/** A fragment placed alone in a statement: its text and parameters. */
function placed(fragment: SqlFragment): { sql: string; params: unknown[] } {
  const statement = new Conditions();
  const sql = statement.place(fragment);
  return { sql, params: statement.params };
}

/** The statement's text with every $n replaced by its value, so a misbound parameter shows. */
function inlined(sql: string, params: unknown[]): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => JSON.stringify(params[Number(n) - 1]));
}

describe('segment rule validation', () => {
  it('accepts every operator on the whitelisted fields, nested', () => {
    const rule = {
      all: [
        { field: 'locale', op: 'eq', value: 'ru' },
        { field: 'timezone', op: 'neq', value: 'UTC' },
        { field: 'email', op: 'contains', value: '@example' },
        {
          any: [
            { field: 'attributes.plan', op: 'in', value: ['pro', 'team'] },
            { field: 'attributes.vip', op: 'exists' },
          ],
        },
        { field: 'attributes.age', op: 'gt', value: 18 },
        { field: 'attributes.age', op: 'gte', value: 18 },
        { field: 'attributes.age', op: 'lt', value: 65 },
        { field: 'attributes.signup', op: 'lte', value: '2026-01-01' },
      ],
    };
    expect(validateRule(rule)).toEqual([]);
  });

  it('names every bad part by its path', () => {
    const problems = validateRule({
      all: [
        { field: 'password', op: 'eq', value: 'x' },
        { field: 'locale', op: 'like', value: 'x' },
        { any: [] },
        { field: 'attributes.x', op: 'in', value: 'not-an-array' },
        { field: 'locale', op: 'eq', value: { nested: true } },
      ],
    });
    expect(problems).toEqual([
      expect.stringMatching(/^rule\.all\.0\.field must be one of/),
      expect.stringMatching(/^rule\.all\.1\.op must be one of eq, neq, in/),
      'rule.all.2.any must be a non-empty array',
      expect.stringMatching(/^rule\.all\.3\.value must be a non-empty array/),
      expect.stringMatching(/^rule\.all\.4\.value must be a string, number or boolean/),
    ]);
  });

  it('refuses a node with both all and any, non-objects, and attribute names that could be SQL', () => {
    expect(validateRule({ all: [{ field: 'locale', op: 'eq', value: 'ro' }], any: [] })[0]).toMatch(/exactly one/);
    expect(validateRule('locale = ro')).toEqual(['rule must be an object']);
    expect(validateRule({ all: [{ field: "attributes.x'; DROP TABLE contacts; --", op: 'exists' }] })[0]).toMatch(
      /field must be one of/,
    );
  });

  it('bounds nesting depth', () => {
    let rule: unknown = { field: 'locale', op: 'eq', value: 'ru' };
    for (let i = 0; i < 12; i++) rule = { all: [rule] };
    expect(validateRule(rule).join()).toMatch(/nests deeper than 8/);
  });
});

describe('segment rule compiler', () => {
  it('binds every value as a parameter and never inlines it', () => {
    const evil = "x'); DELETE FROM contacts; --";
    const { sql, params } = placed(
      compileRule({
        any: [
          { field: 'locale', op: 'eq', value: evil },
          { field: 'attributes.note', op: 'contains', value: evil },
        ],
      }),
    );
    expect(sql).not.toContain('DELETE');
    expect(params).toContain(evil);
  });

  it.each<[Rule, string, unknown[]]>([
    [{ all: [{ field: 'locale', op: 'eq', value: 'ro' }] }, '(c.locale = $1)', ['ro']],
    [{ all: [{ field: 'locale', op: 'neq', value: 'ro' }] }, '(c.locale IS DISTINCT FROM $1)', ['ro']],
    [{ all: [{ field: 'email', op: 'eq', value: 'A@B.COM' }] }, '(lower(c.email) = $1)', ['a@b.com']],
    [{ all: [{ field: 'locale', op: 'in', value: ['ro', 'ru'] }] }, '(c.locale = ANY($1::text[]))', [['ro', 'ru']]],
    [{ all: [{ field: 'timezone', op: 'exists' }] }, '(c.timezone IS NOT NULL)', []],
    [{ all: [{ field: 'timezone', op: 'exists', value: false }] }, '(c.timezone IS NULL)', []],
    [
      { all: [{ field: 'attributes.plan', op: 'eq', value: 'pro' }] },
      '((c.attributes -> $1::text) = $2::jsonb)',
      ['plan', '"pro"'],
    ],
    [
      { all: [{ field: 'attributes.age', op: 'gte', value: 18 }] },
      '((jsonb_typeof((c.attributes -> $1::text)) = jsonb_typeof($2::jsonb) AND (c.attributes -> $1::text) >= $2::jsonb))',
      ['age', '18'],
    ],
  ])('compiles %j', (rule, sql, params) => {
    expect(placed(compileRule(rule))).toEqual({ sql, params });
  });

  it('numbers its parameters where it is placed: after earlier ones, beside another rule and other filters', () => {
    const where = new Conditions(['sequence-id', '2026-01-01'])
      .add(compileRule({ all: [{ field: 'attributes.plan', op: 'eq', value: 'pro' }] }, 'x'))
      .add('x.email = ?', 'a@b.md')
      .add(compileRule({ any: [{ field: 'attributes.age', op: 'gte', value: 18 }] }, 'x'));
    const limit = where.bind(10);
    expect(where.where()).toBe(
      'WHERE ((x.attributes -> $3::text) = $4::jsonb) AND x.email = $5 AND ' +
        '((jsonb_typeof((x.attributes -> $6::text)) = jsonb_typeof($7::jsonb) AND (x.attributes -> $6::text) >= $7::jsonb))',
    );
    expect(inlined(`${where.where()} LIMIT ${limit}`, where.params)).toBe(
      `WHERE ((x.attributes -> "plan"::text) = "\\"pro\\""::jsonb) AND x.email = "a@b.md" AND ` +
        `((jsonb_typeof((x.attributes -> "age"::text)) = jsonb_typeof("18"::jsonb) AND (x.attributes -> "age"::text) >= "18"::jsonb)) LIMIT 10`,
    );
    expect(where.params).toEqual(['sequence-id', '2026-01-01', 'plan', '"pro"', 'a@b.md', 'age', '18', 10]);
  });

  it('renders afresh each time it is placed, so one compiled rule serves several statements', () => {
    const rule = compileRule({ all: [{ field: 'locale', op: 'eq', value: 'ro' }] });
    expect(new Conditions([1, 2]).place(rule)).toBe('(c.locale = $3)');
    expect(new Conditions().place(rule)).toBe('(c.locale = $1)');
  });
});
