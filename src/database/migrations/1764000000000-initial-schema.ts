import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole data model (see docs/data-model.md). Every table that grows with contacts carries
 * `contact_id`, and its unique keys include it, so the tables can later be distributed by it.
 * Written by hand: the keys and partial indexes carry the engine's guarantees and are reviewed as such.
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE contacts (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email           text,
        first_name      text,
        last_name       text,
        locale          text,
        timezone        text,
        attributes      jsonb NOT NULL DEFAULT '{}'::jsonb,
        status          text NOT NULL DEFAULT 'active'
                        CHECK (status IN ('active', 'unsubscribed', 'bounced', 'complained', 'erased')),
        status_changed_at timestamptz,
        erased_at       timestamptz,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        CHECK (email IS NOT NULL OR status = 'erased')
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX contacts_email_lower_key ON contacts (lower(email))`);
    await queryRunner.query(`CREATE INDEX contacts_created_at_id_idx ON contacts (created_at, id)`);

    await queryRunner.query(`
      CREATE TABLE segments (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key         text NOT NULL UNIQUE,
        name        text NOT NULL,
        rule        jsonb NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);

    await queryRunner.query(`
      CREATE TABLE templates (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key         text NOT NULL UNIQUE,
        name        text NOT NULL,
        version     integer NOT NULL DEFAULT 1,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE template_variants (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        template_id uuid NOT NULL REFERENCES templates (id) ON DELETE CASCADE,
        position    integer NOT NULL,
        locale      text NOT NULL,
        subject     text NOT NULL,
        html        text NOT NULL,
        text        text,
        UNIQUE (template_id, locale),
        UNIQUE (template_id, position)
      )`);

    await queryRunner.query(`
      CREATE TABLE sequences (
        id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key                 text NOT NULL UNIQUE,
        name                text NOT NULL,
        status              text NOT NULL DEFAULT 'draft'
                            CHECK (status IN ('draft', 'active', 'paused', 'archived')),
        trigger_event       text,
        conversion_event    text,
        audience_segment_id uuid REFERENCES segments (id),
        send_window         jsonb,
        default_timezone    text,
        version             integer NOT NULL DEFAULT 1,
        created_at          timestamptz NOT NULL DEFAULT now(),
        updated_at          timestamptz NOT NULL DEFAULT now()
      )`);
    // An event looks up the active sequences it triggers or converts; these stay tiny.
    await queryRunner.query(
      `CREATE INDEX sequences_trigger_event_idx ON sequences (trigger_event) WHERE status IN ('active', 'paused')`,
    );
    await queryRunner.query(
      `CREATE INDEX sequences_conversion_event_idx ON sequences (conversion_event) WHERE status IN ('active', 'paused')`,
    );

    await queryRunner.query(`
      CREATE TABLE sequence_steps (
        id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        sequence_id        uuid NOT NULL REFERENCES sequences (id) ON DELETE CASCADE,
        key                text NOT NULL,
        position           integer NOT NULL,
        day_offset         integer NOT NULL CHECK (day_offset >= 0),
        at_time            text CHECK (at_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
        template_id        uuid NOT NULL REFERENCES templates (id),
        segment_id         uuid REFERENCES segments (id),
        max_lateness_hours integer NOT NULL DEFAULT 48 CHECK (max_lateness_hours > 0),
        -- A step removed from an active sequence is kept (the log points at it) but never planned again.
        removed_at         timestamptz,
        UNIQUE (sequence_id, key)
      )`);

    await queryRunner.query(`
      CREATE TABLE enrollments (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        contact_id      uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
        sequence_id     uuid NOT NULL REFERENCES sequences (id) ON DELETE CASCADE,
        status          text NOT NULL DEFAULT 'active'
                        CHECK (status IN ('active', 'completed', 'converted', 'unsubscribed', 'bounced', 'exited')),
        exit_reason     text,
        start_at        timestamptz NOT NULL,
        next_step_id    uuid REFERENCES sequence_steps (id),
        next_due_at     timestamptz,
        locked_by       text,
        locked_until    timestamptz,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        ended_at        timestamptz
      )`);
    // At most one running enrollment per (contact, sequence); finished ones may repeat.
    await queryRunner.query(
      `CREATE UNIQUE INDEX enrollments_one_active_key ON enrollments (contact_id, sequence_id) WHERE status = 'active'`,
    );
    // The scheduler's claim walks this index in due order: its cost follows the number of due rows,
    // not the number of contacts, because finished enrollments are not in it at all.
    await queryRunner.query(
      `CREATE INDEX enrollments_due_idx ON enrollments (next_due_at) WHERE status = 'active' AND next_due_at IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX enrollments_sequence_status_idx ON enrollments (sequence_id, status)`);
    await queryRunner.query(`CREATE INDEX enrollments_contact_idx ON enrollments (contact_id)`);

    await queryRunner.query(`
      CREATE TABLE deliveries (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        contact_id      uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
        enrollment_id   uuid NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
        sequence_id     uuid NOT NULL REFERENCES sequences (id) ON DELETE CASCADE,
        step_id         uuid NOT NULL REFERENCES sequence_steps (id),
        status          text NOT NULL
                        CHECK (status IN ('pending', 'sent', 'retrying', 'failed', 'skipped', 'deferred', 'unknown')),
        reason          text,
        attempts        integer NOT NULL DEFAULT 0,
        locale          text,
        due_at          timestamptz,
        next_attempt_at timestamptz,
        message_id      text,
        smtp_response   text,
        sent_at         timestamptz,
        opened_at       timestamptz,
        open_count      integer NOT NULL DEFAULT 0,
        machine_open    boolean NOT NULL DEFAULT false,
        clicked_at      timestamptz,
        click_count     integer NOT NULL DEFAULT 0,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        CHECK (reason IS NOT NULL OR status NOT IN ('failed', 'skipped', 'deferred', 'unknown'))
      )`);
    // Never twice: this row is inserted before the SMTP call, and a second one cannot exist.
    await queryRunner.query(
      `CREATE UNIQUE INDEX deliveries_once_key ON deliveries (contact_id, enrollment_id, step_id)`,
    );
    // The delivery log is read newest first, optionally per sequence/step/status; the funnel groups by step.
    await queryRunner.query(`CREATE INDEX deliveries_created_idx ON deliveries (created_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX deliveries_sequence_step_idx ON deliveries (sequence_id, step_id, status)`);
    await queryRunner.query(`CREATE INDEX deliveries_enrollment_idx ON deliveries (enrollment_id)`);
    await queryRunner.query(`CREATE INDEX deliveries_contact_idx ON deliveries (contact_id)`);
    // A pending row's next_attempt_at is its lease: past it, the instance sending it is presumed dead and the
    // outcome unknown. This small partial index finds such rows without scanning the log.
    await queryRunner.query(
      `CREATE INDEX deliveries_pending_idx ON deliveries (next_attempt_at) WHERE status = 'pending'`,
    );

    await queryRunner.query(`
      CREATE TABLE events (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        contact_id      uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
        name            text NOT NULL,
        occurred_at     timestamptz NOT NULL,
        received_at     timestamptz NOT NULL DEFAULT now(),
        properties      jsonb NOT NULL DEFAULT '{}'::jsonb,
        idempotency_key text
      )`);
    // The same idempotency key twice has effect once.
    await queryRunner.query(
      `CREATE UNIQUE INDEX events_idempotency_key ON events (contact_id, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX events_contact_idx ON events (contact_id, occurred_at)`);

    await queryRunner.query(`
      CREATE TABLE conversions (
        id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        contact_id          uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
        enrollment_id       uuid NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
        sequence_id         uuid NOT NULL REFERENCES sequences (id) ON DELETE CASCADE,
        event_id            uuid REFERENCES events (id) ON DELETE SET NULL,
        event_name          text NOT NULL,
        attributed_step_id  uuid REFERENCES sequence_steps (id),
        occurred_at         timestamptz NOT NULL,
        created_at          timestamptz NOT NULL DEFAULT now()
      )`);
    // An enrollment converts once.
    await queryRunner.query(
      `CREATE UNIQUE INDEX conversions_enrollment_key ON conversions (contact_id, enrollment_id)`,
    );
    await queryRunner.query(`CREATE INDEX conversions_sequence_idx ON conversions (sequence_id, occurred_at)`);

    await queryRunner.query(`
      CREATE TABLE tracking_events (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        contact_id   uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
        delivery_id  uuid NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
        kind         text NOT NULL CHECK (kind IN ('open', 'click', 'unsubscribe')),
        url          text,
        machine      boolean NOT NULL DEFAULT false,
        user_agent   text,
        occurred_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX tracking_events_delivery_idx ON tracking_events (delivery_id, kind)`);

    // Due time of a step, DST-safe: calendar days are added to the local wall-clock time, then converted
    // back. Mirrors dueAt() in src/sequences/schedule.ts, so set-based enrollment plans in SQL.
    await queryRunner.query(`
      CREATE FUNCTION touchpoint_due_at(start_at timestamptz, zone text, day_offset integer, at_time text)
      RETURNS timestamptz LANGUAGE sql STABLE AS $$
        SELECT CASE WHEN at_time IS NULL
          THEN ((start_at AT TIME ZONE zone) + make_interval(days => day_offset)) AT TIME ZONE zone
          ELSE (date_trunc('day', start_at AT TIME ZONE zone) + make_interval(days => day_offset) + at_time::time)
               AT TIME ZONE zone
        END
      $$`);

    // Server-generated secrets (token signing key when SECRET_KEY is unset) survive restarts here.
    await queryRunner.query(`
      CREATE TABLE app_settings (
        key         text PRIMARY KEY,
        value       text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION touchpoint_due_at(timestamptz, text, integer, text)`);
    for (const table of [
      'app_settings',
      'tracking_events',
      'conversions',
      'events',
      'deliveries',
      'enrollments',
      'sequence_steps',
      'sequences',
      'template_variants',
      'templates',
      'segments',
      'contacts',
    ]) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
