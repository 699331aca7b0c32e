// A fast SMTP sink in its own process for the benchmark: accepts everything, counts, keeps nothing.
import { SMTPServer } from 'smtp-server';

let count = 0;
let bytes = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  maxClients: 1000,
  onData(stream, _session, callback) {
    stream.on('data', (chunk) => (bytes += chunk.length));
    stream.on('end', () => {
      count++;
      callback();
    });
  },
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.server.address().port }));
process.on('message', (message) => {
  if (message === 'count') process.send({ count, bytes });
  if (message === 'reset') {
    count = 0;
    bytes = 0;
    process.send({ reset: true });
  }
  if (message === 'stop') server.close(() => process.exit(0));
});
