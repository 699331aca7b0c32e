/**
 * The segment rule language of API.md and its compilation to parameterised SQL over `contacts`.
 * Values only ever reach SQL as bind parameters; field names only from the whitelist below.
 */
import type { SqlFragment } from '../database/sql.js';

export type Operator = 'eq' | 'neq' | 'in' | 'contains' | 'exists' | 'gt' | 'gte' | 'lt' | 'lte';
export type Condition = { field: string; op: Operator; value?: unknown };
export type Rule = { all: Array<Rule | Condition> } | { any: Array<Rule | Condition> };

export const OPERATORS: readonly Operator[] = ['eq', 'neq', 'in', 'contains', 'exists', 'gt', 'gte', 'lt', 'lte'];
const COLUMN_FIELDS: Record<string, string> = {
  email: 'email',
  locale: 'locale',
  timezone: 'timezone',
  status: 'status',
  firstName: 'first_name',
  lastName: 'last_name',
};
const ATTRIBUTE_FIELD = /^attributes\.([A-Za-z0-9_-]{1,64})$/;
const MAX_DEPTH = 8;
const MAX_CONDITIONS = 200;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is string | number | boolean {
  return (
    typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean'
  );
}

/** Every problem of a rule, each naming its path (`rule.all.1.op …`); empty when the rule is valid. */
export function validateRule(rule: unknown, path = 'rule'): string[] {
  const problems: string[] = [];
  let conditions = 0;
  const visit = (node: unknown, at: string, depth: number): void => {
    if (!isRecord(node)) {
      problems.push(`${at} must be an object`);
      return;
    }
    if ('all' in node || 'any' in node) {
      const keys = Object.keys(node);
      if (keys.length !== 1) {
        problems.push(`${at} must have exactly one of "all" or "any" and nothing else`);
        return;
      }
      const combinator = keys[0];
      const children = node[combinator];
      if (depth >= MAX_DEPTH) {
        problems.push(`${at} nests deeper than ${MAX_DEPTH} levels`);
        return;
      }
      if (!Array.isArray(children) || children.length === 0) {
        problems.push(`${at}.${combinator} must be a non-empty array`);
        return;
      }
      children.forEach((child, index) => visit(child, `${at}.${combinator}.${index}`, depth + 1));
      return;
    }
    conditions++;
    validateCondition(node, at, problems);
  };
  visit(rule, path, 0);
  if (conditions > MAX_CONDITIONS) problems.push(`${path} has more than ${MAX_CONDITIONS} conditions`);
  return problems;
}

function validateCondition(node: Record<string, unknown>, at: string, problems: string[]): void {
  const unknownKeys = Object.keys(node).filter((key) => !['field', 'op', 'value'].includes(key));
  if (unknownKeys.length > 0) problems.push(`${at} has unknown properties: ${unknownKeys.join(', ')}`);
  const { field, op, value } = node;
  if (typeof field !== 'string' || (!(field in COLUMN_FIELDS) && !ATTRIBUTE_FIELD.test(field))) {
    problems.push(
      `${at}.field must be one of ${Object.keys(COLUMN_FIELDS).join(', ')} or attributes.<name> (letters, digits, _ and -)`,
    );
  }
  if (typeof op !== 'string' || !OPERATORS.includes(op as Operator)) {
    problems.push(`${at}.op must be one of ${OPERATORS.join(', ')}`);
    return;
  }
  switch (op as Operator) {
    case 'exists':
      if (value !== undefined && typeof value !== 'boolean') problems.push(`${at}.value must be a boolean for exists`);
      break;
    case 'in':
      if (!Array.isArray(value) || value.length === 0 || value.length > 1000 || !value.every(isScalar)) {
        problems.push(`${at}.value must be a non-empty array (up to 1000) of strings, numbers or booleans for in`);
      }
      break;
    case 'contains':
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
        problems.push(`${at}.value must be a string or number for contains`);
      }
      break;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
        problems.push(`${at}.value must be a string or number for ${op}`);
      }
      break;
    default:
      if (!isScalar(value)) problems.push(`${at}.value must be a string, number or boolean for ${op}`);
  }
  if (typeof value === 'string' && value.length > 1000) problems.push(`${at}.value must be at most 1000 characters`);
}

