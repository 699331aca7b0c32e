import type { Schemas } from '../api/client';
import { useI18n } from '../i18n/i18n';

export function StatusBadge({ status }: { status: Schemas['SequenceDto']['status'] }) {
  const { t } = useI18n();
  return <span className={`status status-${status}`}>{t(`status.${status}`)}</span>;
}
