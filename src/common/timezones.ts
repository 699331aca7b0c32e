import { IANAZone } from 'luxon';

/** Zone names seen so far; bounded because the names come from request bodies. */
const zoneValidity = new Map<string, boolean>();
const ZONE_CACHE_LIMIT = 5_000;

/**
 * The zone names the database knows (`pg_timezone_names`, lower-cased: both sides match names without case),
 * set at boot by TimezoneCatalog. luxon (ICU) still knows names that tzdata removed (`US/Pacific-New`,
 * `Canada/East-Saskatchewan`); PostgreSQL refuses them in every due-time computation, so a contact created
 * with one lost its signups to 500s. Until set (pure unit tests), luxon alone decides.
 */
let databaseZones: Set<string> | undefined;

/**
 * Zone names the database reads differently from tzdata: `AT TIME ZONE` takes a name that is also a time zone
 * abbreviation (`pg_timezone_abbrevs`) as the abbreviation's fixed offset, so CET, EET, MET and WET, which observe
 * daylight saving in tzdata and for luxon, got due times an hour off all summer (found by
 * test/integration/due-at-agreement.spec.ts). Abbreviations of fixed zones (UTC, EST, …) mean the same to both.
 */
let misreadZones = new Set<string>();

/** The database's zone names and abbreviations, read at boot by TimezoneCatalog. */
export function useDatabaseZones(names: Iterable<string>, abbreviations: Iterable<string> = []): void {
  databaseZones = new Set([...names].map((name) => name.toLowerCase()));
  const january = Date.UTC(new Date().getUTCFullYear(), 0, 1);
  const july = Date.UTC(new Date().getUTCFullYear(), 6, 1);
  misreadZones = new Set(
    [...abbreviations]
      .filter((name) => databaseZones!.has(name.toLowerCase()) && IANAZone.isValidZone(name))
      .filter((name) => IANAZone.create(name).offset(january) !== IANAZone.create(name).offset(july))
      .map((name) => name.toLowerCase()),
  );
  zoneValidity.clear();
}

/** Why the zone cannot be used, or undefined when it can. */
export function timezoneProblem(zone: string): string | undefined {
  if (misreadZones.has(zone.toLowerCase())) {
    return `is read by the database as the fixed-offset abbreviation ${zone.toUpperCase()}, without daylight saving; use a city zone such as Europe/Paris`;
  }
  return isValidTimezone(zone)
    ? undefined
    : 'must be an IANA time zone that both the engine and the database know, such as Europe/Chisinau';
}

/**
 * Whether both luxon and the database know the zone. luxon answers by building an Intl.DateTimeFormat per
 * call: ~0.1 ms and ~25 KB of ICU memory that only a full GC returns. An import of 10,000 rows called it
 * 10,000 times (260 MB of RSS per call), so answers are remembered per name.
 */
export function isValidTimezone(zone: string): boolean {
  let valid = zoneValidity.get(zone);
  if (valid === undefined) {
    valid =
      IANAZone.isValidZone(zone) &&
      (databaseZones?.has(zone.toLowerCase()) ?? true) &&
      !misreadZones.has(zone.toLowerCase());
    if (zoneValidity.size < ZONE_CACHE_LIMIT) zoneValidity.set(zone, valid);
  }
  return valid;
}
