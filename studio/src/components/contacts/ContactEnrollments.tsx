import { useState } from 'react';
import { api, type Schemas, unwrap } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { href } from '../../router';
import { ConfirmDialog } from '../ConfirmDialog';
import { ErrorNotice, Loading } from '../ErrorNotice';
import { DeliveryStatus } from '../ops/DeliveryStatus';
import { usePaged } from '../ops/usePaged';
import { useLoad } from '../useLoad';
import { useZonedDateTime } from './zoned';

type Contact = Schemas['ContactDto'];
type Enrollment = Schemas['EnrollmentDto'];

/** Every enrollment of the contact, newest first, each with its calendar. */
export function ContactEnrollments({ contact }: { contact: Contact }) {
  const { t } = useI18n();
  const list = usePaged(
    (cursor) =>
      unwrap(
        api.GET('/v1/enrollments', {
          params: { query: { contactId: contact.id, limit: 50, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [contact.id],
  );
  return (
    <section className="panel" aria-labelledby="enrollments-title">
      <h2 id="enrollments-title">{t('contact.enrollments')}</h2>
      {list.error !== null && <ErrorNotice error={list.error} onRetry={list.reload} />}
      {list.loading && list.items.length === 0 && <Loading />}
      {!list.loading && list.error === null && list.items.length === 0 && (
        <p className="muted" id="enrollments-empty">
          {t('contact.noEnrollments')}
        </p>
      )}
      <ol className="enrollments">
        {list.items.map((enrollment) => (
          <EnrollmentCard key={enrollment.id} contact={contact} enrollment={enrollment} onExited={list.reload} />
        ))}
      </ol>
      {list.hasMore && (
        <button type="button" onClick={list.more} disabled={list.loading}>
          {t('ops.more')}
        </button>
      )}
    </section>
  );
}

function EnrollmentCard({
  contact,
  enrollment,
  onExited,
}: {
  contact: Contact;
  enrollment: Enrollment;
  onExited(): void;
}) {
  const { t, dateTime } = useI18n();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function exit() {
    setBusy(true);
    setError(null);
    try {
      await unwrap(api.POST('/v1/enrollments/{id}/exit', { params: { path: { id: enrollment.id } } }));
      setConfirming(false);
      onExited();
    } catch (failure) {
      setConfirming(false);
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  return (
    <li className="enrollment" data-enrollment={enrollment.id} data-sequence={enrollment.sequence}>
      <div className="panel-head">
        <h3>
          <a href={href({ screen: 'sequence', key: enrollment.sequence })}>{enrollment.sequence}</a>{' '}
          <span className={`status enrollment-${enrollment.status}`}>
            {t(`contacts.enrollmentStatus.${enrollment.status}`)}
          </span>
          {enrollment.holdout && <span className="status holdout-badge">{t('contact.holdout')}</span>}
        </h3>
        {enrollment.status === 'active' && (
          <button type="button" className="danger" data-exit={enrollment.sequence} onClick={() => setConfirming(true)}>
            {t('contact.exit')}
          </button>
        )}
      </div>
      <p className="muted">
        {t('contact.startedAt', { date: dateTime(enrollment.startAt) })}
        {enrollment.exitReason ? ` · ${t('contact.exitReason', { reason: enrollment.exitReason })}` : ''}
      </p>
      {error !== null && <ErrorNotice error={error} />}
      <EnrollmentCalendar contact={contact} enrollment={enrollment} />
      {confirming && (
        <ConfirmDialog
          title={t('contact.exitTitle', { sequence: enrollment.sequence })}
          confirmLabel={t('contact.exitConfirm')}
          danger
          busy={busy}
          onConfirm={() => void exit()}
          onCancel={() => setConfirming(false)}
        >
          <p>{t('contact.exitBody', { email: contact.email, next: enrollment.nextStep ?? t('common.none') })}</p>
        </ConfirmDialog>
      )}
    </li>
  );
}

/**
 * The enrollment's touchpoints, each at its planned time in the contact's zone (what the contact sees on their
 * clock) and in the viewer's. The API's calendar is the contact's latest enrollment in that sequence; an older
 * one says so instead of showing another enrollment's dates.
 */
function EnrollmentCalendar({ contact, enrollment }: { contact: Contact; enrollment: Enrollment }) {
  const { t, dateTime, timeZone } = useI18n();
  const zoned = useZonedDateTime();
  const loaded = useLoad(
    () =>
      unwrap(
        api.GET('/v1/sequences/{key}/calendar', {
          params: { path: { key: enrollment.sequence }, query: { contactId: contact.id } },
        }),
      ),
    [enrollment.sequence, contact.id, enrollment.status],
  );
  if (loaded.state === 'loading') return <Loading />;
  if (loaded.state === 'failed') return <ErrorNotice error={loaded.error} onRetry={loaded.reload} />;
  const calendar = loaded.data;
  if (calendar.enrollment.id !== enrollment.id) return <p className="muted">{t('contact.olderEnrollment')}</p>;
  return (
    <table className="ops-table contact-calendar" data-calendar={enrollment.sequence}>
      <caption>{t('contact.calendarCaption', { zone: calendar.timezone })}</caption>
      <thead>
        <tr>
          <th scope="col">{t('contact.step')}</th>
          <th scope="col">{t('contact.theirTime', { zone: calendar.timezone })}</th>
          <th scope="col">{t('contact.yourTime', { zone: timeZone })}</th>
          <th scope="col">{t('contact.outcome')}</th>
        </tr>
      </thead>
      <tbody>
        {calendar.steps.map((step) => (
          <tr key={step.key} data-step={step.key}>
            <th scope="row" data-label={t('contact.step')}>
              {t('sequence.day', { day: step.dayOffset })} · {step.key}
            </th>
            <td className="their-time" data-label={t('contact.theirTime', { zone: calendar.timezone })}>
              <time dateTime={step.plannedAt}>{zoned(step.plannedAt, calendar.timezone)}</time>
            </td>
            <td className="your-time" data-label={t('contact.yourTime', { zone: timeZone })}>
              <time dateTime={step.plannedAt}>{dateTime(step.plannedAt)}</time>
            </td>
            <td className="outcome" data-label={t('contact.outcome')}>
              {/* One box: on a phone the cell is a two-column grid (label, value), and loose text would be a third. */}
              <span>
                <DeliveryStatus status={step.status} />
                {step.reason ? ` (${step.reason})` : ''}
                {step.sentAt ? ` · ${zoned(step.sentAt, calendar.timezone)}` : ''}
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
