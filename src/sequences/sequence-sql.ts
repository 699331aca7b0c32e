import { finishedDeliverySql } from '../lifecycle/enrollment-lifecycle.js';

/** A sequence with its current steps (variants with their template keys), as SequenceRow. */
export const SELECT_SEQUENCE = `
  SELECT s.id, s.key, s.name, s.status, s.paused_reason, s.trigger_event, s.conversion_event, s.audience_segment_id,
         a.key AS audience_segment_key, s.send_window, s.default_timezone, s.track_opens, s.track_clicks,
         s.reentry, s.reentry_cooldown_days, s.transactional, s.holdout_percent, s.conversion_window_days, s.version, s.created_at, s.updated_at,
         COALESCE((
           SELECT jsonb_agg(jsonb_build_object(
                    'id', st.id, 'key', st.key, 'position', st.position, 'day_offset', st.day_offset,
                    'at_time', st.at_time, 'template_id', st.template_id, 'template_key', t.key,
                    'segment_id', st.segment_id, 'segment_key', g.key, 'max_lateness_hours', st.max_lateness_hours,
                    'variants', (
                      SELECT jsonb_agg(jsonb_build_object('key', v.value->>'key', 'template_id', vt.id,
                                                          'template_key', vt.key, 'weight', (v.value->>'weight')::int)
                                       ORDER BY v.ord)
                      FROM jsonb_array_elements(st.variants) WITH ORDINALITY AS v(value, ord)
                      JOIN templates vt ON vt.id = (v.value->>'templateId')::uuid),
                    'experiment', st.experiment, 'winner', st.winner)
                  ORDER BY st.position)
           FROM sequence_steps st
           JOIN templates t ON t.id = st.template_id
           LEFT JOIN segments g ON g.id = st.segment_id
           WHERE st.sequence_id = s.id AND st.removed_at IS NULL), '[]') AS steps
  FROM sequences s
  LEFT JOIN segments a ON a.id = s.audience_segment_id`;

/**
 * Re-plans the running enrollments of a sequence after its steps changed: the next step is the first
 * current step (by position) that has no finished delivery row, so a sent step is never planned again. One with no
 * step left completes, unless it is already past its last step in the conversion window (no step): that runs on.
 * Joins and a GROUP BY on contact_id rather than correlated subqueries, and the time is the app's clock ($2):
 * the forms a database distributed by contact_id runs shard by shard.
 */
export const REPLAN_ENROLLMENTS = `
  WITH plan AS (
    SELECT e.contact_id, e.id,
           (array_agg(st.id ORDER BY st.position) FILTER (WHERE st.id IS NOT NULL AND d.id IS NULL))[1] AS step_id
    FROM enrollments e
    LEFT JOIN sequence_steps st ON st.sequence_id = e.sequence_id AND st.removed_at IS NULL
    LEFT JOIN deliveries d ON d.contact_id = e.contact_id AND d.enrollment_id = e.id AND d.step_id = st.id
                          AND d.status IN ${finishedDeliverySql}
    WHERE e.sequence_id = $1 AND e.status = 'active'
    GROUP BY e.contact_id, e.id
  )
  UPDATE enrollments e SET
    next_step_id = plan.step_id,
    next_due_at = CASE WHEN plan.step_id IS NOT NULL THEN touchpoint_due_at(
        e.start_at, COALESCE(c.timezone, s.default_timezone, 'UTC'), st.day_offset, st.at_time)
      WHEN e.next_step_id IS NULL THEN e.next_due_at END,
    status = CASE WHEN plan.step_id IS NULL AND e.next_step_id IS NOT NULL THEN 'completed' ELSE e.status END,
    ended_at = CASE WHEN plan.step_id IS NULL AND e.next_step_id IS NOT NULL THEN $2::timestamptz ELSE e.ended_at END,
    updated_at = $2
  FROM plan
  JOIN contacts c ON true
  JOIN sequences s ON s.id = $1
  LEFT JOIN sequence_steps st ON st.id = plan.step_id
  WHERE e.contact_id = plan.contact_id AND e.id = plan.id AND c.id = e.contact_id`;
