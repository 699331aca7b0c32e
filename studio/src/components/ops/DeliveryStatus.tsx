import { useI18n } from '../../i18n/i18n';

const KNOWN = ['planned', 'pending', 'sent', 'retrying', 'failed', 'skipped', 'deferred', 'unknown'] as const;
type Known = (typeof KNOWN)[number];

/** A delivery's (or a planned step's) status in the viewer's language, with the API's word kept in `data-status`. */
export function DeliveryStatus({ status }: { status: string }) {
  const { t } = useI18n();
  const known = KNOWN.find((candidate) => candidate === status) as Known | undefined;
  return (
    <span className={`delivery-status delivery-${status}`} data-status={status}>
      {known ? t(`ops.deliveryStatus.${known}`) : status}
    </span>
  );
}
