import { type FormEvent, useState } from 'react';
import { api, ApiError, unwrap } from '../api/client';
import { ErrorNotice, Loading } from '../components/ErrorNotice';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n/i18n';
import { href } from '../router';

type Field = 'key' | 'name' | 'triggerEvent' | 'conversionEvent' | 'template';
const FIELDS: Field[] = ['key', 'name', 'triggerEvent', 'conversionEvent'];

async function templateKeys(): Promise<string[]> {
  const page = await unwrap(api.GET('/v1/templates', { params: { query: { limit: 500 } } }));
  return page.items.map((template) => template.key);
}

/** A message's field: the API names it first (`key must be a key…`, `steps.0.template: unknown…`). */
function fieldOf(message: string): Field | null {
  if (message.startsWith('steps.0')) return 'template';
  const first = /^(\w+)/.exec(message)?.[1];
  return FIELDS.find((field) => field === first) ?? null;
}

/**
 * A new sequence: its key, name and events, and a first step (day 0, a template) because a calendar has at least
 * one; it is created as a draft and opens in the calendar editor to grow. The API validates; its 400s show at the
 * fields, a taken key (409) at the key.
 */
export function NewSequence() {
  const { t } = useI18n();
  const templates = useLoad(templateKeys, []);
  const [values, setValues] = useState<Record<Field, string>>({
    key: '',
    name: '',
    triggerEvent: '',
    conversionEvent: '',
    template: '',
  });
  const [problems, setProblems] = useState<Map<Field | 'form', string[]>>(new Map());
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent, firstTemplate: string) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    setProblems(new Map());
    const optional = (name: 'triggerEvent' | 'conversionEvent') =>
      values[name].trim() ? { [name]: values[name].trim() } : {};
    try {
      const created = await unwrap(
        api.POST('/v1/sequences', {
          body: {
            key: values.key.trim(),
            name: values.name.trim(),
            ...optional('triggerEvent'),
            ...optional('conversionEvent'),
            steps: [{ key: 'welcome', dayOffset: 0, template: values.template || firstTemplate }],
          },
        }),
      );
      window.location.hash = href({ screen: 'sequence', key: created.key, edit: true });
    } catch (error) {
      setBusy(false);
      if (error instanceof ApiError && (error.status === 400 || error.status === 409)) {
        const placed = new Map<Field | 'form', string[]>();
        for (const message of error.messages) {
          const field = error.status === 409 ? 'key' : (fieldOf(message) ?? 'form');
          placed.set(field, [...(placed.get(field) ?? []), message]);
        }
        setProblems(placed);
      } else {
        setFailure(error);
      }
    }
  }

  const back = (
    <p className="back">
      <a href={href({ screen: 'sequences' })}>← {t('sequence.back')}</a>
    </p>
  );
  if (templates.state === 'loading')
    return (
      <>
        {back}
        <Loading />
      </>
    );
  if (templates.state === 'failed')
    return (
      <>
        {back}
        <ErrorNotice error={templates.error} onRetry={templates.reload} />
      </>
    );
  const keys = templates.data;
  const field = (name: Field, label: string, hint?: string) => {
    const messages = problems.get(name);
    const described = [hint ? `new-${name}-hint` : '', messages ? `new-${name}-problem` : ''].filter(Boolean);
    return (
      <div className="field">
        <label htmlFor={`new-${name}`}>{label}</label>
        {name === 'template' ? (
          <select
            id="new-template"
            value={values.template || keys[0]}
            onChange={(event) => setValues({ ...values, template: event.target.value })}
          >
            {keys.map((key) => (
              <option key={key} value={key}>
                {key}
              </option>
            ))}
          </select>
        ) : (
          <input
            id={`new-${name}`}
            value={values[name]}
            onChange={(event) => setValues({ ...values, [name]: event.target.value })}
            aria-invalid={messages ? true : undefined}
            aria-describedby={described.length ? described.join(' ') : undefined}
          />
        )}
        {hint && (
          <p className="muted hint" id={`new-${name}-hint`}>
            {hint}
          </p>
        )}
        {messages && (
          <p className="field-problem" id={`new-${name}-problem`}>
            {messages.join(' ')}
          </p>
        )}
      </div>
    );
  };
  return (
    <section aria-labelledby="new-title" className="new-sequence">
      {back}
      <h1 id="new-title">{t('new.title')}</h1>
      <p className="intro">{t('new.intro')}</p>
      {keys.length === 0 ? (
        <p className="notice" id="new-no-templates">
          {t('editor.noTemplates')}
        </p>
      ) : (
        <form className="panel" id="new-sequence" onSubmit={(event) => void submit(event, keys[0] ?? '')} noValidate>
          {problems.get('form') && <ErrorNotice error={new ApiError(400, problems.get('form') ?? [])} />}
          {failure !== null && <ErrorNotice error={failure} />}
          <div className="editor-fields">
            {field('name', t('new.name'))}
            {field('key', t('new.key'), t('new.keyHint'))}
            {field('triggerEvent', t('settings.trigger'), t('new.triggerHint'))}
            {field('conversionEvent', t('settings.conversion'), t('new.conversionHint'))}
            {field('template', t('new.firstTemplate'))}
          </div>
          <div className="editor-buttons">
            <button type="submit" className="primary" disabled={busy}>
              {t('new.create')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
