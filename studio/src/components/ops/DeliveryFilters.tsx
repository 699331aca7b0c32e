import type { Schemas } from '../../api/client';
import { useI18n } from '../../i18n/i18n';

export type DeliveryStatusName = Schemas['DeliveryDto']['status'];
/** The filter's choices in the order of a delivery's life; typed by the API, so a renamed status breaks the build. */
export const DELIVERY_STATUSES: readonly DeliveryStatusName[] = [
  'pending',
  'sent',
  'retrying',
  'failed',
  'skipped',
  'deferred',
  'unknown',
];

export interface Filters {
  sequence: string;
  step: string;
  status: DeliveryStatusName | '';
  since: string;
  until: string;
}
export const NO_FILTERS: Filters = { sequence: '', step: '', status: '', since: '', until: '' };

/** The delivery log's filters: each change applies at once (the list reloads from its first page). */
export function DeliveryFilters({
  filters,
  sequences,
  onChange,
}: {
  filters: Filters;
  sequences: Schemas['SequenceDto'][];
  onChange(next: Filters): void;
}) {
  const { t, timeZone } = useI18n();
  const steps = sequences.find((sequence) => sequence.key === filters.sequence)?.steps ?? [];
  const set = (patch: Partial<Filters>) => onChange({ ...filters, ...patch });
  return (
    <form className="filters" id="delivery-filters" onSubmit={(event) => event.preventDefault()}>
      <div className="field">
        <label htmlFor="filter-sequence">{t('ops.sequence')}</label>
        <select
          id="filter-sequence"
          value={filters.sequence}
          onChange={(event) => set({ sequence: event.target.value, step: '' })}
        >
          <option value="">{t('ops.all')}</option>
          {sequences.map((sequence) => (
            <option key={sequence.key} value={sequence.key}>
              {sequence.name} ({sequence.key})
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-step">{t('ops.step')}</label>
        <select
          id="filter-step"
          value={filters.step}
          disabled={!filters.sequence}
          onChange={(event) => set({ step: event.target.value })}
        >
          <option value="">{filters.sequence ? t('ops.all') : t('ops.pickSequence')}</option>
          {steps.map((step) => (
            <option key={step.key} value={step.key}>
              {t('sequence.day', { day: step.dayOffset })} · {step.key}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-status">{t('ops.status')}</label>
        <select
          id="filter-status"
          value={filters.status}
          onChange={(event) => set({ status: event.target.value as Filters['status'] })}
        >
          <option value="">{t('ops.all')}</option>
          {DELIVERY_STATUSES.map((status) => (
            <option key={status} value={status}>
              {t(`ops.deliveryStatus.${status}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-since">{t('ops.since', { zone: timeZone })}</label>
        <input
          id="filter-since"
          type="date"
          value={filters.since}
          onChange={(event) => set({ since: event.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor="filter-until">{t('ops.until', { zone: timeZone })}</label>
        <input
          id="filter-until"
          type="date"
          value={filters.until}
          onChange={(event) => set({ until: event.target.value })}
        />
      </div>
    </form>
  );
}
