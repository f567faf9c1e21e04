import logging

logging.getLogger().setLevel(logging.INFO)


def handler(event, context):
    print(f"python handler got x={event['x']}")
    logging.info("logged")
    return event
