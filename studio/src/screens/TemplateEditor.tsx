import { type FormEvent, useRef, useState } from 'react';
import { api, ApiError, type Schemas, unwrap } from '../api/client';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorNotice } from '../components/ErrorNotice';
import { Unready } from '../components/Unready';
import { SymbolList } from '../components/template/SymbolList';
import { TemplatePreview } from '../components/template/TemplatePreview';
import {
  COMMON_LOCALES,
  draftOf,
  LOCALE_SHAPE,
  newVariant,
  placeAll,
  type TemplateDraft,
  type VariantField,
  variantsBody,
} from '../components/template/template-draft';
import { VariantFields } from '../components/template/VariantFields';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n/i18n';
import { href } from '../router';

const EMPTY: TemplateDraft = { key: '', name: '', variants: [newVariant('en')] };

/** A template's page (or a new one's, `templateKey` null): the variants per locale, the preview, test send, delete. */
export function TemplateEditor({ templateKey }: { templateKey: string | null }) {
  const { t } = useI18n();
  const loaded = useLoad(
    () =>
      templateKey === null
        ? Promise.resolve(null)
        : unwrap(api.GET('/v1/templates/{key}', { params: { path: { key: templateKey } } })),
    [templateKey],
  );
  const back = (
    <p className="back">
      <a href={href({ screen: 'templates' })}>← {t('templates.back')}</a>
    </p>
  );
  if (loaded.state !== 'ready')
    return (
      <Unready
        loaded={loaded}
        back={back}
        notFound={<p className="notice error">{t('templates.notFound', { key: templateKey ?? '' })}</p>}
      />
    );
  return (
    <>
      {back}
      <Form saved={loaded.data} />
    </>
  );
}

