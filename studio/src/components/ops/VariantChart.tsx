import type { Schemas } from '../../api/client';
import type { MessageKey } from '../../i18n/en';
import { useI18n } from '../../i18n/i18n';

type Variant = Schemas['FunnelVariantDto'];
const RATES: Array<{ name: string; label: MessageKey; of(variant: Variant): number }> = [
  { name: 'opened', label: 'funnel.opened', of: (variant) => variant.opened },
  { name: 'clicked', label: 'funnel.clicked', of: (variant) => variant.clicked },
  { name: 'converted', label: 'funnel.convertedAfter', of: (variant) => variant.convertedAfter },
];

/** An A/B step's variants side by side: per send, how many opened, clicked and converted after it. */
export function VariantChart({ step }: { step: Schemas['FunnelStepDto'] }) {
  const { t, percent, number } = useI18n();
  const variants = step.variants ?? [];
  const rate = (count: number, sent: number) => (sent > 0 ? count / sent : 0);
  const top = Math.max(
    0.01,
    ...variants.flatMap((variant) => RATES.map((metric) => rate(metric.of(variant), variant.sent))),
  );
  return (
    <figure className="variant-chart" data-step={step.key}>
      <figcaption>
        <strong>
          {t('sequence.day', { day: step.dayOffset })} · {step.key}
        </strong>{' '}
        {t('ops.variantsPerSend')}
      </figcaption>
      {variants.map((variant) => (
        <div key={variant.key} className="variant-group" data-variant={variant.key}>
          <p className="label">
            {variant.key}: {t('ops.sentCount', { count: number(variant.sent) })}
          </p>
          <dl className="bars">
            {RATES.map((metric) => {
              const value = rate(metric.of(variant), variant.sent);
              return (
                <div key={metric.name} className={`bar-row metric-${metric.name}`}>
                  <dt>{t(metric.label)}</dt>
                  <dd>
                    <svg className="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                      <rect className="track" width="100" height="10" />
                      <rect className="fill" width={(100 * value) / top} height="10" />
                    </svg>
                    <span className="value">{percent(value)}</span>
                  </dd>
                </div>
              );
            })}
          </dl>
        </div>
      ))}
    </figure>
  );
}
