/**
 * The journey rules every sequence shares (API.md, Settings): the frequency cap and the quiet dates. Stored as
 * JSON in app_settings under JOURNEY_SETTINGS_KEY; read by the scheduler once per pass.
 */
export interface FrequencyCap {
  maxPerDay?: number;
  maxPerWeek?: number;
  minHoursBetween?: number;
}

export interface JourneySettings {
  frequencyCap: FrequencyCap | null;
  /** Local calendar dates `YYYY-MM-DD`, read in each contact's own time zone. */
  quietDates: string[];
}

export const JOURNEY_SETTINGS_KEY = 'journey';

export const NO_JOURNEY_SETTINGS: JourneySettings = { frequencyCap: null, quietDates: [] };

/**
 * The ledger (contact_pacing.sends) keeps seven days of sends, so no rule may look further back than that:
 * minHoursBetween is at most a week.
 */
export const LEDGER_DAYS = 7;
export const MAX_MIN_HOURS_BETWEEN = LEDGER_DAYS * 24;

/** A stored value as the engine reads it: what the API wrote, or no rules when nothing was ever written. */
export function parseJourneySettings(stored: string | undefined): JourneySettings {
  if (stored === undefined) return NO_JOURNEY_SETTINGS;
  const value = JSON.parse(stored) as Partial<JourneySettings>;
  return { frequencyCap: value.frequencyCap ?? null, quietDates: value.quietDates ?? [] };
}
