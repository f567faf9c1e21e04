# A Lambda handler in Python, called as handler(event, context) by the runner.
import helpers


class OutOfStock(Exception):
    pass


def handler(event, context):
    print("log lines go to stderr, not into the result")
    return {
        "greeting": helpers.greet(event["name"]),
        "function": context.function_name,
        "requestIdLength": len(context.aws_request_id),
        "timeLeft": 0 < context.get_remaining_time_in_millis() <= 10000,
    }


def reserve(event, context):
    raise OutOfStock(f"no {event['item']} left")
