import { api, type Schemas, unwrap } from '../../api/client';
import { type Loaded, useLoad } from '../useLoad';

/** The sequences a filter or a picker offers (the first 500: a school's, not a bank's). */
export function useSequences(): Loaded<Schemas['SequenceDto'][]> {
  return useLoad(async () => (await unwrap(api.GET('/v1/sequences', { params: { query: { limit: 500 } } }))).items, []);
}
