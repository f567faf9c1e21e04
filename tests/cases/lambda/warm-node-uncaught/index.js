// `calls` counts this process's invocations; {"crash": true} throws from a
// timer, where no promise or callback catches it.
let calls = 0;

exports.handler = (event, context, callback) => {
  calls += 1;
  if (event.crash) {
    setTimeout(() => {
      const e = new Error('thrown from a timer');
      e.name = 'TimerFailure';
      throw e;
    }, 1);
    return;
  }
  callback(null, { calls });
};
