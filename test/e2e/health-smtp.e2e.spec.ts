import net from 'node:net';
import { freePort } from '../support/server-process.js';
import { startDeliveryTestApp, startTestApp } from '../support/test-app.js';

/** A minimal SMTP server that counts connections: enough for a client's verification (EHLO, QUIT). */
async function countingSmtpServer(): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write('220 counting ESMTP\r\n');
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString();
      let end: number;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, end).toUpperCase();
        buffered = buffered.slice(end + 2);
        if (line.startsWith('EHLO') || line.startsWith('HELO')) socket.write('250 counting\r\n');
        else if (line.startsWith('QUIT')) socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    connections: () => connections,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('/health reports the mail transport', () => {
  it('says "outbox" without SMTP_URL', async () => {
    const t = await startTestApp();
    try {
      await t.http().get('/health').expect(200, { status: 'ok', db: 'up', smtp: 'outbox' });
    } finally {
      await t.close();
    }
  });

  it('says "up" when the SMTP server answers', async () => {
    const t = await startDeliveryTestApp();
    try {
      await t.http().get('/health').expect(200, { status: 'ok', db: 'up', smtp: 'up' });
    } finally {
      await t.close();
    }
  });

  it('stays 200 (degraded) with "down" when nothing answers at SMTP_URL, before any send tried', async () => {
    const t = await startTestApp({ SMTP_URL: `smtp://127.0.0.1:${await freePort()}` });
    try {
      await t.http().get('/health').expect(200, { status: 'degraded', db: 'up', smtp: 'down' });
    } finally {
      await t.close();
    }
  });

  it('asks the SMTP server at most once per 30 s, however often /health is called', async () => {
    const smtp = await countingSmtpServer();
    const t = await startTestApp({ SMTP_URL: smtp.url });
    try {
      for (let i = 0; i < 10; i++) {
        await t.http().get('/health').expect(200, { status: 'ok', db: 'up', smtp: 'up' });
      }
      await Promise.all(
        Array.from({ length: 10 }, () => t.http().get('/health').expect(200, { status: 'ok', db: 'up', smtp: 'up' })),
      );
      expect(smtp.connections()).toBe(1);
    } finally {
      await t.close();
      await smtp.close();
    }
  });
});