const COMPARATORS: Record<'gt' | 'gte' | 'lt' | 'lte', string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

/**
 * Compiles a validated rule to a boolean expression over `contacts` (aliased by `alias`), as a fragment: its
 * parameters are numbered by the statement it is placed in (`Conditions`), never by the caller. Attribute
 * comparisons are typed: a number matches a number, a string a string (jsonb equality), so `"5"` and `5` are
 * different values, as in the JSON.
 */
export function compileRule(rule: Rule, alias = 'c'): SqlFragment {
  return { render: (bind) => renderRule(rule, alias, bind) };
}

function renderRule(rule: Rule, alias: string, bind: (value: unknown) => string): string {
  const condition = (cond: Condition): string => {
    const column = COLUMN_FIELDS[cond.field];
    if (column) {
      const ref = `${alias}.${column}`;
      // E-mail addresses compare without case, like the unique key.
      const text = (expr: string) => (cond.field === 'email' ? `lower(${expr})` : expr);
      const value = () => bind(cond.field === 'email' ? String(cond.value).toLowerCase() : String(cond.value));
      switch (cond.op) {
        case 'eq':
          return `${text(ref)} = ${value()}`;
        case 'neq':
          return `${text(ref)} IS DISTINCT FROM ${value()}`;
        case 'in':
          return `${text(ref)} = ANY(${bind((cond.value as unknown[]).map((v) => (cond.field === 'email' ? String(v).toLowerCase() : String(v))))}::text[])`;
        case 'contains':
          return `strpos(lower(${ref}), lower(${bind(String(cond.value))})) > 0`;
        case 'exists':
          return cond.value === false ? `${ref} IS NULL` : `${ref} IS NOT NULL`;
        default:
          return `${text(ref)} ${COMPARATORS[cond.op]} ${value()}`;
      }
    }
    const name = ATTRIBUTE_FIELD.exec(cond.field)![1];
    const attr = `(${alias}.attributes -> ${bind(name)}::text)`;
    switch (cond.op) {
      case 'eq':
        return `${attr} = ${bind(JSON.stringify(cond.value))}::jsonb`;
      case 'neq':
        return `${attr} IS DISTINCT FROM ${bind(JSON.stringify(cond.value))}::jsonb`;
      case 'in':
        return `${attr} IN (SELECT jsonb_array_elements(${bind(JSON.stringify(cond.value))}::jsonb))`;
      case 'contains': {
        // An array attribute contains an element; a string attribute contains a substring (no case).
        const element = bind(JSON.stringify(cond.value));
        const needle = bind(String(cond.value));
        return (
          `(CASE jsonb_typeof(${attr}) WHEN 'array' THEN ${attr} @> jsonb_build_array(${element}::jsonb) ` +
          `WHEN 'string' THEN strpos(lower(${attr} #>> '{}'), lower(${needle})) > 0 ELSE false END)`
        );
      }
      case 'exists':
        return cond.value === false ? `${attr} IS NULL` : `${attr} IS NOT NULL`;
      default: {
        const value = bind(JSON.stringify(cond.value));
        return `(jsonb_typeof(${attr}) = jsonb_typeof(${value}::jsonb) AND ${attr} ${COMPARATORS[cond.op]} ${value}::jsonb)`;
      }
    }
  };

  const node = (item: Rule | Condition): string => {
    if ('all' in item) return `(${item.all.map(node).join(' AND ')})`;
    if ('any' in item) return `(${item.any.map(node).join(' OR ')})`;
    return condition(item);
  };

  return node(rule);
}
