import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { readReport } from './report-parser.js';
import { ReturnedMailService } from './returned-mail.service.js';
import { ReturnPath } from './return-path.js';

/** A DSN quotes the original message, an ARF report too: a few MB covers them; bigger mail is refused. */
const MAX_MESSAGE_BYTES = 5 * 1024 * 1024;

/** An SMTP reply with its code, as smtp-server takes it from an error. */
function reply(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

/**
 * The inbound SMTP listener for returned mail, on BOUNCE_SMTP_PORT: it takes mail only for return paths that
 * ReturnPath signed (anything else, forged tokens included, is refused at RCPT, so it is no open relay and
 * no spam trap), reads delivery status notifications and abuse reports, and acts on them. Mail that is no
 * report (an auto-reply, a bounce in prose) is accepted and dropped: refusing it would bounce it back again.
 */
@Injectable()
export class BounceListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('BounceListener');
  private server: SMTPServer | undefined;

  constructor(
    private readonly returnPath: ReturnPath,
    private readonly returnedMail: ReturnedMailService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The port listened on (useful with BOUNCE_SMTP_PORT=0), or undefined when off. */
  get port(): number | undefined {
    const address = this.server?.server.address();
    return address && typeof address === 'object' ? (address as AddressInfo).port : undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.bounceSmtpPort === undefined) return;
    const server = new SMTPServer({
      name: this.config.bounceDomain,
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: MAX_MESSAGE_BYTES,
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (this.returnPath.deliveryOf(address.address)) return callback();
        callback(reply(550, '5.1.1 No such recipient here'));
      },
      onData: (stream, session, callback) => {
        this.receive(stream, session).then(
          () => callback(),
          (error: unknown) => {
            if ((error as { responseCode?: number }).responseCode === 552) return callback(error as Error);
            this.logger.error({ err: error }, 'returned mail could not be recorded; the sender will retry');
            callback(reply(451, '4.3.0 Could not record the report now, try again later'));
          },
        );
      },
    });
    // A client that drops mid-session is its problem, not the server's.
    server.on('error', (error) => this.logger.warn({ err: error }, 'bounce listener connection error'));
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.config.bounceSmtpPort, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.logger.log(`listening for returned mail on port ${this.port} (bounce+…@${this.config.bounceDomain})`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    if (stream.sizeExceeded) throw reply(552, '5.3.4 Message too big');
    const verdict = readReport(Buffer.concat(chunks).toString('utf8'));
    // Every recipient was checked at RCPT; a report names one delivery, so each return path gets it.
    for (const recipient of session.envelope.rcptTo) {
      const deliveryId = this.returnPath.deliveryOf(recipient.address);
      if (!deliveryId) continue;
      if (!verdict) {
        this.logger.log({ deliveryId }, 'mail to a return path that is no DSN or ARF report: dropped');
        continue;
      }
      await this.returnedMail.fromMail(deliveryId, verdict);
    }
  }
}
