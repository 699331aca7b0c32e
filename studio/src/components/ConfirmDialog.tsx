import { type ReactNode, useEffect, useRef } from 'react';
import { useI18n } from '../i18n/i18n';

interface Props {
  title: string;
  confirmLabel: string;
  danger?: boolean;
  busy: boolean;
  onConfirm(): void;
  onCancel(): void;
  children: ReactNode;
}

/**
 * A modal <dialog>: the browser keeps focus inside it, Escape cancels, focus returns to the button that opened it.
 * Cancel comes first and takes the focus, so a stray Enter does nothing irreversible.
 */
export function ConfirmDialog({ title, confirmLabel, danger, busy, onConfirm, onCancel, children }: Props) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    element?.showModal();
    return () => {
      element?.close();
      opener?.focus();
    };
  }, []);
  return (
    <dialog
      ref={dialog}
      className="confirm"
      aria-labelledby="confirm-title"
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <h2 id="confirm-title">{title}</h2>
      <div className="confirm-body">{children}</div>
      <div className="confirm-buttons">
        <button type="button" onClick={onCancel} disabled={busy} autoFocus>
          {t('common.cancel')}
        </button>
        <button type="button" className={danger ? 'danger' : 'primary'} onClick={onConfirm} disabled={busy}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
