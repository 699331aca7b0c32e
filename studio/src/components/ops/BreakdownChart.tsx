import type { Schemas } from '../../api/client';
import { useI18n } from '../../i18n/i18n';

/** The funnel by language or by segment: per group, how many entered and what share converted. */
export function BreakdownChart({ breakdown }: { breakdown: Schemas['FunnelBreakdownDto'][] }) {
  const { t, percent, number } = useI18n();
  if (breakdown.length === 0) return <p className="muted">{t('ops.noBreakdown')}</p>;
  const top = Math.max(0.01, ...breakdown.map((group) => group.totals.conversionRate));
  return (
    <table className="ops-table breakdown" id="breakdown">
      <thead>
        <tr>
          <th scope="col">{t('ops.group')}</th>
          <th scope="col" className="number">
            {t('funnel.enrolled')}
          </th>
          <th scope="col" className="number">
            {t('funnel.converted')}
          </th>
          <th scope="col">{t('funnel.conversionRate')}</th>
        </tr>
      </thead>
      <tbody>
        {breakdown.map((group) => (
          <tr key={group.value} data-group={group.value}>
            <th scope="row" data-label={t('ops.group')}>
              {group.value || t('ops.unknownLanguage')}
            </th>
            <td className="number" data-label={t('funnel.enrolled')}>
              {number(group.totals.enrolled)}
            </td>
            <td className="number" data-label={t('funnel.converted')}>
              {number(group.totals.converted)}
            </td>
            <td data-label={t('funnel.conversionRate')}>
              <span className="rate-bar">
                <svg className="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                  <rect className="track" width="100" height="10" />
                  <rect className="fill" width={(100 * group.totals.conversionRate) / top} height="10" />
                </svg>
                <span className="value">{percent(group.totals.conversionRate)}</span>
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
