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

export function useDatabaseZones(names: Iterable<string>): void {
  databaseZones = new Set([...names].map((name) => name.toLowerCase()));
  zoneValidity.clear();
}

/**
 * Whether both luxon and the database know the zone. luxon answers by building an Intl.DateTimeFormat per
 * call: ~0.1 ms and ~25 KB of ICU memory that only a full GC returns. An import of 10,000 rows called it
 * 10,000 times (260 MB of RSS per call), so answers are remembered per name.
 */
export function isValidTimezone(zone: string): boolean {
  let valid = zoneValidity.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone) && (databaseZones?.has(zone.toLowerCase()) ?? true);
    if (zoneValidity.size < ZONE_CACHE_LIMIT) zoneValidity.set(zone, valid);
  }
  return valid;
}
