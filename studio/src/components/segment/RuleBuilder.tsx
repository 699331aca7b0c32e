import { useI18n } from '../../i18n/i18n';
import {
  COLUMN_FIELDS,
  type ConditionNode,
  type FieldChoice,
  type GroupNode,
  newCondition,
  newGroup,
  OPERATORS,
  type Operator,
  type RuleNode,
  type ValueType,
} from './rule-model';

interface Props {
  root: GroupNode;
  problems: Map<number | 'form', string[]>;
  onChange(node: RuleNode): void;
  onRemove(id: number): void;
}

const MAX_DEPTH = 8;
/** A contact's statuses (API.md "Contacts"): a fixed list, chosen rather than typed. */
const STATUSES = ['active', 'unsubscribed', 'bounced', 'complained'];

function Problems({ id, messages }: { id: string; messages: string[] | undefined }) {
  return messages ? (
    <p className="field-problem" id={id}>
      {messages.join(' ')}
    </p>
  ) : null;
}

function ConditionEditor({ node, problems, onChange, onRemove }: Omit<Props, 'root'> & { node: ConditionNode }) {
  const { t } = useI18n();
  const id = (part: string) => `cond-${node.id}-${part}`;
  const messages = problems.get(node.id);
  const set = (patch: Partial<ConditionNode>) => onChange({ ...node, ...patch });
  const typed = node.field === 'attribute';
  return (
    <div className="condition" data-condition={node.id}>
      <div className="condition-fields">
        <div className="field">
          <label htmlFor={id('field')}>{t('segments.field')}</label>
          <select id={id('field')} value={node.field} onChange={(e) => set({ field: e.target.value as FieldChoice })}>
            {COLUMN_FIELDS.map((field) => (
              <option key={field} value={field}>
                {field}
              </option>
            ))}
            <option value="attribute">attributes.…</option>
          </select>
        </div>
        {typed && (
          <div className="field">
            <label htmlFor={id('attribute')}>{t('segments.attribute')}</label>
            <input id={id('attribute')} value={node.attribute} onChange={(e) => set({ attribute: e.target.value })} />
          </div>
        )}
        <div className="field">
          <label htmlFor={id('op')}>{t('segments.operator')}</label>
          <select id={id('op')} value={node.op} onChange={(e) => set({ op: e.target.value as Operator })}>
            {OPERATORS.map((op) => (
              <option key={op} value={op}>
                {t(`segments.op.${op}`)}
              </option>
            ))}
          </select>
        </div>
        {node.op === 'exists' ? (
          <div className="field">
            <label htmlFor={id('present')}>{t('segments.presence')}</label>
            <select
              id={id('present')}
              value={String(node.present)}
              onChange={(e) => set({ present: e.target.value === 'true' })}
            >
              <option value="true">{t('segments.present')}</option>
              <option value="false">{t('segments.missing')}</option>
            </select>
          </div>
        ) : (
          <>
            {typed && (
              <div className="field">
                <label htmlFor={id('type')}>{t('segments.type')}</label>
                <select id={id('type')} value={node.type} onChange={(e) => set({ type: e.target.value as ValueType })}>
                  <option value="text">{t('segments.type.text')}</option>
                  <option value="number">{t('segments.type.number')}</option>
                  <option value="boolean">{t('segments.type.boolean')}</option>
                </select>
              </div>
            )}
            <div className="field condition-value">
              <label htmlFor={id('value')}>{node.op === 'in' ? t('segments.values') : t('segments.value')}</label>
              {node.op === 'in' ? (
                <textarea
                  id={id('value')}
                  rows={3}
                  value={node.value}
                  onChange={(e) => set({ value: e.target.value })}
                />
              ) : node.field === 'status' ? (
                <select id={id('value')} value={node.value} onChange={(e) => set({ value: e.target.value })}>
                  <option value="" disabled>
                    …
                  </option>
                  {STATUSES.map((status) => (
                    <option key={status} value={status}>
                      {status}
                    </option>
                  ))}
                </select>
              ) : typed && node.type === 'boolean' ? (
                <select
                  id={id('value')}
                  value={node.value === 'true' ? 'true' : 'false'}
                  onChange={(e) => set({ value: e.target.value })}
                >
                  <option value="true">{t('common.yes')}</option>
                  <option value="false">{t('common.no')}</option>
                </select>
              ) : (
                <input
                  id={id('value')}
                  type={typed && node.type === 'number' ? 'number' : 'text'}
                  value={node.value}
                  onChange={(e) => set({ value: e.target.value })}
                />
              )}
            </div>
          </>
        )}
        <button type="button" className="danger remove-condition" onClick={() => onRemove(node.id)}>
          {t('segments.removeCondition')}
        </button>
      </div>
      <Problems id={id('problem')} messages={messages} />
    </div>
  );
}

function GroupEditor({
  node,
  depth,
  problems,
  onChange,
  onRemove,
}: Omit<Props, 'root'> & { node: GroupNode; depth: number }) {
  const { t } = useI18n();
  const add = (item: RuleNode) => onChange({ ...node, items: [...node.items, item] });
  return (
    <fieldset className={`rule-group depth-${Math.min(depth, 3)}`} data-group={node.id}>
      <legend>
        <label htmlFor={`group-${node.id}-combinator`} className="visually-hidden">
          {t('segments.combinator')}
        </label>
        <select
          id={`group-${node.id}-combinator`}
          value={node.combinator}
          onChange={(e) => onChange({ ...node, combinator: e.target.value as 'all' | 'any' })}
        >
          <option value="all">{t('segments.all')}</option>
          <option value="any">{t('segments.any')}</option>
        </select>
      </legend>
      <Problems id={`group-${node.id}-problem`} messages={problems.get(node.id)} />
      <ul className="rule-items">
        {node.items.map((item) => (
          <li key={item.id}>
            {item.kind === 'group' ? (
              <GroupEditor node={item} depth={depth + 1} problems={problems} onChange={onChange} onRemove={onRemove} />
            ) : (
              <ConditionEditor node={item} problems={problems} onChange={onChange} onRemove={onRemove} />
            )}
          </li>
        ))}
      </ul>
      <div className="group-buttons">
        <button type="button" onClick={() => add(newCondition())}>
          {t('segments.addCondition')}
        </button>
        {depth + 1 < MAX_DEPTH && (
          <button type="button" onClick={() => add(newGroup(node.combinator === 'all' ? 'any' : 'all'))}>
            {t('segments.addGroup')}
          </button>
        )}
        {depth > 0 && (
          <button type="button" className="danger" onClick={() => onRemove(node.id)}>
            {t('segments.removeGroup')}
          </button>
        )}
      </div>
    </fieldset>
  );
}

/** The rule as nested all/any groups of conditions; each node shows the API's problems with it. */
export function RuleBuilder({ root, problems, onChange, onRemove }: Props) {
  return <GroupEditor node={root} depth={0} problems={problems} onChange={onChange} onRemove={onRemove} />;
}
