import { api, unwrap } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { ErrorNotice, Loading } from '../ErrorNotice';
import { DeliveryStatus } from '../ops/DeliveryStatus';
import { usePaged } from '../ops/usePaged';

/** The contact's events (what they did) and deliveries (what we sent, opened, clicked), newest first. */
export function ContactActivity({ contactId }: { contactId: string }) {
  const { t, dateTime } = useI18n();
  const events = usePaged(
    (cursor) =>
      unwrap(api.GET('/v1/events', { params: { query: { contactId, limit: 50, ...(cursor ? { cursor } : {}) } } })),
    [contactId],
  );
  const deliveries = usePaged(
    (cursor) =>
      unwrap(api.GET('/v1/deliveries', { params: { query: { contactId, limit: 50, ...(cursor ? { cursor } : {}) } } })),
    [contactId],
  );
  const when = (iso: string | null) => (iso ? dateTime(iso) : '—');
  return (
    <div className="contact-activity">
      <section className="panel" aria-labelledby="deliveries-title">
        <h2 id="deliveries-title">{t('contact.deliveries')}</h2>
        {deliveries.error !== null && <ErrorNotice error={deliveries.error} onRetry={deliveries.reload} />}
        {deliveries.loading && deliveries.items.length === 0 && <Loading />}
        {!deliveries.loading && deliveries.items.length === 0 && deliveries.error === null && (
          <p className="muted">{t('contact.noDeliveries')}</p>
        )}
        {deliveries.items.length > 0 && (
          <table className="ops-table" id="contact-deliveries">
            <thead>
              <tr>
                <th scope="col">{t('ops.step')}</th>
                <th scope="col">{t('ops.status')}</th>
                <th scope="col">{t('ops.sentAt')}</th>
                <th scope="col">{t('ops.openedAt')}</th>
                <th scope="col">{t('ops.clickedAt')}</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.items.map((delivery) => (
                <tr key={delivery.id} data-delivery={delivery.id} data-step={delivery.step}>
                  <th scope="row" data-label={t('ops.step')}>
                    {delivery.sequence} · {delivery.step}
                    {delivery.variant ? ` (${delivery.variant})` : ''}
                  </th>
                  <td data-label={t('ops.status')}>
                    <span>
                      <DeliveryStatus status={delivery.status} />
                      {delivery.reason ? ` (${delivery.reason})` : ''}
                    </span>
                  </td>
                  <td data-label={t('ops.sentAt')}>{when(delivery.sentAt)}</td>
                  <td className="opened" data-label={t('ops.openedAt')}>
                    {when(delivery.openedAt)}
                  </td>
                  <td className="clicked" data-label={t('ops.clickedAt')}>
                    {when(delivery.clickedAt)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {deliveries.hasMore && (
          <button type="button" onClick={deliveries.more} disabled={deliveries.loading}>
            {t('ops.more')}
          </button>
        )}
      </section>
      <section className="panel" aria-labelledby="events-title">
        <h2 id="events-title">{t('contact.events')}</h2>
        {events.error !== null && <ErrorNotice error={events.error} onRetry={events.reload} />}
        {events.loading && events.items.length === 0 && <Loading />}
        {!events.loading && events.items.length === 0 && events.error === null && (
          <p className="muted">{t('contact.noEvents')}</p>
        )}
        {events.items.length > 0 && (
          <table className="ops-table" id="contact-events">
            <thead>
              <tr>
                <th scope="col">{t('contact.event')}</th>
                <th scope="col">{t('contact.occurredAt')}</th>
                <th scope="col">{t('contact.properties')}</th>
              </tr>
            </thead>
            <tbody>
              {events.items.map((event) => (
                <tr key={event.id} data-event={event.name}>
                  <th scope="row" data-label={t('contact.event')}>
                    <code>{event.name}</code>
                  </th>
                  <td data-label={t('contact.occurredAt')}>{dateTime(event.occurredAt)}</td>
                  <td data-label={t('contact.properties')}>
                    {Object.keys(event.properties).length > 0 ? (
                      <code className="json">{JSON.stringify(event.properties)}</code>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {events.hasMore && (
          <button type="button" onClick={events.more} disabled={events.loading}>
            {t('ops.more')}
          </button>
        )}
      </section>
    </div>
  );
}
