import type { ChildProcess } from 'node:child_process';

/**
 * The next message `child` (called `who` in errors) sends, within `ms`; rejects when it exits
 * first, and kills it when it does not answer in time.
 */
export function nextMessage(child: ChildProcess, who: string, ms: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: unknown) => {
      done();
      resolve(message);
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`${who} exited with code ${code}`));
    };
    const timer = setTimeout(() => {
      done();
      child.kill('SIGKILL');
      reject(new Error(`${who} did not answer within ${ms} ms`));
    }, ms);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
