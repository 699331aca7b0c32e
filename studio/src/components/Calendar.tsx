import type { Schemas } from '../api/client';
import { useI18n } from '../i18n/i18n';

type Step = Schemas['SequenceStepViewDto'];

/** Steps grouped by day, in day order (the API keeps steps ordered by dayOffset). */
function byDay(steps: Step[]): Array<{ day: number; steps: Step[] }> {
  const days = new Map<number, Step[]>();
  for (const step of steps) days.set(step.dayOffset, [...(days.get(step.dayOffset) ?? []), step]);
  return [...days].sort(([a], [b]) => a - b).map(([day, onDay]) => ({ day, steps: onDay }));
}

/**
 * The touchpoint calendar on a day axis running down the page: one mark per day that has steps, the gap to the
 * next drawn longer for longer waits (logarithmically, so day 90 does not push the page away), every step a
 * card at its day. Vertical so it reads the same from a phone to a wide screen.
 */
export function Calendar({ steps }: { steps: Step[] }) {
  const { t } = useI18n();
  if (steps.length === 0) return <p className="muted">{t('sequence.noSteps')}</p>;
  const days = byDay(steps);
  return (
    <ol className="calendar" id="calendar">
      {days.map(({ day, steps: onDay }, index) => {
        const next = days[index + 1];
        const gap = next ? next.day - day : 0;
        return (
          <li key={day} className="calendar-day" data-day={day}>
            <div className="day-mark">
              <span className="day-dot" aria-hidden="true" />
              <span className="day-label">{t('sequence.day', { day })}</span>
            </div>
            <div className="day-steps">
              {onDay.map((step) => (
                <StepCard key={step.key} step={step} />
              ))}
            </div>
            {gap > 1 && (
              <div className="day-gap" aria-hidden="true" data-gap={Math.min(4, Math.ceil(Math.log2(gap)))}>
                {t('sequence.gap', { days: gap })}
              </div>
            )}
          </li>
        );
      })}
    </ol>
  );
}

function StepCard({ step }: { step: Step }) {
  const { t, dateTime, percent } = useI18n();
  const totalWeight = step.variants?.reduce((sum, variant) => sum + variant.weight, 0) ?? 0;
  return (
    <article className="step-card" data-step={step.key} aria-label={step.key}>
      <h3>
        <span className="step-key">{step.key}</span>{' '}
        <span className="step-time">{step.at ? t('step.at', { time: step.at }) : t('step.atStart')}</span>
      </h3>
      {step.variants && step.variants.length > 0 ? (
        <div className="variants">
          <p className="label">{t('step.variants')}</p>
          <ul>
            {step.variants.map((variant) => (
              <li
                key={variant.key}
                data-variant={variant.key}
                className={step.winner?.variant === variant.key ? 'winner' : undefined}
              >
                {t('step.variant', {
                  key: variant.key,
                  template: variant.template,
                  share: percent(totalWeight > 0 ? variant.weight / totalWeight : 0),
                })}
              </li>
            ))}
          </ul>
          {step.winner ? (
            <p className="winner-note">
              <strong>{t('step.winner', { variant: step.winner.variant })}</strong>{' '}
              {step.winner.by === 'auto'
                ? t('step.winnerAuto', {
                    probability: percent(step.winner.probability ?? 0),
                    date: dateTime(step.winner.decidedAt),
                  })
                : t('step.winnerPinned', { date: dateTime(step.winner.decidedAt) })}
            </p>
          ) : (
            <p className="muted">
              {step.experiment
                ? t('step.experiment', {
                    metric: t(`metric.${step.experiment.metric}`),
                    min: step.experiment.minPerVariant,
                    probability: percent(step.experiment.probabilityToBeat),
                  })
                : t('step.noExperiment')}
            </p>
          )}
        </div>
      ) : (
        <p className="template">{t('step.template', { template: step.template })}</p>
      )}
      {step.segment && <p className="segment">{t('step.segment', { segment: step.segment })}</p>}
      <p className="muted">{t('step.lateness', { hours: step.maxLatenessHours })}</p>
    </article>
  );
}
