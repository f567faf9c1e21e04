// Lambda handlers in Node.js, called as handler(event, context[, callback]) by the runner.
exports.handler = async (event, context) => {
  console.log('log lines go to stderr, not into the result');
  return { total: event.prices.reduce((a, b) => a + b, 0), function: context.functionName };
};

exports.withCallback = (event, context, callback) => {
  setTimeout(() => callback(null, { late: event.total * 2 }), 20);
};

exports.reject = async (event) => {
  const e = new Error(`total ${event.total} is too high`);
  e.name = 'TooExpensive';
  throw e;
};
