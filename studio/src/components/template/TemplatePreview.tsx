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
  /** null: not created yet (nothing to send a test of) */
  templateKey: string | null;
  /** The variants as the editor has them, saved or not: the preview renders these. */
  variants: Schemas['TemplateVariantDto'][];
  /** The editor has changes a test send (of the saved version) would not carry. */
  unsaved: boolean;
}

/**
 * The API's rendering of the template as it is being written (POST /v1/templates/preview: checked as a save
 * is, nothing stored) for a sample or a stored contact, a variant and an event, at two widths.
 */
export function TemplatePreview({ templateKey, variants, unsaved }: Props) {
  const { t } = useI18n();
  const [sample, setSample] = useState<PreviewSample>(INITIAL_SAMPLE);
  const [width, setWidth] = useState<Width>('desktop');
  const [result, setResult] = useState<Schemas['PreviewResultDto'] | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const built = useMemo(() => previewBody(sample), [sample]);
  const body = 'body' in built ? built.body : null;
  // A variant without its subject or HTML yet is being written, not wrong: no request, no red notice.
  const incomplete = variants.some((variant) => !variant.subject.trim() || !variant.html.trim());
  const requestJson = JSON.stringify(body && !incomplete && { ...body, variants });
  const locales = [...new Set(variants.map((variant) => variant.locale).filter(Boolean))];

  useEffect(() => {
    if (requestJson === 'null' || requestJson === 'false') return;
    let current = true;
    // Typing renders once the typing pauses, not at every key.
    const timer = setTimeout(() => {
      const request = JSON.parse(requestJson) as Schemas['PreviewDraftDto'];
      unwrap(api.POST('/v1/templates/preview', { body: request })).then(
        (rendered) => {
          if (!current) return;
          setResult(rendered);
          setFailure(null);
        },
        (error: unknown) => {
          if (current) setFailure(error);
        },
      );
    }, 400);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [requestJson]);

  return (
    <section className="panel template-preview" aria-labelledby="preview-title" id="template-preview">
      <h2 id="preview-title">{t('templates.previewTitle')}</h2>
      <PreviewSampleFields
        sample={sample}
        locales={locales}
        problems={'problems' in built ? built.problems : []}
        onChange={setSample}
      />
      {incomplete && (
        <p className="muted" id="preview-incomplete">
          {t('templates.previewIncomplete')}
        </p>
      )}
      {failure !== null && !incomplete && (
        <ErrorNotice
          error={
            failure instanceof ApiError && (failure.status === 400 || failure.status === 422)
              ? new ApiError(failure.status, [t('templates.renderFailed'), ...failure.messages])
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
      {templateKey === null || unsaved ? (
        <p className="muted" id="test-send-unsaved">
          {t(templateKey === null ? 'templates.testAfterCreate' : 'templates.testAfterSave')}
        </p>
      ) : (
        <TestSend templateKey={templateKey} body={body} />
      )}
    </section>
  );
}
