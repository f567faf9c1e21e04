// interp.mjs: the reference workflow (examples/workflow-within-a-workflow)
// under aws-local-stepfunctions, which has no child executions and no task
// tokens. They are emulated with its local task handlers, keyed by state
// name:
//   - states:startExecution (fire and forget): the nested machine runs as a
//     second StateMachine; the task returns at once with an ExecutionArn,
//     and the child goes on in the background (settle() waits for it);
//   - states:startExecution.sync:2: the same, and the task returns the
//     child's output as {Output, Status, ...}, like Step Functions does;
//   - states:startExecution.waitForTaskToken: starts the child with the
//     token in its input and waits until the child's Lambda handler (the
//     nested "Callback" state) calls back with that token.
// $$.Task.Token and $$.Execution.Id, which the interpreter does not set,
// come from the run's context option. Wait states are made instant
// (waitTimeOverrides), as --virtual-time does for aslc.
import { dirname, resolve } from 'node:path';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

export default function setup({ StateMachine, definition, definitionFile, helpers }) {
  const { readJSON, instantWaits, countEntered } = helpers;
  const examples = dirname(definitionFile);
  const project = readJSON(resolve(examples, 'aslc.json'));
  const [nestedArn, nestedFile] = Object.entries(project.machines)[0];
  const nestedDefinition = readJSON(resolve(examples, nestedFile));

  const main = new StateMachine(definition, { validationOptions: { checkArn: false } });
  const nested = new StateMachine(nestedDefinition, { validationOptions: { checkArn: false } });
  const mainWaits = instantWaits(definition);
  const nestedWaits = instantWaits(nestedDefinition);

  const waiting = new Map(); // task token -> resolve of the waiting task
  const background = new Set(); // children still running
  let children = 0;
  let counter = null; // set while an execution is being counted

  function track(promise) {
    background.add(promise);
    promise.finally(() => background.delete(promise)).catch(() => {});
    return promise;
  }

  // The nested machine's Lambda: SendTaskSuccess with the token it was given.
  function callback(event) {
    const { TaskToken, Message } = event.Payload;
    const resume = waiting.get(TaskToken);
    if (!resume) throw Object.assign(new Error('Task does not exist'), { name: 'TaskDoesNotExist' });
    waiting.delete(TaskToken);
    resume({ Message });
    return { ExecutedVersion: '$LATEST', Payload: null, StatusCode: 200 };
  }

  function startChild(request) {
    const id = ++children;
    const name = `child-${id}`;
    const arn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:${nestedArn.split(':').pop()}:${name}`;
    const execution = nested.run(request.Input, {
      overrides: { waitTimeOverrides: nestedWaits, taskResourceLocalHandlers: { Callback: callback } },
      context: { Execution: { Id: arn, Name: name } },
    });
    const counted = counter ? countEntered(execution.eventLogs, counter) : null;
    const result = counted ? Promise.all([execution.result, counted]).then(([out]) => out) : execution.result;
    return { arn, startDate: new Date().toISOString(), result: track(result) };
  }

  const handlers = {
    'Start new workflow and continue': (request) => {
      const child = startChild(request);
      return { ExecutionArn: child.arn, StartDate: child.startDate };
    },
    'Start new workflow and wait for completion': async (request) => {
      const child = startChild(request);
      const output = await child.result;
      return {
        ExecutionArn: child.arn,
        StartDate: child.startDate,
        StopDate: new Date().toISOString(),
        Status: 'SUCCEEDED',
        Input: request.Input,
        Output: output,
      };
    },
    'Start new workflow and wait for callback': (request) =>
      new Promise((resolveTask) => {
        waiting.set(request.Input.TaskToken, resolveTask);
        startChild(request);
      }),
  };

  return {
    run(input, index, count) {
      counter = count;
      const name = `main-${index}`;
      const execution = main.run(input, {
        overrides: { waitTimeOverrides: mainWaits, taskResourceLocalHandlers: handlers },
        context: {
          Execution: { Id: `arn:aws:states:${REGION}:${ACCOUNT}:execution:Main:${name}`, Name: name },
          Task: { Token: `token-${index}` },
        },
      });
      if (!count) return execution.result;
      return Promise.all([execution.result, countEntered(execution.eventLogs, count)]).then(([out]) => out);
    },
    async settle() {
      while (background.size) await Promise.allSettled([...background]);
      counter = null;
    },
  };
}
