import { type FormEvent, useState } from 'react';
import { api, ApiError, type Schemas, unwrap } from '../api/client';

type Sequence = Schemas['SequenceDto'];

/**
 * The save of a sequence editor (calendar, settings): PUT the whole definition the editor builds; a 400's messages
 * are placed by the editor's own rule (`place`), any other failure is kept to show. A draft is saved at once; a
 * sequence that may have running enrollments only after the editor's confirmation (`confirming`, then `save`).
 */
export function useSequenceSave<P>(
  sequence: Sequence,
  onSaved: (sequence: Sequence) => void,
  build: () => { body: Schemas['UpdateSequenceDto']; place(messages: string[]): P },
) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<P | null>(null);
  const [failure, setFailure] = useState<unknown>(null);

  async function save() {
    const { body, place } = build();
    setBusy(true);
    setFailure(null);
    try {
      onSaved(await unwrap(api.PUT('/v1/sequences/{key}', { params: { path: { key: sequence.key } }, body })));
    } catch (error) {
      setConfirming(false);
      if (error instanceof ApiError && error.status === 400) setProblems(place(error.messages));
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    setProblems(null);
    if (sequence.status === 'draft') void save();
    else setConfirming(true);
  }

  return { busy, confirming, cancel: () => setConfirming(false), problems, failure, save, submit };
}
