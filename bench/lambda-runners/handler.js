// The Node.js function the lambda-runners bench invokes.
exports.handler = async (event, context) => ({ n: event.n + 1, function: context.functionName });
