// The server under the V8 profiler, for `npm run bench -- --profile`: the driver asks over IPC to start and
// stop, so the profile covers only the measured part (an exit-time --cpu-prof would never be written: the
// server ends by re-raising SIGTERM).
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 200 });
process.on('message', async (message) => {
  if (message.profile === 'start') {
    await session.post('Profiler.start');
  } else if (message.profile === 'stop') {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(message.file, JSON.stringify(profile));
  }
  process.send({ profile: message.profile, done: true });
});
// The IPC channel must not keep a stopped server alive.
process.channel?.unref();
await import('../dist/main.js');
