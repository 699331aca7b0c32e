import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { requestIdOf } from './common/request-id.js';
import { AdminKeyMiddleware } from './common/admin-key.middleware.js';
import { AllExceptionsFilter } from './common/all-exceptions.filter.js';
import { redactRequest } from './common/log-redaction.js';
import type { Clock } from './common/clock.js';
import { CommonModule } from './common/common.module.js';
import { ContactsModule } from './contacts/contacts.module.js';
import { SegmentsModule } from './segments/segments.module.js';
import { TrackingModule } from './tracking/tracking.module.js';
import { TemplatesModule } from './templates/templates.module.js';
import { SequencesModule } from './sequences/sequences.module.js';
import { EnrollmentsModule } from './enrollments/enrollments.module.js';
import { ScheduleModule } from '@nestjs/schedule';
import { DeliveryModule } from './delivery/delivery.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { SettingsModule } from './settings/settings.module.js';
import { StudioModule } from './studio/studio.module.js';
import { DatabaseModule } from './database/database.module.js';
import { ERROR_STATUSES } from './error-statuses.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { WakeupModule } from './wakeup/wakeup.module.js';

/** What tests may swap; production passes nothing. */
export interface AppOptions {
  clock?: Clock;
}

@Module({})
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(AdminKeyMiddleware)
      .forRoutes({ path: 'v1', method: RequestMethod.ALL }, { path: 'v1/{*path}', method: RequestMethod.ALL });
  }

  static forRoot(config: AppConfig, options: AppOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            // A caller's request id is kept so logs can be joined across services; otherwise one is made.
            // The id is assigned before anything else (bootstrap's assignRequestId); this covers a request that
            // reaches the logger some other way.
            genReqId: requestIdOf,
            redact: ['req.headers.authorization', 'req.headers.cookie'],
            // Query strings name contacts (`?email=`); the log keeps the parameter, not the person.
            // A response is logged by its status alone (with pino-http's responseTime and the request's id): its
            // headers add nothing an operator needs and repeat on every line.
            serializers: {
              req: redactRequest,
              res: (response: { statusCode?: number }) => ({ statusCode: response.statusCode }),
            },
            autoLogging: { ignore: (request) => request.url === '/health' || request.url === '/metrics' },
          },
        }),
        CommonModule.forRoot(options.clock),
        DatabaseModule,
        WakeupModule,
        MetricsModule,
        HealthModule,
        SegmentsModule,
        ContactsModule,
        TemplatesModule,
        SequencesModule,
        EnrollmentsModule,
        ScheduleModule.forRoot(),
        DeliveryModule,
        SettingsModule,
        TrackingModule,
        ReportsModule,
        StudioModule,
      ],
      providers: [{ provide: APP_FILTER, useValue: new AllExceptionsFilter(ERROR_STATUSES) }],
    };
  }
}
