import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMessage {
  envelopeFrom: string;
  envelopeTo: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

/**
 * How the server answers one message: accept it (undefined), refuse it with an SMTP reply, cut the
 * connection in the middle of DATA (the message is never accepted), or answer only after a delay or once
 * `until` settles (to make something happen while the sender waits for the reply).
 */
export type SmtpVerdict =
  | { code: number; message: string }
  | { drop: true }
  | { delayMs: number; then?: { code: number; message: string } }
  | { until: Promise<unknown> };

/** Decides how the server answers one message; `index` counts every DATA it has seen. */
export type SmtpScript = (message: { to: string[]; index: number }) => SmtpVerdict | undefined;

/**
 * A real SMTP server on a loopback port that keeps every message it accepted, parsed, so tests check what
 * actually arrived. A script makes it answer 4xx/5xx for chosen messages.
 */
export class SmtpSink {
  readonly messages: ReceivedMessage[] = [];
  private attempts = 0;
  private script: SmtpScript = () => undefined;
  private waiters: Array<() => void> = [];
  private listeningPort = 0;
  private refusingConnections = false;
  /** What the server did besides accepting: replies by code, 'drop', 'delay', 'connection-refused'. */
  readonly faults = new Map<string, number>();

  private constructor(private readonly server: SMTPServer) {}

  static async start(): Promise<SmtpSink> {
    const holder: { sink?: SmtpSink } = {};
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 10 * 1024 * 1024,
      onConnect(_session, callback) {
        if (!holder.sink!.refusingConnections) return callback();
        holder.sink!.count('421-at-connect');
        callback(Object.assign(new Error('4.3.2 Service not available, closing channel'), { responseCode: 421 }));
      },
      onData(stream, session, callback) {
        holder.sink!.receive(stream, session, callback).catch(() => undefined);
      },
    });
    // A client that vanishes mid-session (a killed sender, a dropped connection) is not the sink's error.
    server.on('error', () => undefined);
    const sink = new SmtpSink(server);
    holder.sink = sink;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    sink.listeningPort = (server.server.address() as AddressInfo).port;
    return sink;
  }

  get port(): number {
    return this.listeningPort;
  }

  /** Flapping, part one: greet every new connection with 421 until `recover()`. */
  refuseConnections(): void {
    this.refusingConnections = true;
  }

  recover(): void {
    this.refusingConnections = false;
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

  async waitForCount(count: number, timeoutMs = 120_000): Promise<void> {
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

  private count(fault: string): void {
    this.faults.set(fault, (this.faults.get(fault) ?? 0) + 1);
  }

  private async receive(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    callback: (error?: Error | null) => void,
  ) {
    const to = session.envelope.rcptTo.map((address) => address.address.toLowerCase());
    let verdict = this.script({ to, index: this.attempts++ });
    if (verdict && 'drop' in verdict) {
      // Read part of the message, then cut the TCP connection before the final dot: never accepted.
      this.count('drop');
      stream.once('data', () => {
        for (const connection of (this.server as unknown as { connections: Set<SmtpConnection> }).connections) {
          if (connection.id === session.id) connection._socket.destroy();
        }
      });
      stream.resume();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    if (verdict && 'until' in verdict) {
      this.count('held');
      await verdict.until.catch(() => undefined);
      verdict = undefined;
    }
    if (verdict && 'delayMs' in verdict) {
      const { delayMs, then } = verdict;
      this.count('delay');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      verdict = then;
    }
    if (verdict) {
      this.count(String(verdict.code));
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

/** The part of smtp-server's connection object the sink reaches into to cut a connection. */
interface SmtpConnection {
  id: string;
  _socket: { destroy(): void };
}
