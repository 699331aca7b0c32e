import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMessage {
  envelopeFrom: string;
  envelopeTo: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

/** Decides how the server answers one message: undefined accepts it; an error with responseCode refuses it. */
export type SmtpScript = (message: { to: string[]; index: number }) => { code: number; message: string } | undefined;

/**
 * A real SMTP server on a loopback port that keeps every message it accepted, parsed, so tests check what
 * actually arrived. A script makes it answer 4xx/5xx for chosen messages.
 */
export class SmtpSink {
  readonly messages: ReceivedMessage[] = [];
  private attempts = 0;
  private script: SmtpScript = () => undefined;
  private waiters: Array<() => void> = [];

  private constructor(private readonly server: SMTPServer) {}

  static async start(): Promise<SmtpSink> {
    const holder: { sink?: SmtpSink } = {};
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 10 * 1024 * 1024,
      onData(stream, session, callback) {
        void holder.sink!.receive(stream, session, callback);
      },
    });
    const sink = new SmtpSink(server);
    holder.sink = sink;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return sink;
  }

  get port(): number {
    return (this.server.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  respondWith(script: SmtpScript): void {
    this.script = script;
  }

  /** Messages addressed to `email`. */
  to(email: string): ReceivedMessage[] {
    return this.messages.filter((message) => message.envelopeTo.includes(email.toLowerCase()));
  }

  async waitForCount(count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} messages, got ${this.messages.length}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async receive(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    callback: (error?: Error | null) => void,
  ) {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const to = session.envelope.rcptTo.map((address) => address.address.toLowerCase());
    const verdict = this.script({ to, index: this.attempts++ });
    if (verdict) {
      callback(Object.assign(new Error(verdict.message), { responseCode: verdict.code }));
      return;
    }
    const raw = Buffer.concat(chunks);
    const from = session.envelope.mailFrom;
    this.messages.push({
      envelopeFrom: from ? from.address : '',
      envelopeTo: to,
      raw,
      parsed: await simpleParser(raw),
    });
    callback();
    for (const wake of this.waiters.splice(0)) wake();
  }
}
