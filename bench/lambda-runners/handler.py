# The Python function the lambda-runners bench invokes: a small computation
# on the event, as a typical glue function does.
def handler(event, context):
    return {"n": event["n"] + 1, "function": context.function_name}
