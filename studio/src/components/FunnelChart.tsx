import type { Schemas } from '../api/client';
import type { MessageKey } from '../i18n/en';
import { useI18n } from '../i18n/i18n';

type Funnel = Schemas['FunnelDto'];
type FunnelStep = Schemas['FunnelStepDto'];

const METRICS: Array<{ name: string; label: MessageKey; value(step: FunnelStep): number }> = [
  { name: 'reached', label: 'funnel.reached', value: (step) => step.reached },
  { name: 'sent', label: 'funnel.sent', value: (step) => step.sent },
  { name: 'opened', label: 'funnel.opened', value: (step) => step.opened },
  { name: 'clicked', label: 'funnel.clicked', value: (step) => step.clicked },
  { name: 'converted', label: 'funnel.convertedAfter', value: (step) => step.convertedAfter },
  { name: 'lost', label: 'funnel.lost', value: (step) => step.unsubscribedAfter + step.droppedAfter },
];

/** The totals, then one bar group per step scaled to everyone enrolled, the biggest drop marked. */
export function FunnelChart({ funnel }: { funnel: Funnel }) {
  const { t, number, percent } = useI18n();
  const { totals } = funnel;
  const scale = Math.max(1, totals.enrolled, ...funnel.steps.map((step) => step.reached));
  const tiles: Array<[string, MessageKey, string]> = [
    ['enrolled', 'funnel.enrolled', number(totals.enrolled)],
    ['active', 'funnel.active', number(totals.active)],
    ['converted', 'funnel.converted', number(totals.converted)],
    ['conversionRate', 'funnel.conversionRate', percent(totals.conversionRate)],
    ['unsubscribed', 'funnel.unsubscribed', number(totals.unsubscribed)],
    ['bounced', 'funnel.bounced', number(totals.bounced)],
    ['exited', 'funnel.exited', number(totals.exited)],
  ];
  return (
    <div className="funnel" id="funnel">
      <dl className="totals">
        {tiles.map(([name, label, value]) => (
          <div key={name} className="tile" data-total={name}>
            <dt>{t(label)}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {totals.holdout.enrolled > 0 && (
        <p className="holdout">
          {t('funnel.holdout', {
            converted: number(totals.holdout.converted),
            enrolled: number(totals.holdout.enrolled),
            rate: percent(totals.holdout.conversionRate),
          })}{' '}
          {totals.lift &&
            t('funnel.lift', {
              absolute: percent(totals.lift.absolute),
              low: percent(totals.lift.interval95[0] ?? 0),
              high: percent(totals.lift.interval95[1] ?? 0),
            })}
        </p>
      )}
      <p className="drop-note">
        {totals.enrolled === 0
          ? t('funnel.empty')
          : funnel.biggestDrop
            ? t('funnel.biggestDrop', { step: funnel.biggestDrop.step, lost: number(funnel.biggestDrop.lost) })
            : t('funnel.noDrop')}
      </p>
      <ol className="funnel-steps" aria-label={t('funnel.chartLabel')}>
        {funnel.steps.map((step) => (
          <li
            key={step.key}
            className={funnel.biggestDrop?.step === step.key ? 'funnel-step drop' : 'funnel-step'}
            data-step={step.key}
          >
            <h3>
              {t('sequence.day', { day: step.dayOffset })} · {step.key}
            </h3>
            <dl className="bars">
              {METRICS.map((metric) => {
                const value = metric.value(step);
                return (
                  <div key={metric.name} className={`bar-row metric-${metric.name}`}>
                    <dt>{t(metric.label)}</dt>
                    <dd>
                      <svg className="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                        <rect className="track" width="100" height="10" />
                        <rect className="fill" width={(100 * value) / scale} height="10" />
                      </svg>
                      <span className={`value ${metric.name}`}>{number(value)}</span>
                    </dd>
                  </div>
                );
              })}
            </dl>
            {step.variants && step.variants.length > 0 && <VariantCounts variants={step.variants} />}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** Per variant as lines rather than a table: four counts per variant wrap on a phone instead of squeezing. */
function VariantCounts({ variants }: { variants: Schemas['FunnelVariantDto'][] }) {
  const { t, number } = useI18n();
  return (
    <div className="variant-counts">
      <p className="label">{t('step.variants')}</p>
      <ul>
        {variants.map((variant) => (
          <li key={variant.key} data-variant={variant.key}>
            <strong>{variant.key}</strong>:{' '}
            {[
              `${t('funnel.sent')} ${number(variant.sent)}`,
              `${t('funnel.opened')} ${number(variant.opened)}`,
              `${t('funnel.clicked')} ${number(variant.clicked)}`,
              `${t('funnel.convertedAfter')} ${number(variant.convertedAfter)}`,
            ].join(' · ')}
          </li>
        ))}
      </ul>
    </div>
  );
}
