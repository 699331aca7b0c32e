import { useEffect, useState } from 'react';
import { api, type Schemas, unwrap } from '../api/client';
import { describeError, ErrorNotice, Loading } from '../components/ErrorNotice';
import { sinceOf, untilOf } from '../components/ops/dates';
import { DeliveryFilters, type Filters, NO_FILTERS } from '../components/ops/DeliveryFilters';
import { DeliveryStatus } from '../components/ops/DeliveryStatus';
import { downloadCsv, queryOf } from '../components/ops/raw-fetch';
import { ResendButton } from '../components/ops/ResendButton';
import { usePaged } from '../components/ops/usePaged';
import { useSequences } from '../components/ops/useSequences';
import { useI18n } from '../i18n/i18n';
import { href } from '../router';

const PAGE = 50;
/** A resend is sent in the background: the list looks again this often while a row is in flight. */
const WATCH_MS = 1000;
const WATCH_TIMES = 60;

interface Awaited {
  id: string;
  /** the row's attempts once the resend is counted */
  attempts: number;
  tries: number;
}

function apiQuery(filters: Filters) {
  return {
    sequence: filters.sequence || undefined,
    step: filters.step || undefined,
    status: filters.status || undefined,
    since: sinceOf(filters.since),
    until: untilOf(filters.until),
  };
}

/** The delivery log: every email's row, filtered, paged, exported as CSV, failed ones resent. */
export function Deliveries() {
  const { t, dateTime } = useI18n();
  const sequences = useSequences();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [awaiting, setAwaiting] = useState<Awaited | null>(null);
  const [exportProblem, setExportProblem] = useState('');
  const [announcement, setAnnouncement] = useState('');
  const list = usePaged(
    (cursor) => unwrap(api.GET('/v1/deliveries', { params: { query: { ...apiQuery(filters), limit: PAGE, cursor } } })),
    [filters],
  );
  // Until the list shows the resent row's outcome (its attempt counted, no longer pending), look again.
  const resent = awaiting && list.items.find((delivery) => delivery.id === awaiting.id);
  const settled = !resent || (resent.attempts >= awaiting.attempts && resent.status !== 'pending');
  useEffect(() => {
    if (!awaiting || list.loading) return;
    if (settled || awaiting.tries >= WATCH_TIMES) {
      setAwaiting(null);
      return;
    }
    const timer = setTimeout(() => {
      setAwaiting({ ...awaiting, tries: awaiting.tries + 1 });
      list.reload();
    }, WATCH_MS);
    return () => clearTimeout(timer);
  }, [awaiting, settled, list.loading]);

  async function exportCsv() {
    setExportProblem('');
    try {
      await downloadCsv(`/v1/deliveries${queryOf(apiQuery(filters))}`, 'deliveries.csv');
    } catch (failure) {
      setExportProblem(describeError(failure, t));
    }
  }

  const when = (iso: string | null) => (iso ? dateTime(iso) : '—');
  return (
    <section aria-labelledby="deliveries-title" className="deliveries">
      <div className="panel-head">
        <h1 id="deliveries-title">{t('ops.deliveriesTitle')}</h1>
        <button type="button" id="export-csv" onClick={() => void exportCsv()}>
          {t('ops.exportCsv')}
        </button>
      </div>
      <p className="intro">{t('ops.deliveriesIntro')}</p>
      {exportProblem && (
        <p className="notice error" role="alert">
          {exportProblem}
        </p>
      )}
      <p className="announcement" role="status">
        {announcement}
      </p>
      {sequences.state === 'failed' && <ErrorNotice error={sequences.error} onRetry={sequences.reload} />}
      <DeliveryFilters
        filters={filters}
        sequences={sequences.state === 'ready' ? sequences.data : []}
        onChange={setFilters}
      />
      {list.error !== null && <ErrorNotice error={list.error} onRetry={list.reload} />}
      {list.loading && list.items.length === 0 && <Loading />}
      {!list.loading && list.error === null && list.items.length === 0 && (
        <div className="empty" id="deliveries-empty">
          <p>
            {JSON.stringify(filters) === JSON.stringify(NO_FILTERS)
              ? t('ops.noDeliveries')
              : t('ops.noDeliveriesFiltered')}
          </p>
        </div>
      )}
      {list.items.length > 0 && (
        <table className="ops-table" id="deliveries">
          <thead>
            <tr>
              <th scope="col">{t('ops.contact')}</th>
              <th scope="col">{t('ops.step')}</th>
              <th scope="col">{t('ops.status')}</th>
              <th scope="col" className="number">
                {t('ops.attempts')}
              </th>
              <th scope="col">{t('ops.sentAt')}</th>
              <th scope="col">{t('ops.openedAt')}</th>
              <th scope="col">{t('ops.clickedAt')}</th>
              <th scope="col">{t('ops.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((delivery) => (
              <DeliveryRow
                key={delivery.id}
                delivery={delivery}
                when={when}
                onResent={(accepted) => {
                  setAnnouncement(t('ops.resendAccepted', { email: delivery.email ?? delivery.contactId }));
                  setAwaiting({ id: accepted.id, attempts: accepted.attempts, tries: 0 });
                  list.reload();
                }}
              />
            ))}
          </tbody>
        </table>
      )}
      {list.hasMore && (
        <button type="button" id="deliveries-more" onClick={list.more} disabled={list.loading}>
          {t('ops.more')}
        </button>
      )}
    </section>
  );
}

function DeliveryRow({
  delivery,
  when,
  onResent,
}: {
  delivery: Schemas['DeliveryDto'];
  when(iso: string | null): string;
  onResent(accepted: Schemas['ResendAcceptedDto']): void;
}) {
  const { t } = useI18n();
  return (
    <tr data-delivery={delivery.id} data-email={delivery.email ?? ''} data-status={delivery.status}>
      <th scope="row" data-label={t('ops.contact')}>
        <a href={href({ screen: 'contact', id: delivery.contactId })}>{delivery.email ?? t('ops.erased')}</a>
      </th>
      <td data-label={t('ops.step')}>
        {delivery.sequence} · {delivery.step}
        {delivery.variant ? ` (${delivery.variant})` : ''}
      </td>
      <td data-label={t('ops.status')}>
        {/* One box: on a phone the cell is a two-column grid (label, value). */}
        <span>
          <DeliveryStatus status={delivery.status} />
          {delivery.reason && <span className="muted reason"> {delivery.reason}</span>}
        </span>
      </td>
      <td className="number" data-label={t('ops.attempts')}>
        {delivery.attempts}
      </td>
      <td data-label={t('ops.sentAt')}>{when(delivery.sentAt)}</td>
      <td data-label={t('ops.openedAt')}>{when(delivery.openedAt)}</td>
      <td data-label={t('ops.clickedAt')}>{when(delivery.clickedAt)}</td>
      <td data-label={t('ops.actions')}>
        {(delivery.status === 'failed' || delivery.status === 'unknown') && (
          <div>
            <ResendButton delivery={delivery} onResent={onResent} />
          </div>
        )}
      </td>
    </tr>
  );
}
