import { useEffect, useMemo, useState } from 'react';
import { api, ApiError, type Schemas, unwrap } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { ErrorNotice } from '../ErrorNotice';
import { PreviewFrame } from './PreviewFrame';
import { INITIAL_SAMPLE, type PreviewSample, previewBody } from './preview-sample';
import { PreviewSampleFields } from './PreviewSampleFields';
import { TestSend } from './TestSend';

const WIDTHS = { desktop: 640, phone: 375 } as const;
type Width = keyof typeof WIDTHS;

interface Props {
  templateKey: string;
  /** The saved version: the preview renders what is stored, and again after each save. */
  version: number;
  locales: string[];
  /** The editor has changes the preview (of the saved version) does not show yet. */
  unsaved: boolean;
}

/** The API's rendering of the saved template for a sample or a stored contact and an event, at two widths. */
export function TemplatePreview({ templateKey, version, locales, unsaved }: Props) {
  const { t } = useI18n();
  const [sample, setSample] = useState<PreviewSample>(INITIAL_SAMPLE);
  const [width, setWidth] = useState<Width>('desktop');
  const [result, setResult] = useState<Schemas['PreviewResultDto'] | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const built = useMemo(() => previewBody(sample), [sample]);
  const body = 'body' in built ? built.body : null;
  const bodyJson = JSON.stringify(body);

  useEffect(() => {
    if (!body) return;
    let current = true;
    // Typing in a sample field renders once the typing pauses, not at every key.
    const timer = setTimeout(() => {
      unwrap(api.POST('/v1/templates/{key}/preview', { params: { path: { key: templateKey } }, body })).then(
        (rendered) => {
          if (!current) return;
          setResult(rendered);
          setFailure(null);
        },
        (error: unknown) => {
          if (current) setFailure(error);
        },
      );
    }, 300);
    return () => {
      current = false;
      clearTimeout(timer);
    };
    // bodyJson stands for body: a new object with the same content is the same request.
  }, [templateKey, version, bodyJson]);

  return (
    <section className="panel template-preview" aria-labelledby="preview-title" id="template-preview">
      <h2 id="preview-title">{t('templates.previewTitle')}</h2>
      {unsaved && (
        <p className="notice" id="preview-unsaved">
          {t('templates.previewUnsaved')}
        </p>
      )}
      <PreviewSampleFields
        sample={sample}
        locales={locales}
        problems={'problems' in built ? built.problems : []}
        onChange={setSample}
      />
      {failure !== null && (
        <ErrorNotice
          error={
            failure instanceof ApiError && failure.status === 422
              ? new ApiError(422, [t('templates.renderFailed'), ...failure.messages])
              : failure
          }
        />
      )}
      {result && (
        <div className="preview-result" aria-live="polite">
          <dl className="preview-meta">
            <div>
              <dt>{t('templates.subject')}</dt>
              <dd id="preview-subject">{result.subject}</dd>
            </div>
            <div>
              <dt>{t('templates.variantUsed')}</dt>
              <dd id="preview-variant">{result.locale}</dd>
            </div>
          </dl>
          <div className="preview-widths" role="group" aria-label={t('templates.width')}>
            {(Object.keys(WIDTHS) as Width[]).map((name) => (
              <button
                key={name}
                type="button"
                aria-pressed={width === name}
                className={width === name ? 'primary' : undefined}
                onClick={() => setWidth(name)}
              >
                {t(name === 'desktop' ? 'templates.desktop' : 'templates.phone', { px: WIDTHS[name] })}
              </button>
            ))}
          </div>
          <PreviewFrame html={result.html} title={t('templates.frameTitle')} width={WIDTHS[width]} />
          <details className="text-part">
            <summary>{t('templates.textPart')}</summary>
            <pre id="preview-text">{result.text}</pre>
          </details>
        </div>
      )}
      <h3>{t('templates.testTitle')}</h3>
      <TestSend templateKey={templateKey} body={body} />
    </section>
  );
}
