import { useState } from 'react';
import { api, type Schemas, unwrap } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { ConfirmDialog } from '../ConfirmDialog';
import { describeError } from '../ErrorNotice';

type Delivery = Schemas['DeliveryDto'];

/**
 * Resend for a failed or unknown row, after saying what it does. The API answers 202 at once and sends in the
 * background; its 409 (sent meanwhile, contact no longer active, step removed) is shown next to the row.
 */
export function ResendButton({
  delivery,
  onResent,
}: {
  delivery: Delivery;
  onResent(accepted: Schemas['ResendAcceptedDto']): void;
}) {
  const { t } = useI18n();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  async function resend() {
    setBusy(true);
    setProblem('');
    try {
      onResent(await unwrap(api.POST('/v1/deliveries/{id}/retry', { params: { path: { id: delivery.id } } })));
    } catch (failure) {
      setProblem(describeError(failure, t));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  }
  return (
    <>
      <button type="button" className="resend" data-resend={delivery.id} onClick={() => setConfirming(true)}>
        {t('ops.resend')}
      </button>
      {problem && (
        <p className="field-problem" role="alert">
          {problem}
        </p>
      )}
      {confirming && (
        <ConfirmDialog
          title={t('ops.resendTitle', { email: delivery.email ?? delivery.contactId })}
          confirmLabel={t('ops.resend')}
          busy={busy}
          onConfirm={() => void resend()}
          onCancel={() => setConfirming(false)}
        >
          <p>{t('ops.resendBody', { sequence: delivery.sequence, step: delivery.step, status: delivery.status })}</p>
        </ConfirmDialog>
      )}
    </>
  );
}