function Form({ saved: initial }: { saved: Schemas['TemplateDto'] | null }) {
  const { t } = useI18n();
  const [saved, setSaved] = useState(initial);
  const [draft, setDraft] = useState<TemplateDraft>(initial ? draftOf(initial) : EMPTY);
  const [problems, setProblems] = useState<Map<string, string[]>>(new Map());
  const [failure, setFailure] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const [newLocale, setNewLocale] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleteProblem, setDeleteProblem] = useState<unknown>(null);
  const focused = useRef<{ id: number; field: VariantField; element: HTMLInputElement | HTMLTextAreaElement } | null>(
    null,
  );
  const unsaved =
    saved !== null &&
    (saved.name !== draft.name ||
      JSON.stringify(draftOf(saved).variants.map(strip)) !== JSON.stringify(draft.variants.map(strip)));

  const update = (id: number, field: VariantField, value: string) =>
    setDraft((current) => ({
      ...current,
      variants: current.variants.map((variant) => (variant.id === id ? { ...variant, [field]: value } : variant)),
    }));

  function addLocale(locale: string) {
    const tag = locale.trim();
    if (!LOCALE_SHAPE.test(tag) || draft.variants.some((v) => v.locale.toLowerCase() === tag.toLowerCase())) return;
    setDraft({ ...draft, variants: [...draft.variants, newVariant(tag)] });
    setNewLocale('');
  }

  /** The snippet at the cursor of the field last in focus (the first variant's HTML before any), then back there. */
  function insert(snippet: string) {
    const target = focused.current ?? { id: draft.variants[0]?.id ?? 0, field: 'html' as const, element: null };
    const variant = draft.variants.find((v) => v.id === target.id);
    if (!variant || target.field === 'locale') return;
    const value = variant[target.field];
    const start = target.element?.selectionStart ?? value.length;
    const end = target.element?.selectionEnd ?? value.length;
    update(variant.id, target.field, value.slice(0, start) + snippet + value.slice(end));
    const element = target.element ?? document.getElementById(`variant-${variant.id}-${target.field}`);
    requestAnimationFrame(() => {
      if (!(element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement)) return;
      element.focus();
      element.setSelectionRange(start + snippet.length, start + snippet.length);
    });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    setNotice('');
    setProblems(new Map());
    try {
      const body = { name: draft.name.trim(), variants: variantsBody(draft) };
      const result = saved
        ? await unwrap(api.PUT('/v1/templates/{key}', { params: { path: { key: saved.key } }, body }))
        : await unwrap(api.POST('/v1/templates', { body: { ...body, key: draft.key.trim() } }));
      if (!saved) {
        window.location.hash = href({ screen: 'template', key: result.key });
        return;
      }
      setSaved(result);
      // As stored: the server writes locales canonically (ro-md → ro-MD), so the editor matches what was saved.
      setDraft(draftOf(result));
      setNotice(t('templates.saved', { version: result.version }));
    } catch (error) {
      if (error instanceof ApiError && [400, 409, 422].includes(error.status)) {
        setProblems(error.status === 409 ? new Map([['key', error.messages]]) : placeAll(error.messages, draft));
      } else {
        setFailure(error);
      }
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    if (!saved) return;
    setBusy(true);
    try {
      await unwrap(api.DELETE('/v1/templates/{key}', { params: { path: { key: saved.key } } }));
      window.location.hash = href({ screen: 'templates' });
    } catch (error) {
      setDeleteProblem(error);
      setConfirmDelete(false);
    } finally {
      setBusy(false);
    }
  }

  const topField = (name: 'key' | 'name', label: string, hint?: string) => {
    const messages = problems.get(name);
    const id = `template-${name}`;
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          value={draft[name]}
          onChange={(event) => setDraft({ ...draft, [name]: event.target.value })}
          aria-invalid={messages ? true : undefined}
          aria-describedby={
            [hint ? `${id}-hint` : '', messages ? `${id}-problem` : ''].filter(Boolean).join(' ') || undefined
          }
        />
        {hint && (
          <p className="muted hint" id={`${id}-hint`}>
            {hint}
          </p>
        )}
        {messages && (
          <p className="field-problem" id={`${id}-problem`}>
            {messages.join(' ')}
          </p>
        )}
      </div>
    );
  };
  const missing = COMMON_LOCALES.filter((locale) => !draft.variants.some((v) => v.locale.toLowerCase() === locale));

  return (
    <div className="template-page">
      <div className="panel-head">
        <h1 id="template-title">{saved ? saved.name : t('templates.newTitle')}</h1>
        {saved && (
          <button type="button" className="danger" id="delete-template" onClick={() => setConfirmDelete(true)}>
            {t('templates.delete')}
          </button>
        )}
      </div>
      {saved ? (
        <p className="intro">{t('templates.editIntro', { key: saved.key, version: saved.version })}</p>
      ) : (
        <p className="intro">{t('templates.newIntro')}</p>
      )}
      {deleteProblem !== null && <ErrorNotice error={deleteProblem} />}
      <div className="template-grid">
        <form className="panel template-form" id="template-form" onSubmit={(event) => void submit(event)} noValidate>
          {problems.get('form') && <ErrorNotice error={new ApiError(400, problems.get('form') ?? [])} />}
          {failure !== null && <ErrorNotice error={failure} />}
          {problems.size > 0 && (
            <p className="notice error" role="alert">
              {t('templates.invalid')}
            </p>
          )}
          <div className="editor-fields">
            {topField('name', t('templates.name'))}
            {saved ? null : topField('key', t('templates.key'), t('templates.keyHint'))}
          </div>
          {draft.variants.map((variant, index) => (
            <VariantFields
              key={variant.id}
              variant={variant}
              index={index}
              removable={draft.variants.length > 1}
              problems={problems}
              onChange={(field, value) => update(variant.id, field, value)}
              onRemove={() => setDraft({ ...draft, variants: draft.variants.filter((v) => v.id !== variant.id) })}
              onFocusField={(field, element) => (focused.current = { id: variant.id, field, element })}
            />
          ))}
          <div className="add-locale">
            {missing.map((locale) => (
              <button key={locale} type="button" onClick={() => addLocale(locale)}>
                {t('templates.addLocaleNamed', { locale })}
              </button>
            ))}
            <div className="field">
              <label htmlFor="new-locale">{t('templates.otherLocale')}</label>
              <input
                id="new-locale"
                value={newLocale}
                placeholder="uk, ro-MD…"
                onChange={(event) => setNewLocale(event.target.value)}
              />
            </div>
            <button type="button" onClick={() => addLocale(newLocale)} disabled={!LOCALE_SHAPE.test(newLocale.trim())}>
              {t('templates.addLocale')}
            </button>
          </div>
          <p className="announcement" role="status">
            {notice}
          </p>
          <div className="editor-buttons">
            <button type="submit" className="primary" disabled={busy}>
              {saved ? t('templates.save') : t('templates.create')}
            </button>
          </div>
        </form>
        <div className="template-side">
          <TemplatePreview
            templateKey={saved?.key ?? null}
            variants={variantsBody(draft)}
            unsaved={saved === null || unsaved}
          />
          <SymbolList onInsert={insert} />
        </div>
      </div>
      {confirmDelete && saved && (
        <ConfirmDialog
          title={t('templates.confirmDelete', { name: saved.name })}
          confirmLabel={t('templates.delete')}
          danger
          busy={busy}
          onConfirm={() => void remove()}
          onCancel={() => setConfirmDelete(false)}
        >
          <p>{t('templates.deleteBody')}</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function strip({ locale, subject, html, text }: { locale: string; subject: string; html: string; text: string }) {
  return { locale, subject, html, text };
}
