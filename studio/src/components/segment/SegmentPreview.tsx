import { useEffect, useState } from 'react';
import { api, ApiError, type Schemas, unwrap } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { ErrorNotice } from '../ErrorNotice';

const SAMPLE = 10;

/**
 * The members of the rule as it stands in the builder, saved or not (POST /v1/segments/preview), counted again
 * once the marketer pauses. A rule the API refuses reports its problems to the builder and shows no count.
 */
export function SegmentPreview({
  rule,
  onProblems,
  onTotal,
}: {
  rule: unknown;
  onProblems(messages: string[]): void;
  /** The count as it stands (null while the rule is incomplete), for the editor's own line beside Save. */
  onTotal(total: number | null): void;
}) {
  const { t, number } = useI18n();
  const [result, setResult] = useState<Schemas['SegmentPreviewResultDto'] | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [pending, setPending] = useState(true);
  const ruleJson = JSON.stringify(rule);
  useEffect(() => {
    let current = true;
    setPending(true);
    const timer = setTimeout(() => {
      unwrap(api.POST('/v1/segments/preview', { body: { rule: JSON.parse(ruleJson) as never, sample: SAMPLE } })).then(
        (preview) => {
          if (!current) return;
          setResult(preview);
          setFailure(null);
          setPending(false);
          onProblems([]);
          onTotal(preview.total);
        },
        (error: unknown) => {
          if (!current) return;
          setPending(false);
          setResult(null);
          onTotal(null);
          if (error instanceof ApiError && error.status === 400) {
            setFailure(null);
            onProblems(error.messages);
          } else {
            setFailure(error);
          }
        },
      );
    }, 400);
    return () => {
      current = false;
      clearTimeout(timer);
    };
    // onProblems and onTotal are the editor's setters; ruleJson stands for the rule.
  }, [ruleJson]);
  return (
    <section className="panel segment-preview" aria-labelledby="segment-preview-title" id="segment-preview">
      <h2 id="segment-preview-title">{t('segments.previewTitle')}</h2>
      {failure !== null && <ErrorNotice error={failure} />}
      <p className="member-count" aria-live="polite" aria-busy={pending}>
        {result ? (
          <span id="segment-count" data-total={result.total}>
            {t('segments.count', { count: number(result.total) })}
          </span>
        ) : failure === null && !pending ? (
          <span className="muted">{t('segments.incomplete')}</span>
        ) : null}
      </p>
      {result && result.sample.length > 0 && (
        <>
          <h3>{t('segments.sampleTitle', { count: result.sample.length })}</h3>
          <ul className="member-sample" id="segment-sample">
            {result.sample.map((contact) => (
              <li key={contact.id}>
                <span className="member-email">{contact.email}</span>{' '}
                <span className="muted">
                  {[
                    [contact.firstName, contact.lastName].filter(Boolean).join(' '),
                    contact.locale,
                    contact.timezone,
                    contact.status === 'active' ? '' : t(`segments.status.${contact.status}`),
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      {result && result.total === 0 && <p className="muted">{t('segments.nobody')}</p>}
    </section>
  );
}
