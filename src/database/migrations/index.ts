import { InitialSchema1764000000000 } from './1764000000000-initial-schema.js';
import { DeliveryWritePath1764200000000 } from './1764200000000-delivery-write-path.js';
import { FunnelReadPath1764300000000 } from './1764300000000-funnel-read-path.js';
import { Suppressions1764400000000 } from './1764400000000-suppressions.js';
import { MachineEngagement1764500000000 } from './1764500000000-machine-engagement.js';
import { KnownTimeZones1764600000000 } from './1764600000000-known-time-zones.js';
import { DistributionKeys1764700000000 } from './1764700000000-distribution-keys.js';
import { SequenceTracking1764800000000 } from './1764800000000-sequence-tracking.js';
import { MailFeedback1764900000000 } from './1764900000000-mail-feedback.js';
import { DeliveryResend1765000000000 } from './1765000000000-delivery-resend.js';
import { JourneyRules1765100000000 } from './1765100000000-journey-rules.js';
import { StudioLookups1765200000000 } from './1765200000000-studio-lookups.js';

/** Listed explicitly rather than globbed: ESM has no synchronous require for TypeORM to load files with. */
export const migrations = [
  InitialSchema1764000000000,
  DeliveryWritePath1764200000000,
  FunnelReadPath1764300000000,
  Suppressions1764400000000,
  MachineEngagement1764500000000,
  KnownTimeZones1764600000000,
  DistributionKeys1764700000000,
  SequenceTracking1764800000000,
  MailFeedback1764900000000,
  DeliveryResend1765000000000,
  JourneyRules1765100000000,
  StudioLookups1765200000000,
];
