import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Machine opens and clicks recorded apart (src/tracking/machine-rules.ts). A delivery's opened_at,
 * clicked_at, open_count and click_count are now a person's only — the funnel and the delivery log read
 * them as they did, so counting people costs the funnel nothing more — and machine_open_count /
 * machine_click_count keep what privacy proxies, scanners and implausibly fast clicks did, for ops (each
 * event also carries tracking_events.machine).
 *
 * `machine_open` (true while every open had been a machine's) goes: the counts say more. Rows that had
 * machine opens are recomputed from their events: a person's first open or click is their opened_at.
 * Clicks were never flagged before, so the clicks already recorded stay a person's.
 */
export class MachineEngagement1764500000000 implements MigrationInterface {
  name = 'MachineEngagement1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE deliveries ADD COLUMN machine_open_count integer NOT NULL DEFAULT 0,
                              ADD COLUMN machine_click_count integer NOT NULL DEFAULT 0`,
    );
    await queryRunner.query(
      `UPDATE deliveries d SET opened_at = LEAST(x.first_human_open, d.clicked_at), open_count = x.human_opens,
              machine_open_count = x.machine_opens
       FROM (SELECT delivery_id, min(occurred_at) FILTER (WHERE NOT machine) AS first_human_open,
                    count(*) FILTER (WHERE NOT machine)::int AS human_opens,
                    count(*) FILTER (WHERE machine)::int AS machine_opens
             FROM tracking_events WHERE kind = 'open' GROUP BY delivery_id HAVING bool_or(machine)) x
       WHERE d.id = x.delivery_id`,
    );
    await queryRunner.query(`ALTER TABLE deliveries DROP COLUMN machine_open`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE deliveries ADD COLUMN machine_open boolean NOT NULL DEFAULT false`);
    await queryRunner.query(
      `UPDATE deliveries SET machine_open = true, open_count = open_count + machine_open_count,
              opened_at = COALESCE(opened_at, updated_at)
       WHERE machine_open_count > 0 AND open_count = 0`,
    );
    await queryRunner.query(`ALTER TABLE deliveries DROP COLUMN machine_open_count, DROP COLUMN machine_click_count`);
  }
}
