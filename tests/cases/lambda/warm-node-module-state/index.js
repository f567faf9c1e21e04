// A warm runner keeps the module between invocations, as a warm Lambda
// container does: `calls` counts this process's invocations, async and
// callback-style handlers alike.
let calls = 0;

exports.handler = async (event) => {
  calls += 1;
  console.log('logged: goes to stderr');
  return { calls, pid: process.pid, item: event };
};

// Answered once the event loop is empty (the timer has run), as on AWS.
exports.later = (event, context, callback) => {
  calls += 1;
  callback(null, { calls, pid: process.pid, item: event });
  setTimeout(() => console.log('the timer ran before the answer'), 10);
};
