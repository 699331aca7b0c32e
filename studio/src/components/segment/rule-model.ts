/**
 * The segment rule of the API (`{ all | any: [...] }`, conditions `{ field, op, value }`, API.md "Segments") as the
 * rule builder edits it, and back. Values are typed as the API compares them: a contact's own fields are text, an
 * attribute is text, a number or yes/no (`"5"` and `5` are different values, as in the stored JSON).
 */
export const OPERATORS = ['eq', 'neq', 'in', 'contains', 'exists', 'gt', 'gte', 'lt', 'lte'] as const;
export type Operator = (typeof OPERATORS)[number];
export const COLUMN_FIELDS = ['locale', 'timezone', 'email', 'status', 'firstName', 'lastName'] as const;
export type FieldChoice = (typeof COLUMN_FIELDS)[number] | 'attribute';
export type ValueType = 'text' | 'number' | 'boolean';

export interface ConditionNode {
  kind: 'condition';
  id: number;
  field: FieldChoice;
  attribute: string;
  op: Operator;
  /** One value; for `in`, one per line. */
  value: string;
  type: ValueType;
  /** For `exists`: present (true) or missing (false). */
  present: boolean;
}

export interface GroupNode {
  kind: 'group';
  id: number;
  combinator: 'all' | 'any';
  items: RuleNode[];
}

export type RuleNode = ConditionNode | GroupNode;

let nextId = 1;
export function newCondition(): ConditionNode {
  return {
    kind: 'condition',
    id: nextId++,
    field: 'locale',
    attribute: '',
    op: 'eq',
    value: '',
    type: 'text',
    present: true,
  };
}
export function newGroup(combinator: 'all' | 'any' = 'all', items: RuleNode[] = [newCondition()]): GroupNode {
  return { kind: 'group', id: nextId++, combinator, items };
}

function typed(text: string, type: ValueType): unknown {
  if (type === 'number') return text.trim() === '' ? text : Number(text);
  if (type === 'boolean') return text === 'true';
  return text;
}

function conditionToApi(node: ConditionNode): Record<string, unknown> {
  const field = node.field === 'attribute' ? `attributes.${node.attribute.trim()}` : node.field;
  const type = node.field === 'attribute' ? node.type : 'text';
  if (node.op === 'exists') return { field, op: 'exists', value: node.present };
  if (node.op === 'in') {
    const values = node.value
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => typed(line, type));
    return { field, op: 'in', value: values };
  }
  return { field, op: node.op, value: typed(node.value, type) };
}

/** The rule as the API takes it, and the path of every node in it (`rule.all.1.any.0`) for placing its problems. */
export function toApi(root: GroupNode): { rule: unknown; paths: Map<string, number> } {
  const paths = new Map<string, number>();
  const visit = (node: RuleNode, path: string): unknown => {
    paths.set(path, node.id);
    if (node.kind === 'condition') return conditionToApi(node);
    return { [node.combinator]: node.items.map((item, index) => visit(item, `${path}.${node.combinator}.${index}`)) };
  };
  return { rule: visit(root, 'rule'), paths };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeOf(value: unknown): ValueType {
  return typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'text';
}

/** A stored rule in the builder's terms (anything it does not recognise becomes an empty condition to fix). */
export function fromApi(rule: unknown): GroupNode {
  const visit = (node: unknown): RuleNode => {
    if (isRecord(node) && (Array.isArray(node.all) || Array.isArray(node.any))) {
      const combinator = Array.isArray(node.all) ? 'all' : 'any';
      return newGroup(combinator, (node[combinator] as unknown[]).map(visit));
    }
    const condition = newCondition();
    if (!isRecord(node)) return condition;
    const field = String(node.field ?? '');
    const attribute = /^attributes\.(.+)$/.exec(field)?.[1];
    condition.field =
      attribute !== undefined
        ? 'attribute'
        : (((COLUMN_FIELDS as readonly string[]).includes(field) ? field : 'locale') as FieldChoice);
    condition.attribute = attribute ?? '';
    condition.op = (OPERATORS as readonly string[]).includes(String(node.op)) ? (node.op as Operator) : 'eq';
    const value = node.value;
    if (condition.op === 'exists') condition.present = value !== false;
    else if (Array.isArray(value)) {
      condition.value = value.map(String).join('\n');
      condition.type = typeOf(value[0]);
    } else {
      condition.value = value === undefined || value === null ? '' : String(value);
      condition.type = typeOf(value);
    }
    return condition;
  };
  const root = visit(rule);
  return root.kind === 'group' ? root : newGroup('all', [root]);
}

/** Each message at the deepest node its path names (`rule.all.1.any.0.value …`); the rest under `form`. */
export function placeRuleProblems(messages: string[], paths: Map<string, number>): Map<number | 'form', string[]> {
  const placed = new Map<number | 'form', string[]>();
  for (const message of messages) {
    const path = /^(rule(?:\.(?:all|any)\.\d+)*)/.exec(message)?.[1];
    const id = path === undefined ? undefined : paths.get(path);
    const place = id ?? 'form';
    placed.set(place, [...(placed.get(place) ?? []), message]);
  }
  return placed;
}

/** A copy of the tree with `id`'s node replaced (or removed when `next` is null). */
export function replaceNode(root: GroupNode, id: number, next: RuleNode | null): GroupNode {
  const visit = (node: RuleNode): RuleNode | null => {
    if (node.id === id) return next;
    if (node.kind === 'condition') return node;
    return { ...node, items: node.items.map(visit).filter((item): item is RuleNode => item !== null) };
  };
  return visit(root) as GroupNode;
}
