import type { Schemas } from '../../api/client';
import { useI18n } from '../../i18n/i18n';

type Totals = Schemas['FunnelTotalsDto'];

/**
 * Treated against held out: the two conversion rates as bars, and the lift with its 95% interval on an axis
 * through zero, so "does the sequence do anything" reads at a glance (an interval across zero: not shown yet).
 */
export function LiftChart({ totals }: { totals: Totals }) {
  const { t, percent, number } = useI18n();
  const { holdout, lift } = totals;
  if (holdout.enrolled === 0)
    return (
      <p className="muted" id="lift-none">
        {t('ops.noHoldout')}
      </p>
    );
  const treatedEnrolled = totals.enrolled - holdout.enrolled;
  const treatedRate = treatedEnrolled > 0 ? (totals.converted - holdout.converted) / treatedEnrolled : 0;
  const rates: Array<[string, string, number, number]> = [
    ['treated', t('ops.treated', { count: number(treatedEnrolled) }), treatedRate, treatedEnrolled],
    ['holdout', t('ops.heldOut', { count: number(holdout.enrolled) }), holdout.conversionRate, holdout.enrolled],
  ];
  const top = Math.max(0.01, treatedRate, holdout.conversionRate);
  return (
    <div className="lift" id="lift">
      <dl className="bars">
        {rates.map(([name, label, value]) => (
          <div key={name} className={`bar-row metric-${name}`} data-group={name}>
            <dt>{label}</dt>
            <dd>
              <svg className="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                <rect className="track" width="100" height="10" />
                <rect className="fill" width={(100 * value) / top} height="10" />
              </svg>
              <span className="value">{percent(value)}</span>
            </dd>
          </div>
        ))}
      </dl>
      {lift ? <Interval lift={lift} /> : <p className="muted">{t('ops.noLift')}</p>}
    </div>
  );
}

function Interval({ lift }: { lift: Schemas['LiftDto'] }) {
  const { t, percent } = useI18n();
  const [low = 0, high = 0] = lift.interval95;
  // The axis spans the interval and zero, with a margin, so zero is always on it.
  const reach = Math.max(Math.abs(low), Math.abs(high), Math.abs(lift.absolute), 0.01) * 1.15;
  const x = (value: number) => 50 + (50 * value) / reach;
  const verdict = low > 0 ? 'ops.liftPositive' : high < 0 ? 'ops.liftNegative' : 'ops.liftUnsure';
  return (
    <figure className="lift-interval">
      <svg viewBox="0 0 100 24" role="img" aria-labelledby="lift-caption" preserveAspectRatio="none">
        <line className="axis" x1="0" x2="100" y1="12" y2="12" />
        <line className="zero" x1="50" x2="50" y1="2" y2="22" />
        <rect className="interval" x={x(low)} width={Math.max(0.5, x(high) - x(low))} y="8" height="8" />
        {/* A bar, not a dot: the drawing is stretched to the width, a circle would become an ellipse. */}
        <rect className="point" x={x(lift.absolute) - 0.6} width="1.2" y="4" height="16" />
      </svg>
      <figcaption id="lift-caption">
        {t('funnel.lift', { absolute: percent(lift.absolute), low: percent(low), high: percent(high) })}{' '}
        {lift.relative !== null && t('ops.liftRelative', { relative: percent(lift.relative) })} {t(verdict)}
      </figcaption>
    </figure>
  );
}
