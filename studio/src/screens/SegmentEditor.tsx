import { type FormEvent, useCallback, useMemo, useState } from 'react';
import { api, ApiError, type Schemas, unwrap } from '../api/client';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorNotice } from '../components/ErrorNotice';
import { Unready } from '../components/Unready';
import { RuleBuilder } from '../components/segment/RuleBuilder';
import {
  fromApi,
  type GroupNode,
  newGroup,
  placeRuleProblems,
  replaceNode,
  toApi,
} from '../components/segment/rule-model';
import { SegmentPreview } from '../components/segment/SegmentPreview';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n/i18n';
import { href } from '../router';

/** A segment's page (or a new one's, `segmentKey` null): name, rule builder, live members, save, delete. */
export function SegmentEditor({ segmentKey }: { segmentKey: string | null }) {
  const { t } = useI18n();
  const loaded = useLoad(
    () =>
      segmentKey === null
        ? Promise.resolve(null)
        : unwrap(api.GET('/v1/segments/{key}', { params: { path: { key: segmentKey } } })),
    [segmentKey],
  );
  const back = (
    <p className="back">
      <a href={href({ screen: 'segments' })}>← {t('segments.back')}</a>
    </p>
  );
  if (loaded.state !== 'ready')
    return (
      <Unready
        loaded={loaded}
        back={back}
        notFound={<p className="notice error">{t('segments.notFound', { key: segmentKey ?? '' })}</p>}
      />
    );
  return (
    <>
      {back}
      <Form saved={loaded.data} />
    </>
  );
}

function Form({ saved: initial }: { saved: Schemas['SegmentDto'] | null }) {
  const { t, number } = useI18n();
  const [saved, setSaved] = useState(initial);
  const [key, setKey] = useState('');
  const [name, setName] = useState(initial?.name ?? '');
  const [root, setRoot] = useState<GroupNode>(() => (initial ? fromApi(initial.rule) : newGroup('all')));
  const [saveProblems, setSaveProblems] = useState<string[]>([]);
  const [liveProblems, setLiveProblems] = useState<string[]>([]);
  const [fieldProblems, setFieldProblems] = useState<Map<'key' | 'name', string[]>>(new Map());
  const [failure, setFailure] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleteProblem, setDeleteProblem] = useState<unknown>(null);
  const { rule, paths } = useMemo(() => toApi(root), [root]);
  const problems = useMemo(
    () => placeRuleProblems([...new Set([...saveProblems, ...liveProblems])], paths),
    [saveProblems, liveProblems, paths],
  );
  const onLiveProblems = useCallback((messages: string[]) => setLiveProblems(messages), []);
  const [total, setTotal] = useState<number | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    setNotice('');
    setSaveProblems([]);
    setFieldProblems(new Map());
    try {
      const body = { name: name.trim(), rule: rule as Record<string, never> };
      const result = saved
        ? await unwrap(api.PUT('/v1/segments/{key}', { params: { path: { key: saved.key } }, body }))
        : await unwrap(api.POST('/v1/segments', { body: { ...body, key: key.trim() } }));
      if (!saved) {
        window.location.hash = href({ screen: 'segment', key: result.key });
        return;
      }
      setSaved(result);
      setNotice(t('segments.saved'));
    } catch (error) {
      if (error instanceof ApiError && (error.status === 400 || error.status === 409)) {
        const fields = new Map<'key' | 'name', string[]>();
        const rest: string[] = [];
        for (const message of error.messages) {
          const field = error.status === 409 ? 'key' : /^(key|name)\b/.exec(message)?.[1];
          if (field === 'key' || field === 'name') fields.set(field, [...(fields.get(field) ?? []), message]);
          else rest.push(message);
        }
        setFieldProblems(fields);
        setSaveProblems(rest);
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
      await unwrap(api.DELETE('/v1/segments/{key}', { params: { path: { key: saved.key } } }));
      window.location.hash = href({ screen: 'segments' });
    } catch (error) {
      setDeleteProblem(error);
      setConfirmDelete(false);
    } finally {
      setBusy(false);
    }
  }

  const field = (which: 'key' | 'name', value: string, set: (value: string) => void, label: string, hint?: string) => {
    const id = `segment-${which}`;
    const messages = fieldProblems.get(which);
    const described = [hint ? `${id}-hint` : '', messages ? `${id}-problem` : ''].filter(Boolean).join(' ');
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          value={value}
          onChange={(event) => set(event.target.value)}
          aria-invalid={messages ? true : undefined}
          aria-describedby={described || undefined}
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

  return (
    <div className="segment-page">
      <div className="panel-head">
        <h1>{saved ? saved.name : t('segments.newTitle')}</h1>
        {saved && (
          <button type="button" className="danger" id="delete-segment" onClick={() => setConfirmDelete(true)}>
            {t('segments.delete')}
          </button>
        )}
      </div>
      <p className="intro">{saved ? t('segments.editIntro', { key: saved.key }) : t('segments.newIntro')}</p>
      {deleteProblem !== null && <ErrorNotice error={deleteProblem} />}
      <div className="segment-grid">
        <form className="panel" id="segment-form" onSubmit={(event) => void submit(event)} noValidate>
          {failure !== null && <ErrorNotice error={failure} />}
          {problems.get('form') && <ErrorNotice error={new ApiError(400, problems.get('form') ?? [])} />}
          <div className="editor-fields">
            {field('name', name, setName, t('segments.name'))}
            {!saved && field('key', key, setKey, t('segments.key'), t('segments.keyHint'))}
          </div>
          <h2>{t('segments.rule')}</h2>
          <p className="muted hint">{t('segments.ruleHint')}</p>
          <RuleBuilder
            root={root}
            problems={problems}
            onChange={(node) => setRoot((current) => replaceNode(current, node.id, node))}
            onRemove={(id) => setRoot((current) => replaceNode(current, id, null))}
          />
          <p className="announcement" role="status">
            {notice}
          </p>
          <div className="editor-buttons segment-save">
            <button type="submit" className="primary" disabled={busy}>
              {saved ? t('segments.save') : t('segments.create')}
            </button>
            {/* On a phone the members panel is below the rule: the count stays in sight here (announced there). */}
            <span className="sticky-count" aria-hidden="true">
              {total === null ? '' : t('segments.count', { count: number(total) })}
            </span>
          </div>
        </form>
        <SegmentPreview rule={rule} onProblems={onLiveProblems} onTotal={setTotal} />
      </div>
      {confirmDelete && saved && (
        <ConfirmDialog
          title={t('segments.confirmDelete', { name: saved.name })}
          confirmLabel={t('segments.delete')}
          danger
          busy={busy}
          onConfirm={() => void remove()}
          onCancel={() => setConfirmDelete(false)}
        >
          <p>{t('segments.deleteBody')}</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
