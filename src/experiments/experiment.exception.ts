import { DomainException } from '../common/domain-exception.js';

export enum ExperimentErrorCode {
  STEP_NOT_FOUND = 'experiment.step_not_found',
  /** A winner pinned on a step without variants. */
  NO_VARIANTS = 'experiment.no_variants',
  VARIANT_UNKNOWN = 'experiment.variant_unknown',
}

export class ExperimentException extends DomainException<ExperimentErrorCode> {
  constructor(code: ExperimentErrorCode, detail: string) {
    super(code, detail);
  }
}
