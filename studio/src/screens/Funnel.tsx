import { useState } from 'react';
import { api, ApiError, unwrap } from '../api/client';
import { ErrorNotice, Loading } from '../components/ErrorNotice';
import { FunnelChart } from '../components/FunnelChart';
import { BreakdownChart } from '../components/ops/BreakdownChart';
import { sinceOf, untilOf } from '../components/ops/dates';
import { LiftChart } from '../components/ops/LiftChart';
import { useSequences } from '../components/ops/useSequences';
import { VariantChart } from '../components/ops/VariantChart';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n/i18n';
import { href } from '../router';

type By = '' | 'locale' | 'segment';

/** A sequence's funnel over a date range of day 0s: per step, per variant, by language or segment, holdout lift. */
export function Funnel({ sequenceKey }: { sequenceKey?: string }) {
  const { t, timeZone } = useI18n();
  const sequences = useSequences();
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [by, setBy] = useState<By>('');
  const chosen = sequenceKey ?? (sequences.state === 'ready' ? sequences.data[0]?.key : undefined);
  return (
    <section aria-labelledby="funnel-page-title" className="funnel-page">
      <h1 id="funnel-page-title">{t('ops.funnelTitle')}</h1>
      <p className="intro">{t('ops.funnelIntro')}</p>
      {sequences.state === 'failed' && <ErrorNotice error={sequences.error} onRetry={sequences.reload} />}
      {sequences.state === 'ready' && sequences.data.length === 0 && (
        <div className="empty" id="funnel-empty">
          <p>{t('ops.funnelNoSequences')}</p>
          <a className="button primary" href={href({ screen: 'new' })}>
            {t('sequences.new')}
          </a>
        </div>
      )}
      <form className="filters" id="funnel-filters" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor="funnel-sequence">{t('ops.sequence')}</label>
          <select
            id="funnel-sequence"
            value={chosen ?? ''}
            onChange={(event) => {
              window.location.hash = href({ screen: 'funnel', key: event.target.value });
            }}
          >
            {sequences.state === 'ready' &&
              sequences.data.map((sequence) => (
                <option key={sequence.key} value={sequence.key}>
                  {sequence.name} ({sequence.key})
                </option>
              ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="funnel-since">{t('ops.cohortSince', { zone: timeZone })}</label>
          <input id="funnel-since" type="date" value={since} onChange={(event) => setSince(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="funnel-until">{t('ops.cohortUntil', { zone: timeZone })}</label>
          <input id="funnel-until" type="date" value={until} onChange={(event) => setUntil(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="funnel-by">{t('ops.by')}</label>
          <select id="funnel-by" value={by} onChange={(event) => setBy(event.target.value as By)}>
            <option value="">{t('ops.byNone')}</option>
            <option value="locale">{t('ops.byLocale')}</option>
            <option value="segment">{t('ops.bySegment')}</option>
          </select>
        </div>
      </form>
      {chosen && <FunnelOf key={chosen} sequenceKey={chosen} since={since} until={until} by={by} />}
    </section>
  );
}

function FunnelOf({ sequenceKey, since, until, by }: { sequenceKey: string; since: string; until: string; by: By }) {
  const { t } = useI18n();
  const loaded = useLoad(
    () =>
      unwrap(
        api.GET('/v1/sequences/{key}/funnel', {
          params: {
            path: { key: sequenceKey },
            query: { since: sinceOf(since), until: untilOf(until), ...(by ? { by } : {}) },
          },
        }),
      ),
    [sequenceKey, since, until, by],
  );
  if (loaded.state === 'loading') return <Loading />;
  if (loaded.state === 'failed') {
    if (loaded.error instanceof ApiError && loaded.error.status === 404)
      return (
        <p className="notice error" role="alert">
          {t('sequence.notFound', { key: sequenceKey })}
        </p>
      );
    return <ErrorNotice error={loaded.error} onRetry={loaded.reload} />;
  }
  const funnel = loaded.data;
  const abSteps = funnel.steps.filter((step) => step.variants && step.variants.length > 0);
  return (
    <>
      <section className="panel" aria-labelledby="funnel-steps-title">
        <h2 id="funnel-steps-title">
          {t('funnel.title')}: <a href={href({ screen: 'sequence', key: sequenceKey })}>{sequenceKey}</a>
        </h2>
        <FunnelChart funnel={funnel} />
      </section>
      <div className="sequence-grid">
        <section className="panel" aria-labelledby="lift-title">
          <h2 id="lift-title">{t('ops.liftTitle')}</h2>
          <LiftChart totals={funnel.totals} />
        </section>
        <section className="panel" aria-labelledby="variants-title">
          <h2 id="variants-title">{t('ops.variantsTitle')}</h2>
          {abSteps.length === 0 ? (
            <p className="muted">{t('ops.noVariants')}</p>
          ) : (
            abSteps.map((step) => <VariantChart key={step.key} step={step} />)
          )}
        </section>
      </div>
      {by && (
        <section className="panel" aria-labelledby="breakdown-title">
          <h2 id="breakdown-title">{t(by === 'locale' ? 'ops.byLocale' : 'ops.bySegment')}</h2>
          <BreakdownChart breakdown={funnel.breakdown ?? []} />
        </section>
      )}
    </>
  );
}
