import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import type { SequenceDto } from '../sequences/sequence.dto.js';
import type { StepWinner } from '../sequences/sequence.repository.js';
import { SequenceService } from '../sequences/sequence.service.js';
import { ExperimentErrorCode, ExperimentException } from './experiment.exception.js';
import { WinnerRepository } from './winner.repository.js';
import { decideWinner } from './winner-rule.js';

/**
 * Experiments' winners: decided automatically after every scheduling pass (one grouped query for all open
 * experiments, then winner-rule.ts), or pinned by a marketer. Sends use the winner from the next pass on
 * (src/experiments/variant-choice.ts).
 */
@Injectable()
export class WinnerService {
  private readonly logger = new Logger('Experiments');
  /**
   * The counts each open experiment was last judged undecided on. The same counts always give the same answer, so a
   * pass that changed nothing for a step skips its statistics (a Monte Carlo estimate takes tens of milliseconds).
   */
  private readonly undecided = new Map<string, string>();

  constructor(
    private readonly repository: WinnerRepository,
    private readonly sequences: SequenceService,
    private readonly clock: Clock,
  ) {}

  /**
   * Decides what the counts allow, as of the pass's `now` (decidedAt). Never throws: a failed check is logged and
   * the next pass checks again, as the complaint breaker's.
   */
  async decide(now: Date): Promise<void> {
    try {
      const experiments = await this.repository.openExperiments();
      const openIds = new Set(experiments.map((experiment) => experiment.step_id));
      for (const stepId of this.undecided.keys()) if (!openIds.has(stepId)) this.undecided.delete(stepId);
      for (const open of experiments) {
        const judged = JSON.stringify([open.variants, open.experiment, open.counts]);
        if (this.undecided.get(open.step_id) === judged) continue;
        const decision = decideWinner(open.variants, open.experiment, new Map(Object.entries(open.counts)));
        if (!decision) {
          this.undecided.set(open.step_id, judged);
          continue;
        }
        const winner: StepWinner = { ...decision, decidedAt: now.toISOString(), by: 'auto' };
        if (!(await this.repository.decide(open.step_id, winner))) continue;
        this.logger.log(
          { sequence: open.sequence_key, step: open.step_key, ...winner, counts: open.counts },
          `experiment ${open.sequence_key}/${open.step_key}: variant ${decision.variant} wins with probability ${decision.probability.toFixed(4)} to beat every other on ${open.experiment.metric}s per send; later sends use it alone`,
        );
      }
    } catch (error) {
      this.logger.error({ err: error }, 'experiment winner check failed');
    }
  }

  /** A marketer's choice: the variant is the step's winner from now on (`by: pinned`, no probability). */
  async pin(sequenceKey: string, stepKey: string, variant: string): Promise<SequenceDto> {
    const sequence = await this.sequences.require(sequenceKey);
    const step = sequence.steps.find((candidate) => candidate.key === stepKey);
    if (!step) {
      throw new ExperimentException(
        ExperimentErrorCode.STEP_NOT_FOUND,
        `sequence ${sequenceKey} has no step ${stepKey}`,
      );
    }
    if (!step.variants) {
      throw new ExperimentException(
        ExperimentErrorCode.NO_VARIANTS,
        `step ${stepKey} has no variants to pick a winner from`,
      );
    }
    if (!step.variants.some((candidate) => candidate.key === variant)) {
      throw new ExperimentException(
        ExperimentErrorCode.VARIANT_UNKNOWN,
        `step ${stepKey} has no variant ${variant} (its variants: ${step.variants.map((v) => v.key).join(', ')})`,
      );
    }
    const winner: StepWinner = { variant, probability: null, decidedAt: this.clock.now().toISOString(), by: 'pinned' };
    await this.repository.pin(step.id, winner);
    this.logger.log(
      { sequence: sequenceKey, step: stepKey, ...winner },
      `experiment ${sequenceKey}/${stepKey}: variant ${variant} pinned`,
    );
    return this.sequences.get(sequenceKey);
  }
}
